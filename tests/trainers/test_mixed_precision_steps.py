"""Training under "mixed_float16" (dynamic loss scaling) and "mixed_bfloat16", on CPU and CUDA."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers, optimizers


@pytest.fixture
def policy():
    """Sets the global dtype policy for the test; back to following floatx afterwards."""
    yield hocsau.mixed_precision.set_global_policy
    hocsau.mixed_precision.set_global_policy(None)


def _mlp(optimizer="adam"):
    model = hocsau.Sequential([layers.Input((6,)), layers.Dense(8, activation="relu"),
                               layers.Dense(3, activation="softmax", dtype="float32")])
    model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _lstm():
    model = hocsau.Sequential([layers.Input((7,)), layers.Embedding(20, 4, mask_zero=True),
                               layers.LSTM(5), layers.Dense(1, activation="sigmoid",
                                                            dtype="float32")])
    model.compile("adam", "binary_crossentropy")
    return model


def test_overflowing_steps_are_skipped_and_halve_the_scale(policy):
    policy("mixed_float16")
    optimizer = optimizers.LossScaleOptimizer(optimizers.SGD(0.1), initial_scale=2.0**100)
    model = _mlp(optimizer)
    x, y = np.random.rand(4, 6).astype("float32"), np.array([0, 1, 2, 1])
    model.train_on_batch(x, y)  # builds; float16 gradients overflow at this scale
    before = model.get_weights()
    model.train_on_batch(x, y)
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)
    assert float(optimizer.dynamic_scale) == 2.0**98 and int(optimizer.iterations) == 0
    optimizer.dynamic_scale.fill_(2.0**10)
    model.train_on_batch(x, y)
    assert int(optimizer.iterations) == 1
    assert not np.array_equal(model.get_weights()[0], before[0])
    assert model.layers[0].kernel.dtype == torch.float32


def test_mixed_bfloat16_trains_without_loss_scaling(policy):
    policy("mixed_bfloat16")
    model = _mlp()
    assert isinstance(model.optimizer, optimizers.Adam)  # as Keras: float16 only is scaled
    x, y = np.random.rand(32, 6).astype("float32"), np.random.randint(0, 3, 32)
    losses = model.fit(x, y, epochs=3, verbose=0).history["loss"]
    assert losses[-1] < losses[0] and model.layers[0].kernel.dtype == torch.float32
    assert model.layers[0](torch.as_tensor(x)).dtype == torch.bfloat16


@pytest.mark.cuda
@pytest.mark.parametrize("name", ["mixed_float16", "mixed_bfloat16"])
@pytest.mark.parametrize("build", [_mlp, _lstm])
def test_cuda_mixed_precision_follows_float32(name, build, policy, cuda_device):
    x = np.random.rand(64, 6).astype("float32") if build is _mlp else \
        np.random.randint(0, 20, (64, 7))
    y = np.random.randint(0, 3, 64) if build is _mlp else \
        np.random.randint(0, 2, (64, 1)).astype("float32")
    reference = build()
    weights = reference.get_weights()
    expected = reference.fit(x, y, batch_size=16, epochs=2, shuffle=False,
                             verbose=0).history["loss"]
    policy(name)
    model = build()
    model.set_weights(weights)
    losses = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(losses, expected, rtol=3e-2)
    assert model.weights[0].device.type == "cuda" and model.weights[0].dtype == torch.float32
    assert isinstance(model.optimizer, optimizers.LossScaleOptimizer) == (name == "mixed_float16")
