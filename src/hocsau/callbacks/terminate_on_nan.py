"""`TerminateOnNaN`: stop training as soon as the loss is NaN or infinite."""

from __future__ import annotations

import math

from hocsau.callbacks.callback import Callback
from hocsau.saving.serialization import keras_class
from hocsau.utils.io_utils import print_msg


@keras_class("keras.callbacks")
class TerminateOnNaN(Callback):
    """Checks the running loss after every batch (this one hook reads it from the device).

    Args:
        raise_error: raise a RuntimeError at once (skipping the other callbacks'
            `on_train_end`) instead of stopping training gracefully.
    """

    def __init__(self, raise_error: bool = False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            if self.raise_error:
                raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: "
                                   f"{loss}. Terminating training immediately.")
            print_msg(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
