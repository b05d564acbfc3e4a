"""keras.io example "Convolutional autoencoder for image denoising" (keras-io
examples/vision/autoencoder.py), adapted to random 12x12 "digits": the example's `preprocess`
and `noise` helpers, its Conv2D / MaxPooling2D encoder and strided Conv2DTranspose decoder
with a sigmoid Conv2D output built as `Model(input, x)` (imported as
`from keras.models import Model`), binary crossentropy with Adam, fit on clean images as
their own targets, predict, then fit again to map noisy images to clean ones."""

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

SIZE = 12


def preprocess(array):
    array = array.astype("float32") / 255.0
    array = np.reshape(array, (len(array), SIZE, SIZE, 1))
    return array


def noise(array, rng):
    noise_factor = 0.4
    noisy_array = array + noise_factor * rng.normal(loc=0.0, scale=1.0, size=array.shape)
    return np.clip(noisy_array, 0.0, 1.0)


def data():
    rng = np.random.default_rng(0)
    train, test = (rng.integers(0, 256, (n, SIZE, SIZE)).astype("uint8") for n in (32, 8))
    train_data, test_data = preprocess(train), preprocess(test)
    return train_data, test_data, noise(train_data, rng), noise(test_data, rng)


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    layers, Model = keras.layers, keras.models.Model
    train_data, test_data, noisy_train_data, noisy_test_data = data()
    input = layers.Input(shape=(SIZE, SIZE, 1))  # noqa: A001 (the example's name)
    x = layers.Conv2D(8, (3, 3), activation="relu", padding="same")(input)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(8, (3, 3), activation="relu", padding="same")(x)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2DTranspose(8, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(8, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)
    autoencoder = Model(input, x)
    if weights is not None:
        set_layer_weights(autoencoder, weights)
    initial = layer_weights(autoencoder)
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    first = autoencoder.fit(x=train_data, y=train_data, epochs=3, batch_size=32, shuffle=True,
                            validation_data=(test_data, test_data), verbose=0)
    predictions = autoencoder.predict(test_data, verbose=0)
    second = autoencoder.fit(x=noisy_train_data, y=train_data, epochs=3, batch_size=32,
                             shuffle=True, validation_data=(noisy_test_data, test_data),
                             verbose=0)
    return {"initial": initial, "first": first.history, "predictions": predictions,
            "second": second.history,
            "denoised": autoencoder.predict(noisy_test_data, verbose=0)}


def check(result):
    for key in ("first", "second"):
        history = result[key]
        assert set(history) == {"loss", "val_loss"}
        assert history["loss"][-1] < history["loss"][0]
    for key in ("predictions", "denoised"):
        assert result[key].shape == (8, SIZE, SIZE, 1)
        assert ((result[key] > 0) & (result[key] < 1)).all()


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_training_as_keras(real_keras):
    """One batch an epoch and nothing random in the model: both fits agree."""
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    for key in ("first", "predictions", "second", "denoised"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-4, atol=1e-5, path=key)
