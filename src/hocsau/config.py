"""Global settings: float type, fuzz factor, image layout and the device models run on.

Keras keeps these in `keras.config`; hocsau adds the device, chosen once as CUDA, else Apple
MPS, else CPU, and overridable with `set_device` or the `HOCSAU_DEVICE` environment variable.
"""

from __future__ import annotations

import os

import torch

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_DEVICE: torch.device | None = None
_UNSAFE_DESERIALIZATION = False  # read by hocsau.saving.lambda_code
_VALID_FLOATX = ("float16", "bfloat16", "float32", "float64")


def floatx() -> str:
    """The default float type of new weights and inputs, as a string ('float32')."""
    return _FLOATX


def set_floatx(value: str) -> None:
    global _FLOATX
    if value not in _VALID_FLOATX:
        raise ValueError(f"Unknown `floatx` value. Expected one of {_VALID_FLOATX}. "
                         f"Received: {value!r}")
    _FLOATX = value


def epsilon() -> float:
    """The fuzz factor used by losses, metrics and optimizers (1e-7)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    """'channels_last' (the Keras default) or 'channels_first'."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(value: str) -> None:
    global _IMAGE_DATA_FORMAT
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            "The `data_format` argument must be one of 'channels_first', 'channels_last'. "
            f"Received: {value!r}"
        )
    _IMAGE_DATA_FORMAT = value


def enable_unsafe_deserialization() -> None:
    """Allow loading Python lambdas (marshalled bytecode) from configs and files everywhere.

    Only for artifacts from a trusted source: loading bytecode can run arbitrary code.
    """
    global _UNSAFE_DESERIALIZATION
    _UNSAFE_DESERIALIZATION = True


def backend() -> str:
    """The only backend hocsau has."""
    return "torch"


def device() -> torch.device:
    """The device new weights are created on and batches are moved to."""
    global _DEVICE
    if _DEVICE is None:
        _DEVICE = torch.device(_default_device())
    return _DEVICE


def set_device(value: str | torch.device | None) -> None:
    """Pin the device ('cpu', 'cuda', 'cuda:1', 'mps'); None goes back to automatic choice."""
    global _DEVICE
    _DEVICE = None if value is None else torch.device(value)


def _default_device() -> str:
    chosen = os.environ.get("HOCSAU_DEVICE")
    if chosen:
        return chosen
    if torch.cuda.is_available():
        # Under torchrun each process owns one GPU, even before the process group exists.
        return f"cuda:{os.environ['LOCAL_RANK']}" if "LOCAL_RANK" in os.environ else "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def standardize_dtype(dtype) -> str:
    """Any dtype spelling (None, 'float32', torch.float32, numpy dtype) as a Keras string."""
    if dtype is None:
        return floatx()
    if isinstance(dtype, torch.dtype):
        return str(dtype).replace("torch.", "")
    if dtype is str or getattr(dtype, "kind", None) in ("U", "S"):
        return "string"  # numpy text arrays, as Keras names them
    if hasattr(dtype, "name") and not isinstance(dtype, str):
        name = dtype.name  # numpy dtype or Keras DTypePolicy
    else:
        name = str(dtype)
    aliases = {"float": "float32", "int": "int64", "double": "float64", "half": "float16"}
    return aliases.get(name, name)


def torch_dtype(dtype) -> torch.dtype:
    """The torch dtype for a Keras dtype string (or anything `standardize_dtype` takes)."""
    name = standardize_dtype(dtype)
    result = getattr(torch, name, None)
    if not isinstance(result, torch.dtype):
        raise ValueError(f"Unknown dtype. Received: dtype={dtype!r}")
    return result
