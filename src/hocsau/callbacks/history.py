"""`History`: records each epoch's logs; `fit` returns it."""

from __future__ import annotations

from hocsau.callbacks.callback import Callback
from hocsau.saving.serialization import keras_class


class HistoryDict(dict):
    """The per-epoch logs; `["lr"]` also reads `"learning_rate"` (tf.keras 2's key, a hocsau
    extension), without adding a column: keys, iteration and `in` list Keras 3's keys only."""

    def __missing__(self, key):
        if key == "lr" and "learning_rate" in self:
            return self["learning_rate"]
        raise KeyError(key)

    def get(self, key, default=None):
        return self[key] if key in self or (key == "lr" and "learning_rate" in self) \
            else default


@keras_class("keras.callbacks")
class History(Callback):
    """`history.history` maps each log key to its per-epoch values; `history.epoch` lists
    the epochs run."""

    def __init__(self):
        super().__init__()
        self.history: dict[str, list] = HistoryDict()
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
