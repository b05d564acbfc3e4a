"""Zeros, Ones, Constant and Identity: values, dtypes and configs."""

import keras
import numpy as np
import pytest
import torch

from hocsau import config, initializers


@pytest.mark.parametrize("cls, fill", [(initializers.Zeros, 0), (initializers.Ones, 1)])
def test_fill_values_and_dtypes(cls, fill):
    values = cls()((2, 3))
    assert values.shape == (2, 3)
    assert values.dtype == torch.float32
    assert values.device.type == "cpu"
    np.testing.assert_array_equal(values.numpy(), np.full((2, 3), fill))
    assert cls()((4,), dtype="int32").dtype == torch.int32
    assert cls()((2,), dtype="float64").dtype == torch.float64


def test_default_dtype_follows_floatx():
    config.set_floatx("float64")
    try:
        assert initializers.Zeros()((2,)).dtype == torch.float64
    finally:
        config.set_floatx("float32")


def test_constant():
    values = initializers.Constant(2.5)((3, 2))
    np.testing.assert_array_equal(values.numpy(), np.full((3, 2), 2.5, dtype="float32"))
    assert initializers.Constant(3)((2,), dtype="int64").tolist() == [3, 3]
    assert initializers.Constant().get_config() == {"value": 0.0}


def test_constant_config_round_trip_matches_keras():
    ours = initializers.serialize(initializers.Constant(4.0))
    assert ours == keras.initializers.serialize(keras.initializers.Constant(4.0))
    assert initializers.deserialize(ours)((1,)).item() == 4.0


def test_constant_from_an_empty_config_uses_the_default():
    # Keras 3.15.1 raises KeyError here (so `keras.initializers.get("constant")` fails).
    assert initializers.get({"class_name": "Constant", "config": {}})((2,)).tolist() == [0, 0]


def test_identity():
    values = initializers.Identity(gain=2.0)((2, 3))
    np.testing.assert_array_equal(values.numpy(), [[2, 0, 0], [0, 2, 0]])
    restored = initializers.Identity.from_config(initializers.Identity(3.0).get_config())
    assert restored((2, 2))[1, 1].item() == 3.0


def test_identity_rejects_other_ranks():
    with pytest.raises(ValueError, match=r"only be used for 2D matrices. Received: "
                                         r"shape=\(2, 2, 2\) of rank 3"):
        initializers.Identity()((2, 2, 2))


def test_keras_configs():
    for name in ("Zeros", "Ones", "Constant"):
        ours = getattr(initializers, name)().get_config()
        assert ours == getattr(keras.initializers, name)().get_config()
