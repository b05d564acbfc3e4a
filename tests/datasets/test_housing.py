"""boston_housing and california_housing: seeded shuffle and split, as Keras does them."""

import numpy as np
import pytest
from dataset_files import npz_bytes

from hocsau.datasets import boston_housing, california_housing


@pytest.fixture
def boston(publish):
    rng = np.random.RandomState(3)
    publish(boston_housing, "boston_housing.npz", npz_bytes(x=rng.rand(21, 13), y=rng.rand(21)))


@pytest.mark.parametrize("kwargs", [{}, {"test_split": 0.5, "seed": 7}, {"test_split": 0}])
def test_boston_matches_keras(boston, keras_load, same, kwargs):
    ours = boston_housing.load_data(**kwargs)
    same(ours, keras_load("boston_housing", **kwargs))
    (x_train, y_train), (x_test, _) = ours
    cut = int(21 * (1 - kwargs.get("test_split", 0.2)))
    assert x_train.shape == (cut, 13) and x_test.shape == (21 - cut, 13)
    assert x_train.dtype == y_train.dtype == np.float64


@pytest.mark.parametrize("kwargs", [{}, {"version": "small", "seed": 1, "test_split": 0.1}])
def test_california_matches_keras(publish, keras_load, same, kwargs):
    rng = np.random.RandomState(4)
    data = npz_bytes(x=rng.rand(650, 8).astype("float32"), y=rng.rand(650).astype("float32"))
    publish(california_housing, "california_housing.npz", data)
    ours = california_housing.load_data(**kwargs)
    same(ours, keras_load("california_housing", **kwargs))
    assert len(ours[0][0]) + len(ours[1][0]) == (600 if kwargs else 650)


def test_housing_argument_errors(publish):
    """Both are refused before anything is downloaded."""
    with pytest.raises(ValueError, match="Invalid `test_split` argument: 1"):
        boston_housing.load_data(test_split=1)
    with pytest.raises(ValueError, match="Received: version=medium"):
        california_housing.load_data(version="medium")
    assert publish.server.requests == []
