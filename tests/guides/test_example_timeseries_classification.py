"""keras.io example "Timeseries classification from scratch" (keras-io
examples/timeseries/timeseries_classification_from_scratch.py), adapted to generated FordA-like
series (noisy sines whose frequency gives the class, labels -1/1 as in the file): the
example's reshaping, shuffling and label remapping, its fully convolutional network (Conv1D,
BatchNormalization, ReLU, GlobalAveragePooling1D, softmax), training with ModelCheckpoint
(`save_best_only` on val_loss), ReduceLROnPlateau and EarlyStopping, then `load_model` of the
best file and `evaluate` on the test set. Patience values are shrunk so that the callbacks act
within a few epochs."""

import os

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

LENGTH, epochs, batch_size = 32, 8, 16


def readucr(n, seed):
    """(x, y) as the example's `readucr` returns them: float series and -1/1 labels."""
    rng = np.random.default_rng(seed)
    y = rng.choice([-1, 1], size=n)
    t = np.linspace(0, 2 * np.pi, LENGTH)
    x = np.sin(np.outer(np.where(y > 0, 3.0, 1.0), t) + rng.uniform(0, 6, (n, 1)))
    return x + 0.3 * rng.normal(size=x.shape), y.astype(int)


def make_model(keras, input_shape, num_classes):
    input_layer = keras.layers.Input(input_shape)
    conv1 = keras.layers.Conv1D(filters=8, kernel_size=3, padding="same")(input_layer)
    conv1 = keras.layers.BatchNormalization()(conv1)
    conv1 = keras.layers.ReLU()(conv1)
    conv2 = keras.layers.Conv1D(filters=8, kernel_size=3, padding="same")(conv1)
    conv2 = keras.layers.BatchNormalization()(conv2)
    conv2 = keras.layers.ReLU()(conv2)
    conv3 = keras.layers.Conv1D(filters=8, kernel_size=3, padding="same")(conv2)
    conv3 = keras.layers.BatchNormalization()(conv3)
    conv3 = keras.layers.ReLU()(conv3)
    gap = keras.layers.GlobalAveragePooling1D()(conv3)
    output_layer = keras.layers.Dense(num_classes, activation="softmax")(gap)
    return keras.models.Model(inputs=input_layer, outputs=output_layer)


def prepare():
    x_train, y_train = readucr(96, 0)
    x_test, y_test = readucr(32, 1)
    x_train = x_train.reshape((x_train.shape[0], x_train.shape[1], 1))
    x_test = x_test.reshape((x_test.shape[0], x_test.shape[1], 1))
    num_classes = len(np.unique(y_train))
    idx = np.random.default_rng(2).permutation(len(x_train))
    x_train, y_train = x_train[idx], y_train[idx]
    y_train[y_train == -1] = 0
    y_test[y_test == -1] = 0
    return x_train, y_train, x_test, y_test, num_classes


def program(keras, directory, weights=None, **fit_options):
    """`fit_options`: shuffle=False for the parity run (the two libraries shuffle differently)."""
    x_train, y_train, x_test, y_test, num_classes = prepare()
    keras.utils.set_random_seed(0)
    model = make_model(keras, x_train.shape[1:], num_classes)
    if weights is not None:
        set_layer_weights(model, weights)
    initial = layer_weights(model)
    best = os.path.join(directory, "best_model.keras")
    callbacks = [
        keras.callbacks.ModelCheckpoint(best, save_best_only=True, monitor="val_loss"),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1,
                                          min_lr=0.0001),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, verbose=0),
    ]
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy",
                  metrics=["sparse_categorical_accuracy"])
    before = model.evaluate(x_test, y_test, verbose=0)
    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs,
                        callbacks=callbacks, validation_split=0.2, verbose=0, **fit_options)
    final_lr = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
    model = keras.models.load_model(best)
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    return {"initial": initial, "history": history.history, "epochs_run": len(history.epoch),
            "final_lr": final_lr, "test": [test_loss, test_acc],
            "best_val_loss": min(history.history["val_loss"]),
            "reloaded_val_loss": model.evaluate(x_train[-20:], y_train[-20:], verbose=0)[0],
            "before": before, "first_loss": history.history["loss"][0],
            "output_shape": model.output_shape}


def check(result):
    assert result["output_shape"] == (None, 2)
    history = result["history"]
    assert {"loss", "sparse_categorical_accuracy", "val_loss",
            "val_sparse_categorical_accuracy", "learning_rate"} == set(history)
    assert len(history["loss"]) == result["epochs_run"] <= epochs
    # ReduceLROnPlateau halves the rate down to min_lr; `learning_rate` logs each epoch's rate.
    rates = history["learning_rate"]
    assert rates[0] == np.float32(0.05) and np.all(np.diff(rates) <= 0)
    assert result["final_lr"] >= 0.0001
    # load_model restores the best epoch's model (the last 20% of the training data is
    # validation: 20 of 96 samples).
    np.testing.assert_allclose(result["reloaded_val_loss"], result["best_val_loss"], rtol=1e-4)
    assert 0.0 <= result["test"][1] <= 1.0


def test_program_on_keras(real_keras, tmp_path):
    check(program(real_keras, str(tmp_path)))


def test_program_on_hocsau(tmp_path):
    check(program(hocsau, str(tmp_path)))


def test_same_weights_same_training_as_keras(real_keras, tmp_path):
    (tmp_path / "keras").mkdir()
    (tmp_path / "hocsau").mkdir()
    theirs = program(real_keras, str(tmp_path / "keras"), shuffle=False)
    ours = program(hocsau, str(tmp_path / "hocsau"), weights=theirs["initial"], shuffle=False)
    # Only the first epoch's loss: each Conv1D bias feeds a BatchNormalization, so its gradient
    # is float noise that Adam scales to full steps; the biases (hence the moving means and
    # val_loss) then differ between any two float implementations.
    for key in ("before", "first_loss"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-5, atol=1e-6, path=key)
