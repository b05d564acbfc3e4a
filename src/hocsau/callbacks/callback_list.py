"""`CallbackList`: the one place the training loops call hooks through."""

from __future__ import annotations

from hocsau.callbacks.callback import Callback
from hocsau.callbacks.history import History
from hocsau.callbacks.progbar_logger import ProgbarLogger

_BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
                "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end")
# Keras 2's names: `Callback.on_train_batch_*` calls them, so overriding one listens too.
_LEGACY = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def _overrides(callback, hook: str) -> bool:
    """Whether the callback does something in `hook` (a method or, as LambdaCallback does, a
    function set on the instance, or tf.keras's `_implements_<mode>_batch_hooks()` says so:
    tqdm's TqdmCallback sets its batch hook only when an epoch begins)."""
    if hook in vars(callback):
        return True
    declares = getattr(callback, f"_implements_{hook.split('_')[1]}_batch_hooks", None)
    if callable(declares) and declares():
        return True
    if getattr(type(callback), hook, None) is not getattr(Callback, hook, None):
        return True
    # Callback.on_train_batch_* calls on_batch_*: overriding those is enough (TerminateOnNaN).
    legacy = _TRAIN_ALIASES.get(hook)
    return legacy is not None and _overrides(callback, legacy)


_TRAIN_ALIASES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def _as_callback_list(callbacks) -> list:
    """`callbacks` as a list: one callback alone is accepted, as Keras does; anything that is
    not a callback is refused before training starts."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback) or not isinstance(callbacks, (list, tuple)):
        callbacks = [callbacks]
    for callback in callbacks:
        if not hasattr(callback, "set_model") or not hasattr(callback, "__dict__"):
            raise TypeError("`callbacks` should be a list of `keras.callbacks.Callback` "
                            f"instances. Received: {callback!r} of type "
                            f"{type(callback).__name__}")
    return list(callbacks)


def _python(logs: dict) -> dict:
    """Keras's log format (`logs_to_python`), or a copy of logs the loops already gave it."""
    if all(type(value) is float for value in logs.values()):
        return dict(logs)
    from hocsau.trainers.epoch_iterator import logs_to_python

    return logs_to_python(logs)


class CallbackList(Callback):
    """Dispatches every hook to its callbacks, adding History and the progress bar.

    Every hook receives a logs dict, as in Keras ({} where there is nothing to report). Batch
    logs arrive as device tensors; they are turned into Python floats (one sync) only when some
    callback overrides that batch hook (or its Keras 2 name, `on_batch_begin` / `on_batch_end`).
    """

    def __init__(self, callbacks=None, add_history: bool = False, add_progbar: bool = False,
                 model=None, **params):
        super().__init__()
        self.callbacks = _as_callback_list(callbacks)
        if add_history and not any(isinstance(c, History) for c in self.callbacks):
            self.callbacks.append(History())
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        self._listeners = {
            hook: [c for c in self.callbacks
                   if _overrides(c, hook) or (hook in _LEGACY and _overrides(c, _LEGACY[hook]))]
            for hook in _BATCH_HOOKS}
        if model is not None:
            self.set_model(model)
        self.set_params(params)

    def set_model(self, model) -> None:
        super().set_model(model)
        for callback in self.callbacks:
            callback.set_model(model)
            if isinstance(callback, History):
                model.history = callback

    def set_params(self, params: dict) -> None:
        super().set_params(params)
        for callback in self.callbacks:
            callback.set_params(params)

    def _batch(self, hook: str, batch, logs) -> None:
        listeners = self._listeners[hook]
        if not listeners:
            return
        if not logs:
            logs = {}
        elif not all(isinstance(c, ProgbarLogger) for c in listeners):
            logs = _python(logs)
        for callback in listeners:
            getattr(callback, hook)(batch, logs=logs)  # by keyword, as Keras calls it

    def _all(self, hook: str, *args) -> None:
        *position, logs = args
        logs = _python(logs) if logs else {}  # one fresh dict, shared by the callbacks
        for callback in self.callbacks:
            getattr(callback, hook)(*position, logs)

    def on_train_batch_begin(self, batch, logs=None): self._batch("on_train_batch_begin", batch, logs)  # noqa: E501
    def on_train_batch_end(self, batch, logs=None): self._batch("on_train_batch_end", batch, logs)  # noqa: E501
    def on_test_batch_begin(self, batch, logs=None): self._batch("on_test_batch_begin", batch, logs)  # noqa: E501
    def on_test_batch_end(self, batch, logs=None): self._batch("on_test_batch_end", batch, logs)  # noqa: E501
    def on_predict_batch_begin(self, batch, logs=None): self._batch("on_predict_batch_begin", batch, logs)  # noqa: E501
    def on_predict_batch_end(self, batch, logs=None): self._batch("on_predict_batch_end", batch, logs)  # noqa: E501
    def on_epoch_begin(self, epoch, logs=None): self._all("on_epoch_begin", epoch, logs)
    def on_epoch_end(self, epoch, logs=None): self._all("on_epoch_end", epoch, logs)
    def on_train_begin(self, logs=None): self._all("on_train_begin", logs)
    def on_train_end(self, logs=None): self._all("on_train_end", logs)
    def on_test_begin(self, logs=None): self._all("on_test_begin", logs)
    def on_test_end(self, logs=None): self._all("on_test_end", logs)
    def on_predict_begin(self, logs=None): self._all("on_predict_begin", logs)
    def on_predict_end(self, logs=None): self._all("on_predict_end", logs)
