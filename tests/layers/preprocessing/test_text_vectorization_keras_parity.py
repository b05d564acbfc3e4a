"""TextVectorization against Keras's own layer, through outputs recorded with TensorFlow.

Keras's TextVectorization needs TensorFlow, so reference/make_text_vectorization_reference.py
(run in an environment with TensorFlow) records its vocabularies and outputs on an English and
Vietnamese corpus under 34 configurations; here the same configurations run on hocsau's layer.
Integer outputs must be equal, TF-IDF weights equal to 1e-5 (relative).
"""

import json
import os

import numpy as np
import pytest

from hocsau import layers

_FIXTURE = os.path.join(os.path.dirname(__file__), "reference",
                        "text_vectorization_reference.json")
with open(_FIXTURE, encoding="utf-8") as _file:
    REFERENCE = json.load(_file)
CASES = {case["name"]: case for case in REFERENCE["cases"]}


def _layer(case, **overrides):
    config = dict(case["config"], **overrides)
    if isinstance(config.get("ngrams"), list):
        config["ngrams"] = tuple(config["ngrams"])
    layer = layers.TextVectorization(**config)
    corpus, size = REFERENCE["corpus"], REFERENCE["batch_size"]
    if case["adapt"] == "list":
        layer.adapt(corpus)
    elif case["adapt"] == "batches":
        layer.adapt(corpus[i:i + size] for i in range(0, len(corpus), size))
    return layer


def _assert_matches(ours, expected, mode):
    ours = ours.cpu().numpy()
    expected = np.asarray(expected, dtype=ours.dtype)
    assert ours.shape == expected.shape
    if mode == "tf_idf":
        np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=0)
    else:
        np.testing.assert_array_equal(ours, expected)


@pytest.mark.parametrize("name", list(CASES))
def test_matches_keras(name):
    case = CASES[name]
    layer = _layer(case)
    assert layer.get_vocabulary() == case["vocabulary"]
    assert layer.get_vocabulary(include_special_tokens=False) == case[
        "vocabulary_without_specials"]
    assert layer.vocabulary_size() == case["vocabulary_size"]
    mode = case["config"].get("output_mode", "int")
    texts = REFERENCE["corpus"] + REFERENCE["probe"]
    _assert_matches(layer(texts), case["output"], mode)
    _assert_matches(layer([[text] for text in texts]), case["column_output"], mode)
    _assert_matches(layer(np.array(texts)[:, None]), case["column_output"], mode)
    _assert_matches(layer(REFERENCE["empty"]), case["empty_output"], mode)


@pytest.mark.parametrize("name, spelling", [
    ("tf_idf", "tf-idf"), ("given_tf_idf", "tf-idf"), ("tf_idf_ngrams", "tf-idf"),
    ("multi_hot", "binary"), ("given_multi_hot_specials", "binary"),
])
def test_older_output_mode_spellings_match_keras(name, spelling):
    """Keras renames "tf-idf" and "binary" to "tf_idf" and "multi_hot" in the constructor, so
    the layer built with the older spelling gives the recorded outputs of the current one."""
    case = CASES[name]
    layer = _layer(case, output_mode=spelling)
    assert layer.get_config()["output_mode"] == case["config"]["output_mode"]
    assert layer.get_vocabulary() == case["vocabulary"]
    texts = REFERENCE["corpus"] + REFERENCE["probe"]
    _assert_matches(layer(texts), case["output"], case["config"]["output_mode"])


def test_fixture_covers_the_options():
    configs = [case["config"] for case in REFERENCE["cases"]]
    for key in ("standardize", "split", "ngrams", "max_tokens", "pad_to_max_tokens",
                "output_sequence_length", "vocabulary", "idf_weights"):
        assert any(key in config for config in configs), key
    modes = {config.get("output_mode", "int") for config in configs}
    assert modes == {"int", "multi_hot", "count", "tf_idf"}
    assert {case["adapt"] for case in REFERENCE["cases"]} == {"list", "batches", None}
    assert REFERENCE["keras_version"].startswith("3.")
