"""Tensor helpers shared by the metrics. The rank, mask and division rules are the losses' own
(`hocsau.losses.loss`), re-exported here so that metrics and losses treat inputs alike.
"""

from __future__ import annotations

import torch

from hocsau import config
from hocsau.losses import loss as _loss

divide_no_nan = _loss.divide_no_nan
same_rank = _loss.squeeze_or_expand_to_same_rank
keras_mask = _loss.get_mask


def metric_function(fn):
    """Tag a built-in metric function so that it serializes as Keras's built-in functions do
    (module "builtins")."""
    fn._keras_module = "builtins"
    return fn


def as_tensor(x, dtype=None, device=None) -> torch.Tensor:
    """`x` as a tensor on `device` (default: where it is, else `config.device()`), cast to
    `dtype` (any spelling) when one is given; see `hocsau.losses.loss.to_tensor`.

    A Python number is filled in on the device rather than copied over from the host, which
    would make the host wait for the device (a batch size given as a weight, every step).
    """
    dtype = None if dtype is None else config.torch_dtype(dtype)
    if isinstance(x, (bool, int, float)):
        if dtype is None:
            dtype = _scalar_dtype(x)
        return torch.full((), x, dtype=dtype, device=device or config.device())
    return _loss.to_tensor(x, dtype, device)


def _scalar_dtype(x) -> torch.dtype:
    """Keras's dtype for a Python number: bool, int32 (int64 when it does not fit), floatx."""
    if isinstance(x, bool):
        return torch.bool
    if isinstance(x, int):
        return torch.int32 if -(2**31) <= x < 2**31 else torch.int64
    return config.torch_dtype(None)


def labels_and_predictions(y_true, y_pred, true_dtype="like_pred"):
    """`y_true` and `y_pred` as tensors on `y_pred`'s device.

    `y_true` takes `y_pred`'s dtype by default, keeps its own with `true_dtype=None`, or takes
    the dtype given.
    """
    y_pred = as_tensor(y_pred)
    if true_dtype == "like_pred":
        true_dtype = y_pred.dtype
    return as_tensor(y_true, true_dtype, y_pred.device), y_pred


def apply_mask(sample_weight, mask, dtype, device):
    """Fold a mask into the sample weights: masked entries weigh 0."""
    if sample_weight is not None:
        sample_weight = as_tensor(sample_weight, dtype, device)
    return _loss.apply_mask(sample_weight, mask, config.torch_dtype(dtype), "sum")


def check_2d(metric_name: str, y_true: torch.Tensor, y_pred: torch.Tensor) -> None:
    """Raise Keras's error for metrics that take (batch, outputs) inputs only."""
    if y_pred.dim() != 2 or y_true.dim() != 2:
        raise ValueError(f"{metric_name} expects 2D inputs with shape (batch_size, output_dim). "
                         f"Received input shapes: y_pred.shape={tuple(y_pred.shape)} and "
                         f"y_true.shape={tuple(y_true.shape)}.")


def floatx_tensor(x: torch.Tensor) -> torch.Tensor:
    """`x` cast to `floatx()`, the dtype metric functions return."""
    return x.to(config.torch_dtype(None))


def argmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Index of the largest entry along `dim`; bool inputs (one-hot labels) count as 0 / 1,
    as Keras's argmax reads them (torch's rejects bool)."""
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    return x.argmax(dim=dim)


def trailing_axes(x: torch.Tensor, start: int) -> tuple[int, ...]:
    """The axes of `x` from `start` on (empty when there are none)."""
    return tuple(range(start, x.dim()))
