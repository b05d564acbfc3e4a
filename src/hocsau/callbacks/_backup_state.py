"""The training state `BackupAndRestore` keeps, as named NumPy arrays: the model's weights,
the optimizer's variables and every random generator's state."""

from __future__ import annotations

import random

import numpy as np
import torch

from hocsau import random as hocsau_random

_RNG_KEYS = ("rng_torch", "rng_numpy_keys", "rng_numpy_rest", "rng_python", "rng_python_rest",
             "rng_hocsau")


def training_arrays(model) -> dict:
    """The state of `model`, its optimizer and the random generators, one array per entry."""
    arrays = {f"weight_{i}": w for i, w in enumerate(model.get_weights())}
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and getattr(optimizer, "built", False):
        for i, variable in enumerate(optimizer.variables):
            arrays[f"optimizer_{i}"] = variable.detach().cpu().numpy()
    arrays.update(_rng_arrays())
    return arrays


def check_complete(arrays: dict) -> None:
    """Raise when a backup lacks a random generator's state (a file of another writer)."""
    missing = [key for key in _RNG_KEYS if key not in arrays]
    if missing:
        raise ValueError(f"no {missing} entries")


def check_backup(model, arrays: dict, backup_dir: str) -> None:
    """Raise before anything is restored when the backup belongs to a different model."""
    expected = [tuple(w.shape) for w in model.weights]
    stored = _shapes(arrays, "weight_")
    optimizer = _built_optimizer(model) if "optimizer_0" in arrays else None
    if optimizer is not None:
        expected_vars = [tuple(v.shape) for v in optimizer.variables]
        stored_vars = _shapes(arrays, "optimizer_")
    else:
        expected_vars = stored_vars = []
    if stored != expected or stored_vars != expected_vars:
        raise ValueError(
            f"BackupAndRestore found a backup in '{backup_dir}' that does not fit this model: "
            f"expected weights of shapes {expected} and optimizer variables of shapes "
            f"{expected_vars}. Delete the folder or pass another `backup_dir` to train this "
            f"model. Received: weights of shapes {stored}, optimizer variables of shapes "
            f"{stored_vars}")


def restore_backup(model, arrays: dict) -> None:
    """Put a checked backup's arrays back into the model, optimizer and generators."""
    model.set_weights([arrays[f"weight_{i}"] for i in range(_count(arrays, "weight_"))])
    optimizer = _built_optimizer(model) if "optimizer_0" in arrays else None
    if optimizer is not None:
        with torch.no_grad():
            for i, variable in enumerate(optimizer.variables):
                variable.copy_(torch.as_tensor(arrays[f"optimizer_{i}"]))
        optimizer._host_step = None
    _restore_rng(arrays)


def _shapes(arrays: dict, prefix: str) -> list:
    """The shapes of prefix0, prefix1, ... (None for a gap in the numbering)."""
    return [getattr(arrays.get(f"{prefix}{i}"), "shape", None)
            for i in range(_count(arrays, prefix))]


def _count(arrays: dict, prefix: str) -> int:
    return sum(key.startswith(prefix) for key in arrays)


def _built_optimizer(model):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and not optimizer.built:
        optimizer.build(model.trainable_weights)
    return optimizer


def _rng_arrays() -> dict:
    kind, keys, position, has_gauss, cached = np.random.get_state()
    version, python_state, gauss = random.getstate()
    arrays = {"rng_torch": torch.get_rng_state().numpy(), "rng_numpy_keys": keys,
              "rng_numpy_rest": np.array([position, has_gauss, cached], dtype=np.float64),
              "rng_python": np.array(python_state, dtype=np.int64),
              "rng_python_rest": np.array([version, np.nan if gauss is None else gauss]),
              "rng_hocsau": hocsau_random.global_seed_generator().state.detach().numpy()}
    if torch.cuda.is_available():
        arrays["rng_cuda"] = np.stack([s.numpy() for s in torch.cuda.get_rng_state_all()])
    return arrays


def _restore_rng(arrays: dict) -> None:
    torch.set_rng_state(torch.from_numpy(arrays["rng_torch"]))
    position, has_gauss, cached = arrays["rng_numpy_rest"].tolist()
    np.random.set_state(("MT19937", arrays["rng_numpy_keys"], int(position), int(has_gauss),
                         cached))
    version, gauss = arrays["rng_python_rest"].tolist()
    random.setstate((int(version), tuple(int(v) for v in arrays["rng_python"]),
                     None if np.isnan(gauss) else gauss))
    with torch.no_grad():
        hocsau_random.global_seed_generator().state.copy_(torch.from_numpy(arrays["rng_hocsau"]))
    if "rng_cuda" in arrays and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([torch.from_numpy(s) for s in arrays["rng_cuda"]])
