"""`hocsau.legacy.saving` / `hocsau.utils.legacy`: tf.keras 2's serialization format, against
Keras 3's copy of it."""

import keras
import pytest

import hocsau
from hocsau.legacy import saving


def test_serialize_matches_keras_legacy_format():
    ours = saving.serialize_keras_object(hocsau.layers.Dense(3, activation="relu", name="d"))
    theirs = keras.legacy.saving.serialize_keras_object(
        keras.layers.Dense(3, activation="relu", name="d"))
    assert ours["class_name"] == theirs["class_name"] == "Dense"
    assert "module" not in ours
    for key in ("name", "units", "activation", "use_bias"):
        assert ours["config"][key] == theirs["config"][key]
    assert ours["config"]["kernel_initializer"]["class_name"] == \
        theirs["config"]["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert saving.serialize_keras_object(hocsau.activations.relu) == "relu"
    assert saving.serialize_keras_object(None) is None
    assert hocsau.utils.legacy.serialize_keras_object is saving.serialize_keras_object


def test_deserialize_reads_keras_legacy_configs():
    config = keras.legacy.saving.serialize_keras_object(keras.layers.Dense(3, name="d"))
    del config["config"]["quantization_config"]  # quantized layers: the export issue
    layer = saving.deserialize_keras_object(
        config, module_objects={"Dense": hocsau.layers.Dense,
                                "GlorotUniform": hocsau.initializers.GlorotUniform,
                                "Zeros": hocsau.initializers.Zeros})
    assert isinstance(layer, hocsau.layers.Dense) and layer.units == 3 and layer.name == "d"
    assert saving.deserialize_keras_object("Zeros", module_objects={
        "Zeros": hocsau.initializers.Zeros}).get_config() == {}


def test_custom_objects_and_errors_as_keras():
    class Scale(hocsau.layers.Layer):
        def __init__(self, factor=2, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    config = saving.serialize_keras_object(Scale(5, name="s"))
    assert config["class_name"] == "Scale"
    rebuilt = hocsau.utils.legacy.deserialize_keras_object(config,
                                                           custom_objects={"Scale": Scale})
    assert rebuilt.factor == 5
    with hocsau.utils.custom_object_scope({"Scale": Scale}):
        assert saving.deserialize_keras_object(config).name == "s"
    for lib_function in (saving.deserialize_keras_object,
                         keras.legacy.saving.deserialize_keras_object):
        with pytest.raises(ValueError, match="Unknown object: 'Nope'"):
            lib_function({"class_name": "Nope", "config": {}}, module_objects={})
        with pytest.raises(ValueError, match="Improper config format"):
            lib_function({"config": {}}, module_objects={})
