import numpy as np
import pytest
import torch

import hocsau as keras
from hocsau import layers as L
from hocsau.diagnostics import gradient_check

RNG = np.random.default_rng(0)


def _normal(*shape):
    return RNG.standard_normal(shape).astype("float32")


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
    model = keras.Sequential([keras.Input(shape), *layers, L.Flatten(), L.Dense(2)])
    model.compile("sgd", loss)
    return model


# (layers, input shape (no batch), input): each family with weights, smallest shapes.
FAMILIES = {
    "dense": ([L.Dense(3, activation="tanh")], (4,), _normal(3, 4)),
    "einsum_dense": ([L.EinsumDense("ab,bc->ac", output_shape=3, bias_axes="c")], (4,),
                     _normal(3, 4)),
    "embedding": ([L.Embedding(7, 3)], (3,), RNG.integers(0, 7, (3, 3))),
    "conv1d": ([L.Conv1D(2, 3)], (5, 2), _normal(2, 5, 2)),
    "conv2d": ([L.Conv2D(2, 3, activation="relu")], (5, 5, 1), _normal(2, 5, 5, 1)),
    "conv3d": ([L.Conv3D(2, 2)], (3, 3, 3, 1), _normal(2, 3, 3, 3, 1)),
    "conv1d_transpose": ([L.Conv1DTranspose(2, 3)], (4, 2), _normal(2, 4, 2)),
    "conv2d_transpose": ([L.Conv2DTranspose(2, 3, strides=2)], (3, 3, 1), _normal(2, 3, 3, 1)),
    "conv3d_transpose": ([L.Conv3DTranspose(2, 2)], (2, 2, 2, 1), _normal(2, 2, 2, 2, 1)),
    "depthwise_conv1d": ([L.DepthwiseConv1D(3)], (5, 2), _normal(2, 5, 2)),
    "depthwise_conv2d": ([L.DepthwiseConv2D(3)], (5, 5, 2), _normal(2, 5, 5, 2)),
    "separable_conv1d": ([L.SeparableConv1D(2, 3)], (5, 2), _normal(2, 5, 2)),
    "separable_conv2d": ([L.SeparableConv2D(2, 3)], (5, 5, 2), _normal(2, 5, 5, 2)),
    "batch_normalization": ([L.Dense(3), L.BatchNormalization()], (4,), _normal(3, 4)),
    "layer_normalization": ([L.Dense(3), L.LayerNormalization()], (4,), _normal(3, 4)),
    "group_normalization": ([L.Dense(4), L.GroupNormalization(2)], (4,), _normal(3, 4)),
    "rms_normalization": ([L.Dense(3), L.RMSNormalization()], (4,), _normal(3, 4)),
    "prelu": ([L.Dense(3), L.PReLU()], (4,), _normal(3, 4)),
    "simple_rnn": ([L.SimpleRNN(3)], (4, 2), _normal(2, 4, 2)),
    "lstm": ([L.LSTM(3, return_sequences=True)], (4, 2), _normal(2, 4, 2)),
    "gru": ([L.GRU(3)], (4, 2), _normal(2, 4, 2)),
    "rnn_lstm_cell": ([L.RNN(L.LSTMCell(3))], (4, 2), _normal(2, 4, 2)),
    "bidirectional_lstm": ([L.Bidirectional(L.LSTM(3))], (4, 2), _normal(2, 4, 2)),
    "conv_lstm2d": ([L.ConvLSTM2D(2, 3)], (2, 4, 4, 1), _normal(2, 2, 4, 4, 1)),
    "time_distributed": ([L.TimeDistributed(L.Dense(3))], (4, 2), _normal(2, 4, 2)),
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_passes_on_every_layer_family(family, capsys):
    layers, shape, x = FAMILIES[family]
    model = _compiled([type(layer).from_config(layer.get_config()) for layer in layers], shape)
    y = _normal(len(x), 2)
    before = [w.copy() for w in model.get_weights()]
    result = gradient_check(model, x, y)
    assert result.passed, result.errors
    assert result.worst_error < 1e-7
    assert len(result.errors) == len(model.trainable_weights)
    assert result.loss == pytest.approx(float(model.evaluate(x, y, verbose=0)), rel=1e-5)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    assert "passed" in capsys.readouterr().out


@pytest.mark.parametrize("attention", ["multi_head", "group_query"])
def test_passes_on_attention(attention):
    keras.utils.set_random_seed(0)
    query, value = keras.Input((3, 4)), keras.Input((5, 4))
    layer = (L.MultiHeadAttention(2, 3) if attention == "multi_head"
             else L.GroupQueryAttention(3, 4, 2))
    outputs = L.Dense(2)(L.Flatten()(layer(query, value)))
    model = keras.Model([query, value], outputs)
    model.compile("sgd", "mse")
    result = gradient_check(model, [_normal(2, 3, 4), _normal(2, 5, 4)], _normal(2, 2),
                            verbose=0)
    # The key's bias has no gradient (softmax ignores a shift shared by all keys): zero
    # against zero passes.
    assert result.passed, result.errors
    assert len(result.errors) == 10
    assert result.errors[f"{layer.name}/key/bias"] < 1e-6


def test_wrapper_cells_are_checked_apart():
    model = _compiled([L.Bidirectional(L.LSTM(3, name="lstm"), name="bi")], (4, 2))
    result = gradient_check(model, _normal(2, 4, 2), _normal(2, 2), verbose=0)
    assert {"bi/forward_lstm/lstm_cell/kernel", "bi/backward_lstm/lstm_cell/kernel"} \
        <= set(result.errors)


def test_several_outputs_with_loss_weights_and_penalties():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    hidden = L.Dense(5, activation="relu", kernel_regularizer="l2")(inputs)
    outputs = {"cls": L.Dense(3, activation="softmax", name="cls")(hidden),
               "reg": L.Dense(1, name="reg")(hidden)}
    model = keras.Model(inputs, outputs)
    model.compile("adam", {"cls": keras.losses.SparseCategoricalCrossentropy(),
                           "reg": keras.losses.Huber()}, loss_weights={"reg": 0.5})
    x, y = _normal(6, 4), {"cls": RNG.integers(0, 3, (6,)), "reg": _normal(6, 1)}
    result = gradient_check(model, x, y, verbose=0)
    assert result.passed, result.errors
    assert len(result.errors) == 6
    assert result.loss == pytest.approx(float(model.evaluate(x, y, verbose=0)[0]), rel=1e-5)


def test_subclassed_model_with_add_loss():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden, self.out = L.Dense(3, activation="tanh"), L.Dense(1)

        def call(self, x):
            h = self.hidden(x)
            self.add_loss(0.1 * keras.ops.sum(self.hidden.kernel ** 2))
            return self.out(h)

    keras.utils.set_random_seed(0)
    model = Net()
    model.compile("sgd", "mse")
    x, y = _normal(4, 4), _normal(4, 1)
    model(x)
    result = gradient_check(model, x, y, verbose=0)
    assert result.passed and len(result.errors) == 4
    assert result.loss == pytest.approx(float(model.evaluate(x, y, verbose=0)), rel=1e-5)


def test_flags_a_wrong_backward(capsys):
    model = _compiled([L.Dense(3), _BadLayer(name="bad")], (4,))
    result = gradient_check(model, _normal(5, 4), _normal(5, 2))
    assert not result.passed
    assert result.worst_error > 0.1
    assert result.worst_layer in ("bad", model.layers[0].name)
    assert result.errors[f"{model.layers[-1].name}/kernel"] < 1e-7
    assert "FAILED" in capsys.readouterr().out


def test_weights_of_the_model_itself():
    class Scaled(keras.Model):
        def __init__(self):
            super().__init__(name="scaled")
            self.dense = L.Dense(2, name="inner")

        def build(self, input_shape):
            self.scale = self.add_weight(shape=(2,), initializer="ones", name="scale")

        def call(self, x):
            return self.dense(x) * self.scale

    model = Scaled()
    model.compile("sgd", "mse")
    x, y = _normal(3, 4), _normal(3, 2)
    model(x)
    result = gradient_check(model, x, y, verbose=0)
    assert set(result.errors) == {"scaled/scale", "inner/kernel", "inner/bias"}
    assert result.layers["scaled/scale"] == "scaled" and result.passed


@pytest.mark.parametrize("loss", ["binary_crossentropy", keras.losses.binary_crossentropy])
def test_rank_1_labels_meet_a_one_unit_output(loss):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), L.Dense(4, activation="relu"),
                              L.Dense(1, activation="sigmoid")])
    model.compile("sgd", loss)
    x = RNG.standard_normal((8, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")                 # shape (8,), as fit accepts them
    result = gradient_check(model, x, y, verbose=0)
    assert result.passed, result.errors
    assert len(result.errors) == 4
