"""SpectralNormalization against Keras 3: inference, training steps that update `vector_u` and
the kernel, weights order, param counts, config and errors."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing import run_layer_test

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(0)


def _pair(inner, x, power_iterations=1):
    theirs = keras.layers.SpectralNormalization(inner(keras), power_iterations=power_iterations)
    theirs(x)
    weights = [w + 0.2 * np.cos(np.arange(w.size)).reshape(w.shape).astype("float32")
               for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours = layers.SpectralNormalization(inner(hocsau), power_iterations=power_iterations)
    ours(torch.from_numpy(x))
    assert [(w.name, tuple(w.shape), w.trainable) for w in ours.weights] == \
        [(w.name, w.shape, w.trainable) for w in theirs.weights]
    ours.set_weights(weights)
    return ours, theirs


CASES = [
    (lambda lib: lib.layers.Dense(5), (3, 4)),
    (lambda lib: lib.layers.Conv2D(3, 2), (2, 5, 5, 2)),
    (lambda lib: lib.layers.Embedding(7, 3), None),
]


@pytest.mark.parametrize("inner, shape", CASES)
@pytest.mark.parametrize("power_iterations", [1, 3])
def test_training_steps_match_keras(inner, shape, power_iterations):
    x = RNG.integers(0, 7, (2, 4)) if shape is None else RNG.normal(size=shape).astype("float32")
    ours, theirs = _pair(inner, x, power_iterations)
    tx = torch.from_numpy(x)
    np.testing.assert_allclose(ours(tx).detach().numpy(), keras.ops.convert_to_numpy(theirs(x)),
                               rtol=1e-5, atol=1e-6)  # inference leaves everything as it is
    before = ours.get_weights()
    for _ in range(3):
        expected = keras.ops.convert_to_numpy(theirs(x, training=True))
        np.testing.assert_allclose(ours(tx, training=True).detach().numpy(), expected,
                                   rtol=1e-5, atol=1e-6)
        for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights(), strict=True):
            np.testing.assert_allclose(mine, keras_weight, rtol=1e-5, atol=1e-6)
    assert not np.allclose(before[1], ours.get_weights()[1])  # u moved
    # The power method underestimates sigma, so the divided kernel's norm is at least 1.
    kernel = ours.kernel.detach().numpy().reshape(-1, ours.kernel.shape[-1])
    assert np.linalg.svd(kernel, compute_uv=False)[0] >= 0.999


def test_zero_kernel_is_left_alone():
    layer = layers.SpectralNormalization(layers.Dense(2, kernel_initializer="zeros"))
    layer(torch.ones(1, 3))
    u = layer.vector_u.detach().clone()
    layer(torch.ones(1, 3), training=True)
    assert torch.equal(layer.vector_u, u) and not layer.kernel.any()


def test_mixed_precision_updates_the_float32_weights():
    x = torch.from_numpy(RNG.normal(size=(3, 4)).astype("float32"))
    full = layers.SpectralNormalization(layers.Dense(3))
    mixed = layers.SpectralNormalization(layers.Dense(3, dtype="mixed_float16"),
                                         dtype="mixed_float16")
    full(x)
    mixed(x)
    mixed.set_weights(full.get_weights())
    for _ in range(2):
        assert mixed(x, training=True).dtype == torch.float16
        full(x, training=True)
    assert mixed.kernel.dtype == mixed.vector_u.dtype == torch.float32
    for half, single in zip(mixed.get_weights(), full.get_weights(), strict=True):
        np.testing.assert_allclose(half, single, rtol=1e-5, atol=1e-6)


def test_fit_counts_and_config():
    def model(lib):
        return lib.Sequential([lib.Input((4,)),
                               lib.layers.SpectralNormalization(lib.layers.Dense(3)),
                               lib.layers.Dense(1)])

    ours, theirs = model(hocsau), model(keras)
    assert ours.count_params() == theirs.count_params() == 4 * 3 + 3 + 3 + 4
    assert len(ours.trainable_weights) == len(theirs.trainable_weights) == 4
    lines = []
    ours.summary(print_fn=lambda text, *a, **k: lines.append(text))
    assert "Non-trainable params: 3" in "".join(lines)
    ours.compile("sgd", "mse")
    u = ours.layers[0].vector_u.detach().clone()
    ours.fit(RNG.normal(size=(8, 4)), RNG.normal(size=(8, 1)), epochs=1, verbose=0)
    assert not torch.equal(u, ours.layers[0].vector_u)
    config = ours.layers[0].get_config()
    assert set(config) == set(theirs.layers[0].get_config())
    assert config["layer"]["build_config"] == {"input_shape": [None, 4]}
    run_layer_test(layers.SpectralNormalization, {"layer": layers.Dense(2),
                                                  "power_iterations": 2},
                   input_shape=(3, 4), expected_output_shape=(3, 2),
                   expected_num_trainable_weights=2, expected_num_non_trainable_weights=1)


def test_errors():
    with pytest.raises(ValueError, match="power_iterations=0"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="no attribute 'kernel' nor 'embeddings'"):
        layers.SpectralNormalization(layers.LayerNormalization())(torch.ones(2, 3))
    with pytest.raises(ValueError, match="isn't a supported layer type"):
        layers.SpectralNormalization("dense")
