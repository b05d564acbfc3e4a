"""keras.io example "Image classification with ConvMixer" (keras-io
examples/vision/convmixer.py), adapted to random 8x8 RGB images: the example's ConvMixer
(Rescaling, a patch-embedding Conv2D stem, blocks of DepthwiseConv2D with a gelu +
BatchNormalization residual and pointwise Conv2D, `layers.GlobalAvgPool2D`, softmax head),
trained with AdamW and a best-only full-model `ModelCheckpoint("checkpoint.keras")` that
`load_weights` reads back, then the example's weight visualisation steps: the stem's kernel
as `model.layers[2].get_weights()[0]` and the depthwise layers found through
`layer.get_config()["kernel_size"] == (5, 5)`.

The tf.data pipelines (with their augmentation) become numpy arrays given to `fit`."""

import os

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

IMAGE_SIZE, FILTERS, DEPTH, KERNEL_SIZE, PATCH_SIZE = 8, 8, 2, 5, 2


def get_conv_mixer(keras, image_size=32, filters=256, depth=8, kernel_size=5, patch_size=2,
                   num_classes=10):
    layers = keras.layers

    def activation_block(x):
        x = layers.Activation("gelu")(x)
        return layers.BatchNormalization()(x)

    def conv_stem(x, filters, patch_size):
        x = layers.Conv2D(filters, kernel_size=patch_size, strides=patch_size)(x)
        return activation_block(x)

    def conv_mixer_block(x, filters, kernel_size):
        x0 = x
        x = layers.DepthwiseConv2D(kernel_size=kernel_size, padding="same")(x)
        x = layers.Add()([activation_block(x), x0])
        x = layers.Conv2D(filters, kernel_size=1)(x)
        x = activation_block(x)
        return x

    inputs = keras.Input((image_size, image_size, 3))
    x = layers.Rescaling(scale=1.0 / 255)(inputs)
    x = conv_stem(x, filters, patch_size)
    for _ in range(depth):
        x = conv_mixer_block(x, filters, kernel_size)
    x = layers.GlobalAvgPool2D()(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def data():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (48, IMAGE_SIZE, IMAGE_SIZE, 3)).astype("float32")
    y = rng.integers(0, 10, (48,))
    return (x[:32], y[:32]), (x[32:40], y[32:40]), (x[40:], y[40:])


def program(keras, tmp_path, weights=None):
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = data()
    model = get_conv_mixer(keras, image_size=IMAGE_SIZE, filters=FILTERS, depth=DEPTH,
                           kernel_size=KERNEL_SIZE, patch_size=PATCH_SIZE)
    if weights is not None:
        set_layer_weights(model, weights)
    initial = layer_weights(model)
    optimizer = keras.optimizers.AdamW(learning_rate=0.001, weight_decay=0.0001)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    checkpoint_filepath = os.path.join(tmp_path, "checkpoint.keras")
    checkpoint_callback = keras.callbacks.ModelCheckpoint(
        checkpoint_filepath, monitor="val_accuracy", save_best_only=True,
        save_weights_only=False)
    history = model.fit(x_train, y_train, batch_size=32, validation_data=(x_val, y_val),
                        epochs=3, callbacks=[checkpoint_callback], verbose=0)
    trained = model.predict(x_test, verbose=0)
    model.load_weights(checkpoint_filepath)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    patch_embeddings = model.layers[2].get_weights()[0]
    depthwise = [i for i, layer in enumerate(model.layers)
                 if isinstance(layer, keras.layers.DepthwiseConv2D)
                 and layer.get_config()["kernel_size"] == (5, 5)]
    kernel = model.layers[depthwise[-1]].get_weights()[0]
    return {"initial": initial, "history": history.history, "trained": trained,
            "accuracy": accuracy, "patch_embeddings": patch_embeddings,
            "depthwise": depthwise, "kernel_slice": kernel[..., 0],
            "reloaded": model.predict(x_test, verbose=0),
            "layer_types": [type(layer).__name__ for layer in model.layers]}


def check(result):
    history = result["history"]
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history["loss"][-1] < history["loss"][0]
    assert result["trained"].shape == (8, 10)
    np.testing.assert_allclose(result["trained"].sum(1), 1.0, rtol=1e-5)
    assert 0.0 <= result["accuracy"] <= 1.0
    assert result["patch_embeddings"].shape == (PATCH_SIZE, PATCH_SIZE, 3, FILTERS)
    assert result["layer_types"][:3] == ["InputLayer", "Rescaling", "Conv2D"]
    assert len(result["depthwise"]) == DEPTH
    assert result["kernel_slice"].shape == (KERNEL_SIZE, KERNEL_SIZE, FILTERS)
    if result["history"]["val_accuracy"].index(max(history["val_accuracy"])) == 2:
        np.testing.assert_allclose(result["reloaded"], result["trained"], rtol=1e-5)


def test_program_on_keras(real_keras, tmp_path):
    check(program(real_keras, tmp_path))


def test_program_on_hocsau(tmp_path):
    check(program(hocsau, tmp_path))


def test_same_weights_same_training_as_keras(real_keras, tmp_path):
    """One batch an epoch and nothing random: histories, predictions and the reloaded
    best checkpoint agree."""
    (tmp_path / "k").mkdir()
    (tmp_path / "h").mkdir()
    theirs = program(real_keras, tmp_path / "k")
    ours = program(hocsau, tmp_path / "h", weights=theirs["initial"])
    assert ours["layer_types"] == theirs["layer_types"]
    assert ours["depthwise"] == theirs["depthwise"]
    for key in ("history", "trained", "accuracy", "patch_embeddings", "kernel_slice",
                "reloaded"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-4, atol=1e-5, path=key)
