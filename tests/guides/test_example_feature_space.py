"""keras.io example "Structured data classification with FeatureSpace" (keras-io
examples/structured_data/structured_data_classification_with_feature_space.py), adapted to a
small generated heart-disease-like table given as dicts of numpy arrays instead of tf.data: a
`FeatureSpace` configured with `FeatureSpace.integer_categorical(num_oov_indices=0)`,
`string_categorical`, `float_discretized(num_bins=...)`, `float_normalized()` and two
`FeatureSpace.cross(...)` with their own crossing_dim, concatenated; adapted on the features,
applied to batches, a training model on `get_encoded_features()` and an inference model on
`get_inputs()` sharing its layers, and a prediction for one patient given as a dict.

FeatureSpace needs TensorFlow in Keras, so this runs on hocsau only, checked against the
encoding the example documents (one-hot blocks, bins, hashed crosses, normalized floats)."""

import numpy as np

import hocsau as keras
from hocsau.utils import FeatureSpace

INTEGER = {"sex": 2, "cp": 5, "fbs": 2, "restecg": 3, "exang": 2, "ca": 4}
FLOATS = ["trestbps", "chol", "thalach", "oldpeak", "slope"]
THAL = np.array(["normal", "fixed", "reversible"])


def table(rows, seed):
    rng = np.random.default_rng(seed)
    frame = {name: rng.integers(0, size, rows) for name, size in INTEGER.items()}
    frame["thal"] = THAL[rng.integers(0, 3, rows)]
    frame["age"] = rng.uniform(30, 75, rows).round()
    for i, name in enumerate(FLOATS):
        frame[name] = rng.normal(100.0 * (i + 1), 10.0, rows)
    target = ((frame["age"] > 55) ^ (frame["thal"] == "fixed")).astype("int64")
    return frame, target


def make_feature_space():
    return FeatureSpace(
        features={
            **{name: FeatureSpace.integer_categorical(num_oov_indices=0)
               for name in INTEGER},
            "thal": FeatureSpace.string_categorical(num_oov_indices=0),
            "age": FeatureSpace.float_discretized(num_bins=30),
            **{name: FeatureSpace.float_normalized() for name in FLOATS},
        },
        crosses=[
            FeatureSpace.cross(feature_names=("sex", "age"), crossing_dim=64),
            FeatureSpace.cross(feature_names=("thal", "ca"), crossing_dim=16),
        ],
        output_mode="concat",
    )


def program():
    keras.utils.set_random_seed(0)
    train, train_target = table(160, 0)
    val, val_target = table(40, 1)
    feature_space = make_feature_space()
    feature_space.adapt(train)
    preprocessed_train = feature_space(train)
    preprocessed_val = feature_space(val)

    dict_inputs = feature_space.get_inputs()
    encoded_features = feature_space.get_encoded_features()
    x = keras.layers.Dense(32, activation="relu")(encoded_features)
    x = keras.layers.Dropout(0.5)(x)
    predictions = keras.layers.Dense(1, activation="sigmoid")(x)
    training_model = keras.Model(inputs=encoded_features, outputs=predictions)
    training_model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    inference_model = keras.Model(inputs=dict_inputs, outputs=predictions)
    history = training_model.fit(preprocessed_train, train_target, batch_size=32, epochs=3,
                                 validation_data=(preprocessed_val, val_target), verbose=0)
    sample = {"age": 60, "sex": 1, "cp": 1, "trestbps": 145, "chol": 233, "fbs": 1,
              "restecg": 2, "thalach": 150, "exang": 0, "oldpeak": 2.3, "slope": 3, "ca": 0,
              "thal": "fixed"}
    input_dict = {name: np.asarray([value]) for name, value in sample.items()}
    one = inference_model.predict(input_dict, verbose=0)
    return {"preprocessed": preprocessed_train, "val": preprocessed_val, "history":
            history.history, "one": one, "training_model": training_model,
            "sample_encoded": feature_space(input_dict), "inference_model": inference_model,
            "train": train, "vocabularies": {
                name: feature_space.preprocessors[name].get_vocabulary()
                for name in ("sex", "thal")}}


def test_feature_space_program():
    result = program()
    blocks = sum(INTEGER.values()) + 3 + 30 + len(FLOATS) + 64 + 16
    encoded = result["preprocessed"].detach().numpy()
    assert encoded.shape == (160, blocks)
    assert str(result["preprocessed"].dtype) == "torch.float32"
    layout = [("age", 30), ("ca", 4), ("chol", 1), ("cp", 5), ("exang", 2), ("fbs", 2),
              ("oldpeak", 1), ("restecg", 3), ("sex", 2), ("slope", 1), ("thal", 3),
              ("thalach", 1), ("trestbps", 1), ("sex_X_age", 64), ("thal_X_ca", 16)]
    offsets = np.cumsum([0] + [size for _, size in layout])
    columns = {name: encoded[:, start:stop]
               for (name, _), start, stop in zip(layout, offsets, offsets[1:], strict=False)}
    for name, block in columns.items():
        if name in FLOATS:
            assert abs(block.mean()) < 1e-5 and abs(block.std() - 1.0) < 1e-3, name
        else:
            np.testing.assert_array_equal(block.sum(axis=1), 1.0, err_msg=name)
    train = result["train"]
    for name in ("sex", "thal"):  # one-hot in vocabulary order (most frequent first)
        vocabulary = np.asarray(result["vocabularies"][name])
        counts = [np.sum(train[name] == value) for value in vocabulary]
        assert counts == sorted(counts, reverse=True)
        np.testing.assert_array_equal(vocabulary[np.argmax(columns[name], axis=1)],
                                      train[name])
    history = result["history"]
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert result["one"].shape == (1, 1) and 0.0 < float(result["one"][0, 0]) < 1.0
    expected = result["training_model"].predict(result["sample_encoded"], verbose=0)
    np.testing.assert_allclose(result["one"], expected, rtol=1e-6)
