"""What every callback hook receives, against Keras 3: the same program run on both libraries
(the same weights) gives the same calls, log keys and values."""

import keras
import numpy as np
import pytest

import hocsau
from hocsau.callbacks.callback_list import CallbackList

X = np.random.default_rng(0).normal(size=(6, 3)).astype("float32")
Y = X @ np.array([[1.0], [-2.0], [0.5]], "float32")
HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_test_begin",
         "on_test_end", "on_predict_begin", "on_predict_end", "on_train_batch_begin",
         "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end",
         "on_predict_batch_begin", "on_predict_batch_end"]


def _recorder(base):
    """A callback of `base` recording every hook's logs (keys and values), as user code
    reading `logs.keys()` in each hook does."""
    calls = []

    def hook(name):
        def record(self, *position, logs=None):
            if position and isinstance(position[-1], dict):  # begin / end hooks: by position
                *position, logs = position
            calls.append((name, *position, {k: _plain(v) for k, v in logs.items()}))
        return record

    return type("Recorder", (base,), {name: hook(name) for name in HOOKS})(), calls


def _plain(value):
    return np.asarray(value).round(5).tolist() if not isinstance(value, float) else round(
        value, 5)


def _run(lib, callbacks):
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(1)])
    model.set_weights([np.array([[0.3], [0.1], [-0.2]], "float32"), np.zeros(1, "float32")])
    model.compile(lib.optimizers.SGD(0.1), "mse", metrics=["mae"])
    model.fit(X, Y, batch_size=4, epochs=2, validation_data=(X, Y), callbacks=callbacks,
              shuffle=False, verbose=0)
    model.evaluate(X, Y, batch_size=4, callbacks=callbacks, verbose=0)
    model.predict(X, batch_size=4, callbacks=callbacks, verbose=0)


def _close(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert a[:-1] == b[:-1] and list(a[-1]) == list(b[-1])
        for key in a[-1]:
            np.testing.assert_allclose(a[-1][key], b[-1][key], rtol=1e-4, atol=1e-5)


def test_every_hook_receives_keras_logs():
    ours, our_calls = _recorder(hocsau.callbacks.Callback)
    theirs, their_calls = _recorder(keras.callbacks.Callback)
    _run(hocsau, [ours])
    _run(keras, [theirs])
    _close(our_calls, their_calls)
    begins = [c for c in our_calls if c[0].endswith("_begin")]
    assert begins and all(c[-1] == {} for c in begins)  # a dict, never None
    epoch_end = [c for c in our_calls if c[0] == "on_epoch_end"][0]
    assert list(epoch_end[-1]) == ["loss", "mae", "val_loss", "val_mae"]
    predict_end = [c for c in our_calls if c[0] == "on_predict_batch_end"]
    assert [np.shape(c[-1]["outputs"]) for c in predict_end] == [(4, 1), (2, 1)]


class _Keras2Hooks:
    """Only the Keras 2 names, which Keras 3 still calls during training."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def on_batch_begin(self, batch, logs=None):
        self.seen.append(("begin", batch, sorted(logs)))

    def on_batch_end(self, batch, logs=None):
        self.seen.append(("end", batch, sorted(logs)))


@pytest.mark.parametrize("lib", [hocsau, keras], ids=["hocsau", "keras"])
def test_keras2_batch_hook_names_are_called_in_training(lib):
    callback = type("Old", (_Keras2Hooks, lib.callbacks.Callback), {})()
    _run(lib, [callback])
    assert callback.seen == [(kind, batch, [] if kind == "begin" else ["loss", "mae"])
                             for _ in range(2) for batch in range(2)
                             for kind in ("begin", "end")]


def test_batch_logs_are_converted_only_for_callbacks_that_read_them():
    class EpochOnly(hocsau.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            pass

    old = type("Old", (_Keras2Hooks, hocsau.callbacks.Callback), {})()
    callbacks = CallbackList([EpochOnly(), old], add_history=True, add_progbar=True)
    listeners = {hook: [type(c).__name__ for c in found]
                 for hook, found in callbacks._listeners.items() if found}
    assert listeners == {"on_train_batch_begin": ["Old"],
                         "on_train_batch_end": ["Old", "ProgbarLogger"],
                         "on_test_batch_end": ["ProgbarLogger"],
                         "on_predict_batch_end": ["ProgbarLogger"]}
