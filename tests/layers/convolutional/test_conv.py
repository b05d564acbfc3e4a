"""Conv1D / Conv2D / Conv3D against Keras 3: every padding, stride, dilation, group and layout."""


import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing import run_layer_test

keras = pytest.importorskip("keras")

SHAPES = {1: (2, 9, 4), 2: (2, 9, 8, 4), 3: (2, 7, 6, 5, 4)}
CASES = [  # (padding, strides, dilation, groups)
    ("valid", 1, 1, 1), ("same", 1, 1, 1), ("valid", 2, 1, 1), ("same", 2, 1, 1),
    ("same", 3, 1, 1), ("valid", 1, 2, 1), ("same", 1, 2, 1), ("same", 1, 1, 2),
    ("valid", 2, 1, 4),
]


def parity(name, kwargs, x):
    theirs = getattr(keras.layers, name)(**kwargs)
    theirs(x)
    weights = [w + 0.1 * np.cos(np.arange(w.size)).reshape(w.shape).astype("float32")
               for w in theirs.get_weights()]
    theirs.set_weights(weights)
    expected = keras.ops.convert_to_numpy(theirs(x))
    ours = getattr(layers, name)(**kwargs)
    ours(torch.from_numpy(x))
    ours.set_weights(weights)
    actual = ours(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)
    assert ours.get_config() == {**theirs.get_config(), "name": ours.name}
    return ours


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("padding, strides, dilation, groups", CASES)
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_parity(rank, padding, strides, dilation, groups, data_format):
    x = np.random.default_rng(rank).normal(size=SHAPES[rank]).astype("float32")
    if data_format == "channels_first":
        x = np.ascontiguousarray(np.moveaxis(x, -1, 1))
    kwargs = dict(filters=8, kernel_size=3, padding=padding, strides=strides,
                  dilation_rate=dilation, groups=groups, data_format=data_format,
                  activation="relu" if groups == 1 else None)
    parity(f"Conv{rank}D", kwargs, x)


@pytest.mark.parametrize("kernel_size, strides", [((2, 3), (1, 2)), ((4, 1), (3, 1))])
def test_uneven_kernels_and_strides_same_padding(kernel_size, strides):
    x = np.random.default_rng(0).normal(size=(1, 10, 7, 3)).astype("float32")
    parity("Conv2D", dict(filters=2, kernel_size=kernel_size, strides=strides, padding="same"), x)


@pytest.mark.parametrize("dilation", [1, 2])
def test_causal_conv1d(dilation):
    x = np.random.default_rng(0).normal(size=(2, 8, 3)).astype("float32")
    ours = parity("Conv1D", dict(filters=4, kernel_size=3, padding="causal",
                                 dilation_rate=dilation), x)
    # output step t sees inputs up to t only
    changed = x.copy()
    changed[:, 5:] += 1
    a, b = ours(torch.from_numpy(x)), ours(torch.from_numpy(changed))
    assert torch.allclose(a[:, :5], b[:, :5]) and not torch.allclose(a[:, 5:], b[:, 5:])


def test_channels_last_output_is_contiguous_and_stack_copies_nothing():
    conv = layers.Conv2D(8, 3, padding="same")
    out = conv(torch.randn(2, 16, 16, 3))
    assert out.is_contiguous() and out.shape == (2, 16, 16, 8)


def test_lenet_parameter_counts_of_seed_000():
    def lenet(batch_norm):
        stack = [hocsau.Input((32, 32, 1)), layers.Conv2D(6, 5, activation="relu")]
        stack += [layers.BatchNormalization()] if batch_norm else []
        stack += [layers.MaxPooling2D(2), layers.Conv2D(16, 5, activation="relu")]
        stack += [layers.BatchNormalization()] if batch_norm else []
        stack += [layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(120, activation="relu"),
                  layers.Dense(84, activation="relu"), layers.Dense(10, activation="softmax")]
        return hocsau.Sequential(stack)

    assert lenet(False).count_params() == 61706
    if hasattr(layers, "BatchNormalization"):
        assert lenet(True).count_params() == 61706 + 4 * 6 + 4 * 16


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_run_layer_test(rank):
    shape = SHAPES[rank]
    run_layer_test(getattr(layers, f"Conv{rank}D"), {"filters": 3, "kernel_size": 2},
                   input_shape=shape, expected_output_shape=(shape[0],) + tuple(
                       d - 1 for d in shape[1:-1]) + (3,),
                   expected_num_trainable_weights=2, run_training_check=True)


@pytest.mark.parametrize("kwargs, message", [
    ({"filters": 0, "kernel_size": 3}, "filters=0"),
    ({"filters": 4, "kernel_size": 3, "groups": 3}, "evenly divisible by the number of groups"),
    ({"filters": 4, "kernel_size": (3, 3, 3)}, "kernel_size"),
    ({"filters": 4, "kernel_size": 0}, "kernel_size"),
    ({"filters": 4, "kernel_size": 3, "padding": "causal"}, "padding=causal"),
    ({"filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, "dilation_rate > 1"),
    ({"filters": 4, "kernel_size": 3, "data_format": "nhwc"}, "data_format=nhwc"),
])
def test_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.Conv2D(**kwargs)


def test_input_errors_name_the_layer():
    with pytest.raises(ValueError, match='"conv_in" is incompatible'):
        layers.Conv2D(4, 3, name="conv_in")(hocsau.Input((8, 8)))
    conv = layers.Conv2D(4, 3, name="conv_ch")
    conv(torch.ones(1, 8, 8, 3))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        conv(torch.ones(1, 8, 8, 5))
    with pytest.raises(ValueError, match="evenly divisible by the number of groups"):
        layers.Conv2D(4, 3, groups=2)(hocsau.Input((8, 8, 3)))


def _halved_kernel_conv(library, base):
    """A subclass whose `convolution_op` convolves by half the kernel, through `ops.conv`."""

    class HalvedKernel(base):
        def convolution_op(self, inputs, kernel):
            return library.ops.conv(inputs, kernel * 0.5, strides=list(self.strides),
                                    padding=self.padding, data_format=self.data_format)

    return HalvedKernel


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_overridden_convolution_op_is_used_with_bias_and_activation(data_format, padding):
    """Conv2D/Conv3D call `convolution_op(inputs, kernel)`, then add the bias and apply the
    activation, as Keras does: overriding it changes the convolution (keras.io's weight
    standardization recipe)."""
    for rank, name in ((2, "Conv2D"), (3, "Conv3D")):
        x = np.linspace(-1, 1, np.prod(SHAPES[rank]), dtype="float32").reshape(SHAPES[rank])
        kwargs = dict(filters=3, kernel_size=2, padding=padding, data_format=data_format,
                      activation="relu", bias_initializer="ones")
        theirs = _halved_kernel_conv(keras, getattr(keras.layers, name))(**kwargs)
        expected = keras.ops.convert_to_numpy(theirs(x))
        ours = _halved_kernel_conv(hocsau, getattr(layers, name))(**kwargs)
        ours(torch.from_numpy(x))
        ours.set_weights(theirs.get_weights())
        actual = ours(torch.from_numpy(x)).detach().numpy()
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)
        plain = getattr(layers, name)(**kwargs)
        plain(torch.from_numpy(x))
        plain.set_weights([theirs.get_weights()[0] * 0.5, theirs.get_weights()[1]])
        np.testing.assert_allclose(plain(torch.from_numpy(x)).detach().numpy(), actual,
                                   rtol=1e-5, atol=1e-6)
