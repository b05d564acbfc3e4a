"""hocsau demo: a Keras convnet trained on scikit-learn's handwritten digits, on PyTorch.

Builds a functional convolutional model, prints its summary, trains it with validation and
early stopping, evaluates it on held-out digits, saves it as a `.keras` file (the format real
Keras reads) and checks that the reloaded model predicts the same. Runs in seconds on a CPU and
uses the GPU when one is present.
"""

import os
import tempfile

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import hocsau as keras
from hocsau import layers


def build_model() -> keras.Model:
    inputs = keras.Input(shape=(8, 8, 1), name="pixels")
    h = layers.Rescaling(1.0 / 16.0)(inputs)
    h = layers.Conv2D(32, 3, padding="same", activation="relu")(h)
    h = layers.BatchNormalization()(h)
    h = layers.Conv2D(64, 3, padding="same", activation="relu")(h)
    h = layers.MaxPooling2D(2)(h)
    h = layers.Flatten()(h)
    h = layers.Dropout(0.3)(h)
    outputs = layers.Dense(10, activation="softmax", name="digit")(h)
    return keras.Model(inputs, outputs, name="digits_convnet")


def main() -> None:
    keras.utils.set_random_seed(0)
    digits = load_digits()
    x = digits.images[..., None].astype("float32")  # (1797, 8, 8, 1), pixel values 0..16
    y = digits.target.astype("int64")
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0,
                                                        stratify=y)
    model = build_model()
    model.summary()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=30, validation_split=0.15,
                        callbacks=[keras.callbacks.EarlyStopping(patience=5,
                                                                 restore_best_weights=True)],
                        verbose=2)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"\ntrained {len(history.epoch)} epochs; test loss {loss:.4f}, "
          f"test accuracy {accuracy:.4f}")
    predictions = model.predict(x_test[:10], verbose=0)
    print("predicted:", predictions.argmax(axis=1).tolist())
    print("true:     ", y_test[:10].tolist())

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "digits_convnet.keras")
        model.save(path)
        reloaded = keras.models.load_model(path)
        same = np.allclose(reloaded.predict(x_test[:10], verbose=0), predictions, atol=1e-6)
    print(f"saved to a .keras file and reloaded: same predictions: {same}")
    if accuracy < 0.97 or not same:
        raise SystemExit(f"demo failed: accuracy {accuracy:.3f} (needs 0.97), reload {same}")


if __name__ == "__main__":
    main()
