"""Serialization pieces the file formats rely on: tensors, safe mode in nested configs,
functions by module."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.saving import deserialize_keras_object, serialize_keras_object


def test_tensor_round_trip():
    config = serialize_keras_object(torch.tensor([[1.5, 2.0]]))
    assert config == {"class_name": "__tensor__",
                      "config": {"value": [[1.5, 2.0]], "dtype": "float32"}}
    value = deserialize_keras_object(config)
    assert value.dtype == torch.float32 and value.tolist() == [[1.5, 2.0]]


def test_safe_mode_reaches_nested_lambda():
    model = hocsau.Sequential([hocsau.Input((2,)), layers.Lambda(lambda t: t + 1)])
    config = serialize_keras_object(model)
    with pytest.raises(ValueError, match="safe_mode=False"):
        deserialize_keras_object(config)
    rebuilt = deserialize_keras_object(config, safe_mode=False)
    np.testing.assert_array_equal(np.asarray(rebuilt(np.zeros((1, 2), "float32"))), [[1, 1]])
    with pytest.raises(ValueError, match="safe_mode=False"):
        deserialize_keras_object(config)  # the scope ends with the call


def test_keras_function_names_resolve_to_ours():
    relu = deserialize_keras_object({"module": "keras.activations", "class_name": "function",
                                     "config": "relu", "registered_name": "function"})
    assert relu is hocsau.activations.relu


def test_registered_function_written_as_keras_writes_it_and_read_by_keras():
    @hocsau.saving.register_keras_serializable(package="serialization_test")
    def halved_error(y_true, y_pred):
        return (y_pred - y_true) / 2.0

    config = serialize_keras_object(halved_error)
    assert config == {"module": "builtins", "class_name": "function",
                      "config": "serialization_test>halved_error", "registered_name": "function"}
    assert deserialize_keras_object(config) is halved_error
    keras = pytest.importorskip("keras")
    keras.saving.register_keras_serializable(package="serialization_test")(halved_error)
    assert keras.saving.deserialize_keras_object(config) is halved_error


def test_unknown_plain_string_comes_back_as_it_is():
    # Keras returns a string no registry knows (an optimizer name in a custom compile config).
    assert deserialize_keras_object("SGD") == "SGD"
    assert deserialize_keras_object(["accuracy", "mse"]) == ["accuracy", "mse"]
    with pytest.raises(ValueError, match="nonexistent"):
        hocsau.optimizers.get("nonexistent")


def test_custom_compile_config_objects_are_serialized_and_reach_compile_from_config():
    def weighted_loss(y_true, y_pred):
        return hocsau.ops.mean(hocsau.ops.square(y_true - y_pred), axis=-1) * 3.0

    class Custom(hocsau.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = layers.Dense(1)

        def call(self, inputs):
            return self.dense(inputs)

        def compile(self, optimizer, loss_fn):
            super().compile(optimizer=optimizer, loss=loss_fn)
            self.loss_fn = loss_fn

        def get_compile_config(self):
            return {"optimizer": self.optimizer, "loss_fn": self.loss_fn}

        def compile_from_config(self, config):
            self.compile(deserialize_keras_object(config["optimizer"]),
                         deserialize_keras_object(config["loss_fn"],
                                                  custom_objects={"weighted_loss": weighted_loss}))

    model = Custom()
    model.compile(hocsau.optimizers.SGD(0.5), weighted_loss)
    model(np.ones((2, 3), "float32"))
    config = serialize_keras_object(model)
    assert config["compile_config"]["optimizer"]["class_name"] == "SGD"
    assert config["compile_config"]["loss_fn"]["config"] == "weighted_loss"
    restored = deserialize_keras_object(config, custom_objects={"Custom": Custom})
    assert restored.loss_fn is weighted_loss
    assert restored.optimizer.learning_rate.numpy() == pytest.approx(0.5)
