"""`OrbaxCheckpoint`: Keras's Orbax (JAX) checkpointing, which has no PyTorch counterpart."""

from __future__ import annotations

from hocsau.callbacks.callback import Callback


class OrbaxCheckpoint(Callback):
    """Not available: Orbax is JAX's checkpointing library.

    Raises:
        ImportError: always, naming the hocsau way: `ModelCheckpoint` (Keras files, or
            `.weights.h5`) and `BackupAndRestore` (resumable runs).
    """

    def __init__(self, *args, **kwargs):
        raise ImportError(
            "OrbaxCheckpoint saves JAX state with Orbax and is not available in hocsau, which "
            "runs on PyTorch. Use `hocsau.callbacks.ModelCheckpoint(filepath)` to save `.keras` "
            "models or `.weights.h5` weights during training, or "
            "`hocsau.callbacks.BackupAndRestore(backup_dir)` to resume an interrupted run.")
