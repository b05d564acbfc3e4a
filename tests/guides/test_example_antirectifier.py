"""keras.io example "Simple custom layer example: Antirectifier" (keras-io
examples/keras_recipes/antirectifier.py), adapted to 32 random features, 10 classes and two
epochs: a layer with a `build` creating its kernel through `add_weight` with a configurable
initializer, a `call` that subtracts the mean in place (`inputs -= ...`), and a `get_config`
serializing the initializer; a Sequential model with Dropout compiled with RMSprop,
SparseCategoricalCrossentropy(from_logits=True) and SparseCategoricalAccuracy, fit with
validation_split, evaluated, then saved and reloaded through its config."""

import numpy as np
from guide_helpers import assert_nested_close

import hocsau

FEATURES = 32


def define(keras):
    layers, ops = keras.layers, keras.ops

    class Antirectifier(layers.Layer):
        def __init__(self, initializer="he_normal", **kwargs):
            super().__init__(**kwargs)
            self.initializer = keras.initializers.get(initializer)

        def build(self, input_shape):
            output_dim = input_shape[-1]
            self.kernel = self.add_weight(
                shape=(output_dim * 2, output_dim),
                initializer=self.initializer,
                name="kernel",
                trainable=True,
            )

        def call(self, inputs):
            inputs -= ops.mean(inputs, axis=-1, keepdims=True)
            pos = ops.relu(inputs)
            neg = ops.relu(-inputs)
            concatenated = ops.concatenate([pos, neg], axis=-1)
            mixed = ops.matmul(concatenated, self.kernel)
            return mixed

        def get_config(self):
            base_config = super().get_config()
            config = {"initializer": keras.initializers.serialize(self.initializer)}
            return dict(list(base_config.items()) + list(config.items()))

    return Antirectifier


def data():
    rng = np.random.default_rng(0)
    x = rng.random((120, FEATURES)).astype("float32")
    y = np.argmax(x[:, :10], axis=1)
    return x, y


def program(keras, folder, weights=None):
    keras.utils.set_random_seed(0)
    Antirectifier = define(keras)
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(FEATURES,)),
        layers.Dense(16),
        Antirectifier(),
        layers.Dense(16),
        Antirectifier(),
        layers.Dropout(0.5),
        layers.Dense(10),
    ])
    if weights is not None:
        model.set_weights(weights)
    initial = model.get_weights()
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.RMSprop(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    x, y = data()
    before = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, batch_size=32, epochs=2, validation_split=0.15, verbose=0)
    after = model.evaluate(x, y, verbose=0)
    path = str(folder / f"antirectifier_{keras.__name__}.keras")
    model.save(path)
    restored = keras.models.load_model(path, custom_objects={"Antirectifier": Antirectifier})
    return {"initial": initial, "before": before, "history": history.history, "after": after,
            "restored_predictions": restored.predict(x, verbose=0),
            "predictions": model.predict(x, verbose=0),
            "config": model.layers[1].get_config(),
            "restored_initializer": type(restored.layers[1].initializer).__name__}


def check(result):
    assert set(result["history"]) == {"loss", "sparse_categorical_accuracy", "val_loss",
                                      "val_sparse_categorical_accuracy"}
    assert result["after"][0] < result["before"][0]
    np.testing.assert_allclose(result["restored_predictions"], result["predictions"],
                               rtol=1e-6, atol=1e-6)
    assert result["config"]["initializer"]["class_name"] == "HeNormal"
    assert result["restored_initializer"] == "HeNormal"


def test_program_on_keras(real_keras, tmp_path):
    check(program(real_keras, tmp_path))


def test_program_on_hocsau(tmp_path):
    check(program(hocsau, tmp_path))


def test_same_weights_same_evaluation_as_keras(real_keras, tmp_path):
    """Dropout draws differ between the libraries, so training does too; the untrained
    evaluation and the layer's config do not."""
    theirs = program(real_keras, tmp_path)
    ours = program(hocsau, tmp_path, weights=theirs["initial"])
    assert_nested_close(ours["before"], theirs["before"], rtol=1e-5, atol=1e-6)
    assert ours["config"] == theirs["config"]
