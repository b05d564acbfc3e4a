"""The Layer base class: building, weights, freezing, custom layers, torch interop, errors."""

import numpy as np
import pytest
import torch

import hocsau as keras
from hocsau import layers


class MyLayer(layers.Layer):
    """Seed 001's custom layer, exactly as the tutorial writes it."""

    def __init__(self, output_dim, **kwargs):
        self.output_dim = output_dim
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[1], self.output_dim),
                                      initializer="uniform", trainable=True)
        super().build(input_shape)

    def call(self, x):
        return x @ self.kernel

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)


def test_custom_layer_builds_lazily_and_counts_params():
    layer = MyLayer(3)
    assert not layer.built
    out = layer(keras.Input(shape=(6,)))
    assert out.shape == (None, 3)
    assert layer.built and layer.count_params() == 18
    assert [w.name for w in layer.trainable_weights] == ["kernel"]
    assert np.abs(layer.get_weights()[0]).max() <= 0.05


def test_default_names_are_unique_and_reset_by_clear_session():
    keras.backend.clear_session()
    names = [layers.Dense(1).name for _ in range(3)]
    assert names == ["dense", "dense_1", "dense_2"]
    keras.backend.clear_session()
    assert layers.Dense(1).name == "dense"


def test_get_set_weights_keras_shapes_and_errors():
    layer = layers.Dense(4)
    layer(np.zeros((2, 3), "float32"))
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 4) and bias.shape == (4,)
    layer.set_weights([np.ones((3, 4)), np.arange(4.0)])
    np.testing.assert_array_equal(layer(np.ones((1, 3), "float32")).detach().numpy(),
                                  [[3.0, 4.0, 5.0, 6.0]])
    with pytest.raises(ValueError, match=r"weight shape \(3, 4\) is not compatible"):
        layer.set_weights([np.ones((4, 3)), np.zeros(4)])
    with pytest.raises(ValueError, match="expecting 2 weights"):
        layer.set_weights([np.ones((3, 4))])


def test_freezing_moves_weights_and_stops_gradients():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(4), layers.Dense(2)])
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    assert not model.layers[0].kernel.requires_grad
    model.trainable = False
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 4
    model.trainable = True
    assert len(model.trainable_weights) == 4 and model.layers[0].kernel.requires_grad


def test_shape_mistake_names_layer_expected_and_received():
    dense = layers.Dense(10)
    dense(keras.Input(shape=(784,)))
    with pytest.raises(ValueError, match=r'layer "dense.*expected axis -1 of input shape to '
                                         r"have value 784.*\(None, 28, 28, 1\)"):
        dense(keras.Input(shape=(28, 28, 1)))


def test_unknown_constructor_argument_is_rejected():
    with pytest.raises(ValueError, match="Unrecognized keyword arguments passed to Dense"):
        layers.Dense(3, unitz=4)


def test_layer_parameters_visible_to_torch_optimizer():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    params = list(model.parameters())
    assert len(params) == 2 and all(isinstance(p, torch.nn.Parameter) for p in params)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.ones(4, 3)
    before = model.layers[0].kernel.detach().clone()
    model(x).sum().backward()
    optimizer.step()
    np.testing.assert_allclose((before - model.layers[0].kernel.detach()).numpy(),
                               np.full((3, 1), 0.4), rtol=1e-6)


def test_torch_module_inside_a_model():
    model = keras.Sequential([keras.Input((3,)), torch.nn.Linear(3, 2), layers.Dense(1)])
    assert model.count_params() == 8 + 3
    assert model.output_shape == (None, 1)
    assert model.predict(np.ones((5, 3), "float32"), verbose=0).shape == (5, 1)


def test_activity_regularizer_loss_divided_by_batch():
    layer = layers.Dense(2, kernel_initializer="ones",
                         activity_regularizer=keras.regularizers.L2(0.1))
    layer(np.ones((4, 3), "float32"))
    # each output is 3 -> 0.1 * (8 values * 9) / batch 4 = 1.8
    np.testing.assert_allclose(float(sum(layer.losses).detach()), 1.8, rtol=1e-6)


def test_weight_regularizer_penalty_in_losses():
    layer = layers.Dense(2, kernel_initializer="ones",
                         kernel_regularizer=keras.regularizers.L1(0.5))
    layer.build((None, 3))
    np.testing.assert_allclose(float(sum(layer.losses).detach()), 3.0, rtol=1e-6)


def test_eager_call_with_a_wrong_shape_raises_keras_message_not_torch_traceback():
    dense = layers.Dense(3, name="scorer")
    dense(torch.ones(2, 4))
    with pytest.raises(ValueError, match='layer "scorer" is incompatible.*expected axis -1 of '
                                         r"input shape to have value 4.*\(2, 5\)") as info:
        dense(torch.ones(2, 5))
    assert info.value.__cause__ is None and info.value.__suppress_context__


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_layers_compute_in_half_and_keep_float32_weights(policy):
    keras3 = pytest.importorskip("keras")
    x = np.random.default_rng(0).normal(size=(4, 5)).astype("float32")
    theirs = keras3.layers.Dense(3, dtype=policy)
    expected = keras3.ops.convert_to_numpy(theirs(x)).astype("float32")
    ours = layers.Dense(3, dtype=policy)
    ours(torch.from_numpy(x))
    ours.set_weights(theirs.get_weights())
    out = ours(torch.from_numpy(x))
    assert out.dtype == (torch.float16 if policy == "mixed_float16" else torch.bfloat16)
    assert ours.kernel.dtype == torch.float32
    np.testing.assert_allclose(out.float().detach().numpy(), expected, rtol=2e-2, atol=2e-2)
    out.float().sum().backward()
    assert ours.kernel.grad.dtype == torch.float32


def test_recurrent_layers_run_under_mixed_precision():
    lstm = layers.LSTM(4, dtype="mixed_float16", return_state=True)
    outputs = lstm(torch.ones(2, 3, 5))
    assert [t.dtype for t in outputs] == [torch.float16] * 3
    assert lstm.cell.kernel.dtype == torch.float32


def test_float64_inputs_are_cast_to_the_layer_dtype():
    assert layers.Dense(2)(torch.ones(2, 3, dtype=torch.float64)).dtype == torch.float32


def test_training_argument_reaches_sublayers_of_a_call_without_it():
    class Block(layers.Layer):
        def __init__(self):
            super().__init__()
            self.dropout = layers.Dropout(0.5)

        def call(self, x):
            return self.dropout(x)

    block = Block()
    x = torch.ones(200, 10)
    assert torch.equal(block(x, training=False), x)
    dropped = block(x, training=True)
    assert 0.3 < float((dropped == 0).float().mean()) < 0.7


def test_predict_on_a_subclassed_model_whose_call_has_no_training_argument():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    assert Net().predict(np.ones((3, 4), "float32"), verbose=0).shape == (3, 2)


def _seeded_model(lib):
    """A custom dropout layer holding a `SeedGenerator`, then a GaussianNoise layer."""

    class SeededDropout(lib.layers.Layer):
        def __init__(self, rate):
            super().__init__()
            self.rate = rate
            self.seed_generator = lib.random.SeedGenerator(1337)

        def call(self, inputs):
            return lib.random.dropout(inputs, self.rate, seed=self.seed_generator)

    inputs = lib.Input(shape=(4,))
    x = lib.layers.Dense(3)(inputs)
    x = lib.layers.GaussianNoise(0.5, seed=3)(SeededDropout(0.5)(x))
    return lib.Model(inputs, lib.layers.BatchNormalization()(x))


def test_variables_add_seed_generator_states_to_weights_as_in_keras():
    real_keras = pytest.importorskip("keras")
    ours, theirs = _seeded_model(keras), _seeded_model(real_keras)
    assert len(ours.weights) == len(theirs.weights) == 6
    for attribute in ("variables", "non_trainable_variables", "trainable_variables"):
        assert [(v.name, tuple(v.shape)) for v in getattr(ours, attribute)] == \
            [(v.name, tuple(v.shape)) for v in getattr(theirs, attribute)], attribute
    assert len(ours.variables) == 8 and len(ours.non_trainable_variables) == 4
    seed_state = ours.layers[2].variables[0]
    assert seed_state.path == f"{ours.layers[2].seed_generator.name}/seed_generator_state"
    np.testing.assert_array_equal(seed_state.numpy(), [1337, 0])
    ours(np.ones((2, 4), "float32"), training=True)
    np.testing.assert_array_equal(seed_state.numpy(), [1337, 1])
    ours.trainable = False
    assert len(ours.non_trainable_variables) == 8 and ours.trainable_variables == []


def _dense_with_attribute_variables(lib):
    class Scaled(lib.layers.Dense):
        def __init__(self, units, **kwargs):
            super().__init__(units, **kwargs)
            self.scale = lib.Variable(np.full((3,), 2.0), name="scale", dtype="float32")
            self.offset = lib.Variable(np.zeros((3,)), name="offset", dtype="float32",
                                       trainable=False)

        def call(self, inputs):
            return super().call(inputs) * self.scale + self.offset

    layer = Scaled(3)
    layer(np.ones((2, 4), "float32"))
    return layer


def test_variables_assigned_as_attributes_take_keras_weight_order():
    real_keras = pytest.importorskip("keras")
    ours, theirs = _dense_with_attribute_variables(keras), \
        _dense_with_attribute_variables(real_keras)
    # Tracked when assigned: "scale" before the kernel and bias that `build` adds later.
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights] == \
        ["scale", "kernel", "bias", "offset"]
    assert [w.name for w in ours.trainable_weights] == ["scale", "kernel", "bias"]
    ours.set_weights(theirs.get_weights())
    x = np.arange(8, dtype="float32").reshape(2, 4)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(ours(x)),
                               real_keras.ops.convert_to_numpy(theirs(x)), rtol=1e-6)
    ours.trainable = False
    assert not ours.scale.trainable and ours.trainable_weights == []


class _BuildWithOption(layers.Layer):
    def build(self, input_shape, init="zeros"):
        self.w = self.add_weight(shape=(input_shape[-1], 2), initializer=init)

    def call(self, inputs):
        return inputs @ self.w


def test_direct_build_call_recorded_for_get_build_config():
    single = layers.Dense(2)
    single.build((None, 5))
    assert single.get_build_config() == {"input_shape": [None, 5]}
    layer = _BuildWithOption()
    layer.build((4,), init="ones")
    # Keras records every argument of a direct call: two of them make a shapes_dict.
    config = layer.get_build_config()
    assert config == {"shapes_dict": {"input_shape": [4], "init": "ones"}}
    fresh = _BuildWithOption()
    fresh.build_from_config(config)
    np.testing.assert_array_equal(fresh.w.numpy(), np.ones((4, 2)))
