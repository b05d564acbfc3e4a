"""Configs, serialization and `get` against Keras 3."""

import keras
import pytest

from hocsau import optimizers

CLASSES = ["SGD", "RMSprop", "Adagrad", "Adadelta", "Adam", "AdamW", "Adamax", "Nadam", "Lion",
           "Ftrl", "Lamb", "Adafactor", "Muon", "ScheduleFreeAdamW"]
BASE_KWARGS = {"learning_rate": 0.5, "clipnorm": 2.0, "use_ema": True, "ema_momentum": 0.9,
               "ema_overwrite_frequency": 3, "loss_scale_factor": 16.0,
               "gradient_accumulation_steps": 4}


def _without_name(config):
    return {k: v for k, v in config.items() if k != "name"}


@pytest.mark.parametrize("name", CLASSES)
def test_default_config_matches_keras(name):
    ours, theirs = getattr(optimizers, name)(), getattr(keras.optimizers, name)()
    assert _without_name(ours.get_config()) == _without_name(theirs.get_config())


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Ftrl"])
def test_config_with_base_arguments_matches_keras(name):
    ours = getattr(optimizers, name)(name="custom", **BASE_KWARGS)
    theirs = getattr(keras.optimizers, name)(name="custom", **BASE_KWARGS)
    assert ours.get_config() == theirs.get_config()
    restored = type(ours).from_config(ours.get_config())
    assert restored.get_config() == ours.get_config()


def test_get_config_with_own_arguments_matches_keras():
    kwargs = {"learning_rate": 0.25, "rho": 0.7, "momentum": 0.2, "epsilon": 1e-4,
              "centered": True, "weight_decay": 0.01}
    ours, theirs = optimizers.RMSprop(**kwargs), keras.optimizers.RMSprop(**kwargs)
    assert _without_name(ours.get_config()) == _without_name(theirs.get_config())


@pytest.mark.parametrize("name", CLASSES)
def test_keras_serialized_optimizers_deserialize(name):
    # Keras's torch backend writes its own module path; the class name is what counts.
    config = keras.optimizers.serialize(getattr(keras.optimizers, name)(learning_rate=0.125))
    restored = optimizers.deserialize(config)
    assert type(restored) is getattr(optimizers, name)
    assert restored.get_config() == config["config"]


def test_serialize_uses_keras_format():
    serialized = optimizers.serialize(optimizers.Adam(name="adam"))
    assert serialized["module"] == "keras.optimizers"
    assert serialized["class_name"] == "Adam"
    assert serialized["registered_name"] is None
    assert serialized["config"] == keras.optimizers.Adam(name="adam").get_config()


@pytest.mark.parametrize(("identifier", "expected"), [
    ("adam", "Adam"), ("Adam", "Adam"), ("RMSPROP", "RMSprop"), ("sgd", "SGD"),
    ("adamw", "AdamW"), ("adagrad", "Adagrad"), ("adadelta", "Adadelta"), ("nadam", "Nadam"),
    ("adamax", "Adamax"), ("ftrl", "Ftrl"), ("lion", "Lion"), ("lamb", "Lamb"),
    ("adafactor", "Adafactor"), ("muon", "Muon"), ("schedulefreeadamw", "ScheduleFreeAdamW"),
])
def test_get_by_name(identifier, expected):
    assert type(optimizers.get(identifier)).__name__ == expected
    if expected != "Lamb":  # Keras 3.15.1 leaves Lamb out of its name table
        assert type(keras.optimizers.get(identifier)).__name__ == expected


def test_get_instances_dicts_and_none():
    optimizer = optimizers.SGD()
    assert optimizers.get(optimizer) is optimizer
    assert optimizers.get(None) is None
    from_dict = optimizers.get({"class_name": "SGD", "config": {"learning_rate": 0.5,
                                                                "momentum": 0.5}})
    assert (from_dict.momentum, float(from_dict.learning_rate)) == (0.5, 0.5)
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get(42)


def test_unknown_name_lists_the_nearest():
    with pytest.raises(ValueError, match=r"optimizer identifier: 'adamm'.*Did you mean one of: "
                                         r"adam"):
        optimizers.get("adamm")
