"""keras.io example "Timeseries anomaly detection using an Autoencoder" (keras-io
examples/timeseries/timeseries_anomaly_detection.py), adapted to a generated daily-periodic
signal instead of the NAB csv files (numpy arrays instead of pandas frames): the example's
normalisation and `create_sequences`, its Conv1D / Conv1DTranspose reconstruction autoencoder
(strided "same" convolutions, Dropout), training on x as its own target with validation_split
and EarlyStopping, then the MAE threshold and the anomaly indices of a test signal with a
jump."""

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

TIME_STEPS, PERIOD = 16, 16


def signals():
    rng = np.random.default_rng(0)
    t = np.arange(160)
    small_noise = 20 + 5 * np.sin(2 * np.pi * t / PERIOD) + 0.2 * rng.normal(size=t.shape)
    jumpsup = 20 + 5 * np.sin(2 * np.pi * t / PERIOD) + 0.2 * rng.normal(size=t.shape)
    jumpsup[100:104] += 30.0
    return small_noise[:, None], jumpsup[:, None]


def create_sequences(values, time_steps=TIME_STEPS):
    output = []
    for i in range(len(values) - time_steps + 1):
        output.append(values[i:(i + time_steps)])
    return np.stack(output)


def build(keras, x_train):
    layers = keras.layers
    return keras.Sequential([
        layers.Input(shape=(x_train.shape[1], x_train.shape[2])),
        layers.Conv1D(filters=8, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Dropout(rate=0.2),
        layers.Conv1D(filters=4, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Conv1DTranspose(filters=4, kernel_size=7, padding="same", strides=2,
                               activation="relu"),
        layers.Dropout(rate=0.2),
        layers.Conv1DTranspose(filters=8, kernel_size=7, padding="same", strides=2,
                               activation="relu"),
        layers.Conv1DTranspose(filters=1, kernel_size=7, padding="same"),
    ])


def program(keras, weights=None):
    df_small_noise, df_daily_jumpsup = signals()
    training_mean = df_small_noise.mean()
    training_std = df_small_noise.std()
    df_training_value = (df_small_noise - training_mean) / training_std
    x_train = create_sequences(df_training_value)
    keras.utils.set_random_seed(0)
    model = build(keras, x_train)
    if weights is not None:
        set_layer_weights(model, weights)
    initial = layer_weights(model)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    before = model.predict(x_train[:4], verbose=0)
    history = model.fit(x_train, x_train, epochs=6, batch_size=32, validation_split=0.1,
                        callbacks=[keras.callbacks.EarlyStopping(monitor="val_loss",
                                                                 patience=5, mode="min")],
                        verbose=0)
    x_train_pred = model.predict(x_train, verbose=0)
    train_mae_loss = np.mean(np.abs(x_train_pred - x_train), axis=1)
    threshold = np.max(train_mae_loss)
    df_test_value = (df_daily_jumpsup - training_mean) / training_std
    x_test = create_sequences(df_test_value)
    x_test_pred = model.predict(x_test, verbose=0)
    test_mae_loss = np.mean(np.abs(x_test_pred - x_test), axis=1)
    test_mae_loss = test_mae_loss.reshape(-1)
    anomalies = test_mae_loss > threshold
    anomalous_data_indices = []
    for data_idx in range(TIME_STEPS - 1, len(df_test_value) - TIME_STEPS + 1):
        if np.all(anomalies[data_idx - TIME_STEPS + 1:data_idx]):
            anomalous_data_indices.append(data_idx)
    return {"initial": initial, "before": before, "history": history.history,
            "shapes": (x_train.shape, x_train_pred.shape, x_test_pred.shape),
            "anomalies": np.where(anomalies)[0], "anomalous_data_indices": anomalous_data_indices,
            "layer_outputs": [layer.output.shape for layer in model.layers]}


def check(result):
    n = 160 - TIME_STEPS + 1
    assert result["shapes"] == ((n, TIME_STEPS, 1),) * 3
    assert result["layer_outputs"] == [(None, 8, 8), (None, 8, 8), (None, 4, 4), (None, 8, 4),
                                       (None, 8, 4), (None, 16, 8), (None, 16, 1)]
    history = result["history"]
    assert set(history) == {"loss", "val_loss"}
    assert history["loss"][-1] < history["loss"][0]
    # Every window holding the jump (samples 100..103) reconstructs worse than any training one.
    assert set(range(104 - TIME_STEPS + 1, 101)) <= set(result["anomalies"].tolist())


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_reconstruction_as_keras(real_keras):
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    assert_nested_close(ours["before"], theirs["before"], rtol=1e-5, atol=1e-6)
