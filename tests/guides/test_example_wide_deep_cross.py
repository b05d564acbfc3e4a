"""keras.io example "Structured data learning with Wide, Deep, and Cross networks" (keras-io
examples/structured_data/wide_deep_cross_networks.py), adapted to a small generated
covertype-like table written to CSV and read back with pandas into dicts of numpy arrays
(no tf.data): one scalar Input per column (`shape=()`, float32 or string), StringLookup with a
fixed vocabulary (`mask_token=None, num_oov_indices=0`) as one-hot "binary" vectors of
`ops.expand_dims(input, -1)` or as indices into an Embedding, `layers.concatenate`, and the
baseline, wide & deep and deep & cross models (`x0 * x + cross` on symbolic tensors) compiled
with Adam, SparseCategoricalCrossentropy and SparseCategoricalAccuracy, fit and evaluated.

StringLookup needs TensorFlow in Keras, so this runs on hocsau only."""

import math

import numpy as np
import pandas as pd

import hocsau as keras
from hocsau import layers

TARGET_FEATURE_NAME = "Cover_Type"
NUMERIC_FEATURE_NAMES = ["Aspect", "Elevation", "Hillshade_3pm", "Slope"]
CATEGORICAL_FEATURES_WITH_VOCABULARY = {
    "Soil_Type": [f"C{i}" for i in range(9)],
    "Wilderness_Area": ["area_1", "area_2", "area_3", "area_4"],
}
CATEGORICAL_FEATURE_NAMES = list(CATEGORICAL_FEATURES_WITH_VOCABULARY.keys())
FEATURE_NAMES = NUMERIC_FEATURE_NAMES + CATEGORICAL_FEATURE_NAMES
NUM_CLASSES = 7
hidden_units = [16, 16]
dropout_rate = 0.1


def write_table(path, rows, seed):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({name: rng.normal(0.0, 1.0, rows) for name in NUMERIC_FEATURE_NAMES})
    for name, vocabulary in CATEGORICAL_FEATURES_WITH_VOCABULARY.items():
        frame[name] = np.asarray(vocabulary)[rng.integers(0, len(vocabulary), rows)]
    frame[TARGET_FEATURE_NAME] = (
        (frame["Elevation"] > 0).astype(int) * 3 + frame["Wilderness_Area"].str[-1].astype(int)
    ) % NUM_CLASSES
    frame.to_csv(path, index=False)


def get_dataset_from_csv(path):
    frame = pd.read_csv(path)
    target = frame.pop(TARGET_FEATURE_NAME).to_numpy()
    features = {name: frame[name].to_numpy(dtype="float32") for name in NUMERIC_FEATURE_NAMES}
    features.update({name: frame[name].to_numpy(dtype=str)
                     for name in CATEGORICAL_FEATURE_NAMES})
    return features, target


def create_model_inputs():
    inputs = {}
    for feature_name in FEATURE_NAMES:
        if feature_name in NUMERIC_FEATURE_NAMES:
            inputs[feature_name] = layers.Input(name=feature_name, shape=(), dtype="float32")
        else:
            inputs[feature_name] = layers.Input(name=feature_name, shape=(), dtype="string")
    return inputs


def encode_inputs(inputs, use_embedding=False):
    encoded_features = []
    for feature_name in inputs:
        if feature_name in CATEGORICAL_FEATURE_NAMES:
            vocabulary = CATEGORICAL_FEATURES_WITH_VOCABULARY[feature_name]
            lookup = layers.StringLookup(
                vocabulary=vocabulary,
                mask_token=None,
                num_oov_indices=0,
                output_mode="int" if use_embedding else "binary",
            )
            if use_embedding:
                encoded_feature = lookup(inputs[feature_name])
                embedding_dims = int(math.sqrt(len(vocabulary)))
                embedding = layers.Embedding(input_dim=len(vocabulary),
                                             output_dim=embedding_dims)
                encoded_feature = embedding(encoded_feature)
            else:
                encoded_feature = lookup(keras.ops.expand_dims(inputs[feature_name], -1))
        else:
            encoded_feature = keras.ops.expand_dims(inputs[feature_name], -1)
        encoded_features.append(encoded_feature)
    return layers.concatenate(encoded_features)


def deep_part(deep):
    for units in hidden_units:
        deep = layers.Dense(units)(deep)
        deep = layers.BatchNormalization()(deep)
        deep = layers.ReLU()(deep)
        deep = layers.Dropout(dropout_rate)(deep)
    return deep


def create_baseline_model():
    inputs = create_model_inputs()
    features = deep_part(encode_inputs(inputs))
    outputs = layers.Dense(units=NUM_CLASSES, activation="softmax")(features)
    return keras.Model(inputs=inputs, outputs=outputs)


def create_wide_and_deep_model():
    inputs = create_model_inputs()
    wide = encode_inputs(inputs)
    wide = layers.BatchNormalization()(wide)
    deep = deep_part(encode_inputs(inputs, use_embedding=True))
    merged = layers.concatenate([wide, deep])
    outputs = layers.Dense(units=NUM_CLASSES, activation="softmax")(merged)
    return keras.Model(inputs=inputs, outputs=outputs)


def create_deep_and_cross_model():
    inputs = create_model_inputs()
    x0 = encode_inputs(inputs, use_embedding=True)
    cross = x0
    for _ in hidden_units:
        units = cross.shape[-1]
        x = layers.Dense(units)(cross)
        cross = x0 * x + cross
    cross = layers.BatchNormalization()(cross)
    deep = deep_part(x0)
    merged = layers.concatenate([cross, deep])
    outputs = layers.Dense(units=NUM_CLASSES, activation="softmax")(merged)
    return keras.Model(inputs=inputs, outputs=outputs)


def run_experiment(model, train_file, test_file):
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    train_x, train_y = get_dataset_from_csv(train_file)
    test_x, test_y = get_dataset_from_csv(test_file)
    history = model.fit(train_x, train_y, batch_size=32, epochs=3, verbose=0)
    loss, accuracy = model.evaluate(test_x, test_y, batch_size=32, verbose=0)
    return history.history, loss, accuracy, model.predict(test_x, verbose=0)


def test_wide_deep_cross_models(tmp_path):
    keras.utils.set_random_seed(0)
    write_table(tmp_path / "train_data.csv", 192, 0)
    write_table(tmp_path / "test_data.csv", 64, 1)
    files = (tmp_path / "train_data.csv", tmp_path / "test_data.csv")
    widths = {"baseline": 4 + 9 + 4, "wide_deep": 4 + 3 + 2, "deep_cross": 4 + 3 + 2}
    for name, create in (("baseline", create_baseline_model),
                         ("wide_deep", create_wide_and_deep_model),
                         ("deep_cross", create_deep_and_cross_model)):
        model = create()
        concatenated = [layer for layer in model.layers
                        if type(layer).__name__ == "Concatenate"][-1 if name == "baseline"
                                                                      else 0]
        assert tuple(concatenated.output.shape) == (None, widths[name]), name
        history, loss, accuracy, predictions = run_experiment(model, *files)
        assert history["loss"][-1] < history["loss"][0], name
        assert np.isfinite(loss) and 0.0 <= accuracy <= 1.0
        assert predictions.shape == (64, NUM_CLASSES)
        np.testing.assert_allclose(predictions.sum(axis=1), 1.0, rtol=1e-5)
