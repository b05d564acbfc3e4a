"""CategoryEncoding and Discretization against Keras (live, torch backend); lookup behaviour
that the recorded fixture does not cover: errors, config round trips, `.keras` files and
strings flowing through models."""

import os

import keras
import numpy as np
import pytest

import hocsau
from hocsau import layers

X_IDS = [np.array(3), np.array([1, 2, 2]), np.array([[1], [3]]), np.array([[0, 1, 1], [3, 3, 3]])]


def _numpy(output):
    return output if isinstance(output, np.ndarray) else output.detach().cpu().numpy()


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("index", range(len(X_IDS)))
def test_category_encoding_matches_keras(mode, index):
    x = X_IDS[index]
    ours = layers.CategoryEncoding(5, output_mode=mode)(x)
    theirs = keras.layers.CategoryEncoding(5, output_mode=mode)(x)
    np.testing.assert_allclose(_numpy(ours), keras.ops.convert_to_numpy(theirs))


def test_category_encoding_count_weights_match_keras():
    x, w = np.array([[0, 1, 1], [3, 3, 3]]), np.array([[0.5, 1, 2], [1, 1, 3.0]], "float32")
    ours = layers.CategoryEncoding(4, output_mode="count")(x, count_weights=w)
    theirs = keras.layers.CategoryEncoding(4, output_mode="count")(x, count_weights=w)
    np.testing.assert_allclose(_numpy(ours), keras.ops.convert_to_numpy(theirs))


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
def test_discretization_matches_keras(mode):
    x = np.array([[-2, -1, 0.0, 1.6], [0.1, 1.5, 3, -0.5]], "float32")
    ours = layers.Discretization(bin_boundaries=[-1, 0, 1.5], output_mode=mode)(x)
    theirs = keras.layers.Discretization(bin_boundaries=[-1, 0, 1.5], output_mode=mode)(x)
    assert str(ours.dtype).replace("torch.", "") == keras.ops.convert_to_numpy(theirs).dtype
    np.testing.assert_array_equal(_numpy(ours), keras.ops.convert_to_numpy(theirs))


def test_sparse_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="sparse=True.*Received: sparse=True"):
        layers.StringLookup(output_mode="multi_hot", sparse=True)
    with pytest.raises(ValueError, match="Received: sparse=True"):
        layers.CategoryEncoding(3, sparse=True)


def test_lookup_argument_errors():
    with pytest.raises(ValueError, match="`output_mode` must be `'int'` when `invert`"):
        layers.StringLookup(invert=True, output_mode="one_hot")
    with pytest.raises(ValueError, match="repeated term"):
        layers.StringLookup(vocabulary=["a", "a"])
    with pytest.raises(RuntimeError, match="must set the layer's vocabulary"):
        layers.IntegerLookup(output_mode="multi_hot")(np.array([1]))
    with pytest.raises(ValueError, match="Cannot adapt layer"):
        layers.StringLookup(vocabulary=["a"]).adapt(["a"])


def test_vocabulary_file_and_set_vocabulary(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("x\ny\nĐà\n", encoding="utf-8")
    layer = layers.StringLookup(vocabulary=str(path))
    assert layer.get_vocabulary() == ["[UNK]", "x", "y", "Đà"]
    assert layer.get_config()["vocabulary"] is None
    layer.set_vocabulary(["p", "q"])
    np.testing.assert_array_equal(_numpy(layer(np.array(["q", "x"]))), [2, 0])


@pytest.mark.parametrize("name, kwargs", [
    ("StringLookup", {"vocabulary": ["a", "b"], "num_oov_indices": 2, "mask_token": ""}),
    ("IntegerLookup", {"vocabulary": [5, 7], "oov_method": "farmhash", "salt": [1, 2]}),
    ("Hashing", {"num_bins": 4, "mask_value": "", "salt": 3}),
    ("HashedCrossing", {"num_bins": 4, "output_mode": "one_hot"}),
    ("CategoryEncoding", {"num_tokens": 4, "output_mode": "count"}),
    ("Discretization", {"bin_boundaries": [0.0, 1.0]})])
def test_config_round_trip(name, kwargs):
    layer = getattr(layers, name)(**kwargs)
    config = layer.get_config()
    assert getattr(layers, name).from_config(config).get_config() == config


def test_adapted_lookup_survives_a_keras_file(tmp_path):
    lookup = layers.StringLookup(output_mode="tf_idf")
    lookup.adapt(np.array([["a", "b"], ["a", "c"], ["Đà", "a"]]))
    inputs = hocsau.Input(shape=(2,), dtype="string")
    model = hocsau.Model(inputs, layers.Dense(1)(lookup(inputs)))
    path = os.path.join(tmp_path, "lookup.keras")
    model.save(path)
    loaded = hocsau.saving.load_model(path)
    probe = np.array([["a", "zz"], ["Đà", "c"]])
    assert loaded.layers[1].get_vocabulary() == lookup.get_vocabulary()
    np.testing.assert_allclose(_numpy(loaded(probe)), _numpy(model(probe)), rtol=1e-6)


def test_strings_flow_through_fit_evaluate_and_predict():
    model = hocsau.Sequential([layers.StringLookup(vocabulary=["a", "b", "c"],
                                                   output_mode="one_hot"), layers.Dense(2)])
    x = np.array([["a"], ["b"], ["z"], ["c"]])
    model.compile("sgd", "mse")
    history = model.fit(x, np.ones((4, 2)), epochs=2, batch_size=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert np.isfinite(model.evaluate(x, np.ones((4, 2)), verbose=0))
    assert model.predict(x, verbose=0).shape == (4, 2)


def test_string_input_in_a_functional_model():
    inputs = hocsau.Input(shape=(1,), dtype="string")
    ids = layers.StringLookup(vocabulary=["a", "b"])(inputs)
    assert inputs.dtype == "string" and ids.dtype == "int64" and ids.shape == (None, 1)
    hashed = layers.Hashing(8, output_mode="multi_hot")(inputs)
    assert hashed.shape == (None, 8)
    model = hocsau.Model(inputs, [ids, hashed])
    out_ids, out_hashed = model(np.array([["b"], ["zz"]]))
    np.testing.assert_array_equal(_numpy(out_ids), [[2], [0]])
    assert tuple(out_hashed.shape) == (2, 8)
    with pytest.raises(ValueError, match="string input it cannot take"):
        layers.Lambda(lambda t: t + 1)(inputs)


def test_ragged_batches_adapt_and_reduce_row_by_row():
    """Lists of unequal lengths (TensorFlow's ragged batches, or a pandas column of lists)
    are rows of tokens: `adapt` counts the tokens, not the rows' string forms, and the
    reducing modes encode each row."""
    terms = [["cs.LG", "cs.CV"], ["cs.LG"], ["stat.ML", "cs.LG", "cs.CV"]]
    lookup = layers.StringLookup(output_mode="multi_hot")
    lookup.adapt(terms)
    assert lookup.get_vocabulary() == ["[UNK]", "cs.LG", "cs.CV", "stat.ML"]
    expected = [[0, 1, 1, 0], [0, 1, 0, 0], [1, 0, 0, 1]]
    np.testing.assert_array_equal(
        lookup([["cs.CV", "cs.LG"], ["cs.LG"], ["math.ST", "stat.ML"]]).numpy(), expected)
    column = np.empty(2, dtype=object)
    column[:] = [["cs.LG"], ["stat.ML"]]
    np.testing.assert_array_equal(lookup(column).numpy(), [[0, 1, 0, 0], [0, 0, 0, 1]])
    counts = layers.IntegerLookup(output_mode="count", vocabulary=[7, 9])
    np.testing.assert_array_equal(counts([[7, 7, 9], [], [5]]).numpy(),
                                  [[0, 2, 1], [0, 0, 0], [1, 0, 0]])


def test_ragged_tf_idf_counts_each_row_as_a_document():
    lookup = layers.StringLookup(output_mode="tf_idf")
    lookup.adapt([["a", "b"], ["a"], ["a", "c", "c"]])
    # idf = log(1 + 3 documents / (1 + documents with the token)); [UNK] gets their mean.
    idf = np.log(1 + 3 / (1 + np.array([3.0, 1.0, 1.0])))
    np.testing.assert_allclose(lookup.idf_weights, [idf.mean(), *idf], rtol=1e-6)
    assert lookup.get_vocabulary() == ["[UNK]", "a", "c", "b"]
    np.testing.assert_allclose(lookup([["c", "c", "a"], ["z"]]).numpy(),
                               [[0, idf[0], 2 * idf[1], 0], [idf.mean(), 0, 0, 0]], rtol=1e-6)


def test_ragged_batch_in_int_mode_is_refused():
    lookup = layers.StringLookup(vocabulary=["a", "b"])
    with pytest.raises(ValueError, match="ragged batch .* output_mode='int'"):
        lookup([["a", "b"], ["a"]])


def test_shape_ops_on_string_inputs_before_a_lookup():
    """`ops.expand_dims` / `reshape` / `squeeze` take string tensors, symbolic or eager, as
    keras.io's structured-data examples use them between a scalar string Input and a lookup."""
    inputs = hocsau.Input(shape=(), dtype="string")
    expanded = hocsau.ops.expand_dims(inputs, -1)
    assert expanded.shape == (None, 1) and expanded.dtype == "string"
    reshaped = hocsau.ops.reshape(expanded, (-1, 1, 1))
    squeezed = hocsau.ops.squeeze(reshaped, axis=[1])
    assert reshaped.shape == (None, 1, 1) and squeezed.shape == (None, 1)
    one_hot = layers.StringLookup(vocabulary=["a", "b"], num_oov_indices=0,
                                  output_mode="binary")(squeezed)
    model = hocsau.Model(inputs, one_hot)
    np.testing.assert_array_equal(_numpy(model(np.array(["b", "a", "b"]))),
                                  [[0, 1], [1, 0], [0, 1]])
    eager = hocsau.ops.expand_dims(np.array(["x", "y"]), 0)
    assert isinstance(eager, np.ndarray) and eager.shape == (1, 2)
    with pytest.raises(TypeError, match="received a string input it cannot take"):
        hocsau.ops.add(expanded, 1)
