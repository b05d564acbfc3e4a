"""`TerminateOnNaN`: stop training as soon as the loss is NaN or infinite."""

from __future__ import annotations

import math

from hocsau.callbacks.callback import Callback
from hocsau.saving.serialization import keras_class


@keras_class("keras.callbacks")
class TerminateOnNaN(Callback):
    """Checks the running loss after every batch (this one hook reads it from the device)."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
