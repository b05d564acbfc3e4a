"""`LearningRateScheduler`: set the learning rate from a function of the epoch."""

from __future__ import annotations

import numpy as np

from hocsau.callbacks.callback import Callback
from hocsau.saving.serialization import keras_class
from hocsau.utils.io_utils import print_msg


@keras_class("keras.callbacks")
class LearningRateScheduler(Callback):
    """Before each epoch, `schedule(epoch, lr)` (or the one-argument `schedule(epoch)`) gives
    the new rate; the rate in use is logged as `learning_rate`."""

    def __init__(self, schedule, verbose: int = 0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        try:
            learning_rate = self.schedule(epoch, float(optimizer.learning_rate))
        except TypeError:
            learning_rate = self.schedule(epoch)
        if hasattr(learning_rate, "item") and np.ndim(learning_rate) == 0:
            learning_rate = learning_rate.item()
        if not isinstance(learning_rate, (float, int, np.floating, np.integer)):
            raise ValueError("The output of the `schedule` function should be a float. "
                             f"Got: {learning_rate}")
        optimizer.learning_rate = float(learning_rate)
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{float(learning_rate)}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
