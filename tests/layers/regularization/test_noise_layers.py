"""Spatial dropout, Gaussian noise / dropout and alpha dropout: statistics, identity at
inference, seeds, configs against Keras 3."""

import numpy as np
import pytest
import torch

from hocsau import layers
from hocsau.testing import run_layer_test

keras = pytest.importorskip("keras")

ALL = [("SpatialDropout1D", {"rate": 0.5}, (4, 6, 5)), ("SpatialDropout2D", {"rate": 0.5},
                                                         (4, 6, 6, 5)),
       ("SpatialDropout3D", {"rate": 0.5}, (2, 3, 3, 3, 5)), ("GaussianNoise", {"stddev": 0.3},
                                                             (4, 5)),
       ("GaussianDropout", {"rate": 0.3}, (4, 5)), ("AlphaDropout", {"rate": 0.3}, (4, 5))]


@pytest.mark.parametrize("name, kwargs, shape", ALL)
def test_identity_at_inference_seeded_in_training_and_keras_config(name, kwargs, shape):
    x = torch.randn(shape)
    layer = getattr(layers, name)(seed=3, **kwargs)
    assert torch.equal(layer(x), x) and torch.equal(layer(x, training=False), x)
    first = layer(x, training=True)
    assert not torch.equal(first, x)
    again = getattr(layers, name)(seed=3, **kwargs)(x, training=True)
    assert torch.equal(first, again)
    theirs = getattr(keras.layers, name)(seed=3, **kwargs)
    assert set(layer.get_config()) == set(theirs.get_config())
    run_layer_test(getattr(layers, name), kwargs, input_shape=shape,
                   expected_output_shape=shape, expected_num_trainable_weights=0)


@pytest.mark.parametrize("rank, data_format", [(1, "channels_last"), (2, "channels_last"),
                                               (2, "channels_first"), (3, "channels_first")])
def test_spatial_dropout_drops_whole_channels(rank, data_format):
    shape = (50, 4) + (3,) * rank if data_format == "channels_first" else (50,) + (3,) * rank + (4,)
    kwargs = {} if rank == 1 else {"data_format": data_format}
    out = getattr(layers, f"SpatialDropout{rank}D")(0.4, **kwargs)(torch.ones(shape),
                                                                  training=True)
    channel_axis = 1 if data_format == "channels_first" else -1
    per_map = out.movedim(channel_axis, 1).reshape(50, 4, -1)
    assert torch.all(per_map.amin(-1) == per_map.amax(-1))  # each map all kept or all dropped
    np.testing.assert_allclose(per_map.unique().numpy(), [0.0, 1 / 0.6], rtol=1e-6)
    assert 0.25 < float((per_map[..., 0] == 0).float().mean()) < 0.55


def test_noise_statistics():
    x = torch.zeros(200000)
    assert float(layers.GaussianNoise(0.5)(x, training=True).std()) == pytest.approx(0.5, rel=0.02)
    ones = torch.ones(200000)
    noisy = layers.GaussianDropout(0.2)(ones, training=True)
    assert float(noisy.mean()) == pytest.approx(1.0, abs=0.01)
    assert float(noisy.std()) == pytest.approx((0.2 / 0.8) ** 0.5, rel=0.02)
    selu_like = torch.randn(200000)
    dropped = layers.AlphaDropout(0.2)(selu_like, training=True)
    assert float(dropped.mean()) == pytest.approx(0.0, abs=0.02)
    assert float(dropped.std()) == pytest.approx(1.0, abs=0.02)


def test_alpha_dropout_values_follow_keras_formula():
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.5) * (1 + 0.5 * alpha_p**2)) ** -0.5
    b = -a * alpha_p * 0.5
    out = layers.AlphaDropout(0.5, seed=0)(torch.full((1000,), 2.0), training=True)
    np.testing.assert_allclose(np.unique(out.numpy()), sorted([a * 2 + b, a * alpha_p + b]),
                               rtol=1e-6)


@pytest.mark.parametrize("make, message", [
    (lambda: layers.GaussianDropout(1.5), "rate=1.5"),
    (lambda: layers.GaussianNoise(-1), "stddev=-1"),
    (lambda: layers.SpatialDropout2D(0.2, data_format="nchw"), "data_format=nchw"),
])
def test_argument_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()
