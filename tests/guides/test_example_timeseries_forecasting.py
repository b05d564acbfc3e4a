"""keras.io example "Timeseries forecasting for weather prediction" (keras-io
examples/timeseries/timeseries_weather_forecasting.py), adapted to a synthetic multivariate
series: features normalized with the training split's mean and std,
`timeseries_dataset_from_array` windows (sequence_length, sampling_rate, targets shifted by the
horizon) for training and validation, an LSTM regressor fit with EarlyStopping and a
weights-only best ModelCheckpoint, and predictions on validation batches.

Keras's `timeseries_dataset_from_array` needs TensorFlow, so this runs on hocsau only; its
windows are checked against the documented indexing computed with numpy."""

import os

import numpy as np

import hocsau

PAST, FUTURE, STEP, SEQUENCE_LENGTH = 24, 4, 2, 12
BATCH_SIZE, TRAIN_SPLIT = 16, 200


def series(n=300):
    t = np.arange(n, dtype="float64")
    rng = np.random.default_rng(0)
    temperature = 10 + 5 * np.sin(t / 12) + rng.normal(0, 0.3, n)
    pressure = 1000 + 3 * np.cos(t / 20) + rng.normal(0, 0.3, n)
    humidity = 50 + 10 * np.sin(t / 7 + 1) + rng.normal(0, 1.0, n)
    return np.stack([temperature, pressure, humidity], axis=1)


def normalize(data, train_split):
    data_mean = data[:train_split].mean(axis=0)
    data_std = data[:train_split].std(axis=0)
    return (data - data_mean) / data_std


def windows(keras):
    features = normalize(series(), TRAIN_SPLIT).astype("float32")
    train_data, val_data = features[:TRAIN_SPLIT], features[TRAIN_SPLIT:]
    start, end = PAST + FUTURE, PAST + FUTURE + TRAIN_SPLIT
    x_train, y_train = train_data, features[start:end][:, [0]]
    dataset_train = keras.utils.timeseries_dataset_from_array(
        x_train, y_train, sequence_length=SEQUENCE_LENGTH, sampling_rate=STEP,
        batch_size=BATCH_SIZE)
    x_end = len(val_data) - PAST - FUTURE
    label_start = TRAIN_SPLIT + PAST + FUTURE
    x_val, y_val = val_data[:x_end], features[label_start:][:, [0]]
    dataset_val = keras.utils.timeseries_dataset_from_array(
        x_val, y_val, sequence_length=SEQUENCE_LENGTH, sampling_rate=STEP,
        batch_size=BATCH_SIZE)
    return features, (x_train, y_train), dataset_train, dataset_val


def program(keras, directory):
    keras.utils.set_random_seed(0)
    features, (x_train, y_train), dataset_train, dataset_val = windows(keras)
    inputs, targets = next(iter(dataset_train))
    inputs, targets = np.asarray(inputs), np.asarray(targets)
    model_inputs = keras.layers.Input(shape=(inputs.shape[1], inputs.shape[2]))
    lstm_out = keras.layers.LSTM(8)(model_inputs)
    model = keras.Model(inputs=model_inputs, outputs=keras.layers.Dense(1)(lstm_out))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    path = os.path.join(directory, "model_checkpoint.weights.h5")
    es_callback = keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=0, patience=2)
    checkpoint = keras.callbacks.ModelCheckpoint(monitor="val_loss", filepath=path, verbose=0,
                                                 save_weights_only=True, save_best_only=True)
    history = model.fit(dataset_train, epochs=5, validation_data=dataset_val, verbose=0,
                        callbacks=[es_callback, checkpoint])
    predictions = [model.predict(x, verbose=0) for x, _ in dataset_val.take(2)]
    best = keras.models.clone_model(model)
    best.load_weights(path)
    best.compile(optimizer="adam", loss="mse")
    return {"x_train": x_train, "y_train": y_train, "first_inputs": inputs,
            "first_targets": targets, "train_batches": sum(1 for _ in dataset_train),
            "history": history.history, "prediction_shapes": [p.shape for p in predictions],
            "best_val_loss": best.evaluate(dataset_val, verbose=0),
            "min_val_loss": min(history.history["val_loss"])}


def check(result):
    x_train, y_train = result["x_train"], result["y_train"]
    inputs, targets = result["first_inputs"], result["first_targets"]
    assert inputs.shape == (BATCH_SIZE, SEQUENCE_LENGTH, 3) and targets.shape == (BATCH_SIZE, 1)
    for i in range(BATCH_SIZE):  # window i: rows i, i + STEP, ...; its target is row i's
        np.testing.assert_array_equal(inputs[i], x_train[i:i + SEQUENCE_LENGTH * STEP:STEP])
        np.testing.assert_array_equal(targets[i], y_train[i])
    windows_count = len(x_train) - (SEQUENCE_LENGTH - 1) * STEP
    assert result["train_batches"] == -(-windows_count // BATCH_SIZE)
    history = result["history"]
    assert set(history) == {"loss", "val_loss"} and history["loss"][-1] < history["loss"][0]
    assert result["prediction_shapes"] == [(BATCH_SIZE, 1), (BATCH_SIZE, 1)]
    np.testing.assert_allclose(result["best_val_loss"], result["min_val_loss"], rtol=1e-5)


def test_program_on_hocsau(tmp_path):
    check(program(hocsau, str(tmp_path)))


def test_example_first_batch_inspection_on_hocsau():
    _, _, dataset_train, _ = windows(hocsau)
    for batch in dataset_train.take(1):
        inputs, targets = batch
    assert inputs.numpy().shape == (BATCH_SIZE, SEQUENCE_LENGTH, 3)
    assert targets.numpy().shape == (BATCH_SIZE, 1)
