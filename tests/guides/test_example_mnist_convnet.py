"""keras.io example "Simple MNIST convnet" (keras-io examples/vision/mnist_convnet.py), adapted
to random 14x14 "digits": `to_categorical` labels, the example's Sequential (Input, two
Conv2D + MaxPooling2D stages, Flatten, Dropout(0.5), softmax Dense) with `summary()`,
categorical crossentropy with Adam and accuracy, `fit(..., validation_split=0.1)` and
`evaluate` returning [loss, accuracy]."""

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

NUM_CLASSES, INPUT_SHAPE = 10, (14, 14, 1)


def data():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (60, 14, 14)).astype("uint8")
    x[:, :7] //= rng.integers(1, 11, (60, 1, 1)).astype("uint8")  # class: top-half darkening
    y = np.argsort(np.argsort(x[:, :7].mean((1, 2)))) * NUM_CLASSES // 60
    y = y.astype("uint8")
    return (x[:40], y[:40]), (x[40:], y[40:])


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    layers = keras.layers
    (x_train, y_train), (x_test, y_test) = data()
    x_train = x_train.astype("float32") / 255
    x_test = x_test.astype("float32") / 255
    x_train = np.expand_dims(x_train, -1)
    x_test = np.expand_dims(x_test, -1)
    y_train = keras.utils.to_categorical(y_train, NUM_CLASSES)
    y_test = keras.utils.to_categorical(y_test, NUM_CLASSES)
    model = keras.Sequential([
        keras.Input(shape=INPUT_SHAPE),
        layers.Conv2D(8, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(16, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(NUM_CLASSES, activation="softmax"),
    ])
    if weights is not None:
        set_layer_weights(model, weights)
    initial = layer_weights(model)
    lines = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line))
    before = model.predict(x_test, verbose=0)
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=8, epochs=4, validation_split=0.1,
                        verbose=0)
    score = model.evaluate(x_test, y_test, verbose=0)
    return {"initial": initial, "before": before, "history": history.history,
            "score": score, "summary": "\n".join(lines), "params": model.count_params(),
            "y_train": y_train, "output_shape": model.output_shape}


def check(result):
    assert result["y_train"].shape == (40, NUM_CLASSES)
    assert result["y_train"].dtype == np.float64 or result["y_train"].dtype == np.float32
    assert result["output_shape"] == (None, NUM_CLASSES)
    assert "Total params" in result["summary"] and "conv2d" in result["summary"]
    history = result["history"]
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history["loss"][-1] < history["loss"][0]
    assert len(result["score"]) == 2 and 0.0 <= result["score"][1] <= 1.0


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_predictions_as_keras(real_keras):
    """Untrained predictions (dropout off) and the parameter count agree; training draws
    different dropout masks in each library."""
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    assert ours["params"] == theirs["params"]
    assert ours["y_train"].dtype == theirs["y_train"].dtype
    np.testing.assert_array_equal(ours["y_train"], theirs["y_train"])
    assert_nested_close(ours["before"], theirs["before"], rtol=1e-5, atol=1e-6)
