"""`History`: records each epoch's logs; `fit` returns it."""

from __future__ import annotations

from hocsau.callbacks.callback import Callback
from hocsau.saving.serialization import keras_class


@keras_class("keras.callbacks")
class History(Callback):
    """`history.history` maps each log key to its per-epoch values; `history.epoch` lists
    the epochs run."""

    def __init__(self):
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_model"] = None  # a pickled History keeps its numbers, not the model
        return state
