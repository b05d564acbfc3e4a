"""EinsumDense against Keras 3: equations with and without bias axes and "...", weight
shapes, output shapes, kernel fans, config round trips and argument errors."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing import run_layer_test

keras = pytest.importorskip("keras")


def _wiggle(weights):
    return [w + 0.3 * np.sin(np.arange(w.size) + 1.0).reshape(w.shape).astype("float32")
            for w in weights]


CASES = [  # (kwargs, input shape, output shape)
    ({"equation": "ab,bc->ac", "output_shape": 5, "bias_axes": "c"}, (3, 4), (3, 5)),
    ({"equation": "ab,bc->ac", "output_shape": 5}, (3, 4), (3, 5)),
    ({"equation": "abc,cd->abd", "output_shape": (None, 5), "bias_axes": "d",
      "activation": "relu"}, (2, 3, 4), (2, 3, 5)),
    ({"equation": "abc,cde->abde", "output_shape": (None, 2, 5), "bias_axes": "d"},
     (2, 3, 4), (2, 3, 2, 5)),
    ({"equation": "abcd,cde->abe", "output_shape": (3, 6), "bias_axes": "b"},
     (2, 3, 4, 5), (2, 3, 6)),
    ({"equation": "...b,bc->...c", "output_shape": 5, "bias_axes": "c"}, (2, 3, 6, 4),
     (2, 3, 6, 5)),
    ({"equation": "...ab,bc->...ac", "output_shape": (3, 5), "bias_axes": "a"}, (2, 3, 4),
     (2, 3, 5)),
    ({"equation": "ab...,bc->ac...", "output_shape": 5, "bias_axes": "c",
      "activation": "tanh"}, (2, 4, 3, 2), (2, 5, 3, 2)),
]


@pytest.mark.parametrize("kwargs, shape, out_shape", CASES)
def test_parity_with_keras(kwargs, shape, out_shape):
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    theirs = keras.layers.EinsumDense(**kwargs)
    theirs(x)
    weights = _wiggle(theirs.get_weights())
    theirs.set_weights(weights)
    ours = layers.EinsumDense(**kwargs)
    ours(torch.from_numpy(x))
    assert [tuple(w.shape) for w in ours.weights] == [w.shape for w in weights]
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    ours.set_weights(weights)
    actual = ours(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(actual, keras.ops.convert_to_numpy(theirs(x)), rtol=1e-5,
                               atol=1e-6)
    assert actual.shape == out_shape
    # Keras lists two axes under a leading "..." in reverse order; ours keeps the real order.
    reversed_by_keras = kwargs["equation"] == "...b,bc->...c"
    assert ours.compute_output_shape(shape) == (
        out_shape if reversed_by_keras else theirs.compute_output_shape(shape))
    ours_config, their_config = ours.get_config(), theirs.get_config()
    assert ours_config == {**their_config, "name": ours.name}


def test_symbolic_shapes_and_layer_test():
    x = hocsau.Input((7, 16))
    # A None in `output_shape` stays None in the symbolic shape, as in Keras.
    assert tuple(layers.EinsumDense("abc,cd->abd", (None, 8), bias_axes="d")(x).shape) == \
        (None, None, 8)
    assert tuple(layers.EinsumDense("...x,xy->...y", 8)(x).shape) == (None, 7, 8)
    run_layer_test(layers.EinsumDense, {"equation": "abc,cde->abde", "output_shape": (5, 2, 3),
                                        "bias_axes": "de"},
                   input_shape=(2, 5, 4), expected_output_shape=(2, 5, 2, 3),
                   expected_num_trainable_weights=2, expected_num_non_trainable_weights=0,
                   supports_masking=False, run_training_check=True)


def test_kernel_fans_follow_the_equation():
    # Glorot on a (m, heads, head_dim) kernel: fan_in m, fan_out heads * head_dim, as in Keras.
    layer = layers.EinsumDense("abc,cde->abde", (None, 8, 16),
                               kernel_initializer=hocsau.initializers.VarianceScaling(
                                   1.0, "fan_out", "uniform", seed=1))
    layer.build((None, 4, 32))
    limit = np.sqrt(3.0 / (8 * 16))
    kernel = layer.kernel.detach().numpy()
    assert kernel.shape == (32, 8, 16)
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.95 * limit
    assert layer.kernel_initializer.input_axes is None  # the argument itself is untouched


def test_params_in_summary_match_keras():
    def model(lib):
        return lib.Sequential([lib.Input((5, 6)),
                               lib.layers.EinsumDense("abc,cde->abde", (None, 2, 3),
                                                      bias_axes="de", name="proj")])

    ours, theirs = model(hocsau), model(keras)
    assert ours.count_params() == theirs.count_params() == 6 * 2 * 3 + 2 * 3
    lines = []
    ours.summary(print_fn=lambda text, *a, **k: lines.append(text))
    assert "Total params: 42" in "".join(lines)


@pytest.mark.parametrize("kwargs, error", [
    ({"equation": "ab,bc", "output_shape": 4}, "Invalid einsum equation"),
    ({"equation": "ab,bc->ac", "output_shape": "4"}, "output_shape="),
    ({"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": 1}, "bias_axes=1"),
    ({"equation": "ab,bc->ac", "output_shape": 4, "dtype": "gptq/5/128_from_float32"},
     "Invalid weight_bits in mode"),
    ({"equation": "ab,bc->ac", "output_shape": 4, "quantization_config": {"mode": "int8"}},
     "`quantization_config` must be a `QuantizationConfig`"),
])
def test_argument_errors(kwargs, error):
    with pytest.raises(ValueError, match=error):
        layers.EinsumDense(**kwargs)


@pytest.mark.parametrize("kwargs, shape, error", [
    ({"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "x"}, (2, 3),
     "Bias dimension 'x'"),
    ({"equation": "ab,bc->ad", "output_shape": 4}, (2, 3), "Dimension 'd' was specified"),
    ({"equation": "ab,bz->ab", "output_shape": 3}, (2, 3), "Weight dimension 'z'"),
    ({"equation": "abc,cd->abd", "output_shape": (5, 4)}, (2, 3, 6), "shared dimension 'b'"),
    ({"equation": "abc,cd->abd", "output_shape": 4}, (2, 3, 6), "must have 2 axes"),
    ({"equation": "abc,cd->abd", "output_shape": (None, 4), "bias_axes": "b"}, (2, None, 6),
     "unknown size"),
    ({"equation": "abc,cd->abd", "output_shape": (None, 4)}, (2, 6), "rank 2"),
])
def test_build_errors(kwargs, shape, error):
    with pytest.raises(ValueError, match=error):
        layers.EinsumDense(**kwargs).build(shape)
