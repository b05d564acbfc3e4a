"""`hocsau.dtype_policies` (DTypePolicyMap, FloatDTypePolicy, serialize / deserialize)
against `keras.dtype_policies`."""

import keras
import pytest

import hocsau
from hocsau import dtype_policies


def _filled(lib):
    policies = lib.dtype_policies
    policy_map = policies.DTypePolicyMap(default_policy="float32")
    policy_map["encoder/layer_0/dense"] = policies.DTypePolicy("bfloat16")
    policy_map["encoder/.*"] = "float16"
    policy_map["decoder"] = policies.DTypePolicy("mixed_float16")
    return policy_map


def test_lookups_match_keras():
    ours, theirs = _filled(hocsau), _filled(keras)
    for path in ("encoder/layer_0/dense", "encoder/attention/query", "decoder",
                 "decoder/attention", "other"):
        assert ours[path].name == theirs[path].name
    assert (ours.name, ours.compute_dtype, ours.variable_dtype, len(ours), list(ours)) == \
        (theirs.name, theirs.compute_dtype, theirs.variable_dtype, len(theirs), list(theirs))
    assert ("decoder" in ours) and ("decoder/attention" not in ours)
    for lib, policy_map in ((hocsau, ours), (keras, theirs)):
        policy_map["encoder/attention/.*"] = lib.dtype_policies.DTypePolicy("bfloat16")
        with pytest.raises(ValueError, match="matches multiple dtype policy"):
            policy_map["encoder/attention/query"]
        with pytest.raises(ValueError, match="already exist in the DTypePolicyMap"):
            policy_map["decoder"] = "float32"
    del ours["decoder"]
    assert ours["decoder"].name == "float32"


def test_configs_cross_with_keras():
    ours, theirs = _filled(hocsau), _filled(keras)
    assert dtype_policies.serialize(ours) == keras.dtype_policies.serialize(theirs)
    rebuilt = keras.dtype_policies.deserialize(dtype_policies.serialize(ours))
    assert rebuilt["encoder/x"].name == "float16"
    back = dtype_policies.deserialize(keras.dtype_policies.serialize(theirs))
    assert isinstance(back, dtype_policies.DTypePolicyMap) and back["decoder"].name == \
        "mixed_float16"
    policy = dtype_policies.DTypePolicy("mixed_bfloat16")
    assert dtype_policies.serialize(policy) == keras.dtype_policies.serialize(
        keras.dtype_policies.DTypePolicy("mixed_bfloat16"))
    assert dtype_policies.get(keras.dtype_policies.serialize(
        keras.dtype_policies.FloatDTypePolicy("float16"))).name == "float16"


def test_default_map_follows_the_global_policy_as_keras():
    ours, theirs = dtype_policies.DTypePolicyMap(), keras.dtype_policies.DTypePolicyMap()
    assert ours.default_policy.name == theirs.default_policy.name == "float32"
    ours["a"], theirs["a"] = "float16", "float16"
    assert dtype_policies.serialize(ours) == keras.dtype_policies.serialize(theirs)
    with pytest.raises(ValueError, match="cannot be a `DTypePolicyMap`"):
        dtype_policies.DTypePolicyMap(default_policy=ours)
    with pytest.raises(TypeError, match="must be a dict"):
        dtype_policies.DTypePolicyMap(policy_map=[("a", "float32")])


def test_float_policy_compares_and_prints_as_keras():
    for lib in (hocsau, keras):
        float_policy = lib.FloatDTypePolicy("float16")
        assert float_policy == lib.DTypePolicy("float16")
        assert repr(float_policy) == '<DTypePolicy "float16">'
        assert float_policy != lib.DTypePolicy("float32")
    assert hocsau.dtype_policies.FloatDTypePolicy is hocsau.FloatDTypePolicy
    layer = hocsau.layers.Dense(2, dtype=hocsau.FloatDTypePolicy("float64"))
    assert layer.compute_dtype == "float64"


def test_layers_accept_a_policy_map_default():
    layer = hocsau.layers.Dense(2, dtype=_filled(hocsau))
    out = layer(hocsau.ops.ones((1, 3)))
    assert layer.compute_dtype == "float32" and out.dtype == hocsau.ops.ones(1).dtype


def test_layers_with_a_policy_map_cross_keras_files_both_ways(tmp_path):
    for writer, reader in ((hocsau, keras), (keras, hocsau)):
        inputs = writer.Input((3,))
        outputs = writer.layers.Dense(2, dtype=_filled(writer), name="mapped")(inputs)
        writer.Model(inputs, outputs).save(tmp_path / "m.keras")
        loaded = reader.saving.load_model(tmp_path / "m.keras")
        policy = loaded.get_layer("mapped").dtype_policy
        assert type(policy).__name__ == "DTypePolicyMap"
        assert policy["encoder/x"].name == "float16" and policy.default_policy.name == "float32"
