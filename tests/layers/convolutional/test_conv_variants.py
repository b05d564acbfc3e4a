"""Transposed, depthwise and separable convolutions against Keras 3."""

import numpy as np
import pytest

import hocsau
from hocsau import layers
from hocsau.testing import run_layer_test

keras = pytest.importorskip("keras")
from test_conv import parity  # noqa: E402  (same folder; shared parity helper)

SHAPES = {1: (2, 7, 3), 2: (2, 7, 6, 3), 3: (2, 5, 4, 6, 3)}


def data(rank, data_format):
    x = np.random.default_rng(rank).normal(size=SHAPES[rank]).astype("float32")
    return np.ascontiguousarray(np.moveaxis(x, -1, 1)) if data_format == "channels_first" else x


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("padding, strides, output_padding, dilation", [
    ("valid", 1, None, 1), ("same", 1, None, 1), ("valid", 2, None, 1), ("same", 2, None, 1),
    ("same", 3, None, 1), ("valid", 2, 1, 1), ("same", 2, 1, 1), ("valid", 1, None, 2),
])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_transposed(rank, padding, strides, output_padding, dilation, data_format):
    parity(f"Conv{rank}DTranspose", dict(filters=4, kernel_size=3, padding=padding,
                                         strides=strides, output_padding=output_padding,
                                         dilation_rate=dilation, data_format=data_format),
           data(rank, data_format))


@pytest.mark.parametrize("rank", [1, 2])
@pytest.mark.parametrize("padding, strides, dilation, multiplier", [
    ("valid", 1, 1, 1), ("same", 1, 1, 2), ("same", 2, 1, 1), ("valid", 1, 2, 3),
])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_depthwise_and_separable(rank, padding, strides, dilation, multiplier, data_format):
    common = dict(kernel_size=3, padding=padding, strides=strides, dilation_rate=dilation,
                  depth_multiplier=multiplier, data_format=data_format)
    x = data(rank, data_format)
    parity(f"DepthwiseConv{rank}D", common, x)
    parity(f"SeparableConv{rank}D", dict(common, filters=5, activation="relu"), x)


def test_shapes_weights_and_layer_tests():
    up = layers.Conv2DTranspose(8, 3, strides=2, padding="same")
    assert up(hocsau.Input((7, 5, 3))).shape == (None, 14, 10, 8)
    assert [tuple(w.shape) for w in up.weights] == [(3, 3, 8, 3), (8,)]
    sep = layers.SeparableConv2D(4, 3, depth_multiplier=2)
    sep(hocsau.Input((6, 6, 3)))
    assert [w.name for w in sep.weights] == ["depthwise_kernel", "pointwise_kernel", "bias"]
    assert [tuple(w.shape) for w in sep.weights] == [(3, 3, 3, 2), (1, 1, 6, 4), (4,)]
    run_layer_test(layers.Conv1DTranspose, {"filters": 2, "kernel_size": 2, "strides": 2},
                   input_shape=(2, 4, 3), expected_output_shape=(2, 8, 2),
                   expected_num_trainable_weights=2, run_training_check=True)
    run_layer_test(layers.DepthwiseConv2D, {"kernel_size": 2, "depth_multiplier": 2},
                   input_shape=(2, 4, 4, 3), expected_output_shape=(2, 3, 3, 6),
                   expected_num_trainable_weights=2, run_training_check=True)
    run_layer_test(layers.SeparableConv1D, {"filters": 2, "kernel_size": 2},
                   input_shape=(2, 5, 3), expected_output_shape=(2, 4, 2),
                   expected_num_trainable_weights=3, run_training_check=True)


@pytest.mark.parametrize("make, message", [
    (lambda: layers.Conv2DTranspose(4, 3, strides=2, output_padding=2), "greater than output"),
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=0), "depth_multiplier=0"),
    (lambda: layers.SeparableConv2D(0, 3), "filters=0"),
    (lambda: layers.Conv2DTranspose(4, 3, padding="causal"), "padding=causal"),
])
def test_argument_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_transposed_float64_gradients(rank):
    # torch's CPU float64 kernel needs a contiguous (not permuted) weight for its backward.
    import torch

    cls = getattr(layers, f"Conv{rank}DTranspose")
    layer = cls(2, 3, strides=2, dtype="float64")
    x = torch.randn(2, *([3] * rank), 1, dtype=torch.float64, requires_grad=True)
    layer(x).square().sum().backward()
    assert layer.kernel.grad.dtype == torch.float64 and layer.kernel.grad.abs().sum() > 0
    assert torch.autograd.gradcheck(lambda t: layer(t), (x[:1].detach().requires_grad_(),))
