import numpy as np
import pytest
import torch

import hocsau as keras
from hocsau.diagnostics import gradient_check

RNG = np.random.default_rng(0)


class _WrongSquare(torch.autograd.Function):
    """x**2 whose backward forgets the factor 2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x


class _BadLayer(keras.layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return _WrongSquare.apply(x * self.scale)


def _compiled(layers, shape, loss="mse"):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape), *layers])
    model.compile("sgd", loss)
    return model


@pytest.mark.parametrize("layers, shape, x", [
    ([keras.layers.Dense(3, activation="tanh"), keras.layers.Dense(2)], (4,),
     RNG.standard_normal((5, 4))),
    ([keras.layers.Conv2D(2, 3, activation="relu"), keras.layers.Flatten(),
      keras.layers.Dense(2)], (5, 5, 1), RNG.standard_normal((3, 5, 5, 1))),
    ([keras.layers.Dense(3), keras.layers.BatchNormalization(), keras.layers.Dense(2)], (4,),
     RNG.standard_normal((6, 4))),
    ([keras.layers.Embedding(7, 3), keras.layers.Flatten(), keras.layers.Dense(2)], (3,),
     RNG.integers(0, 7, (4, 3))),
])
def test_passes_on_correct_layers(layers, shape, x, capsys):
    model = _compiled(layers, shape)
    y = RNG.standard_normal((len(x), 2)).astype("float32")
    before = [w.copy() for w in model.get_weights()]
    result = gradient_check(model, x.astype("float32") if x.dtype.kind == "f" else x, y)
    assert result.passed, result.errors
    assert len(result.errors) == len(model.trainable_weights)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    assert "passed" in capsys.readouterr().out


def test_flags_a_wrong_backward():
    model = _compiled([keras.layers.Dense(3), _BadLayer(name="bad"), keras.layers.Dense(2)],
                      (4,))
    x, y = RNG.standard_normal((5, 4)).astype("float32"), RNG.standard_normal((5, 2))
    result = gradient_check(model, x, y.astype("float32"), verbose=0)
    assert not result.passed
    assert result.worst_error > 0.1
    assert result.worst_layer in ("bad", model.layers[0].name)
    assert result.errors[model.layers[-1].kernel.path] < 1e-5


@pytest.mark.parametrize("loss", ["binary_crossentropy", keras.losses.binary_crossentropy])
def test_rank_1_labels_meet_a_one_unit_output(loss):
    model = _compiled([keras.layers.Dense(4, activation="relu"),
                       keras.layers.Dense(1, activation="sigmoid")], (3,), loss=loss)
    x = RNG.standard_normal((8, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")                 # shape (8,), as fit accepts them
    result = gradient_check(model, x, y, verbose=0)
    assert result.passed, result.errors
    assert len(result.errors) == 4
