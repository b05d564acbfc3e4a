"""optimizers.legacy: tf.keras 2 names with `lr` and time-based `decay`, saved as Keras reads."""

import keras
import numpy as np
import pytest
import torch

import hocsau
from hocsau.optimizers import legacy


def _steps(optimizer, steps=3):
    weight = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    for _ in range(steps):
        optimizer.apply([torch.tensor([0.5, -1.0])], [weight])
    return weight.detach().numpy()


def test_decay_is_keras2_time_based_decay():
    # SGD: w -= lr / (1 + decay * t) * g for t = 0, 1, 2.
    expected = np.array([1.0, -2.0]) - sum(0.1 / (1 + 0.5 * t) for t in range(3)) * np.array(
        [0.5, -1.0])
    np.testing.assert_allclose(_steps(legacy.SGD(lr=0.1, decay=0.5)), expected, rtol=1e-6)
    np.testing.assert_allclose(_steps(legacy.SGD(0.1, decay=0.5)), expected, rtol=1e-6)


def test_lr_is_learning_rate_and_defaults_match_current_optimizers():
    np.testing.assert_allclose(_steps(legacy.Adam(lr=0.01)),
                               _steps(hocsau.optimizers.Adam(learning_rate=0.01)))
    np.testing.assert_allclose(_steps(legacy.RMSprop()), _steps(hocsau.optimizers.RMSprop()))
    with pytest.raises(ValueError, match="not both"):
        legacy.Adam(learning_rate=0.1, lr=0.2)


def test_saved_config_is_the_current_class_for_keras():
    config = hocsau.optimizers.serialize(legacy.Adam(lr=0.01, decay=0.1))
    assert (config["module"], config["class_name"]) == ("keras.optimizers", "Adam")
    theirs = keras.optimizers.deserialize(config)
    assert isinstance(theirs, keras.optimizers.Adam)
    assert isinstance(theirs.learning_rate if not callable(theirs._learning_rate) else
                      theirs._learning_rate, keras.optimizers.schedules.InverseTimeDecay)
    assert type(hocsau.optimizers.deserialize(config)) is hocsau.optimizers.Adam


def test_compiles_and_trains_like_the_tutorial():
    model = hocsau.Sequential([hocsau.Input((3,)), hocsau.layers.Dense(1)])
    model.compile(optimizer=hocsau.optimizers.legacy.Adam(lr=0.05, decay=1e-3), loss="mse")
    x = np.random.default_rng(0).random((64, 3)).astype("float32")
    history = model.fit(x, x.sum(1, keepdims=True), epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
