"""StringLookup, IntegerLookup, Hashing, HashedCrossing and Discretization.adapt against
Keras's own outputs, recorded with TensorFlow by reference/make_lookup_reference.py (Keras
runs these layers through TensorFlow, which the test environment does not have)."""

import json
import os

import numpy as np
import pytest

from hocsau import data, layers

with open(os.path.join(os.path.dirname(__file__), "reference", "lookup_reference.json"),
          encoding="utf-8") as _file:
    REFERENCE = json.load(_file)
CASES = REFERENCE["cases"]
LOOKUPS = [c for c in CASES if c["layer"] in ("StringLookup", "IntegerLookup")]
HASHINGS = [c for c in CASES if c["layer"] == "Hashing"]
CROSSINGS = [c for c in CASES if c["layer"] == "HashedCrossing"]
DISCRETIZATIONS = [c for c in CASES if c["layer"] == "Discretization"]


def _ids(cases):
    return [f"{i}-{c['layer']}-{c.get('adapt') or c.get('inputs') or c.get('shape')}"
            for i, c in enumerate(cases)]


def _numpy(output):
    return output if isinstance(output, np.ndarray) else output.detach().cpu().numpy()


def _assert_output(ours, expected):
    ours = _numpy(ours)
    wanted = np.array(expected["value"])
    assert ours.shape == wanted.shape
    if wanted.dtype.kind in "iuU":
        np.testing.assert_array_equal(ours, wanted)
    else:
        np.testing.assert_allclose(ours, wanted, rtol=1e-5, atol=1e-5)


def _adapted_lookup(case):
    layer = getattr(layers, case["layer"])(**case["config"])
    strings = case["layer"] == "StringLookup"
    values = np.array(REFERENCE["string_data" if strings else "int_data"])
    if case["adapt"] == "list":
        layer.adapt(values)
    elif case["adapt"] == "batches":
        layer.adapt(data.Dataset.from_tensor_slices(values).batch(REFERENCE["batch_size"]))
    return layer, strings


@pytest.mark.parametrize("case", LOOKUPS, ids=_ids(LOOKUPS))
def test_lookup_matches_keras(case):
    layer, strings = _adapted_lookup(case)
    assert layer.get_vocabulary() == case["vocabulary"]
    assert layer.vocabulary_size() == case["vocabulary_size"]
    if "idf_weights" in case:
        np.testing.assert_allclose(layer.idf_weights, case["idf_weights"], rtol=1e-6)
    probes = REFERENCE["index_probes" if case["config"].get("invert") else
                       "string_probes" if strings else "int_probes"]
    for name, expected in case["outputs"].items():
        if expected["value"] is None:
            with pytest.raises(ValueError, match="num_oov_indices=0"):
                layer(np.array(probes[name]))
        else:
            _assert_output(layer(np.array(probes[name])), expected)


@pytest.mark.parametrize("case", HASHINGS, ids=_ids(HASHINGS))
def test_hashing_matches_keras(case):
    layer = layers.Hashing(**case["config"])
    probes = {"ints": REFERENCE["int_probes"], "floats": REFERENCE["float_probes"]}.get(
        case["inputs"], dict(REFERENCE["string_probes"], words=[[w] for w in REFERENCE["words"]]))
    for name, expected in case["outputs"].items():
        _assert_output(layer(np.array(probes[name])), expected)


@pytest.mark.parametrize("case", CROSSINGS, ids=_ids(CROSSINGS))
def test_hashed_crossing_matches_keras(case):
    features = [np.array(REFERENCE["crossing_features"][name]) for name in case["features"]]
    if case["shape"] == "column":
        features = [f.reshape(-1, 1) for f in features]
    out = layers.HashedCrossing(**case["config"])(tuple(features))
    np.testing.assert_array_equal(_numpy(out), np.array(case["output"]))


@pytest.mark.parametrize("case", DISCRETIZATIONS, ids=_ids(DISCRETIZATIONS))
def test_discretization_adapt_matches_keras(case):
    values = np.array(REFERENCE["discretization_data"], dtype="float32")
    layer = layers.Discretization(**case["config"])
    layer.adapt(values if case["adapt"] == "list" else
                data.Dataset.from_tensor_slices(values).batch(128))
    np.testing.assert_allclose(layer.bin_boundaries, case["bin_boundaries"], rtol=1e-6)


@pytest.mark.parametrize("name", ["StringLookup", "IntegerLookup", "Hashing", "HashedCrossing"])
def test_config_matches_keras(name):
    expected = REFERENCE["configs"][name]
    arguments = {"StringLookup": {"vocabulary": ["a"]}, "IntegerLookup": {"vocabulary": [1]},
                 "Hashing": {"num_bins": 3, "salt": 1}, "HashedCrossing": {"num_bins": 3}}
    config = getattr(layers, name)(**arguments[name]).get_config()
    assert sorted(config) == sorted(expected)
    assert {k: v for k, v in config.items() if k != "name"} == \
        {k: v for k, v in expected.items() if k != "name"}


def test_fixture_covers_the_options():
    modes = {c["config"].get("output_mode", "int") for c in LOOKUPS}
    assert modes == {"int", "one_hot", "multi_hot", "count", "tf_idf"}
    assert {c["adapt"] for c in LOOKUPS} == {"list", "batches", "index", None}
    assert REFERENCE["keras_version"].startswith("3.")
