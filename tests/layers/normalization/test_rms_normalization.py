"""RMSNormalization against Keras 3: axes, epsilon, config, mixed precision and errors."""

import numpy as np
import pytest
import torch

from hocsau import layers
from hocsau.testing import run_layer_test

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("kwargs, shape", [
    ({}, (2, 5)), ({"epsilon": 0.5}, (2, 3, 4)), ({"axis": [1, 2]}, (2, 3, 4)),
    ({"axis": [-2, -1], "epsilon": 1e-3}, (2, 2, 3, 4)),
])
def test_parity(kwargs, shape):
    x = (np.random.default_rng(0).normal(size=shape) * 3 + 1).astype("float32")
    theirs = keras.layers.RMSNormalization(**kwargs)
    theirs(x)
    weights = [w + 0.5 * np.sin(np.arange(w.size)).reshape(w.shape).astype("float32")
               for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours = layers.RMSNormalization(**kwargs)
    ours(torch.from_numpy(x))
    assert [(w.name, tuple(w.shape)) for w in ours.weights] == [("scale", weights[0].shape)]
    ours.set_weights(weights)
    np.testing.assert_allclose(ours(torch.from_numpy(x)).detach().numpy(),
                               keras.ops.convert_to_numpy(theirs(x)), rtol=1e-5, atol=1e-6)
    assert ours.get_config() == {**theirs.get_config(), "name": ours.name}


def test_inner_axis_by_hand():
    # Keras's torch backend hands a non-trailing axis to F.rms_norm, which normalizes the
    # trailing one instead; the RMS over the requested axis is computed here by hand.
    x = np.random.default_rng(1).normal(size=(2, 4, 3)).astype("float32")
    layer = layers.RMSNormalization(axis=1, epsilon=0.01)
    layer(torch.from_numpy(x))
    scale = np.array([1.0, 2.0, 0.5, -1.0], "float32")
    layer.set_weights([scale])
    expected = x / np.sqrt((x ** 2).mean(axis=1, keepdims=True) + 0.01) * scale[:, None]
    np.testing.assert_allclose(layer(torch.from_numpy(x)).detach().numpy(), expected,
                               rtol=1e-5, atol=1e-6)


def test_layer_test_and_half_precision():
    run_layer_test(layers.RMSNormalization, {"axis": -1}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=1,
                   supports_masking=False, run_training_check=True)
    x = torch.randn(2, 8)
    half = layers.RMSNormalization(dtype="mixed_float16")(x)
    assert half.dtype == torch.float16
    np.testing.assert_allclose(half.detach().float().numpy(),
                               layers.RMSNormalization()(x).detach().numpy(),
                               rtol=2e-3, atol=2e-3)


def test_config_before_build_keeps_the_given_axis():
    layer = layers.RMSNormalization(axis=-1)
    assert layer.get_config()["axis"] == -1
    layer.build((None, 3))
    assert layer.get_config()["axis"] == [-1]  # Keras lists the axes once built
    assert layers.RMSNormalization.from_config(layer.get_config()).axis == [-1]


def test_errors():
    with pytest.raises(TypeError, match="axis='x'"):
        layers.RMSNormalization(axis="x")
    with pytest.raises(ValueError, match="Axis 3 is out of bounds"):
        layers.RMSNormalization(axis=3).build((2, 3))
