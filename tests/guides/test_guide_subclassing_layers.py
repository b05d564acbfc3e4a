"""keras.io guide "Making new layers and models via subclassing" (keras-team/keras
guides/making_new_layers_and_models_via_subclassing.py), adapted: weights from `add_weight`
in `__init__` and in `build`, non-trainable weights updated with `assign_add`, nested layers
tracked recursively, `add_loss` (reset on every call, used by fit with and without a compiled
loss), the `training` argument, and `get_config` / `from_config`."""

import numpy as np
from guide_helpers import assert_nested_close

import hocsau


def define_layers(keras):
    """The guide's layers, defined against the given Keras module."""
    layers, ops = keras.layers, keras.ops

    class Linear(layers.Layer):
        def __init__(self, units=32, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                     initializer="random_normal", trainable=True)
            self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)

        def call(self, inputs):
            return ops.matmul(inputs, self.w) + self.b

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    class ComputeSum(layers.Layer):
        def __init__(self, input_dim):
            super().__init__()
            self.total = self.add_weight(initializer="zeros", shape=(input_dim,),
                                         trainable=False)

        def call(self, inputs):
            self.total.assign_add(ops.sum(inputs, axis=0))
            return self.total

    class MLPBlock(layers.Layer):
        def __init__(self):
            super().__init__()
            self.linear_1, self.linear_2, self.linear_3 = Linear(8), Linear(8), Linear(1)

        def call(self, inputs):
            x = keras.activations.relu(self.linear_1(inputs))
            x = keras.activations.relu(self.linear_2(x))
            return self.linear_3(x)

    class ActivityRegularizationLayer(layers.Layer):
        def __init__(self, rate=1e-2):
            super().__init__()
            self.rate = rate

        def call(self, inputs):
            self.add_loss(self.rate * ops.mean(inputs))
            return inputs

    class OuterLayerWithKernelRegularizer(layers.Layer):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(4, kernel_regularizer=keras.regularizers.l2(1e-3))

        def call(self, inputs):
            return self.dense(inputs)

    class CustomDropout(layers.Layer):
        def __init__(self, rate, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate
            self.seed_generator = keras.random.SeedGenerator(1337)

        def call(self, inputs, training=None):
            if training:
                return keras.random.dropout(inputs, rate=self.rate, seed=self.seed_generator)
            return inputs

    return Linear, ComputeSum, MLPBlock, ActivityRegularizationLayer, \
        OuterLayerWithKernelRegularizer, CustomDropout


def weight_facts(keras):
    Linear, ComputeSum, MLPBlock, *_ = define_layers(keras)
    x = np.ones((2, 2), "float32")
    linear = Linear(4)
    y = linear(x)
    my_sum = ComputeSum(2)
    my_sum(x)
    total = my_sum(x)
    mlp = MLPBlock()
    mlp(np.ones((3, 64), "float32"))
    return {"linear_output_shape": tuple(y.shape), "linear_weights": len(linear.weights),
            "sum_total": total, "sum_counts": (len(my_sum.weights),
                                              len(my_sum.non_trainable_weights),
                                              len(my_sum.trainable_weights)),
            "mlp_counts": (len(mlp.weights), len(mlp.trainable_weights))}


def loss_facts(keras):
    _, _, _, ActivityRegularization, OuterWithRegularizer, _ = define_layers(keras)
    layer = ActivityRegularization()
    layer(np.ones((2, 2), "float32"))
    first = len(layer.losses)
    layer(np.ones((2, 2), "float32"))  # losses are reset at the start of each call
    outer = OuterWithRegularizer()
    outer(np.zeros((1, 1), "float32"))
    return {"activity_losses": (first, len(layer.losses)), "activity_loss": layer.losses[0],
            "regularizer_losses": len(outer.losses)}


def training_with_add_loss(keras, with_compiled_loss):
    *_, ActivityRegularization, _, _ = define_layers(keras)
    keras.utils.set_random_seed(1)
    inputs = keras.Input(shape=(3,))
    outputs = ActivityRegularization()(keras.layers.Dense(1)(inputs))
    model = keras.Model(inputs, outputs)
    rng = np.random.default_rng(0)
    x, y = rng.random((16, 3)).astype("float32"), rng.random((16, 1)).astype("float32")
    if with_compiled_loss:
        model.compile(optimizer="adam", loss="mse")
        history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    else:
        model.compile(optimizer="adam")
        history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    return history.history["loss"], len(model.losses)


def config_and_training_flag(keras):
    Linear, *_, CustomDropout = define_layers(keras)
    layer = Linear(64, name="linear_layer")
    config = layer.get_config()
    new_layer = Linear.from_config(config)
    dropout = CustomDropout(0.5)
    x = np.ones((4, 10), "float32")
    dropped = keras.ops.convert_to_numpy(dropout(x, training=True))
    return {"config": {k: config[k] for k in ("name", "trainable", "units")},
            "new_units": new_layer.units, "new_name": new_layer.name,
            "eval_output": dropout(x, training=False), "default_output": dropout(x),
            "dropped_values": sorted(set(np.round(dropped.ravel(), 4).tolist()))}


def program(keras):
    """Returns the facts the guide prints, for each part of it."""
    result = {**weight_facts(keras), **loss_facts(keras), **config_and_training_flag(keras)}
    result["fit_with_loss"] = training_with_add_loss(keras, True)
    result["fit_without_loss"] = training_with_add_loss(keras, False)
    return result


def check(result):
    assert result["linear_output_shape"] == (2, 4) and result["linear_weights"] == 2
    np.testing.assert_allclose(np.asarray(result["sum_total"]), [4.0, 4.0])
    assert result["sum_counts"] == (1, 1, 0)
    assert result["mlp_counts"] == (6, 6)
    assert result["activity_losses"] == (1, 1)
    np.testing.assert_allclose(float(result["activity_loss"]), 0.01, rtol=1e-6)
    assert result["regularizer_losses"] == 1
    assert result["config"] == {"name": "linear_layer", "trainable": True, "units": 64}
    assert result["new_units"] == 64 and result["new_name"] == "linear_layer"
    np.testing.assert_array_equal(np.asarray(result["eval_output"]), np.ones((4, 10)))
    np.testing.assert_array_equal(np.asarray(result["default_output"]), np.ones((4, 10)))
    assert result["dropped_values"] == [0.0, 2.0]
    for losses, count in (result["fit_with_loss"], result["fit_without_loss"]):
        assert len(losses) == 2 and count == 1


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_add_loss_values_as_keras(real_keras):
    theirs, ours = loss_facts(real_keras), loss_facts(hocsau)
    assert_nested_close(ours, theirs)
