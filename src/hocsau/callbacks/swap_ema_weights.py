"""`SwapEMAWeights`: evaluate (and predict, and optionally checkpoint) with the optimizer's
moving average of the weights."""

from __future__ import annotations

import torch

from hocsau.callbacks.callback import Callback
from hocsau.saving.serialization import keras_class


@keras_class("keras.callbacks")
class SwapEMAWeights(Callback):
    """Swap the model's weights with the optimizer's EMA weights (`use_ema=True`) for
    evaluation and prediction, and swap them back afterwards (in place, no extra copy kept).

    Args:
        swap_on_epoch: also hold the EMA weights between the end of an epoch and the start
            of the next, so epoch-end callbacks such as `ModelCheckpoint` see them; after the
            last epoch the EMA weights stay in the model.
    """

    def __init__(self, swap_on_epoch: bool = False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _ema_optimizers(self) -> list:
        optimizer = getattr(self.model.optimizer, "inner_optimizer", self.model.optimizer)
        inner = getattr(optimizer, "optimizers", None)
        if inner is not None:
            chosen = [opt for opt in inner if getattr(opt, "use_ema", False)]
            if not chosen:
                raise ValueError("SwapEMAWeights must be used when at least one inner optimizer "
                                 "has `use_ema=True` set. Received a MultiOptimizer with all "
                                 "inner optimizers having `use_ema=False`.")
        else:
            chosen = [optimizer]
        for opt in chosen:
            if not hasattr(opt, "_model_variables_moving_average"):
                raise ValueError("SwapEMAWeights must be used when `use_ema=True` is set on the "
                                 f"optimizer. Received: use_ema={opt.use_ema}")
        return chosen

    def _swap(self) -> None:
        with torch.no_grad():
            for opt in self._ema_optimizers():
                for weight, average in _averaged(opt):
                    held = weight.detach().clone()
                    weight.copy_(average)
                    average.copy_(held)

    def _finalize(self) -> None:
        """The EMA weights stay in the model: the averages restart from them."""
        with torch.no_grad():
            for opt in self._ema_optimizers():
                for weight, average in _averaged(opt):
                    average.copy_(weight)

    def _to_ema(self) -> None:
        if not self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = True

    def _to_trained(self) -> None:
        if self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = False

    def on_epoch_begin(self, epoch, logs=None) -> None:
        if self.swap_on_epoch:
            self._to_trained()

    def on_epoch_end(self, epoch, logs=None) -> None:
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._to_ema()
            if epoch == self.params["epochs"] - 1:
                self._finalize()

    def on_test_begin(self, logs=None) -> None:
        self._to_ema()

    def on_test_end(self, logs=None) -> None:
        self._to_trained()

    def on_predict_begin(self, logs=None) -> None:
        self._to_ema()

    def on_predict_end(self, logs=None) -> None:
        self._to_trained()


def _averaged(optimizer) -> list:
    """(weight, moving average) pairs; weights overwritten with their gradient have none."""
    return [(w, a) for w, a in zip(optimizer._trainable_variables,
                                   optimizer._model_variables_moving_average, strict=True)
            if a is not None]
