"""Sequential: list and add forms, deferred build, pop, parameter counts from the seeds."""

import numpy as np
import pytest

import hocsau as keras
from hocsau import layers


def test_seed_004_deferred_build_has_25_params():
    model = keras.Sequential([layers.Dense(1), layers.Dense(4)])
    assert not model.built and model.weights == []
    model.build((None, 16))
    assert model.count_params() == 25 and len(model.weights) == 4


def test_seed_002_three_ways_give_664_params():
    seq1 = keras.Sequential([layers.Dense(16, activation="relu", input_shape=(32,)),
                             layers.Dense(8, activation="softmax")])
    seq2 = keras.Sequential()
    seq2.add(layers.Dense(16, activation="relu", input_shape=(32,)))
    seq2.add(layers.Dense(8, activation="softmax"))
    inp = keras.Input(shape=(32,))
    func = keras.Model(inp, layers.Dense(8)(layers.Dense(16)(inp)))
    for model in (seq1, seq2, func):
        assert model.count_params() == 664 and model.output_shape == (None, 8)
    seq2.set_weights(seq1.get_weights())
    x = np.random.default_rng(0).normal(size=(5, 32)).astype("float32")
    np.testing.assert_allclose(seq2.predict(x, verbose=0), seq1.predict(x, verbose=0), rtol=1e-6)


def test_build_on_first_call_and_layer_io():
    model = keras.Sequential([layers.Dense(3), layers.Dense(2)])
    out = model(np.ones((4, 5), "float32"))
    assert tuple(out.shape) == (4, 2) and model.input_shape == (None, 5)
    assert model.layers[0].output.shape == (None, 3)


def test_add_and_pop():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    model.add(layers.Dense(2))
    assert model.output_shape == (None, 2) and len(model.layers) == 2
    popped = model.pop()
    assert popped.units == 2 and model.output_shape == (None, 3)


def test_duplicate_names_rejected():
    with pytest.raises(ValueError, match="unique names"):
        keras.Sequential([layers.Dense(1, name="x"), layers.Dense(1, name="x")])


def test_layers_of_a_sequential_built_by_add_report_their_output_shapes():
    model = keras.Sequential()
    model.add(layers.Flatten(input_shape=(8, 8), name="input"))
    model.add(layers.Dense(8, name="h1"))
    model.add(layers.Dense(10, name="output"))
    assert [tuple(layer.output.shape) for layer in model.layers] == [(None, 64), (None, 8),
                                                                       (None, 10)]


def test_output_of_an_uncalled_layer_names_the_layer():
    with pytest.raises(AttributeError, match="Layer 'lonely' has never been called"):
        _ = layers.Dense(2, name="lonely").output


def test_sequential_starting_with_a_functional_model_is_built_at_once():
    inp = keras.Input((4,))
    base = keras.Model(inp, layers.Dense(3)(inp))
    model = keras.Sequential([base, layers.Dense(1)])
    assert model.count_params() == 15 + 4
    assert model.output_shape == (None, 1)


def test_build_config_records_the_input_shape_and_rebuilds_an_unbuilt_twin():
    """KerasTuner saves `get_build_config()` of a trial's model built by fit, and later calls
    `build_from_config` on a fresh copy before loading the trial's weights."""
    def stack():
        return keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(3)])

    assert stack().get_build_config() is None
    trained = stack()
    trained.compile(optimizer="sgd", loss="mse")
    trained.fit(np.ones((4, 2, 2), "float32"), np.ones((4, 3), "float32"), verbose=0)
    config = trained.get_build_config()
    assert config == {"input_shape": [None, 2, 2]}
    twin = stack()
    twin.build_from_config(config)
    assert twin.built and [tuple(w.shape) for w in twin.weights] == [(4, 3), (3,)]
    twin.set_weights(trained.get_weights())
    x = np.arange(8, dtype="float32").reshape(2, 2, 2)
    np.testing.assert_allclose(twin.predict(x, verbose=0), trained.predict(x, verbose=0))
