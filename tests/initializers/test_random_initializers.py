"""RandomNormal, RandomUniform and TruncatedNormal: statistics, seeding, Keras parity."""

import keras
import numpy as np
import pytest
import torch

from hocsau import initializers

BIG = (500, 400)


def _keras_values(name, shape, **config):
    return keras.ops.convert_to_numpy(getattr(keras.initializers, name)(**config)(shape))


def test_random_normal_statistics():
    values = initializers.RandomNormal(mean=1.0, stddev=0.5)(BIG).numpy()
    assert values.shape == BIG
    assert abs(values.mean() - 1.0) < 0.005
    assert abs(values.std() - 0.5) < 0.005


def test_random_uniform_statistics_and_bounds():
    values = initializers.RandomUniform(minval=-1.0, maxval=3.0)(BIG).numpy()
    assert values.min() >= -1.0
    assert values.max() < 3.0
    assert abs(values.mean() - 1.0) < 0.01
    assert abs(values.std() - 4 / np.sqrt(12)) < 0.01


def test_truncated_normal_statistics_and_bounds():
    values = initializers.TruncatedNormal(mean=0.5, stddev=2.0)(BIG).numpy()
    assert values.min() > 0.5 - 4.0
    assert values.max() < 0.5 + 4.0
    assert abs(values.mean() - 0.5) < 0.02
    # A unit normal cut at +-2 keeps a standard deviation of 0.8796.
    assert abs(values.std() - 2.0 * 0.87962566) < 0.01


def test_truncated_normal_redraws_entries_whose_four_candidates_all_miss():
    # With seed 0, two of these 300,000 entries draw four candidates outside (-2, 2): Keras
    # keeps those two out-of-bounds values, hocsau draws them again; the rest are equal.
    ours = initializers.TruncatedNormal(stddev=1.0, seed=0)((300_000,)).numpy()
    theirs = _keras_values("TruncatedNormal", (300_000,), stddev=1.0, seed=0)
    assert np.abs(ours).max() < 2.0
    assert (np.abs(theirs) >= 2.0).sum() == 2
    assert (ours != theirs).sum() == 2


@pytest.mark.parametrize("name", ["RandomNormal", "RandomUniform", "TruncatedNormal"])
def test_seeded_values_repeat_and_match_keras(name):
    init = getattr(initializers, name)(seed=42)
    first, second = init((6, 5)), init((6, 5))
    torch.testing.assert_close(first, second, rtol=0, atol=0)
    np.testing.assert_array_equal(first.numpy(), _keras_values(name, (6, 5), seed=42))
    different = getattr(initializers, name)(seed=43)((6, 5))
    assert not torch.equal(first, different)


def test_unseeded_values_follow_the_global_torch_generator():
    init = initializers.RandomNormal()
    torch.manual_seed(123)
    first = init((4, 4))
    second = init((4, 4))
    torch.manual_seed(123)
    again = init((4, 4))
    assert torch.equal(first, again)
    assert not torch.equal(first, second)


def test_scalar_shape_and_dtypes():
    assert initializers.RandomUniform(seed=1)(()).shape == ()
    assert initializers.RandomNormal(seed=1)((3,), dtype="float64").dtype == torch.float64
    assert initializers.RandomUniform(seed=1)((3,), dtype="bfloat16").dtype == torch.bfloat16


@pytest.mark.parametrize("name", ["RandomNormal", "RandomUniform", "TruncatedNormal"])
def test_configs_match_keras_and_round_trip(name):
    ours = getattr(initializers, name)(seed=5)
    assert ours.get_config() == getattr(keras.initializers, name)(seed=5).get_config()
    assert initializers.serialize(ours) == keras.initializers.serialize(
        getattr(keras.initializers, name)(seed=5))
    restored = initializers.deserialize(initializers.serialize(ours))
    assert type(restored) is type(ours)
    assert torch.equal(restored((3, 3)), ours((3, 3)))


def test_seed_must_be_an_integer():
    with pytest.raises(ValueError, match="`seed` argument should be an integer or None. "
                                         "Received: seed=1.5"):
        initializers.RandomNormal(seed=1.5)
