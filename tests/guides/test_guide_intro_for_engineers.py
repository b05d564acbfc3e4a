"""keras.io guide "Introduction to Keras for engineers" (keras-team/keras-io
guides/intro_to_keras_for_engineers.py), adapted to tiny random images in place of MNIST and
fewer epochs: a Sequential convnet with summary, ModelCheckpoint/EarlyStopping callbacks and
`validation_split`, saved and reloaded; a subclassed model of a Sequential conv base and custom
`MyDense` / `MyDropout` layers (`keras.ops.matmul`, `keras.random.dropout` with a
`SeedGenerator` tracked in `layer.variables`); and fit on torch DataLoaders. The tf.data part
needs TensorFlow and is left out."""

import os

import numpy as np
import pytest
import torch
from guide_helpers import assert_nested_close

import hocsau

NUM_CLASSES = 10
BATCH_SIZE = 128


def data():
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, (32, 28, 28), dtype="uint8")
    y_train = (x_train[:, 14, :10].argmax(axis=1)).astype("uint8")
    x_test = rng.integers(0, 256, (16, 28, 28), dtype="uint8")
    y_test = (x_test[:, 14, :10].argmax(axis=1)).astype("uint8")
    x_train = np.expand_dims(x_train.astype("float32") / 255, -1)
    x_test = np.expand_dims(x_test.astype("float32") / 255, -1)
    return (x_train, y_train), (x_test, y_test)


def conv_layers(keras):
    return [keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            keras.layers.MaxPooling2D(pool_size=(2, 2)),
            keras.layers.Conv2D(128, kernel_size=(3, 3), activation="relu"),
            keras.layers.Conv2D(128, kernel_size=(3, 3), activation="relu"),
            keras.layers.GlobalAveragePooling2D()]


def define_custom_model(keras):
    class MyDense(keras.layers.Layer):
        def __init__(self, units, activation=None, name=None):
            super().__init__(name=name)
            self.units = units
            self.activation = keras.activations.get(activation)

        def build(self, input_shape):
            input_dim = input_shape[-1]
            self.w = self.add_weight(shape=(input_dim, self.units),
                                     initializer=keras.initializers.GlorotNormal(),
                                     name="kernel", trainable=True)
            self.b = self.add_weight(shape=(self.units,), initializer=keras.initializers.Zeros(),
                                     name="bias", trainable=True)

        def call(self, inputs):
            x = keras.ops.matmul(inputs, self.w) + self.b
            return self.activation(x)

    class MyDropout(keras.layers.Layer):
        def __init__(self, rate, name=None):
            super().__init__(name=name)
            self.rate = rate
            self.seed_generator = keras.random.SeedGenerator(1337)

        def call(self, inputs):
            return keras.random.dropout(inputs, self.rate, seed=self.seed_generator)

    class MyModel(keras.Model):
        def __init__(self, num_classes):
            super().__init__()
            self.conv_base = keras.Sequential(conv_layers(keras))
            self.dp = MyDropout(0.5)
            self.dense = MyDense(num_classes, activation="softmax")

        def call(self, x):
            x = self.conv_base(x)
            x = self.dp(x)
            return self.dense(x)

    return MyModel


def compile_model(keras, model):
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(),
                  optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")])


def sequential_part(keras, weights, directory):
    """The first example: returns its results and the weights it started from."""
    (x_train, y_train), (x_test, y_test) = data()
    model = keras.Sequential([keras.layers.Input(shape=(28, 28, 1)), *conv_layers(keras),
                              keras.layers.Dropout(0.5),
                              keras.layers.Dense(NUM_CLASSES, activation="softmax")])
    initial = model.get_weights()
    if weights is not None:
        model.set_weights(weights)
    model.summary(print_fn=lambda *args, **kwargs: None)
    compile_model(keras, model)
    before = model.evaluate(x_test, y_test, verbose=0)
    callbacks = [
        keras.callbacks.ModelCheckpoint(
            filepath=os.path.join(directory, "model_at_epoch_{epoch}.keras")),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=2)]
    history = model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=3, validation_split=0.15,
                        callbacks=callbacks, verbose=0)
    score = model.evaluate(x_test, y_test, verbose=0)
    model.save(os.path.join(directory, "final_model.keras"))
    reloaded = keras.saving.load_model(os.path.join(directory, "final_model.keras"))
    return initial, {
        "params": model.count_params(), "before": before, "history_keys": sorted(history.history),
        "epochs": len(history.history["loss"]), "score": score,
        "same_after_reload": [np.allclose(model.predict(x_test, verbose=0),
                                          reloaded.predict(x_test, verbose=0), atol=1e-6)],
        "checkpoints": sorted(f for f in os.listdir(directory) if f.startswith("model_at"))}


def subclassed_part(keras, weights):
    (x_train, y_train), (x_test, y_test) = data()
    MyModel = define_custom_model(keras)
    train_dataloader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)),
        batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(0))
    val_dataloader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x_test), torch.from_numpy(y_test)),
        batch_size=16, shuffle=False)
    initial, results = [], {}
    for index, source in enumerate(("arrays", "dataloaders")):
        model = MyModel(num_classes=NUM_CLASSES)
        model(x_test[:2])  # built here so that the reference's weights can be copied in
        initial.append(model.get_weights())
        if weights is not None:
            model.set_weights(weights[index])
        compile_model(keras, model)
        if source == "arrays":
            history = model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=1,
                                validation_split=0.15, verbose=0)
        else:
            history = model.fit(train_dataloader, epochs=1, validation_data=val_dataloader,
                                verbose=0)
        results[source] = history.history
        results[f"{source}_seed_state"] = model.dp.variables[0].numpy()
        results[f"{source}_variables"] = [len(model.variables), len(model.weights)]
    return initial, results


def program(keras, directory, weights=None):
    keras.utils.set_random_seed(0)
    sequential_initial, sequential = sequential_part(keras, weights and weights[0], directory)
    subclassed_initial, subclassed = subclassed_part(keras, weights and weights[1])
    return {"initial": [sequential_initial, subclassed_initial], "sequential": sequential,
            "subclassed": subclassed}


def check(result):
    sequential, subclassed = result["sequential"], result["subclassed"]
    assert sequential["params"] == 260298
    assert sequential["history_keys"] == ["acc", "loss", "val_acc", "val_loss"]
    assert sequential["checkpoints"] == [f"model_at_epoch_{i + 1}.keras"
                                         for i in range(sequential["epochs"])]
    assert sequential["same_after_reload"] == [True]
    assert set(subclassed["arrays"]) == {"acc", "loss", "val_acc", "val_loss"}
    # Conv base (8 weights) and MyDense (2), plus MyDropout's seed state among the variables.
    assert subclassed["arrays_variables"] == [11, 10]
    # One build call, one training batch and one validation batch advanced the seed.
    np.testing.assert_array_equal(subclassed["arrays_seed_state"], [1337, 3])
    np.testing.assert_array_equal(subclassed["dataloaders_seed_state"], [1337, 4])


# Keras 3.15 warns that fit's default shuffle=True does not reach a DataLoader.
KERAS_DATALOADER_WARNING = "ignore:`shuffle=True` was passed:UserWarning"


@pytest.mark.filterwarnings(KERAS_DATALOADER_WARNING)
def test_program_on_keras(real_keras, tmp_path):
    check(program(real_keras, str(tmp_path)))


def test_program_on_hocsau(tmp_path):
    check(program(hocsau, str(tmp_path)))


@pytest.mark.filterwarnings(KERAS_DATALOADER_WARNING)
def test_same_weights_same_results_as_keras(real_keras, tmp_path):
    os.makedirs(tmp_path / "keras")
    os.makedirs(tmp_path / "hocsau")
    theirs = program(real_keras, str(tmp_path / "keras"))
    ours = program(hocsau, str(tmp_path / "hocsau"), weights=theirs["initial"])
    assert_nested_close(ours["sequential"]["before"], theirs["sequential"]["before"], rtol=1e-5)
    # fit shuffles (arrays: its own random order; a DataLoader: once per `iter`, which Keras
    # calls more often), so training histories differ; MyDropout's seed states do not.
    for key in ("arrays_seed_state", "dataloaders_seed_state", "arrays_variables"):
        assert_nested_close(ours["subclassed"][key], theirs["subclassed"][key], path=key)
