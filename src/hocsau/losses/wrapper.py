"""Losses made from loss functions: `LossFunctionWrapper`, and the base of the built-in classes."""

from __future__ import annotations

import torch

from hocsau.losses.loss import Loss, squeeze_or_expand_to_same_rank
from hocsau.saving.serialization import keras_class, serialize_keras_object


def loss_function(fn):
    """Mark a built-in loss function, so it serializes as Keras's built-in functions do
    (module "builtins")."""
    fn._keras_module = "builtins"
    return fn


def integer_labels(fn):
    """Mark a loss function whose y_true holds class indices (so no float cast is needed)."""
    fn._integer_labels = True
    return fn


@keras_class("keras.losses")
class LossFunctionWrapper(Loss):
    """A `Loss` computing `fn(y_true, y_pred, **kwargs)`.

    A trailing axis of size 1 on one of y_true, y_pred is first squeezed or added to match the
    other's rank.

    Args:
        fn: the loss function, returning per-sample losses.
        reduction, name, dtype: as for `Loss`.
        **kwargs: keyword arguments passed on to `fn`.
    """

    def __init__(self, fn, reduction: str | None = "sum_over_batch_size",
                 name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs
        self._integer_labels = getattr(fn, "_integer_labels", False)

    def call(self, y_true, y_pred) -> torch.Tensor:
        if isinstance(y_true, torch.Tensor) and isinstance(y_pred, torch.Tensor):
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "fn": serialize_keras_object(self.fn),
                **serialize_keras_object(self._fn_kwargs)}

    @classmethod
    def from_config(cls, config: dict) -> LossFunctionWrapper:
        if "fn" in config:
            from hocsau.losses import deserialize

            config = {**config, "fn": deserialize(config["fn"])}
        return cls(**config)

    def __repr__(self) -> str:
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"


class BuiltinLoss(LossFunctionWrapper):
    """Base of the built-in loss classes: each option is an attribute and a config key."""

    def __init__(self, fn, reduction: str | None, name: str, dtype, **options):
        super().__init__(fn, reduction=reduction, name=name, dtype=dtype, **options)
        # Keras exposes the options as attributes (`loss.from_logits`, `loss.axis`, ...).
        for key, value in options.items():
            setattr(self, key, value)

    def get_config(self) -> dict:
        return {**Loss.get_config(self), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict) -> Loss:
        return cls(**config)
