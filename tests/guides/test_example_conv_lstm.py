"""keras.io example "Next-Frame Video Prediction with Convolutional LSTMs" (keras-io
examples/vision/conv_lstm.py), adapted to random 8x8 "moving MNIST" clips of 6 frames: the
example's model with a variable-length time axis (`Input(shape=(None, h, w, 1))`), three
ConvLSTM2D layers (5x5, 3x3, 1x1 kernels, relu, return_sequences) with BatchNormalization
between, a sigmoid Conv3D head, binary crossentropy, EarlyStopping and ReduceLROnPlateau on
`val_loss`, then the example's autoregressive loop that predicts one frame at a time from a
growing clip. Filters and sizes are shrunk; the data are generated instead of downloaded."""

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

FRAMES, SIZE, FILTERS = 6, 8, 4


def build(keras, input_shape):
    layers = keras.layers
    inp = layers.Input(shape=(None, *input_shape[2:]))
    x = layers.ConvLSTM2D(filters=FILTERS, kernel_size=(5, 5), padding="same",
                          return_sequences=True, activation="relu")(inp)
    x = layers.BatchNormalization()(x)
    x = layers.ConvLSTM2D(filters=FILTERS, kernel_size=(3, 3), padding="same",
                          return_sequences=True, activation="relu")(x)
    x = layers.BatchNormalization()(x)
    x = layers.ConvLSTM2D(filters=FILTERS, kernel_size=(1, 1), padding="same",
                          return_sequences=True, activation="relu")(x)
    x = layers.Conv3D(filters=1, kernel_size=(3, 3, 3), activation="sigmoid",
                      padding="same")(x)
    return keras.models.Model(inp, x)


def create_shifted_frames(data):
    x = data[:, 0: data.shape[1] - 1, :, :]
    y = data[:, 1: data.shape[1], :, :]
    return x, y


def dataset():
    rng = np.random.default_rng(0)
    clips = np.zeros((20, FRAMES, SIZE, SIZE), "uint8")
    for clip in clips:  # a bright 3x3 square moving one pixel a frame
        row, col = rng.integers(0, SIZE - 3, 2)
        for t in range(FRAMES):
            c = (col + t) % (SIZE - 2)
            clip[t, row: row + 3, c: c + 3] = 255
    data = np.expand_dims(clips, axis=-1)
    train_dataset, val_dataset = data[:16] / 255, data[16:] / 255
    return train_dataset, val_dataset


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    train_dataset, val_dataset = dataset()
    x_train, y_train = create_shifted_frames(train_dataset)
    x_val, y_val = create_shifted_frames(val_dataset)
    model = build(keras, x_train.shape)
    if weights is not None:
        set_layer_weights(model, weights)
    initial = layer_weights(model)
    before = model.predict(x_val, verbose=0)
    model.compile(loss=keras.losses.binary_crossentropy, optimizer=keras.optimizers.Adam())
    early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=10)
    reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=5)
    history = model.fit(x_train, y_train, batch_size=16, epochs=3,
                        validation_data=(x_val, y_val), callbacks=[early_stopping, reduce_lr],
                        verbose=0)
    example = val_dataset[1]
    frames = example[:3, ...]
    for _ in range(FRAMES - 3):
        new_prediction = model.predict(np.expand_dims(frames, axis=0), verbose=0)
        new_prediction = np.squeeze(new_prediction, axis=0)
        predicted_frame = np.expand_dims(new_prediction[-1, ...], axis=0)
        frames = np.concatenate((frames, predicted_frame), axis=0)
    return {"initial": initial, "before": before, "history": history.history,
            "frames": frames, "output_shape": model.output_shape}


def check(result):
    assert result["before"].shape == (4, FRAMES - 1, SIZE, SIZE, 1)
    assert result["output_shape"] == (None, None, SIZE, SIZE, 1)
    history = result["history"]
    assert set(history) == {"loss", "val_loss", "learning_rate"}
    assert history["loss"][-1] < history["loss"][0]
    frames = result["frames"]
    assert frames.shape == (FRAMES, SIZE, SIZE, 1)
    assert ((frames[3:] > 0) & (frames[3:] < 1)).all()


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_next_frames_as_keras(real_keras):
    """Nothing random once the weights agree and each epoch is one full batch."""
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    for key in ("before", "history", "frames"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-4, atol=1e-5, path=key)
