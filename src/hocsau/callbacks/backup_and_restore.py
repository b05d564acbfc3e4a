"""`BackupAndRestore`: an interrupted `fit` resumes where the last backup left it.

Folder layout (one backup is one file, so an epoch's weights never meet another's epoch):

    backup_dir/training_backup.npz        the latest backup: weights, optimizer variables,
                                          random states and `__backup__` (format, next epoch)
    backup_dir/training_backup.npz.bkp    with double_checkpoint: the one before it
    backup_dir/.training_backup.npz.*.tmp a write in progress (left behind by a killed run)

A backup is written to a temporary file and renamed over the latest one; with
`double_checkpoint` the latest is first renamed to `.bkp`. A kill at any point therefore leaves
a complete latest backup, or only a complete previous one. On restart unreadable files are
skipped with a warning (the previous backup, else a fresh start); temporary files and the two
files of the older layout (`training_state.npz` + `training_metadata.json`, which could
disagree) are removed.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import warnings

import numpy as np

from hocsau.callbacks._backup_state import (
    check_backup,
    check_complete,
    restore_backup,
    training_arrays,
)
from hocsau.callbacks._save_frequency import BatchCounter, check_save_freq
from hocsau.callbacks.callback import Callback
from hocsau.distribution.collectives import on_chief
from hocsau.distribution.sharded_step import whole_optimizer_state
from hocsau.saving.atomic import atomic_write
from hocsau.saving.serialization import keras_class

_BACKUP = "training_backup.npz"
_PREVIOUS = _BACKUP + ".bkp"
_METADATA_KEY = "__backup__"
_FORMAT = 2  # 1 was the two-file layout below
_OLDER_LAYOUT = ("training_state.npz", "training_metadata.json", "training_state.npz.bkp",
                 "training_metadata.json.bkp")


@keras_class("keras.callbacks")
class BackupAndRestore(Callback):
    """Backs up the training state in `backup_dir` and restores it when `fit` starts again.

    The state is the model's weights, the optimizer's variables, the random generators (torch,
    numpy, Python, hocsau's global seed generator) and the next epoch, so a resumed run goes on
    exactly as the uninterrupted one would have. Each backup is one file, replaced atomically;
    with `double_checkpoint` the previous backup is kept as a fallback for a damaged latest one.
    The folder is deleted when training finishes, unless `delete_checkpoint=False`.
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint: bool = False,
                 delete_checkpoint: bool = True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = check_save_freq(save_freq, allow_false=True)
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._epoch = 0
        if isinstance(save_freq, int) and save_freq is not False:
            self._counter = BatchCounter(save_freq)
            self.on_train_batch_end = self._backup_on_batch

    def _path(self, name: str) -> str:
        return os.path.join(self.backup_dir, name)

    def on_train_begin(self, logs=None):
        if not self.model.built:
            raise ValueError("To use the BackupAndRestore callback, your model must be built "
                             f"before you call `fit()`. Model {self.model.name} is unbuilt. "
                             "You can build it beforehand by calling it on a batch of data.")
        self._remove_leftovers()
        with whole_optimizer_state(self.model):  # a sharded optimizer restores whole state
            for name in (_BACKUP, _PREVIOUS):
                backup = self._read(name)
                if backup is not None:
                    epoch, arrays = backup
                    check_backup(self.model, arrays, self.backup_dir)
                    restore_backup(self.model, arrays)
                    self.model._initial_epoch = epoch
                    return

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    # Data parallel: every process decides alike; the chief writes, the others wait for it.
    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._write(next_epoch=epoch + 1)

    def _backup_on_batch(self, batch, logs=None):
        if self._counter.due(batch):
            self._write(next_epoch=self._epoch)

    def _write(self, next_epoch: int) -> None:
        with whole_optimizer_state(self.model):  # a sharded optimizer's state, gathered
            on_chief(self._backup, next_epoch=next_epoch)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint:  # no `isdir` test: the chief may have removed it already
            on_chief(shutil.rmtree, self.backup_dir, ignore_errors=True)

    # --- writing and reading the backup ------------------------------------------------------
    def _backup(self, next_epoch: int) -> None:
        os.makedirs(self.backup_dir, exist_ok=True)
        arrays = training_arrays(self.model)
        metadata = json.dumps({"format": _FORMAT, "epoch": next_epoch}).encode()
        arrays[_METADATA_KEY] = np.frombuffer(metadata, dtype=np.uint8)
        if self.double_checkpoint and os.path.exists(self._path(_BACKUP)):
            os.replace(self._path(_BACKUP), self._path(_PREVIOUS))
        with atomic_write(self._path(_BACKUP)) as temporary, open(temporary, "wb") as f:
            np.savez(f, **arrays)

    def _read(self, name: str) -> tuple[int, dict] | None:
        """(next epoch, arrays) of a complete backup file, or None (with a warning when the
        file exists but cannot be used)."""
        path = self._path(name)
        if not os.path.exists(path):
            return None
        try:
            return _read_backup(path)
        except Exception as error:  # any damage: the file is skipped, never half-restored
            warnings.warn(f"BackupAndRestore skips the unreadable backup '{path}' "
                          f"({type(error).__name__}: {error}) and "
                          f"{_fallback(name, self._path(_PREVIOUS))}.", stacklevel=3)
            return None

    def _remove_leftovers(self) -> None:
        """Delete interrupted writes and the older layout's files (warning about the latter:
        its state and epoch were written separately and may belong to different epochs)."""
        for name in (_BACKUP,) + _OLDER_LAYOUT[:2]:  # atomic_write's temporary names
            for path in glob.glob(os.path.join(glob.escape(self.backup_dir), f".{name}.*.tmp")):
                os.remove(path)
        older = [self._path(name) for name in _OLDER_LAYOUT if os.path.exists(self._path(name))]
        if older:
            warnings.warn(f"BackupAndRestore removes the backup files {older} of an older "
                          f"layout, which cannot be restored safely; training starts from "
                          f"the current weights unless a newer backup exists.", stacklevel=3)
            for path in older:
                os.remove(path)


def _read_backup(path: str) -> tuple[int, dict]:
    with open(path, "rb") as f:
        if f.read(4) != b"PK\x03\x04":  # else np.load would try other formats and say so
            raise ValueError("not an .npz (zip) archive")
        f.seek(0)
        with np.load(f, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
    if _METADATA_KEY not in arrays:
        raise ValueError(f"no '{_METADATA_KEY}' entry")
    check_complete(arrays)
    metadata = json.loads(arrays.pop(_METADATA_KEY).tobytes())
    epoch = metadata["epoch"]
    if metadata["format"] != _FORMAT or not isinstance(epoch, int) or epoch < 0:
        raise ValueError(f"unexpected metadata {metadata}")
    return epoch, arrays


def _fallback(name: str, previous: str) -> str:
    if name == _BACKUP and os.path.exists(previous):
        return "tries the previous backup"
    return "starts training from the current weights"
