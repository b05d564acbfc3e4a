"""FeatureSpace (Keras's needs TensorFlow, so encodings are checked by hand): adapt from a Dataset
or a dict, concat / dict outputs, one-hot widths and order, crosses, single examples, errors,
config, and the keras.io "structured data classification with FeatureSpace" flow with a `.keras`
round trip."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.data import Dataset
from hocsau.utils import FeatureSpace

DATA = {"f": np.array([1.0, 2.0, 3.0, 6.0], "float32"), "s": np.array(["a", "b", "a", "c"]),
        "i": np.array([5, 7, 5, 5], "int32"), "n": np.array([0.0, 2.0, 4.0, 6.0], "float32")}


def _space(**kwargs):
    features = {"f": FeatureSpace.float_rescaled(scale=2.0, offset=1.0),
                "s": FeatureSpace.string_categorical(), "i": FeatureSpace.integer_categorical(),
                "n": FeatureSpace.float_normalized()}
    return FeatureSpace(features, crosses=[("i", "s")], crossing_dim=4, **kwargs)


def _one_hot(indices, width):
    return np.eye(width, dtype="float32")[np.asarray(indices)]


def test_concat_encoding_by_hand():
    space = _space()
    space.adapt(DATA)
    out = space(DATA)
    assert out.dtype == torch.float32 and tuple(out.shape) == (4, 1 + 3 + 1 + 4 + 4)
    s_vocab = space.preprocessors["s"].get_vocabulary()
    i_vocab = space.preprocessors["i"].get_vocabulary()
    assert s_vocab[:2] == ["[UNK]", "a"] and i_vocab[:2] == [-1, 5]
    s_index = [s_vocab.index(v) for v in DATA["s"]]
    i_index = [i_vocab.index(v) for v in DATA["i"]]
    crossed = layers.HashedCrossing(4)((np.array(i_index)[:, None], np.array(s_index)[:, None]))
    expected = np.concatenate([  # sorted names f, i, n, s, then the cross i_X_s
        (DATA["f"] * 2 + 1)[:, None], _one_hot(i_index, 3),
        ((DATA["n"] - 3) / np.sqrt(5))[:, None], _one_hot(s_index, 4),
        _one_hot(crossed.numpy()[:, 0], 4)], axis=1)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6, atol=1e-6)
    single = space({key: values[1] for key, values in DATA.items()})
    np.testing.assert_allclose(single.numpy(), expected[1], rtol=1e-6, atol=1e-6)


def test_dict_mode_int_outputs_and_adapt_from_batched_dataset():
    features = {"d": FeatureSpace.float_discretized(num_bins=2, output_mode="int"),
                "h": FeatureSpace.string_hashed(num_bins=8, output_mode="int"),
                "x": FeatureSpace.float(), "k": FeatureSpace.integer_hashed(num_bins=3)}
    space = FeatureSpace(features, output_mode="dict")
    data = {"d": DATA["n"], "h": DATA["s"], "x": DATA["f"], "k": DATA["i"]}
    space.adapt(Dataset.from_tensor_slices(data).batch(3))
    out = space(data)
    assert sorted(out) == ["d", "h", "k", "x"]
    np.testing.assert_array_equal(out["d"].numpy()[:, 0], [0, 1, 1, 1])  # boundary: median 2
    hashed = layers.Hashing(num_bins=8)(DATA["s"][:, None])
    np.testing.assert_array_equal(out["h"].numpy(), hashed.numpy())
    np.testing.assert_array_equal(out["x"].numpy()[:, 0], DATA["f"])
    buckets = layers.Hashing(num_bins=3)(DATA["i"][:, None]).numpy()[:, 0]
    np.testing.assert_array_equal(out["k"].numpy(), _one_hot(buckets, 3))
    one = space({key: values[0] for key, values in data.items()})
    assert tuple(one["x"].shape) == (1,) and tuple(one["k"].shape) == (3,)


def test_features_by_name_use_the_space_dimensions():
    space = FeatureSpace({"a": "float_discretized", "b": "string_hashed", "c": "float"},
                         hashing_dim=5, num_discretization_bins=3)
    space.adapt({"a": np.arange(9, dtype="float32"), "b": np.array(["x"] * 9),
                 "c": np.ones(9, "float32")})
    assert tuple(space.get_encoded_features().shape) == (None, 3 + 5 + 1)
    assert set(space.get_inputs()) == {"a", "b", "c"}
    assert space.get_inputs()["b"].dtype == "string"


@pytest.mark.parametrize("build, message", [
    (lambda: FeatureSpace({}), "cannot be None or empty"),
    (lambda: FeatureSpace({"a": "float"}, output_mode="list"), "Received: output_mode=list"),
    (lambda: FeatureSpace({"a": "floaty"}), "Invalid feature type: floaty"),
    (lambda: FeatureSpace({"a": "float"}, crosses=[("a", "b")]), "unknown features"),
    (lambda: FeatureSpace.cross(("a", "b"), 4, output_mode="float"), "output_mode=float"),
    (lambda: FeatureSpace({"a": FeatureSpace.string_categorical(output_mode="int")})
     .adapt({"a": np.array(["x", "y"])}), "has not been encoded"),
    (lambda: FeatureSpace({"a": "float_normalized"}).get_encoded_features(),
     "call `.adapt\\(dataset\\)`"),
    (lambda: _space().adapt([1, 2]), "dict of arrays/lists"),
])
def test_errors_speak_keras(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_config_round_trip_and_serialized_parts():
    space = _space(output_mode="dict")
    config = space.get_config()
    assert config["features"]["s"]["class_name"] == "Feature"
    assert config["crosses"][0]["config"]["feature_names"] == ["i", "s"]
    clone = FeatureSpace.from_config(config)
    assert clone.output_mode == "dict" and [c.name for c in clone.crosses] == ["i_X_s"]
    assert type(clone.features["n"].preprocessor) is layers.Normalization
    clone.adapt(DATA)
    assert sorted(clone(DATA)) == ["f", "i", "i_X_s", "n", "s"]
    with pytest.raises(ValueError, match="A FeatureSpace can only be called with a dict"):
        clone([1.0])


def test_structured_data_classification_flow_and_keras_file(tmp_path):
    rng = np.random.default_rng(0)
    n = 64
    table = {"age": rng.uniform(20, 70, n).astype("float32"),
             "sex": rng.integers(0, 2, n).astype("int32"),
             "thal": rng.choice(["fixed", "normal", "reversible"], n),
             "chol": rng.uniform(100, 300, n).astype("float32")}
    target = ((table["thal"] == "normal") ^ (table["sex"] == 1)).astype("float32")
    space = FeatureSpace({"sex": FeatureSpace.integer_categorical(num_oov_indices=0),
                          "thal": FeatureSpace.string_categorical(num_oov_indices=0),
                          "age": FeatureSpace.float_discretized(num_bins=4),
                          "chol": FeatureSpace.float_normalized()},
                         crosses=[FeatureSpace.cross(("sex", "thal"), crossing_dim=16)],
                         output_mode="concat")
    train_ds = Dataset.from_tensor_slices((table, target)).batch(16)
    space.adapt(train_ds.map(lambda x, _: x))
    encoded_ds = train_ds.map(lambda x, y: (space(x), y))
    encoded, inputs = space.get_encoded_features(), space.get_inputs()
    hidden = layers.Dense(16, activation="relu")(encoded)
    training_model = hocsau.Model(inputs=encoded, outputs=layers.Dense(1, "sigmoid")(hidden))
    training_model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = training_model.fit(encoded_ds, epochs=40, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    inference_model = hocsau.Model(inputs=inputs, outputs=training_model(encoded))
    sample = {key: values[:5, None] for key, values in table.items()}
    predictions = inference_model.predict(sample, verbose=0)
    np.testing.assert_allclose(predictions, training_model.predict(space(sample), verbose=0),
                               rtol=1e-5)
    space.save(tmp_path / "space.keras")
    loaded = hocsau.saving.load_model(tmp_path / "space.keras")
    assert type(loaded) is FeatureSpace
    np.testing.assert_array_equal(loaded(table).numpy(), space(table).numpy())
