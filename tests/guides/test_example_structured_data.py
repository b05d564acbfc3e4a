"""keras.io example "Structured data classification from scratch" (keras-io
examples/structured_data/structured_data_classification_from_scratch.py), adapted to a small
generated heart-disease-like table: a pandas DataFrame split into train/validation datasets of
`(dict of features, target)`, one named Input per column (int64, float and string), numerical
features through a Normalization adapted on that column, categorical ones through
IntegerLookup/StringLookup(output_mode="binary") adapted likewise, concatenated into a small
classifier, fit on the datasets, and a prediction on one new patient given as a dict.

The lookup layers need TensorFlow in Keras, so this runs on hocsau only and is checked
against the example's documented behaviour."""

import numpy as np
import pandas as pd

import hocsau

NUMERICAL = ["age", "trestbps", "chol", "thalach", "oldpeak"]
INTEGER_CATEGORICAL = ["sex", "cp", "fbs", "restecg", "exang", "ca"]


def dataframe(n=120):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "age": rng.integers(29, 77, n), "sex": rng.integers(0, 2, n),
        "cp": rng.integers(0, 5, n), "trestbps": rng.integers(94, 200, n),
        "chol": rng.integers(126, 564, n), "fbs": rng.integers(0, 2, n),
        "restecg": rng.integers(0, 3, n), "thalach": rng.integers(71, 202, n),
        "exang": rng.integers(0, 2, n), "oldpeak": rng.random(n).round(1) * 6,
        "ca": rng.integers(0, 4, n),
        "thal": rng.choice(["fixed", "normal", "reversible"], n)})
    frame["target"] = ((frame["thal"] == "reversible") | (frame["cp"] == 0)).astype("int64")
    return frame


def dataframe_to_dataset(keras, frame):
    frame = frame.copy()
    labels = frame.pop("target")
    ds = keras.data.Dataset.from_tensor_slices((dict(frame), labels))
    return ds.shuffle(buffer_size=len(frame), seed=0)


def encode_numerical_feature(keras, feature, name, dataset):
    normalizer = keras.layers.Normalization()
    feature_ds = dataset.map(lambda x, y: x[name]).map(lambda x: np.expand_dims(x, -1))
    normalizer.adapt(feature_ds)
    return normalizer(feature)


def encode_categorical_feature(keras, feature, name, dataset, is_string):
    lookup_class = keras.layers.StringLookup if is_string else keras.layers.IntegerLookup
    lookup = lookup_class(output_mode="binary")
    feature_ds = dataset.map(lambda x, y: x[name]).map(lambda x: np.expand_dims(x, -1))
    lookup.adapt(feature_ds)
    return lookup(feature)


def build_model(keras, train_ds):
    inputs = {name: keras.Input(shape=(1,), name=name, dtype="int64")
              for name in INTEGER_CATEGORICAL}
    inputs.update({name: keras.Input(shape=(1,), name=name) for name in NUMERICAL})
    inputs["thal"] = keras.Input(shape=(1,), name="thal", dtype="string")
    encoded = [encode_categorical_feature(keras, inputs[n], n, train_ds, False)
               for n in INTEGER_CATEGORICAL]
    encoded.append(encode_categorical_feature(keras, inputs["thal"], "thal", train_ds, True))
    encoded += [encode_numerical_feature(keras, inputs[n], n, train_ds) for n in NUMERICAL]
    all_features = keras.layers.concatenate(encoded)
    x = keras.layers.Dense(16, activation="relu")(all_features)
    x = keras.layers.Dropout(0.5)(x)
    output = keras.layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(list(inputs.values()), output)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model, encoded


def program(keras):
    keras.utils.set_random_seed(0)
    frame = dataframe()
    val_dataframe = frame.sample(frac=0.2, random_state=1337)
    train_dataframe = frame.drop(val_dataframe.index)
    train_ds = dataframe_to_dataset(keras, train_dataframe)
    val_ds = dataframe_to_dataset(keras, val_dataframe)
    model, encoded = build_model(keras, train_ds.batch(32))
    history = model.fit(train_ds.batch(32), epochs=6, validation_data=val_ds.batch(32),
                        verbose=0)
    sample = {"age": 60, "sex": 1, "cp": 1, "trestbps": 145, "chol": 233, "fbs": 1,
              "restecg": 2, "thalach": 150, "exang": 0, "oldpeak": 2.3, "ca": 0,
              "thal": "fixed"}
    input_dict = {name: np.array([value]) for name, value in sample.items()}
    return {"encoded_widths": [t.shape[-1] for t in encoded], "history": history.history,
            "prediction": model.predict(input_dict, verbose=0)}


def check(result):
    # IntegerLookup/StringLookup "binary" (multi_hot): one OOV slot plus each value seen.
    assert result["encoded_widths"] == [3, 6, 3, 4, 3, 5, 4, 1, 1, 1, 1, 1]
    history = result["history"]
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history["loss"][-1] < history["loss"][0]
    prediction = result["prediction"]
    assert prediction.shape == (1, 1) and 0.0 <= prediction[0, 0] <= 1.0


def test_program_on_hocsau():
    check(program(hocsau))
