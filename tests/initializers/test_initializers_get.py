"""initializers.get / serialize / deserialize: names, aliases, dicts, callables, arrays."""

import keras
import numpy as np
import pytest
import torch

from hocsau import initializers
from hocsau.saving.serialization import register_keras_serializable


def test_every_keras_name_resolves_to_the_same_class():
    from keras.src.initializers import ALL_OBJECTS_DICT

    names = set(ALL_OBJECTS_DICT) - {"Initializer", "initializer"}  # the abstract base
    assert names == set(initializers.ALL_OBJECTS_DICT)
    for name in names:
        ours = initializers.get(name)
        assert type(ours).__name__ == ALL_OBJECTS_DICT[name].__name__, name


def test_string_aliases_carry_keras_defaults():
    uniform = initializers.get("uniform")
    assert isinstance(uniform, initializers.RandomUniform)
    assert (uniform.minval, uniform.maxval) == (-0.05, 0.05)
    assert initializers.get("normal").stddev == 0.05
    assert isinstance(initializers.get("zero"), initializers.Zeros)
    assert isinstance(initializers.get("one"), initializers.Ones)


def test_lowercase_module_aliases():
    assert initializers.glorot_uniform is initializers.GlorotUniform
    assert initializers.he_normal is initializers.HeNormal
    assert initializers.OrthogonalInitializer is initializers.Orthogonal


def test_get_none_classes_instances_and_callables():
    assert initializers.get(None) is None
    assert isinstance(initializers.get(initializers.HeUniform), initializers.HeUniform)
    instance = initializers.Ones()
    assert initializers.get(instance) is instance

    def halves(shape, dtype=None):
        return torch.full(shape, 0.5)

    assert initializers.get(halves) is halves


def test_get_reads_keras_dicts():
    config = keras.initializers.serialize(keras.initializers.RandomUniform(0.0, 2.0, seed=4))
    init = initializers.get(config)
    assert isinstance(init, initializers.RandomUniform)
    assert init.get_config() == {"seed": 4, "minval": 0.0, "maxval": 2.0}
    legacy = initializers.get({"class_name": "he_normal", "config": {"seed": 1}})
    assert isinstance(legacy, initializers.HeNormal)


def test_get_wraps_arrays_and_checks_their_shape():
    init = initializers.get(np.arange(6).reshape(2, 3))
    values = init((2, 3), dtype="float32")
    assert values.dtype == torch.float32
    assert values.tolist() == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match=r"Expected `shape` to be \(2, 3\).*shape=\(3, 2\)"):
        init((3, 2))


def test_custom_registered_initializer_round_trips():
    @register_keras_serializable(package="TestInits")
    class Twos(initializers.Initializer):
        def __call__(self, shape, dtype=None):
            return torch.full(tuple(shape), 2.0)

    config = initializers.serialize(Twos())
    assert config["registered_name"] == "TestInits>Twos"
    assert initializers.deserialize(config)((2,)).tolist() == [2.0, 2.0]


def test_clone_copies_the_config():
    original = initializers.TruncatedNormal(mean=1.0, stddev=0.1, seed=2)
    clone = original.clone()
    assert clone is not original
    assert clone.get_config() == original.get_config()


def test_abstract_base_cannot_be_instantiated():
    with pytest.raises(TypeError, match="abstract"):
        initializers.Initializer()


def test_unknown_name_lists_nearest_valid_names():
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: "
                                         "'glorot_unifrom'. Did you mean one of: glorot_uniform"):
        initializers.get("glorot_unifrom")


def test_non_callable_identifier_is_rejected():
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: 1.5"):
        initializers.get(1.5)
