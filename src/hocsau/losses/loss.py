"""`Loss`, the base class of every loss, and the reduction rules Keras 3 applies to losses.

    loss(y_true, y_pred, sample_weight)
        -> cast both to loss.dtype -> call() -> per-sample values (maybe with a mask)
        -> mask and sample_weight merged into one weight -> values * weight
        -> reduction: "none" | "sum" | sum / element count | sum / sum of weights
"""

from __future__ import annotations

import numpy as np
import torch

from hocsau import config, dtype_policies
from hocsau.saving.serialization import keras_class
from hocsau.utils import naming

REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")
_MEAN_REDUCTIONS = ("sum_over_batch_size", "mean", "mean_with_sample_weight")


@keras_class("keras.losses")
class Loss:
    """Base class of losses: subclass it and implement `call(y_true, y_pred)`.

    `call` returns per-sample losses; `__call__` weights and reduces them to the loss value.

    Args:
        name: name of the loss; default from the class name.
        reduction: "sum_over_batch_size" (default) and "mean" divide the weighted sum by the
            number of loss values, "sum" does not divide, "mean_with_sample_weight" divides by
            the sum of the sample weights, "none" or None return the weighted values.
        dtype: the dtype (or dtype policy, whose compute dtype is used) the loss computes in;
            None means `config.floatx()`.
    """

    _integer_labels = False  # y_true is class indices: not cast to the loss's float dtype

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size",
                 dtype=None):
        self.name = name or naming.uniquify(naming.to_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype_policy = dtype_policies.get(dtype or config.floatx())
        self._dtype = self._dtype_policy.compute_dtype

    @property
    def dtype(self) -> str:
        """The dtype the loss computes in, as a string."""
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None) -> torch.Tensor:
        """The reduced, weighted loss of a batch (torch tensors, numpy arrays or lists)."""
        in_mask = get_mask(y_pred)
        dtype = config.torch_dtype(self._dtype)
        device = _device_of(y_pred, y_true)
        y_pred = _convert_structure(y_pred, dtype, device)
        # Integer-label losses index with y_true: a float round trip would only cost time.
        y_true = _convert_structure(y_true, None if self._integer_labels else dtype, device)
        try:
            values = self.call(y_true, y_pred)
        except RuntimeError:
            _explain_shapes(self.name, y_true, y_pred)  # only once torch has failed
            raise
        out_mask = get_mask(values)
        if in_mask is not None and out_mask is not None:
            mask = in_mask & out_mask
        else:
            mask = out_mask if in_mask is None else in_mask
        return reduce_weighted_values(values, sample_weight, mask, self.reduction, dtype)

    def call(self, y_true, y_pred) -> torch.Tensor:
        """Per-sample losses of a batch; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement `call()`.")

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict) -> Loss:
        return cls(**config)


def _explain_shapes(name: str, y_true, y_pred) -> None:
    """A ValueError naming the loss when targets and predictions cannot be broadcast."""
    if not (torch.is_tensor(y_true) and torch.is_tensor(y_pred)):
        return
    true, pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    try:
        torch.broadcast_shapes(true.shape, pred.shape)
    except RuntimeError:
        raise ValueError(
            f"Loss '{name}' needs targets shaped like the model's predictions (one target "
            f"per predicted value), but their shapes do not match. Received: "
            f"y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}"
        ) from None


def standardize_reduction(reduction: str | None) -> str | None:
    """Check a `reduction` argument against the names Keras knows."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of "
                         f"{set(REDUCTIONS)}. Received: reduction={reduction}")
    return reduction


def get_mask(tensor) -> torch.Tensor | None:
    """The Keras mask a tensor carries (`_keras_mask`), if any."""
    return getattr(tensor, "_keras_mask", None)


def set_mask(tensor: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Attach a Keras mask to a tensor (reductions then ignore its False entries)."""
    tensor._keras_mask = mask
    return tensor


def to_tensor(x, dtype: torch.dtype | None = None,
              device: torch.device | None = None) -> torch.Tensor:
    """`x` as a tensor; numbers and lists of floats become floatx, numpy keeps its dtype."""
    if isinstance(x, torch.Tensor):
        if (dtype is None or x.dtype == dtype) and (device is None or x.device == device):
            return x
        return x.to(device=device, dtype=dtype)
    array = np.asarray(x)
    if dtype is None and not isinstance(x, np.ndarray) and array.dtype == np.float64:
        dtype = config.torch_dtype(config.floatx())
    return torch.as_tensor(array, dtype=dtype, device=device or config.device())


def prepare(y_true, y_pred, *, same_rank: bool = False):
    """y_pred as a tensor and y_true cast to its dtype and device, as Keras's loss functions do.

    With `same_rank`, a trailing axis of size 1 on one side is squeezed or added to match the
    other (see `squeeze_or_expand_to_same_rank`).
    """
    y_pred = to_tensor(y_pred)
    y_true = to_tensor(y_true, y_pred.dtype, y_pred.device)
    if same_rank:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return y_true, y_pred


def squeeze_or_expand_to_same_rank(x1: torch.Tensor, x2: torch.Tensor, expand_rank_1=True):
    """Make ranks that differ by one equal when the longer tensor ends in an axis of size 1.

    That axis is squeezed, except that a rank-1 partner is expanded instead when
    `expand_rank_1` (so (batch,) labels meet (batch, 1) predictions as (batch, 1)).
    """
    if x1.dim() == x2.dim() + 1 and x1.shape[-1] == 1:
        if x2.dim() == 1 and expand_rank_1:
            return x1, x2.unsqueeze(-1)
        return x1.squeeze(-1), x2
    if x2.dim() == x1.dim() + 1 and x2.shape[-1] == 1:
        if x1.dim() == 1 and expand_rank_1:
            return x1.unsqueeze(-1), x2
        return x1, x2.squeeze(-1)
    return x1, x2


def divide_no_nan(numerator: torch.Tensor, denominator: torch.Tensor) -> torch.Tensor:
    """numerator / denominator, and 0 (with a zero gradient) where the denominator is 0."""
    zero = denominator == 0
    return torch.where(zero, 0.0, numerator / torch.where(zero, 1.0, denominator))


def reduce_values(values: torch.Tensor, sample_weight: torch.Tensor | None = None,
                  reduction: str | None = "sum_over_batch_size") -> torch.Tensor:
    """Reduce (already weighted) loss values; scalars and empty vectors pass through."""
    if reduction in (None, "none") or tuple(values.shape) in ((), (0,)):
        return values
    loss = values.sum()
    if reduction not in _MEAN_REDUCTIONS:
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return divide_no_nan(loss, sample_weight.sum().to(loss.dtype))
    count = values.numel()
    return loss / count if count else torch.zeros_like(loss)


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction: str | None = "sum_over_batch_size",
                           dtype: torch.dtype | None = None) -> torch.Tensor:
    """Weight loss values by `sample_weight` and `mask`, then reduce them (Keras's rule)."""
    reduction = standardize_reduction(reduction)
    values = to_tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, values.dtype, values.device)
    if mask is not None:
        mask = to_tensor(mask, device=values.device)
    sample_weight = apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        _check_broadcast(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


def apply_mask(sample_weight: torch.Tensor | None, mask: torch.Tensor | None, dtype: torch.dtype,
               reduction: str | None) -> torch.Tensor | None:
    """Fold a boolean mask into the sample weights.

    For the mean reductions, kept entries weigh total / kept, so that the mean over all
    entries equals the mean over the kept ones.
    """
    if mask is None:
        return sample_weight
    if reduction in ("mean", "sum_over_batch_size"):
        kept = mask.to(dtype).sum()
        weight = divide_no_nan(torch.full_like(kept, mask.numel()), kept)
        float_mask = torch.where(mask.bool(), weight, torch.zeros_like(weight))
    else:
        float_mask = mask.to(dtype)
    if sample_weight is None:
        return float_mask
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return sample_weight.to(dtype) * float_mask


def _check_broadcast(values: torch.Tensor, sample_weight: torch.Tensor) -> None:
    try:
        torch.broadcast_shapes(values.shape, sample_weight.shape)
    except RuntimeError:
        raise ValueError("`sample_weight` cannot be broadcast to the shape of the loss values. "
                         f"Received: sample_weight.shape={tuple(sample_weight.shape)}, "
                         f"loss values shape={tuple(values.shape)}") from None


def _device_of(*candidates) -> torch.device | None:
    for x in candidates:
        if isinstance(x, torch.Tensor):
            return x.device
    return None


def _convert_structure(x, dtype: torch.dtype, device: torch.device | None):
    # Dicts, and lists of tensors or arrays, are structures of targets; other lists are data.
    if isinstance(x, dict):
        return {k: _convert_structure(v, dtype, device) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and x and isinstance(x[0], (torch.Tensor, np.ndarray, dict)):
        return type(x)(_convert_structure(v, dtype, device) for v in x)
    return to_tensor(x, dtype, device)
