"""`SwapEMAWeights` against Keras 3: evaluation with the optimizer's moving averages."""

import keras
import numpy as np
import pytest

import hocsau

RNG = np.random.default_rng(0)
X = RNG.normal(size=(32, 3)).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5]], "float32")).astype("float32")
VAL = (X[:8] + 0.1, Y[:8])


def _model(lib):
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(1, kernel_initializer="ones")])
    model.compile(optimizer=lib.optimizers.SGD(0.05, use_ema=True, ema_momentum=0.5),
                  loss="mse")
    return model


class _Weights:
    """Records the kernel seen by evaluation and at each epoch end."""

    def __init__(self, lib):
        outer = self
        self.at_test, self.at_epoch_end = [], []

        class Recorder(lib.callbacks.Callback):
            def on_test_end(self, logs=None):
                outer.at_test.append(np.array(self.model.get_weights()[0]))

            def on_epoch_end(self, epoch, logs=None):
                outer.at_epoch_end.append(np.array(self.model.get_weights()[0]))

        self.callback = Recorder()


@pytest.mark.parametrize("swap_on_epoch", [False, True])
def test_swaps_match_keras(swap_on_epoch):
    results = []
    for lib in (hocsau, keras):
        model, recorder = _model(lib), _Weights(lib)
        history = model.fit(X, Y, batch_size=8, epochs=3, shuffle=False, validation_data=VAL,
                            verbose=0, callbacks=[lib.callbacks.SwapEMAWeights(swap_on_epoch),
                                                  recorder.callback])
        results.append((history.history["val_loss"], recorder.at_test, recorder.at_epoch_end,
                        model.get_weights()[0]))
    for ours, theirs in zip(*results, strict=True):
        np.testing.assert_allclose(np.array(ours), np.array(theirs), rtol=1e-5, atol=1e-6)


def test_evaluation_uses_ema_and_restores_the_trained_weights():
    model = _model(hocsau)
    for start in range(0, 32, 8):  # steps without fit's final copy of the averages
        model.train_on_batch(X[start:start + 8], Y[start:start + 8])
    trained = [w.copy() for w in model.get_weights()]
    kernel, bias = (v.numpy().copy() for v in model.optimizer._model_variables_moving_average)
    assert not np.allclose(kernel, trained[0])
    callback = hocsau.callbacks.SwapEMAWeights()
    ema_outputs = X @ kernel + bias
    np.testing.assert_allclose(model.evaluate(X, Y, verbose=0, callbacks=[callback]),
                               np.mean((ema_outputs - Y) ** 2), rtol=1e-5)
    np.testing.assert_array_equal(model.get_weights()[0], trained[0])
    np.testing.assert_allclose(model.predict(X, verbose=0, callbacks=[callback]), ema_outputs,
                               rtol=1e-5, atol=1e-6)
    for now, before in zip(model.get_weights(), trained, strict=True):
        np.testing.assert_array_equal(now, before)


def test_requires_an_ema_optimizer():
    model = hocsau.Sequential([hocsau.Input((3,)), hocsau.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="`use_ema=True` is set on the optimizer"):
        model.fit(X, Y, validation_data=VAL, verbose=0,
                  callbacks=[hocsau.callbacks.SwapEMAWeights()])
