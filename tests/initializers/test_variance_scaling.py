"""VarianceScaling and the Glorot/He/LeCun presets: fans, statistics, Keras parity."""

import math

import keras
import numpy as np
import pytest

from hocsau import initializers
from hocsau.initializers import compute_fans


@pytest.mark.parametrize("shape, fans", [
    ((), (1, 1)), ((7,), (7, 7)), ((20, 30), (20, 30)), ((3, 16, 8), (48, 24)),
    ((3, 3, 4, 5), (36, 45)), ((2, 3, 3, 4, 5), (72, 90)),
])
def test_fans(shape, fans):
    assert compute_fans(shape) == fans


def test_fans_from_explicit_axes():
    assert compute_fans((4, 5, 6), input_axes=[0, 1], output_axes=[2]) == (20, 6)


PRESETS = {  # name -> (variance for fans (fan_in, fan_out), uniform?)
    "GlorotUniform": (lambda i, o: 2 / (i + o), True),
    "GlorotNormal": (lambda i, o: 2 / (i + o), False),
    "HeUniform": (lambda i, o: 2 / i, True),
    "HeNormal": (lambda i, o: 2 / i, False),
    "LecunUniform": (lambda i, o: 1 / i, True),
    "LecunNormal": (lambda i, o: 1 / i, False),
}


@pytest.mark.parametrize("shape", [(400, 600), (3, 3, 64, 128)])
@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_statistics(name, shape):
    variance_of, uniform = PRESETS[name]
    values = getattr(initializers, name)()(shape).numpy()
    assert values.shape == shape
    std = math.sqrt(variance_of(*compute_fans(shape)))
    assert abs(values.mean()) < 0.01 * std
    assert abs(values.std() - std) < 0.01 * std
    bound = math.sqrt(3) * std if uniform else 2 * std / 0.87962566103423978
    assert np.abs(values).max() <= bound


@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
def test_variance_scaling_matches_keras(mode, distribution):
    config = {"scale": 0.7, "mode": mode, "distribution": distribution, "seed": 9}
    ours = initializers.VarianceScaling(**config)((3, 3, 4, 6)).numpy()
    theirs = keras.initializers.VarianceScaling(**config)((3, 3, 4, 6))
    np.testing.assert_array_equal(ours, keras.ops.convert_to_numpy(theirs))


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_seeded_presets_match_keras(name):
    ours = getattr(initializers, name)(seed=3)((20, 30)).numpy()
    theirs = getattr(keras.initializers, name)(seed=3)((20, 30))
    np.testing.assert_array_equal(ours, keras.ops.convert_to_numpy(theirs))


def test_untruncated_normal_statistics():
    values = initializers.VarianceScaling(2.0, "fan_out", "untruncated_normal")((300, 200))
    assert abs(values.std().item() - math.sqrt(2.0 / 200)) < 0.001


def test_normal_is_an_alias_of_truncated_normal():
    assert initializers.VarianceScaling(distribution="Normal").distribution == "truncated_normal"


@pytest.mark.parametrize("kwargs, message", [
    ({"scale": 0.0}, "`scale` must be positive float. Received: scale=0.0"),
    ({"mode": "fan"}, "Invalid `mode` argument.*Received: mode='fan'"),
    ({"distribution": "cauchy"}, "Invalid `distribution`.*Received: distribution='cauchy'"),
])
def test_invalid_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        initializers.VarianceScaling(**kwargs)


@pytest.mark.parametrize("name", sorted(PRESETS) + ["VarianceScaling"])
def test_configs_match_keras_and_round_trip(name):
    ours = getattr(initializers, name)(seed=11)
    theirs = getattr(keras.initializers, name)(seed=11)
    assert ours.get_config() == theirs.get_config()
    assert initializers.serialize(ours) == keras.initializers.serialize(theirs)
    restored = initializers.deserialize(keras.initializers.serialize(theirs))
    assert type(restored) is type(ours)
    assert restored.get_config() == ours.get_config()
