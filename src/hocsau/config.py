"""Global settings: float type, fuzz factor, image layout and the device models run on.

Keras keeps these in `keras.config`; hocsau adds the device, chosen once as CUDA, else Apple
MPS, else CPU, and overridable with `set_device` or the `HOCSAU_DEVICE` environment variable.
"""

from __future__ import annotations

import os
import warnings

import torch

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_DEVICE: torch.device | None = None
_UNSAFE_DESERIALIZATION = False  # read by hocsau.saving.lambda_code
_VALID_FLOATX = ("float16", "bfloat16", "float32", "float64")
_FLASH_ATTENTION: bool | None = None  # None: PyTorch chooses; False: never the flash kernel
_TRACEBACK_FILTERING = True
_INTERACTIVE_LOGGING = True
# Debugging limits, also set by KERAS_MAX_EPOCHS / KERAS_MAX_STEPS_PER_EPOCH, as in Keras.
_MAX_EPOCHS = int(os.environ["KERAS_MAX_EPOCHS"]) if "KERAS_MAX_EPOCHS" in os.environ else None
_MAX_STEPS_PER_EPOCH = (int(os.environ["KERAS_MAX_STEPS_PER_EPOCH"])
                        if "KERAS_MAX_STEPS_PER_EPOCH" in os.environ else None)


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


def set_image_data_format(data_format: str) -> None:
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "The `data_format` argument must be one of 'channels_first', 'channels_last'. "
            f"Received: {data_format!r}"
        )
    _IMAGE_DATA_FORMAT = data_format


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


# --- switches of keras.config ----------------------------------------------------------------
def enable_flash_attention() -> None:
    """Let attention layers use PyTorch's flash attention kernel where it applies (default)."""
    global _FLASH_ATTENTION
    _FLASH_ATTENTION = None


def disable_flash_attention() -> None:
    """Keep attention layers off PyTorch's flash attention kernel."""
    global _FLASH_ATTENTION
    _FLASH_ATTENTION = False


def is_flash_attention_enabled() -> bool | None:
    """False when disabled; None (PyTorch's choice) otherwise, as Keras reports it."""
    return _FLASH_ATTENTION


def enable_traceback_filtering() -> None:
    """Hide hocsau's own frames from the tracebacks of errors raised in `fit`, `evaluate`,
    `predict` and the `*_on_batch` methods (the default)."""
    global _TRACEBACK_FILTERING
    _TRACEBACK_FILTERING = True
_INTERACTIVE_LOGGING = True


def disable_traceback_filtering() -> None:
    """Show full tracebacks, hocsau's frames included."""
    global _TRACEBACK_FILTERING
    _TRACEBACK_FILTERING = False


def is_traceback_filtering_enabled() -> bool:
    return _TRACEBACK_FILTERING


def enable_interactive_logging() -> None:
    """Progress bars and callback messages go to stdout (the default)."""
    global _INTERACTIVE_LOGGING
    _INTERACTIVE_LOGGING = True


def disable_interactive_logging() -> None:
    """Progress bars and callback messages go to Python's `logging` ("hocsau" logger, INFO)
    instead of stdout: the choice for jobs running on servers."""
    global _INTERACTIVE_LOGGING
    _INTERACTIVE_LOGGING = False


def is_interactive_logging_enabled() -> bool:
    return _INTERACTIVE_LOGGING


def set_max_epochs(max_epochs: int | None) -> None:
    """Cap the epochs of every `fit` (for quick debugging runs); None removes the cap."""
    global _MAX_EPOCHS
    _MAX_EPOCHS = max_epochs


def max_epochs() -> int | None:
    return _MAX_EPOCHS


def set_max_steps_per_epoch(max_steps_per_epoch: int | None) -> None:
    """Cap the steps of every epoch of `fit`, `evaluate` and `predict`; None removes it."""
    global _MAX_STEPS_PER_EPOCH
    _MAX_STEPS_PER_EPOCH = max_steps_per_epoch


def max_steps_per_epoch() -> int | None:
    return _MAX_STEPS_PER_EPOCH


def limited_epochs(epochs: int) -> int:
    """`epochs` under the `max_epochs` cap (with Keras's warning when it applies)."""
    if _MAX_EPOCHS and _MAX_EPOCHS < epochs:
        warnings.warn(f"Limiting epochs to {_MAX_EPOCHS}", stacklevel=3)
        return _MAX_EPOCHS
    return epochs


def limited_steps(steps: int | None) -> int | None:
    """`steps` (None: the whole data) under the `max_steps_per_epoch` cap."""
    if _MAX_STEPS_PER_EPOCH and (not steps or _MAX_STEPS_PER_EPOCH < steps):
        warnings.warn(f"Limiting steps_per_epoch to {_MAX_STEPS_PER_EPOCH}", stacklevel=3)
        return _MAX_STEPS_PER_EPOCH
    return steps


def dtype_policy():
    """The global dtype policy (what new layers use without a `dtype`)."""
    from hocsau import dtype_policies

    return dtype_policies.global_policy()


def set_dtype_policy(policy) -> None:
    """Set the global dtype policy ("mixed_float16", "float32", a `DTypePolicy`, ...)."""
    from hocsau import dtype_policies

    dtype_policies.set_global_policy(policy)


def set_backend(backend: str) -> None:
    """hocsau runs on PyTorch only: "torch" is accepted, any other backend is refused."""
    if backend != "torch":
        raise ValueError(
            f"hocsau is the Keras API on PyTorch and has no {backend!r} backend. Received: "
            f"backend={backend!r}. To run Keras on {backend}, use the `keras` package with "
            f"KERAS_BACKEND={backend}; in hocsau, models are torch modules and run on torch.")


def is_nnx_enabled() -> bool:
    """Flax NNX integration (a JAX feature) never applies to PyTorch: always False."""
    return False
