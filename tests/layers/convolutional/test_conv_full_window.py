"""Convolutions whose window covers the whole input run as one matrix product: the same outputs
and gradients as torch's convolution (and Keras) within rounding, and only where that holds."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from hocsau import layers

keras = pytest.importorskip("keras")

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
WINDOWS = {1: (5,), 2: (5, 4), 3: (3, 2, 4)}


def reference(layer, x):
    """torch's convolution with the layer's weights, as a plain PyTorch user would write it."""
    rank, last = layer.rank, layer.data_format == "channels_last"
    kernel = layer.kernel.permute(rank + 1, rank, *range(rank))
    xt = x.movedim(-1, 1) if last else x
    out = CONV[rank](xt, kernel, layer.bias, layer.strides, 0, layer.dilation_rate,
                     layer.groups)
    out = out.movedim(1, -1) if last else out
    return layer.activation(out)


def compare(layer, x, rtol):
    """Forward values and the gradients of the input and the trainable parameters against
    `reference`."""
    x = x.clone().requires_grad_(True)
    layer(x)
    cotangent = torch.cos(torch.arange(layer(x).numel(), dtype=x.dtype)).reshape(layer(x).shape)
    grads = []
    for run in (layer, lambda t: reference(layer, t)):
        out = run(x)
        weights = [w for w in layer.parameters() if w.requires_grad]
        grads.append((out.detach(), *torch.autograd.grad(out, [x, *weights], cotangent)))
    for ours, theirs in zip(*grads, strict=True):
        assert ours.shape == theirs.shape
        torch.testing.assert_close(ours, theirs, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype, rtol", [(torch.float32, 1e-5), (torch.float64, 1e-12)])
@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("use_bias, strides, activation", [
    (True, 1, "relu"), (False, 2, None), (True, 3, "tanh")])
def test_full_window_matches_the_convolution(dtype, rtol, rank, data_format, use_bias, strides,
                                             activation):
    spatial = WINDOWS[rank]
    shape = (3, *spatial, 6) if data_format == "channels_last" else (3, 6, *spatial)
    x = torch.from_numpy(np.random.default_rng(rank).normal(size=shape)).to(dtype)
    layer = getattr(layers, f"Conv{rank}D")(7, spatial, strides=strides, use_bias=use_bias,
                                             data_format=data_format, activation=activation,
                                             dtype="float64" if dtype == torch.float64 else None,
                                             bias_initializer="random_normal")
    layer(x)
    assert layer._covers_input(x)
    compare(layer, x, rtol)


@pytest.mark.parametrize("kwargs, spatial", [
    (dict(kernel_size=3, padding="same"), (3, 3)),
    (dict(kernel_size=3, dilation_rate=2), (5, 5)),
    (dict(kernel_size=3, groups=2), (3, 3)),
    (dict(kernel_size=3), (4, 3)),
])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_other_convolutions_keep_torchs_kernel(kwargs, spatial, data_format):
    shape = (2, *spatial, 4) if data_format == "channels_last" else (2, 4, *spatial)
    x = torch.from_numpy(np.random.default_rng(0).normal(size=shape).astype("float32"))
    layer = layers.Conv2D(6, data_format=data_format, **kwargs)
    layer(x)
    assert not layer._covers_input(x)
    if kwargs.get("padding") != "same":
        compare(layer, x, 1e-5)


def test_full_window_parity_with_keras_and_lora():
    x = np.random.default_rng(1).normal(size=(4, 5, 5, 16)).astype("float32")
    theirs = keras.layers.Conv2D(8, 5, activation="softmax")
    theirs(x)
    ours = layers.Conv2D(8, 5, activation="softmax")
    ours(torch.from_numpy(x))
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(torch.from_numpy(x)).detach().numpy(),
                               keras.ops.convert_to_numpy(theirs(x)), rtol=1e-5, atol=1e-5)
    ours.enable_lora(2)
    ours.lora_kernel_b.data.normal_()
    compare(ours, torch.from_numpy(x), 1e-5)


@pytest.mark.parametrize("data_format, shape", [("channels_last", (0, 5, 5, 2)),
                                                ("channels_first", (0, 2, 5, 5))])
def test_full_window_empty_batch(data_format, shape):
    out = layers.Conv2D(3, 5, data_format=data_format)(torch.zeros(shape))
    assert tuple(out.shape) == ((0, 1, 1, 3) if data_format == "channels_last" else (0, 3, 1, 1))


def test_full_window_wrong_channels_speaks_keras():
    layer = layers.Conv2D(3, 5)
    layer(torch.zeros(2, 5, 5, 2))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 2"):
        layer(torch.zeros(2, 5, 5, 3))
