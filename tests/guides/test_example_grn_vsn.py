"""keras.io example "Classification with Gated Residual and Variable Selection Networks"
(keras-io examples/structured_data/classification_with_grn_and_vsn.py, its multi-backend
version), adapted to a small generated census-like table given as dicts of numpy arrays (the
CSV reading and StringLookup pipeline becomes numpy indices, no tf.data) and two epochs:
GatedLinearUnit / GatedResidualNetwork / VariableSelection layers holding sublayers in dicts
and lists, a VariableSelection taking the dict of Inputs (int64 indices clipped with
`ops.clip` before Embedding, float features projected by Dense), `layers.concatenate` and
`ops.stack` inside `call`, the torch branch of its backend switch (`torch.sum`), a `build(self)`
without a shape argument, EarlyStopping(restore_best_weights=True), fit with sample weights
and validation data, and evaluate."""

import numpy as np
import pytest
import torch
from guide_helpers import assert_nested_close

import hocsau

NUMERIC_FEATURE_NAMES = ["age", "wage_per_hour", "weeks_worked_in_year"]
CATEGORICAL_FEATURES_WITH_VOCABULARY = {
    "education": ["Bachelors", "Doctorate", "HS-grad", "Masters"],
    "race": ["Black", "Other", "White"],
}
FEATURE_NAMES = NUMERIC_FEATURE_NAMES + list(CATEGORICAL_FEATURES_WITH_VOCABULARY)
# Keras warns that the GRN sublayers, built by their first call, have no `build` method.
pytestmark = pytest.mark.filterwarnings(r"ignore:.*does not have a `build\(\)` method")


def define(keras):
    layers = keras.layers

    def create_model_inputs():
        inputs = {}
        for feature_name in FEATURE_NAMES:
            if feature_name in CATEGORICAL_FEATURES_WITH_VOCABULARY:
                inputs[feature_name] = layers.Input(name=feature_name, shape=(), dtype="int64")
            else:
                inputs[feature_name] = layers.Input(name=feature_name, shape=(),
                                                    dtype="float32")
        return inputs

    class GatedLinearUnit(layers.Layer):
        def __init__(self, units):
            super().__init__()
            self.linear = layers.Dense(units)
            self.sigmoid = layers.Dense(units, activation="sigmoid")

        def call(self, inputs):
            return self.linear(inputs) * self.sigmoid(inputs)

    class GatedResidualNetwork(layers.Layer):
        def __init__(self, units, dropout_rate):
            super().__init__()
            self.units = units
            self.elu_dense = layers.Dense(units, activation="elu")
            self.linear_dense = layers.Dense(units)
            self.dropout = layers.Dropout(dropout_rate)
            self.gated_linear_unit = GatedLinearUnit(units)
            self.layer_norm = layers.LayerNormalization()
            self.project = layers.Dense(units)

        def call(self, inputs):
            x = self.elu_dense(inputs)
            x = self.linear_dense(x)
            x = self.dropout(x)
            if inputs.shape[-1] != self.units:
                inputs = self.project(inputs)
            x = inputs + self.gated_linear_unit(x)
            x = self.layer_norm(x)
            return x

    class VariableSelection(layers.Layer):
        def __init__(self, num_features, units, dropout_rate):
            super().__init__()
            self.units = units
            self.embeddings = dict()
            for input_ in CATEGORICAL_FEATURES_WITH_VOCABULARY:
                vocabulary = CATEGORICAL_FEATURES_WITH_VOCABULARY[input_]
                embedding_encoder = layers.Embedding(
                    input_dim=len(vocabulary), output_dim=self.units, name=input_)
                self.embeddings[input_] = embedding_encoder
            self.proj_layer = dict()
            for input_ in NUMERIC_FEATURE_NAMES:
                proj_layer = layers.Dense(units=self.units)
                self.proj_layer[input_] = proj_layer
            self.grns = list()
            for _ in range(num_features):
                grn = GatedResidualNetwork(units, dropout_rate)
                self.grns.append(grn)
            self.grn_concat = GatedResidualNetwork(units, dropout_rate)
            self.softmax = layers.Dense(units=num_features, activation="softmax")

        def call(self, inputs):
            concat_inputs = []
            for input_ in inputs:
                if input_ in CATEGORICAL_FEATURES_WITH_VOCABULARY:
                    max_index = self.embeddings[input_].input_dim - 1
                    embedded_feature = self.embeddings[input_](
                        keras.ops.clip(inputs[input_], 0, max_index))
                    concat_inputs.append(embedded_feature)
                else:
                    proj_feature = keras.ops.expand_dims(inputs[input_], -1)
                    proj_feature = self.proj_layer[input_](proj_feature)
                    concat_inputs.append(proj_feature)
            v = layers.concatenate(concat_inputs)
            v = self.grn_concat(v)
            v = keras.ops.expand_dims(self.softmax(v), axis=-1)
            x = []
            for idx, input in enumerate(concat_inputs):
                x.append(self.grns[idx](input))
            x = keras.ops.stack(x, axis=1)
            if keras.backend.backend() == "torch":
                return torch.sum(v * x, dim=1)
            raise ValueError(f"Unsupported backend: {keras.backend.backend()}")

        def build(self):
            self.built = True

    def create_model(encoding_size, dropout_rate):
        inputs = create_model_inputs()
        num_features = len(inputs)
        features = VariableSelection(num_features, encoding_size, dropout_rate)(inputs)
        outputs = layers.Dense(units=1, activation="sigmoid")(features)
        return keras.Model(inputs=inputs, outputs=outputs)

    return create_model


def table(rows, seed):
    rng = np.random.default_rng(seed)
    features = {name: rng.normal(0.0, 1.0, rows).astype("float32")
                for name in NUMERIC_FEATURE_NAMES}
    for name, vocabulary in CATEGORICAL_FEATURES_WITH_VOCABULARY.items():
        features[name] = rng.integers(0, len(vocabulary), rows).astype("int64")
    target = ((features["age"] > 0) ^ (features["race"] == 2)).astype("float32")
    return features, target, rng.uniform(0.5, 1.5, rows).astype("float32")


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    create_model = define(keras)
    model = create_model(encoding_size=8, dropout_rate=0.15)
    if weights is not None:
        model.set_weights(weights)
    initial = model.get_weights()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss=keras.losses.BinaryCrossentropy(),
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    train, valid, test = table(96, 0), table(32, 1), table(32, 2)
    untrained = model.predict(test[0], verbose=0)
    early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5,
                                                   restore_best_weights=True)
    history = model.fit(train[0], train[1], sample_weight=train[2], batch_size=32, epochs=2,
                        validation_data=valid, callbacks=[early_stopping], verbose=0)
    _, accuracy = model.evaluate(test[0], test[1], sample_weight=test[2], verbose=0)
    return {"initial": initial, "untrained": untrained, "history": history.history,
            "accuracy": accuracy, "params": model.count_params(),
            "shapes": [w.shape for w in initial]}


def check(result):
    assert set(result["history"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert np.isfinite(result["history"]["loss"]).all() and 0.0 <= result["accuracy"] <= 1.0
    assert result["untrained"].shape == (32, 1)


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_predictions_as_keras(real_keras):
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    assert ours["params"] == theirs["params"] and ours["shapes"] == theirs["shapes"]
    assert_nested_close(ours["untrained"], theirs["untrained"], rtol=1e-5, atol=1e-6)
