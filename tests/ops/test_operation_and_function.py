"""`Operation` and `Function` against Keras 3: same graphs, same outputs."""

import keras
import numpy as np
import pytest

import hocsau

X = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
Y = np.random.default_rng(1).normal(size=(4, 3)).astype("float32")


def _numpy(value):
    return keras.ops.convert_to_numpy(value) if not isinstance(value, np.ndarray) else value


def _scaled(lib):
    class Scale(lib.Operation):
        def __init__(self, factor, name=None):
            super().__init__(name=name)
            self.factor = factor

        def call(self, x):
            return lib.ops.multiply(x, self.factor)

    return Scale


@pytest.mark.parametrize("lib", [hocsau, keras], ids=["hocsau", "keras"])
def test_function_over_operations(lib):
    a, b = lib.KerasTensor((None, 3)), lib.KerasTensor((None, 3))
    scaled = _scaled(lib)(2.0)(a + b)
    fn = lib.Function([a, b], {"out": lib.ops.sigmoid(scaled), "sum": scaled})
    result = fn([X, Y])
    np.testing.assert_allclose(_numpy(result["sum"]), 2 * (X + Y), rtol=1e-6)
    np.testing.assert_allclose(_numpy(result["out"]), 1 / (1 + np.exp(-2 * (X + Y))), rtol=1e-6)
    spec = fn.compute_output_spec([lib.KerasTensor((7, 3)), lib.KerasTensor((7, 3))])
    assert spec["out"].shape == (7, 3)
    assert fn.compute_output_shape([(5, 3), (5, 3)]) == {"out": (5, 3), "sum": (5, 3)}
    assert len(fn.inputs) == 2 and len(fn.outputs) == 2
    with pytest.raises(ValueError, match="invalid input structure"):
        fn(X)


def test_operations_of_a_function_and_errors():
    x = hocsau.KerasTensor((None, 3))
    layer = hocsau.layers.Dense(2)
    fn = hocsau.Function(x, layer(hocsau.ops.relu(x)))
    assert layer in fn.operations and len(fn.operations) == 2
    np.testing.assert_allclose(fn(X).detach().numpy(),
                               layer(np.maximum(X, 0)).detach().numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="is not connected to `inputs`"):
        hocsau.Function(hocsau.KerasTensor((None, 3)), layer(x))
    with pytest.raises(ValueError, match="cannot be empty"):
        hocsau.Function([], x)


def test_operations_in_functional_models_and_their_own_output_spec():
    class Pairs(hocsau.Operation):
        def call(self, x):
            return hocsau.ops.concatenate([x, x], axis=-1)

        def compute_output_spec(self, x):
            return hocsau.KerasTensor(x.shape[:-1] + (2 * x.shape[-1],), x.dtype)

    inputs = hocsau.Input((3,))
    op = Pairs()
    outputs = op(inputs)
    assert outputs.shape == (None, 6) and op.output is outputs and op.input is inputs
    model = hocsau.Model(inputs, outputs)
    np.testing.assert_allclose(model.predict(X, verbose=0), np.concatenate([X, X], -1))
    assert op.get_config() == {"name": op.name}
    assert isinstance(model, hocsau.Function) and isinstance(op, hocsau.Operation)
    assert isinstance(hocsau.layers.Dense(1), hocsau.Operation)
    assert issubclass(hocsau.layers.Layer, hocsau.Operation)
    with pytest.raises(NotImplementedError):
        hocsau.Operation()(X)


def test_operation_config_round_trip_as_keras():
    ours, theirs = _scaled(hocsau)(3.0, name="s"), _scaled(keras)(3.0, name="s")
    assert ours.get_config() == theirs.get_config() == {"name": "s", "factor": 3.0}
    again = type(ours).from_config(ours.get_config())
    assert again.factor == 3.0 and again.name == "s"
    spec = ours.compute_output_spec(hocsau.KerasTensor((2, 3)))
    assert spec.shape == (2, 3)
