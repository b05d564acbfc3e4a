"""`losses.get`, `serialize` and `deserialize`: Keras's names, aliases and dict formats."""

import json

import keras
import numpy as np
import pytest
import torch

import hocsau
from hocsau import losses


@pytest.mark.parametrize("name,expected", [
    ("mse", losses.mean_squared_error), ("MSE", losses.mean_squared_error),
    ("mae", losses.mean_absolute_error), ("mape", losses.mean_absolute_percentage_error),
    ("msle", losses.mean_squared_logarithmic_error), ("kld", losses.kl_divergence),
    ("bce", losses.binary_crossentropy), ("logcosh", losses.log_cosh),
    ("binary_crossentropy", losses.binary_crossentropy),
    ("sparse_categorical_crossentropy", losses.sparse_categorical_crossentropy),
    ("categorical_hinge", losses.categorical_hinge), ("ctc", losses.ctc),
])
def test_get_function_names_and_aliases(name, expected):
    assert losses.get(name) is expected


@pytest.mark.parametrize("name", ["MeanSquaredError", "Huber", "SparseCategoricalCrossentropy",
                                  "CosineSimilarity", "Dice", "Circle", "CTC"])
def test_get_class_name_gives_default_instance(name):
    loss = losses.get(name)
    assert type(loss) is getattr(losses, name)
    assert loss.get_config() | {"name": None} == getattr(losses, name)().get_config() | {
        "name": None}


def test_get_instances_callables_classes_dicts_and_none():
    loss = losses.BinaryCrossentropy(from_logits=True)
    assert losses.get(loss) is loss
    assert losses.get(len) is len
    assert isinstance(losses.get(losses.Hinge), losses.Hinge)
    assert losses.get(None) is None
    from_dict = losses.get({"class_name": "CategoricalCrossentropy",
                            "config": {"from_logits": True}})
    assert isinstance(from_dict, losses.CategoricalCrossentropy) and from_dict.from_logits


def test_every_keras_loss_name_is_known():
    public = {n for n in dir(keras.losses) if not n.startswith("_")}
    public -= {"deserialize", "get", "serialize"}
    assert public <= set(losses.ALL_OBJECTS_DICT)
    assert all(hasattr(losses, n) for n in public)


def test_unknown_name_error_lists_close_names():
    with pytest.raises(ValueError, match=r"Could not interpret loss identifier: 'mean_sqared_error'"
                                         r"\. Did you mean one of: mean_squared_error"):
        losses.get("mean_sqared_error")
    with pytest.raises(ValueError, match="Could not interpret loss identifier: 3"):
        losses.get(3)


def test_function_serializes_as_keras_loss_function():
    assert losses.serialize(losses.mean_squared_error) == keras.losses.serialize(
        keras.losses.mean_squared_error)
    assert keras.losses.deserialize(losses.serialize(losses.huber)) is keras.losses.huber
    assert keras.saving.deserialize_keras_object(
        losses.serialize(losses.mean_squared_error)) is keras.losses.mean_squared_error
    assert losses.deserialize(losses.serialize(losses.huber)) is losses.huber


def test_deserialize_keras_written_function_and_name():
    # Keras 3.15 writes the module of a loss function as "builtins".
    written = json.loads(json.dumps(keras.losses.serialize(keras.losses.categorical_crossentropy)))
    assert losses.deserialize(written) is losses.categorical_crossentropy
    assert losses.deserialize("kld") is losses.kl_divergence


def test_deserialize_keras_written_class():
    written = keras.losses.serialize(keras.losses.BinaryFocalCrossentropy(gamma=3.0, name="f"))
    loss = losses.deserialize(json.loads(json.dumps(written)))
    assert isinstance(loss, losses.BinaryFocalCrossentropy)
    assert (loss.gamma, loss.name) == (3.0, "f")
    assert float(loss(torch.tensor([[1.0]]), torch.tensor([[0.5]]))) == pytest.approx(
        0.5**3 * -torch.log(torch.tensor(0.5)).item(), rel=1e-6)


def test_short_names_are_attributes_as_in_tf_keras_tutorials():
    y_true, y_pred = np.array([[1.0, 2.0]]), np.array([[0.0, 4.0]])
    assert float(hocsau.losses.mae(y_true, y_pred)[0]) == pytest.approx(1.5)
    assert float(hocsau.losses.MSE(y_true, y_pred)[0]) == pytest.approx(2.5)
    assert hocsau.losses.kld is hocsau.losses.kl_divergence
    assert float(hocsau.metrics.mae(y_true, y_pred)[0]) == pytest.approx(1.5)
    assert hocsau.metrics.msle is hocsau.metrics.mean_squared_logarithmic_error
