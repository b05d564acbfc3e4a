"""Layer idioms of tf.keras 2 / Keras 1 kept as hocsau extensions (`layer.input_shape`,
`self.trainable_weights = [...]`), and Keras 3's layer-level names (`layers.serialize`,
`Input(ragged=...)`, the JAX / TensorFlow-only layers)."""

import keras
import numpy as np
import pytest
import torch

import hocsau
from hocsau import initializers, layers


def test_input_and_output_shapes_of_layers():
    dense = layers.Dense(16, activation="relu", input_shape=(32,))
    model = hocsau.Sequential([dense, layers.Dense(4)])
    assert dense.input_shape == (None, 32) and dense.output_shape == (None, 16)
    assert model.layers[1].input_shape == (None, 16)
    a, b = hocsau.Input((3,)), hocsau.Input((5,))
    merge = layers.Concatenate()
    merge([a, b])
    assert merge.input_shape == [(None, 3), (None, 5)] and merge.output_shape == (None, 8)
    declared = layers.Dense(2, input_shape=(7,))
    assert declared.input_shape == (None, 7)
    with pytest.raises(AttributeError, match="has never been called"):
        _ = layers.Dense(2).input_shape
    with pytest.raises(AttributeError, match="no defined output shape"):
        _ = layers.Dense(2).output_shape

    class Remembering(layers.Layer):  # Keras 3 code may keep its own attribute of that name
        def build(self, input_shape):
            self.input_shape = input_shape

        def call(self, x):
            return x

    remembering = Remembering()
    remembering(torch.ones(2, 3))
    assert remembering.input_shape == (2, 3)


class KerasOneAttention(layers.Layer):
    """Seed 000's attention layer, Keras 1 style: tensors from an initializer, then
    `self.trainable_weights = [self.W]`."""

    def __init__(self, **kwargs):
        self.init = initializers.RandomNormal(seed=1)
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.W = self.init((input_shape[-1],))
        self.trainable_weights = [self.W]
        super().build(input_shape)

    def call(self, x):
        weights = torch.softmax(torch.tanh(x @ self.W), dim=1)
        return (x * weights.unsqueeze(-1)).sum(1)


def test_assigned_weight_lists_become_the_layers_weights():
    layer = KerasOneAttention()
    x = torch.randn(2, 5, 3)
    layer(x)
    assert isinstance(layer.W, hocsau.Variable) and layer.W.trainable
    assert layer.trainable_weights == [layer.W] and layer.weights == [layer.W]
    assert [name for name, _ in layer.named_parameters()] == ["W"]
    assert layer.W.path == f"{layer.name}/W" and layer.count_params() == 3
    layer(x).sum().backward()
    assert layer.W.grad is not None and layer.W.grad.shape == (3,)
    layer.trainable = False
    assert layer.trainable_weights == [] and layer.non_trainable_weights == [layer.W]


def test_lists_of_variables_and_non_trainable_lists():
    class Mixed(layers.Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], 2), name="kernel")
            self.scale = self.add_weight(shape=(2,), initializer="ones", name="scale")
            self.trainable_weights = [self.kernel]
            self.non_trainable_weights = [self.scale, np.zeros(2, "float32")]

        def call(self, x):
            return (x @ self.kernel) * self.scale

    layer = Mixed()
    layer(torch.ones(1, 3))
    assert layer.trainable_weights == [layer.kernel]
    assert len(layer.non_trainable_weights) == 2 and not layer.scale.trainable
    layer.trainable_weights = []
    assert layer.trainable_weights == [] and torch.equal(layer.kernel, layer.kernel)
    with pytest.raises(TypeError, match="must be tensors, arrays or Variables"):
        layer.trainable_weights = ["kernel"]


def test_trained_in_a_model():
    inputs = hocsau.Input((4, 3))
    att = KerasOneAttention()
    model = hocsau.Model(inputs, layers.Dense(1)(att(inputs)))
    model.compile(optimizer="adam", loss="mse")
    before = att.W.detach().clone()
    data = np.random.default_rng(0).normal(size=(8, 4, 3)).astype("float32")
    model.fit(data, data[:, 0, :1], epochs=2, verbose=0)
    assert not torch.equal(before, att.W.detach())
    assert len(model.trainable_weights) == 3


def test_serialize_and_deserialize_cross_with_keras():
    ours = layers.serialize(layers.Dense(3, activation="relu", name="d"))
    theirs = keras.layers.serialize(keras.layers.Dense(3, activation="relu", name="d"))
    assert (ours["module"], ours["class_name"]) == (theirs["module"], theirs["class_name"])
    assert layers.deserialize(theirs).units == 3
    assert keras.layers.deserialize(ours).units == 3
    with pytest.raises(ValueError, match="not a `keras.layers.Layer`"):
        layers.deserialize(hocsau.initializers.serialize(hocsau.initializers.Zeros()))


def test_ragged_inputs_are_refused_with_the_torch_way():
    assert hocsau.Input((3,), ragged=False).shape == (None, 3)
    with pytest.raises(ValueError, match="`ragged=True` is not supported.*pad_sequences"):
        hocsau.Input((None,), ragged=True)


@pytest.mark.parametrize("name, hint", [("JaxLayer", "TorchModuleWrapper"),
                                        ("FlaxLayer", "TorchModuleWrapper"),
                                        ("TFSMLayer", "load_model")])
def test_jax_and_tensorflow_layers_name_the_torch_way(name, hint):
    with pytest.raises(ValueError, match=hint):
        getattr(layers, name)("anything")
