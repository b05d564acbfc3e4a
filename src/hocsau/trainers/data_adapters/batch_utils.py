"""Helpers shared by the adapters: packing (x, y, w) batches and moving them to a device."""

from __future__ import annotations

import numpy as np
import torch

from hocsau import config
from hocsau.layers._eager_call import is_string_data
from hocsau.utils.batch_packing import pack_x_y_sample_weight, unpack_x_y_sample_weight

__all__ = ["class_weights_to_sample_weights", "pack_x_y_sample_weight", "to_device",
           "unpack_x_y_sample_weight"]


def to_device(value, device=None, *, pin: bool = True):
    """Arrays (nested in lists/tuples/dicts) -> tensors on `device`; float64 becomes floatx.

    Towards a GPU, host batches go through pinned memory (`pin`; see `_transfer`); the array
    adapter decides for whole datasets (`placement.array_homes`)."""
    device = device or config.device()
    if value is None:
        return None
    if isinstance(value, torch.Tensor):
        if value.dtype == torch.float64:
            value = value.to(config.torch_dtype(None))
        return _transfer(value, device, pin)
    if isinstance(value, dict):
        return {k: to_device(v, device, pin=pin) for k, v in value.items()}
    if is_string_data(value):
        return np.asarray(value)  # stays on the host, for layers that take strings
    if isinstance(value, (list, tuple)) and value and not _is_numeric_list(value):
        return type(value)(to_device(v, device, pin=pin) for v in value)
    array = np.asarray(value)
    if array.dtype == np.float64:
        array = array.astype(config.floatx())
    elif array.dtype == object or array.dtype.kind in "US":
        raise ValueError(f"Cannot feed data of dtype {array.dtype} to a model: convert strings or "
                         "ragged lists to numeric arrays first (e.g. with `pad_sequences`).")
    if not array.flags.writeable:  # a read-only array (np.load's mmap): torch shares only
        array = np.array(array, order="C")  # writable memory; a copy, as TensorFlow makes
    return _transfer(torch.from_numpy(np.ascontiguousarray(array)), device, pin)


def _transfer(tensor: torch.Tensor, device, pin: bool) -> torch.Tensor:
    """`tensor` on `device`. A pageable CPU batch bound for a GPU is first copied into
    pinned memory (when `pin`): only then is the non-blocking copy asynchronous (from pageable
    memory the driver waits for the stream's queued work first, stalling the step pipeline)."""
    device = torch.device(device)
    if pin and device.type == "cuda" and tensor.device.type == "cpu" and not tensor.is_pinned():
        tensor = tensor.pin_memory()
    return tensor.to(device, non_blocking=True)


def _is_numeric_list(value) -> bool:
    first = value[0]
    return isinstance(first, (int, float, np.number, bool)) or (
        isinstance(first, (list, tuple)) and first
        and isinstance(first[0], (int, float, np.number)))


def class_weights_to_sample_weights(y: torch.Tensor, class_weight: dict) -> torch.Tensor:
    """Per-sample weights from a {class: weight} dict and sparse or one-hot targets; a class
    the dict does not name weighs 1, as in Keras (looked up on the device, without a sync)."""
    size = max((int(k) + 1 for k in class_weight), default=0) + 1
    table = torch.ones(size, dtype=torch.float32, device=y.device)
    for key, weight in class_weight.items():
        table[int(key)] = float(weight)
    if y.dtype == torch.bool:
        y = y.to(torch.uint8)
    if y.dim() > 1 and y.shape[-1] > 1:
        index = y.argmax(dim=-1)
    else:
        index = y.reshape(y.shape[0], -1)[:, 0].round().long() if y.dim() else y.long()
    # Classes outside the table (negative, or above every key) read its last entry, a 1.
    index = torch.where((index >= 0) & (index < size), index.long(), size - 1)
    return table[index]


def describe(value) -> str:
    """A value's type, with its shape for arrays, for error messages."""
    shape = getattr(value, "shape", None)
    if shape is not None:
        return f"{type(value).__name__} of shape {tuple(shape)}"
    return type(value).__name__
