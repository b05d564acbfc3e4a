"""Keras's B0 and V2B0 (with random weights) and ours, built once for all application tests."""

import pytest
from efficientnet_helpers import FAMILIES, SIZE, build_pair, copy_weights, randomize


@pytest.fixture(scope="session")
def pairs():
    """{name: (keras_model, our_model)}, classifiers over 10 classes, same weights."""
    built = {}
    for seed, name in enumerate(FAMILIES):
        theirs, ours = build_pair(name, weights=None, input_shape=(SIZE, SIZE, 3), classes=10)
        randomize(theirs, seed)
        copy_weights(theirs, ours)
        built[name] = (theirs, ours)
    return built


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh download cache."""
    monkeypatch.setenv("HOCSAU_HOME", str(tmp_path / "home"))
    return tmp_path / "home"
