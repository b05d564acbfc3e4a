"""`LambdaCallback`: a callback made of plain functions."""

from __future__ import annotations

from hocsau.callbacks.callback import Callback
from hocsau.saving.serialization import keras_class


@keras_class("keras.callbacks")
class LambdaCallback(Callback):
    """Each argument is a function for that hook: `on_epoch_end(epoch, logs)`,
    `on_batch_end(batch, logs)`, `on_train_end(logs)`, ...; other keyword arguments name any
    other hook."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        hooks = dict(kwargs, on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end)
        for legacy, modern in (("on_batch_begin", "on_train_batch_begin"),
                               ("on_batch_end", "on_train_batch_end")):
            if hooks.get(legacy) is not None and hooks.get(modern) is None:
                hooks[modern] = hooks[legacy]
        for name, fn in hooks.items():
            if fn is None:
                continue
            if not hasattr(Callback, name):
                raise ValueError(f"Unrecognized hook for LambdaCallback: {name}")
            setattr(self, name, fn)
