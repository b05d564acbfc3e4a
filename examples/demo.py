"""hocsau demo: a Keras model trained on scikit-learn's handwritten digits, on PyTorch.

Builds a functional model, prints its summary, trains it with validation and early stopping,
evaluates it on held-out digits and shows a few predictions. Runs in seconds on a CPU and uses
the GPU when one is present.
"""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import hocsau as keras
from hocsau import layers


def main() -> None:
    keras.utils.set_random_seed(0)
    digits = load_digits()
    x = (digits.data / 16.0).astype("float32")
    y = digits.target.astype("int64")
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0,
                                                        stratify=y)

    inputs = keras.Input(shape=(64,), name="pixels")
    h = layers.Dense(128, activation="relu")(inputs)
    h = layers.Dropout(0.2)(h)
    h = layers.Dense(64, activation="relu")(h)
    outputs = layers.Dense(10, activation="softmax", name="digit")(h)
    model = keras.Model(inputs, outputs, name="digits_mlp")
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
    predictions = model.predict(x_test[:10], verbose=0).argmax(axis=1)
    print("predicted:", predictions.tolist())
    print("true:     ", y_test[:10].tolist())
    if accuracy < 0.95:
        raise SystemExit(f"demo accuracy {accuracy:.3f} is below 0.95")


if __name__ == "__main__":
    main()
