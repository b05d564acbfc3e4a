"""Running (weighted) sums and means, and `MeanMetricWrapper`, which turns a per-sample
function into a metric: the base of most metrics in this package.
"""

from __future__ import annotations

import torch

from hocsau import losses
from hocsau.metrics import _utils
from hocsau.metrics.metric import Metric
from hocsau.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)


def _reduce_to_samples(values: torch.Tensor, sample_weight: torch.Tensor | None, reduce):
    """Weight `values` and reduce them to one value per sample (axis 0).

    Values with more axes than the weights are first reduced over the extra axes; weights with
    more than one axis are reduced the same way so that they can serve as per-sample counts.
    """
    if sample_weight is not None:
        values, sample_weight = _utils.same_rank(values, sample_weight)
        weight_ndim = sample_weight.dim()
        if values.dim() > weight_ndim:
            values = reduce(values, dim=_utils.trailing_axes(values, weight_ndim))
        sample_weight = sample_weight.broadcast_to(values.shape)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce(sample_weight, dim=_utils.trailing_axes(sample_weight, 1))
    if values.dim() > 1:
        values = reduce(values, dim=_utils.trailing_axes(values, 1))
    return values, sample_weight


class _Reduction(Metric):
    """Shared input handling of `Sum` and `Mean`: values and weights as tensors, mask applied."""

    def _samplewise(self, values, sample_weight, reduce):
        mask = _utils.keras_mask(values)
        values = self._tensor(values, self.dtype)
        if sample_weight is not None:
            sample_weight = _utils.apply_mask(self._tensor(sample_weight, self.dtype), mask,
                                              self.dtype, self._device)
        return _reduce_to_samples(values, sample_weight, reduce)


@keras_class("keras.metrics")
class Sum(_Reduction):
    """The (weighted) sum of the values seen.

    Values [1, 3, 5, 7] sum to 16; with `sample_weight=[1, 1, 0, 0]` to 4.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    def __init__(self, name: str = "sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self._add_zeros("total")

    def update_state(self, values, sample_weight=None) -> None:
        values, _ = self._samplewise(values, sample_weight, torch.sum)
        self.total.add_(values.sum())

    def result(self) -> torch.Tensor:
        return self.total.detach().clone()


@keras_class("keras.metrics")
class Mean(_Reduction):
    """The (weighted) mean of the values seen: a running total divided by a running count.

    Values [1, 3, 5, 7] average to 4; with `sample_weight=[1, 1, 0, 0]` to 2.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    def __init__(self, name: str = "mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self._add_zeros("total")
        self.count = self._add_zeros("count")
        self._sync_host_count(0)

    def update_state(self, values, sample_weight=None) -> None:
        values, sample_weight = self._samplewise(values, sample_weight, torch.mean)
        self.total.add_(values.sum())
        if sample_weight is not None:
            self._grow_count(sample_weight.sum())
        else:
            self._grow_count(values.shape[0] if values.dim() else 1)

    def update_batch_mean(self, value: torch.Tensor, batch_size: int) -> None:
        """Add a batch's mean `value` over `batch_size` samples: `update_state(value,
        sample_weight=batch_size)` in two in-place ops (the trainer's loss, every step)."""
        self.total.add_(value.detach(), alpha=batch_size)
        self._grow_count(batch_size)

    def reset_state(self) -> None:
        super().reset_state()
        self._sync_host_count(0)

    def result(self) -> torch.Tensor:
        total, count = self.total.detach(), self._host_count()
        if count is None:
            return _utils.divide_no_nan(total, self.count.detach())
        return total / count if count else torch.zeros_like(total)

    # The count also lives on the host while it only grows by Python numbers (unweighted
    # updates, the trainer's loss), so `result()` is one division instead of a device-side
    # zero test; the tensor's version counter tells when anything else wrote to it.
    def _grow_count(self, amount) -> None:
        if torch.compiler.is_compiling():  # no version counters there: forget the host copy
            self.count.add_(amount)
            self._host = (None, None)
            return
        known = self._host_count()
        self.count.add_(amount)
        if known is not None and not isinstance(amount, torch.Tensor):
            self._sync_host_count(known + amount)

    def _sync_host_count(self, value) -> None:
        self._host = (self.count._version, value)

    def _host_count(self):
        if torch.compiler.is_compiling():
            return None
        version, value = self._host
        return value if version == self.count._version else None


@keras_class("keras.metrics")
class MeanMetricWrapper(Mean):
    """The mean of a per-sample function `fn(y_true, y_pred, **kwargs)` over all samples seen.

    ```python
    def squared_error(y_true, y_pred):
        return (y_true - y_pred) ** 2

    metric = MeanMetricWrapper(fn=squared_error)
    ```

    Args:
        fn: the function; it receives `y_true` and `y_pred` as tensors and returns one value
            per sample (or per element, averaged within each sample).
        name: the metric's name.
        dtype: the dtype of the state and result.
        **kwargs: passed on to `fn` on every call.
    """

    def __init__(self, fn, name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        if fn in losses.ALL_OBJECTS or type(fn) in losses.ALL_OBJECTS:
            self._direction = "down"  # a loss: lower is better (read by EarlyStopping & co.)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        mask = _utils.keras_mask(y_pred)
        values = self._fn(self._tensor(y_true), self._tensor(y_pred), **self._fn_kwargs)
        sample_weight = _utils.apply_mask(sample_weight, mask, self.dtype, self._device)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = {**super().get_config(), "fn": serialize_keras_object(self._fn)}
        config.update(serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config: dict):
        if "fn" in config:
            # The package-level `deserialize` reads "binary_accuracy" as the function here,
            # not as the class of the same snake-case name.
            from hocsau.metrics import deserialize

            options = {k: v for k, v in config.items() if k != "fn"}
            config = {**deserialize_keras_object(options), "fn": deserialize(config["fn"])}
        return cls(**config)


class FixedFunctionMean(MeanMetricWrapper):
    """Base of the built-in metrics that average one fixed function.

    The function's options become attributes (`metric.threshold`); the config holds the name,
    the dtype and those options, never the function itself.
    """

    def __init__(self, fn, name: str | None = None, dtype=None, **options):
        super().__init__(fn, name=name, dtype=dtype, **options)
        for key, value in options.items():
            setattr(self, key, value)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, **self._fn_kwargs}
