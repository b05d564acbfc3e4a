"""TextVectorization: Keras's documented outputs, hand computed, and saving (the comparison
with Keras's own layer, which needs TensorFlow, is test_text_vectorization_keras_parity.py)."""

import math

import numpy as np
import pytest
import torch

from hocsau import Sequential, layers, saving

CORPUS = ["The cat sat on the mat.", "The dog ate my homework!", "the cat"]


def test_int_mode_vocabulary_order_padding_and_oov():
    layer = layers.TextVectorization(max_tokens=10, output_sequence_length=6)
    layer.adapt(CORPUS)
    # by frequency (the: 4, cat: 2), ties in reverse byte order; '' and '[UNK]' first
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "cat", "sat", "on", "my", "mat",
                                      "homework", "dog"]
    assert layer.vocabulary_size() == 10
    out = layer(["The CAT sat!", "a bird"])
    assert out.dtype == torch.int64
    assert out.tolist() == [[2, 3, 4, 0, 0, 0], [1, 1, 0, 0, 0, 0]]
    assert layer(["the " * 8]).tolist() == [[2] * 6]  # truncated to the sequence length


def test_without_sequence_length_pads_to_the_longest():
    layer = layers.TextVectorization(vocabulary=["a", "b"])
    assert layer(np.array(["a b a", "b"])).tolist() == [[2, 3, 2], [3, 0, 0]]
    assert layer("b a").tolist() == [3, 2]
    assert layer(np.array([["a"], ["b"]])).tolist() == [[2], [3]]


def test_multi_hot_count_and_padding_to_max_tokens():
    vocab = ["a", "b", "c"]
    multi = layers.TextVectorization(output_mode="multi_hot", vocabulary=vocab)
    assert multi.get_vocabulary() == ["[UNK]", "a", "b", "c"]
    assert multi(["a a z", "c"]).tolist() == [[1, 1, 0, 0], [0, 0, 0, 1]]
    count = layers.TextVectorization(output_mode="count", vocabulary=vocab, max_tokens=6,
                                     pad_to_max_tokens=True)
    assert count(["a a z b"]).tolist() == [[1, 2, 1, 0, 0, 0]]


def test_tf_idf_and_ngrams():
    layer = layers.TextVectorization(output_mode="tf_idf", ngrams=2)
    layer.adapt(["a b a", "b c"])
    assert layer.get_vocabulary() == ["[UNK]", "b", "a", "c", "b c", "b a", "a b"]
    idf = {"b": math.log(1 + 2 / 3)}
    idf.update({t: math.log(1 + 2 / 2) for t in ["a", "c", "b c", "b a", "a b"]})
    oov = np.mean(list(idf.values()))
    expected = [2 * oov, idf["b"], idf["a"], 0, 0, 0, idf["a b"]]  # z and "b z" unknown
    np.testing.assert_allclose(layer(["a b z"]).numpy()[0], expected, rtol=1e-6)
    given = layers.TextVectorization(output_mode="tf_idf", vocabulary=["x", "y"],
                                     idf_weights=[0.5, 2.0])
    np.testing.assert_allclose(given(["y y x q"]).numpy(), [[1.25, 0.5, 4.0]], rtol=1e-6)


def test_standardize_split_and_ngram_options():
    chars = layers.TextVectorization(split="character", standardize="lower")
    chars.adapt(["abba"])
    assert chars.get_vocabulary() == ["", "[UNK]", "b", "a"]
    keep = layers.TextVectorization(standardize=None, vocabulary=["Hi!", "hi"])
    assert keep(["Hi! hi HI"]).tolist() == [[2, 3, 1]]
    custom = layers.TextVectorization(standardize=lambda s: s.replace("-", " "),
                                      split=lambda s: s.split(" "), ngrams=(2,),
                                      vocabulary=["a b", "b c"])
    assert custom(["a-b-c"]).tolist() == [[2, 3]]


def test_max_tokens_limits_the_learned_vocabulary_and_adapt_takes_batches():
    layer = layers.TextVectorization(max_tokens=4)
    layer.adapt([np.array(["x y z", "x y"]), np.array(["x"])])
    assert layer.get_vocabulary() == ["", "[UNK]", "x", "y"]


def test_config_round_trip_keeps_a_given_vocabulary():
    layer = layers.TextVectorization(max_tokens=5, output_mode="count", vocabulary=["a", "b"])
    config = layer.get_config()
    assert config["vocabulary"] == ["a", "b"] and config["vocabulary_size"] == 3
    clone = layers.TextVectorization.from_config(config)
    assert clone(["b b a"]).tolist() == layer(["b b a"]).tolist() == [[0, 1, 2]]


@pytest.mark.parametrize("kwargs, message", [
    ({"output_mode": "tf-idf-x"}, "output_mode=tf-idf-x"),
    ({"standardize": "upper"}, "standardize=upper"),
    ({"split": "comma"}, "split=comma"),
    ({"ngrams": 0}, "ngrams=0"),
    ({"output_mode": "count", "output_sequence_length": 3}, "output_sequence_length=3"),
    ({"output_mode": "tf_idf", "vocabulary": ["a"]}, "`idf_weights` must be set"),
    ({"vocabulary": ["a", "a"]}, "repeated term"),
    ({"max_tokens": 3, "vocabulary": ["a", "b"]}, "larger than the maximum vocab size"),
    ({"ragged": True}, "ragged=True"),
])
def test_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.TextVectorization(**kwargs)


@pytest.mark.parametrize("kwargs", [
    {"output_mode": "tf_idf", "max_tokens": 8, "pad_to_max_tokens": True},
    {"ngrams": 2, "output_sequence_length": 4},
    {"output_mode": "count", "split": "character"},
])
def test_learned_vocabulary_survives_keras_file(tmp_path, kwargs):
    layer = layers.TextVectorization(name="tv", **kwargs)
    layer.adapt(["a b", "b c", "Việt\nx b"])
    model = Sequential([layer])
    with pytest.warns(UserWarning, match="not yet been built"):
        model.save(tmp_path / "tv.keras")
    restored = saving.load_model(tmp_path / "tv.keras").layers[0]
    assert restored.get_vocabulary() == layer.get_vocabulary()
    assert len(layer.get_vocabulary()) > 4
    probe = ["a b z Việt", "c c"]
    np.testing.assert_array_equal(restored(probe).numpy(), layer(probe).numpy())


def test_saved_state_uses_keras_idf_layout(tmp_path):
    layer = layers.TextVectorization(output_mode="tf_idf", max_tokens=6, pad_to_max_tokens=True)
    layer.adapt(["a b", "b"])
    store = {}
    layer.save_own_variables(store)
    layer.save_assets(str(tmp_path))  # the vocabulary is an asset file, as in Keras
    assert list(store) == ["idf_weights"]
    assert (tmp_path / "vocabulary.txt").read_text(encoding="utf-8") == "[UNK]\nb\na"
    # OOV first (the mean), then log(1 + 2 / 3) and log(1 + 2 / 2), zeros up to max_tokens.
    idf_b, idf_a = math.log(1 + 2 / 3), math.log(2)
    np.testing.assert_allclose(store["idf_weights"], [(idf_a + idf_b) / 2, idf_b, idf_a, 0, 0,
                                                      0], rtol=1e-6)
    fresh = layers.TextVectorization(output_mode="tf_idf", max_tokens=6, pad_to_max_tokens=True)
    assert fresh(["a"]).tolist() == [[0.0] * 6]  # nothing learned yet
    fresh.load_own_variables(store)
    fresh.load_assets(str(tmp_path))
    np.testing.assert_array_equal(fresh(["a a q"]).numpy(), layer(["a a q"]).numpy())
