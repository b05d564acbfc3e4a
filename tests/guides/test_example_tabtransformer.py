"""keras.io example "Structured data learning with TabTransformer" (keras-io
examples/structured_data/tabtransformer.py), adapted to a small generated census-like table
held in dicts of numpy arrays (no tf.data / make_csv_dataset) and two epochs: the pipeline's
StringLookup turns each categorical column into float indices (on Keras, which needs
TensorFlow for StringLookup, numpy's index lookup stands in), then scalar float Inputs,
Embedding of float indices, `ops.stack` and `ops.expand_dims` of symbolic tensors, a column
Embedding of `ops.arange` added to them, MultiHeadAttention blocks with Add/LayerNormalization,
MLPs built as Sequential models without Input (`partial(LayerNormalization, epsilon=...)`,
`keras.activations.gelu` / `selu`), AdamW, BinaryCrossentropy and BinaryAccuracy, fit with
sample weights and validation data, and evaluate. Both the baseline and the TabTransformer
run; with the same weights both libraries give the same untrained predictions and parameter
counts (dropout draws make training differ).

With `use_column_embedding=True` the column embedding of `ops.arange` is computed while the
model is built and captured by the graph as a constant (as under TensorFlow); Keras 3 on torch
keeps its autograd history and fails on the second training step ("Trying to backward through
the graph a second time"), so that variant runs on hocsau only."""

from functools import partial

import numpy as np
from guide_helpers import assert_nested_close

import hocsau

NUMERIC_FEATURE_NAMES = ["age", "education_num", "hours_per_week"]
CATEGORICAL_FEATURES_WITH_VOCABULARY = {
    "workclass": ["Private", "State-gov", "Self-emp"],
    "education": ["Bachelors", "HS-grad", "Masters", "Doctorate"],
    "race": ["White", "Black", "Other"],
}
CATEGORICAL_FEATURE_NAMES = list(CATEGORICAL_FEATURES_WITH_VOCABULARY)
FEATURE_NAMES = NUMERIC_FEATURE_NAMES + CATEGORICAL_FEATURE_NAMES
TARGET_LABELS = [" <=50K", " >50K"]
EMBEDDING_DIMS = 8


def raw_table(rows, seed):
    rng = np.random.default_rng(seed)
    features = {name: rng.normal(0.0, 1.0, rows).astype("float32")
                for name in NUMERIC_FEATURE_NAMES}
    for name, vocabulary in CATEGORICAL_FEATURES_WITH_VOCABULARY.items():
        features[name] = np.asarray(vocabulary)[rng.integers(0, len(vocabulary), rows)]
    target = np.asarray(TARGET_LABELS)[(features["age"] > 0).astype(int)]
    weights = rng.uniform(0.5, 1.5, rows).astype("float32")
    return features, target, weights


def numpy_lookup(vocabulary):
    return lambda values: np.asarray([vocabulary.index(v) for v in values])


def prepare(table, make_lookup):
    features, target, weights = table
    features = dict(features)
    for name in CATEGORICAL_FEATURE_NAMES:
        lookup = make_lookup(CATEGORICAL_FEATURES_WITH_VOCABULARY[name])
        features[name] = np.asarray(lookup(features[name])).astype("float32")
    target_index = np.asarray(make_lookup(TARGET_LABELS)(target)).astype("float32")
    return features, target_index, weights


def define(keras):
    layers, ops = keras.layers, keras.ops

    def create_model_inputs():
        return {name: layers.Input(name=name, shape=(), dtype="float32")
                for name in FEATURE_NAMES}

    def encode_inputs(inputs, embedding_dims):
        encoded_categorical_feature_list = []
        numerical_feature_list = []
        for feature_name in inputs:
            if feature_name in CATEGORICAL_FEATURE_NAMES:
                vocabulary = CATEGORICAL_FEATURES_WITH_VOCABULARY[feature_name]
                embedding = layers.Embedding(input_dim=len(vocabulary),
                                             output_dim=embedding_dims)
                encoded_categorical_feature_list.append(embedding(inputs[feature_name]))
            else:
                numerical_feature_list.append(ops.expand_dims(inputs[feature_name], -1))
        return encoded_categorical_feature_list, numerical_feature_list

    def create_mlp(hidden_units, dropout_rate, activation, normalization_layer, name=None):
        mlp_layers = []
        for units in hidden_units:
            mlp_layers.append(normalization_layer())
            mlp_layers.append(layers.Dense(units, activation=activation))
            mlp_layers.append(layers.Dropout(dropout_rate))
        return keras.Sequential(mlp_layers, name=name)

    def final_mlp(features, mlp_hidden_units_factors, dropout_rate):
        mlp_hidden_units = [factor * features.shape[-1] for factor in mlp_hidden_units_factors]
        features = create_mlp(hidden_units=mlp_hidden_units, dropout_rate=dropout_rate,
                              activation=keras.activations.selu,
                              normalization_layer=layers.BatchNormalization,
                              name="MLP")(features)
        outputs = layers.Dense(units=1, activation="sigmoid", name="sigmoid")(features)
        return outputs

    def create_baseline_model(embedding_dims, num_mlp_blocks, mlp_hidden_units_factors,
                              dropout_rate):
        inputs = create_model_inputs()
        categorical, numerical = encode_inputs(inputs, embedding_dims)
        features = layers.concatenate(categorical + numerical)
        feedforward_units = [features.shape[-1]]
        for layer_idx in range(num_mlp_blocks):
            features = create_mlp(hidden_units=feedforward_units, dropout_rate=dropout_rate,
                                  activation=keras.activations.gelu,
                                  normalization_layer=layers.LayerNormalization,
                                  name=f"feedforward_{layer_idx}")(features)
        return keras.Model(inputs=inputs,
                           outputs=final_mlp(features, mlp_hidden_units_factors, dropout_rate))

    def create_tabtransformer_classifier(num_transformer_blocks, num_heads, embedding_dims,
                                         mlp_hidden_units_factors, dropout_rate,
                                         use_column_embedding=False):
        inputs = create_model_inputs()
        categorical, numerical = encode_inputs(inputs, embedding_dims)
        encoded_categorical_features = ops.stack(categorical, axis=1)
        numerical_features = layers.concatenate(numerical)
        if use_column_embedding:
            num_columns = encoded_categorical_features.shape[1]
            column_embedding = layers.Embedding(input_dim=num_columns,
                                                output_dim=embedding_dims)
            column_indices = ops.arange(start=0, stop=num_columns, step=1)
            encoded_categorical_features = encoded_categorical_features + column_embedding(
                column_indices)
        for block_idx in range(num_transformer_blocks):
            attention_output = layers.MultiHeadAttention(
                num_heads=num_heads, key_dim=embedding_dims, dropout=dropout_rate,
                name=f"multihead_attention_{block_idx}",
            )(encoded_categorical_features, encoded_categorical_features)
            x = layers.Add(name=f"skip_connection1_{block_idx}")(
                [attention_output, encoded_categorical_features])
            x = layers.LayerNormalization(name=f"layer_norm1_{block_idx}", epsilon=1e-6)(x)
            feedforward_output = create_mlp(
                hidden_units=[embedding_dims], dropout_rate=dropout_rate,
                activation=keras.activations.gelu,
                normalization_layer=partial(layers.LayerNormalization, epsilon=1e-6),
                name=f"feedforward_{block_idx}",
            )(x)
            x = layers.Add(name=f"skip_connection2_{block_idx}")([feedforward_output, x])
            encoded_categorical_features = layers.LayerNormalization(
                name=f"layer_norm2_{block_idx}", epsilon=1e-6)(x)
        categorical_features = layers.Flatten()(encoded_categorical_features)
        numerical_features = layers.LayerNormalization(epsilon=1e-6)(numerical_features)
        features = layers.concatenate([categorical_features, numerical_features])
        return keras.Model(inputs=inputs,
                           outputs=final_mlp(features, mlp_hidden_units_factors, dropout_rate))

    return create_baseline_model, create_tabtransformer_classifier


def run_experiment(keras, model, train, test, num_epochs=2, learning_rate=0.001,
                   weight_decay=0.0001, batch_size=32):
    optimizer = keras.optimizers.AdamW(learning_rate=learning_rate, weight_decay=weight_decay)
    model.compile(optimizer=optimizer, loss=keras.losses.BinaryCrossentropy(),
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    x, y, sample_weight = train
    history = model.fit(x, y, sample_weight=sample_weight, batch_size=batch_size,
                        epochs=num_epochs, validation_data=test, verbose=0)
    _, accuracy = model.evaluate(test[0], test[1], sample_weight=test[2], verbose=0)
    return history.history, accuracy


def program(keras, make_lookup, weights=None, use_column_embedding=False):
    keras.utils.set_random_seed(0)
    create_baseline_model, create_tabtransformer_classifier = define(keras)
    train = prepare(raw_table(96, 0), make_lookup)
    test = prepare(raw_table(32, 1), make_lookup)
    models = {
        "baseline": create_baseline_model(embedding_dims=EMBEDDING_DIMS, num_mlp_blocks=2,
                                          mlp_hidden_units_factors=[2, 1], dropout_rate=0.2),
        "tabtransformer": create_tabtransformer_classifier(
            num_transformer_blocks=2, num_heads=2, embedding_dims=EMBEDDING_DIMS,
            mlp_hidden_units_factors=[2, 1], dropout_rate=0.2,
            use_column_embedding=use_column_embedding),
    }
    result = {"initial": {}, "untrained": {}, "params": {}, "history": {}, "accuracy": {}}
    for name, model in models.items():
        if weights is not None:
            model.set_weights(weights[name])
        result["initial"][name] = model.get_weights()
        result["params"][name] = model.count_params()
        result["untrained"][name] = model.predict(test[0], verbose=0)
        result["history"][name], result["accuracy"][name] = run_experiment(
            keras, model, train, test)
    return result


def check(result):
    for name in ("baseline", "tabtransformer"):
        history = result["history"][name]
        assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
        assert np.all(np.isfinite(history["loss"])) and 0.0 <= result["accuracy"][name] <= 1.0
        assert result["untrained"][name].shape == (32, 1)


def test_program_on_keras(real_keras):
    check(program(real_keras, numpy_lookup))


def test_program_on_hocsau():
    def string_lookup(vocabulary):
        return hocsau.layers.StringLookup(vocabulary=vocabulary, mask_token=None,
                                          num_oov_indices=0)

    for use_column_embedding in (False, True):
        check(program(hocsau, string_lookup, use_column_embedding=use_column_embedding))
    features, target, _ = prepare(raw_table(8, 2), string_lookup)
    expected = prepare(raw_table(8, 2), numpy_lookup)
    np.testing.assert_array_equal(target, expected[1])
    for name in CATEGORICAL_FEATURE_NAMES:
        np.testing.assert_array_equal(features[name], expected[0][name])


def test_same_weights_same_predictions_as_keras(real_keras):
    theirs = program(real_keras, numpy_lookup)
    ours = program(hocsau, numpy_lookup, weights=theirs["initial"])
    assert ours["params"] == theirs["params"]
    assert_nested_close(ours["untrained"], theirs["untrained"], rtol=1e-5, atol=1e-6)
