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
