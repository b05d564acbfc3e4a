"""Lambda: calls, shapes, masks, and bytecode (de)serialization with safe mode."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import config, layers
from hocsau.saving import lambda_code
from hocsau.saving.serialization import deserialize_keras_object, serialize_keras_object


def test_lambda_matches_keras(keras_parity, rng):
    x = rng.normal(size=(3, 4)).astype("float32")
    _, _, out = keras_parity("Lambda", {"function": lambda t: t * 2 + 1}, x)
    np.testing.assert_allclose(out, x * 2 + 1, rtol=1e-6)


def test_arguments_training_and_mask_reach_the_function():
    seen = {}

    def fn(x, scale, mask=None, training=None):
        seen.update(mask=mask, training=training)
        return x * scale

    layer = layers.Lambda(fn, arguments={"scale": 3.0})
    x = torch.ones(2, 2)
    x._keras_mask = torch.tensor([True, False])
    out = layer(x, training=True)
    assert out.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    assert seen["training"] is True and seen["mask"].tolist() == [True, False]


def test_output_shapes():
    x = hocsau.Input((4, 6))
    assert layers.Lambda(lambda t: t[:, 0])(x).shape == (None, 6)
    assert layers.Lambda(lambda t: t, output_shape=(2, 12))(x).shape == (None, 2, 12)
    assert layers.Lambda(lambda t: t, output_shape=lambda s: (s[0], 99))(x).shape == (None, 99)
    assert layers.Lambda(lambda t: t).compute_output_shape((None, 4, 6)) == (None, 4, 6)


def test_inferred_output_keeps_the_true_dtype():
    out = layers.Lambda(lambda t: (t > 0).to(torch.int64))(hocsau.Input((3,)))
    assert out.dtype == "int64"


def test_uninferable_output_asks_for_output_shape():
    def broken(t):
        raise RuntimeError("boom")

    with pytest.raises(ValueError, match="(?s)specify the `output_shape` argument.*boom"):
        layers.Lambda(broken)(hocsau.Input((3,)))


def test_mask_argument():
    x = torch.ones(2, 3)
    fixed = torch.tensor([True, False])
    assert layers.Lambda(lambda t: t, mask=fixed)(x)._keras_mask is fixed
    computed = layers.Lambda(lambda t: t, mask=lambda t, m: t[:, 0] > 0)(x)
    assert computed._keras_mask.tolist() == [True, True]
    assert layers.Lambda(lambda t: t, mask=fixed).supports_masking
    assert not layers.Lambda(lambda t: t).supports_masking


def test_config_is_keras_lambda_bytecode():
    keras = pytest.importorskip("keras")
    fn = lambda t, k=2: t * k  # noqa: E731
    ours = layers.Lambda(fn, output_shape=(4,)).get_config()
    theirs = keras.layers.Lambda(fn, output_shape=(4,)).get_config()
    assert set(ours) == set(theirs)
    assert ours["function"] == theirs["function"]
    assert ours["function"]["config"]["defaults"] == (2,)


def test_safe_mode_refuses_lambdas_with_instructions():
    config_dict = layers.Lambda(lambda t: t + 1).get_config()
    with pytest.raises(ValueError, match=r"safe_mode=False.*enable_unsafe_deserialization"):
        layers.Lambda.from_config(config_dict)
    with pytest.raises(ValueError, match="arbitrary code execution"):
        deserialize_keras_object(serialize_keras_object(layers.Lambda(lambda t: t)))


def test_safe_mode_false_revives_the_function_with_closure():
    offset = 5.0
    layer = layers.Lambda(lambda t, scale=2.0: t * scale + offset, name="affine")
    revived = layers.Lambda.from_config(layer.get_config(), safe_mode=False)
    assert revived.name == "affine"
    assert revived(torch.ones(1, 2)).tolist() == [[7.0, 7.0]]


def test_scope_and_global_switch_allow_loading(monkeypatch):
    serialized = serialize_keras_object(layers.Lambda(lambda t: t - 1))
    with lambda_code.SafeModeScope(False):
        assert deserialize_keras_object(serialized)(torch.ones(1)).tolist() == [0.0]
    monkeypatch.setattr(config, "_UNSAFE_DESERIALIZATION", False)
    config.enable_unsafe_deserialization()
    assert layers.Lambda.from_config(serialized["config"])(torch.ones(1)).tolist() == [0.0]
    with lambda_code.SafeModeScope(True), pytest.raises(ValueError, match="Python lambda"):
        layers.Lambda.from_config(serialized["config"])


def test_loads_the_bytecode_keras_wrote():
    keras = pytest.importorskip("keras")
    keras_config = keras.layers.Lambda(lambda t: t * 3 - 1).get_config()
    revived = layers.Lambda.from_config(keras_config, safe_mode=False)
    assert revived(torch.tensor([[1.0, 2.0]])).tolist() == [[2.0, 5.0]]


def test_generic_lambda_values_use_keras_value_layout():
    with pytest.warns(UserWarning, match="includes a `lambda`"):
        serialized = lambda_code.serialize_lambda(lambda t: t + 10)
    assert serialized["class_name"] == "__lambda__" and len(serialized["config"]["value"]) == 3
    fn = lambda_code.deserialize_lambda(serialized["config"], safe_mode=False)
    assert fn(1) == 11


def test_named_functions_serialize_by_name():
    config_dict = layers.Lambda(torch.relu).get_config()
    assert config_dict["function"]["class_name"] == "function"
    assert config_dict["function"]["config"] == "relu"


def test_corrupt_bytecode_is_a_clear_error():
    with pytest.raises(ValueError, match="Could not load the bytecode"):
        lambda_code.func_load("bm90IGNvZGU=\n")
