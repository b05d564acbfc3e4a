"""A LeNet-shaped model, whose last convolution covers its whole input (and so runs as one
matrix product), trains as Keras 3 trains it: same losses and weights from the same start."""

import numpy as np
import pytest

import hocsau
from hocsau import layers

keras = pytest.importorskip("keras")


def build(namespace, data_format):
    shape = (12, 12, 1) if data_format == "channels_last" else (1, 12, 12)
    nn = namespace.layers
    inputs = namespace.Input(shape)
    x = nn.Conv2D(3, 3, activation="relu", data_format=data_format)(inputs)
    x = nn.MaxPooling2D(2, data_format=data_format)(x)
    x = nn.Conv2D(6, 5, activation="relu", data_format=data_format)(x)  # 5x5 window, 5x5 input
    x = nn.Flatten()(x)
    outputs = nn.Dense(4, activation="softmax")(x)
    model = namespace.Model(inputs, outputs)
    model.compile(optimizer=namespace.optimizers.Adam(0.01),
                  loss="sparse_categorical_crossentropy")
    return model


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_lenet_shaped_model_trains_as_keras(data_format):
    rng = np.random.default_rng(0)
    shape = (32, 12, 12, 1) if data_format == "channels_last" else (32, 1, 12, 12)
    x = rng.random(shape, dtype=np.float32)
    y = rng.integers(0, 4, size=32)
    theirs, ours = build(keras, data_format), build(hocsau, data_format)
    ours.set_weights(theirs.get_weights())
    assert isinstance(ours.layers[3], layers.Conv2D)
    expected = theirs.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    actual = ours.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    np.testing.assert_allclose(actual["loss"], expected["loss"], rtol=1e-5)
    for mine, reference in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(mine, reference, rtol=1e-4, atol=1e-5)
