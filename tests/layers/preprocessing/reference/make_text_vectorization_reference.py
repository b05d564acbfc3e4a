"""Writes text_vectorization_reference.json: Keras's own TextVectorization outputs.

Keras 3's TextVectorization needs TensorFlow, which the hocsau test environment does not
have, so its outputs are recorded once here and compared by
tests/layers/preprocessing/test_text_vectorization_keras_parity.py. Run it with a Python that
has TensorFlow and Keras 3 (the committed fixture came from tensorflow 2.21, keras 3.15.1):

    KERAS_BACKEND=tensorflow /work/tfenv/bin/python \
        tests/layers/preprocessing/reference/make_text_vectorization_reference.py

For every configuration the fixture holds the constructor arguments, how the vocabulary was
learned (`adapt` on the whole list, on batches of `BATCH_SIZE`, or given), the vocabulary
with and without special tokens, `vocabulary_size()`, and the outputs on the corpus followed
by unseen probe texts (as a list, and as a column of shape (n, 1)), and on a batch of empty
texts; an output is null where Keras raised an error.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      "text_vectorization_reference.json")
BATCH_SIZE = 4
# Non-ASCII upper case and whitespace matter: TensorFlow lowercases and splits ASCII only.
CORPUS = [
    "The cat sat on the mat.",
    "THE DOG ate my homework!!! The dog, the DOG.",
    "Tiếng Việt có dấu: Hà Nội, Đà Nẵng; Thành phố Hồ Chí Minh.",
    "ĐƯỜNG PHỐ đông đúc\tngười\nđi bộ — xe máy ồn ào…",
    "",
    "   ",
    "123 456 123 abc-def a_b (x) [y] {z} 'quoted' \"dq\" 3.14 50%",
    "Mixed\tTABS\tand\nnewlines\r\nand  double  spaces\x0bvt\x0cff",
    "repeat repeat repeat repeat the the",
    "Việt Nam việt nam VIỆT NAM, İstanbul Straße ÉCOLE",
    "non\u00a0breaking\u2003em space «guillemets» “curly” x\x1cy",
    "[UNK] is not special here",
    "Vie\u0323\u0302t decomposed Việt",
]
PROBE = ["the dog and the cat", "Việt Nam đi xe", "unseen words only!", "",
         "ĐÀ NẴNG 123 [UNK] đông"]
EMPTY = ["", "  "]
VOCABULARY = ["the", "dog", "việt", "nam", "ĐÀ", "đông", "123", "cat"]
IDF = [0.25, 1.5, 2.0, 0.5, 3.0, 1.25, 0.75, 1.0]

CASES = [
    ("default", {}, "list"),
    ("default_batches", {}, "batches"),
    ("lower", {"standardize": "lower"}, "list"),
    ("strip_punctuation", {"standardize": "strip_punctuation"}, "list"),
    ("no_standardize", {"standardize": None}, "list"),
    ("character", {"split": "character"}, "list"),
    ("character_raw_bigrams", {"split": "character", "standardize": None, "ngrams": 2},
     "batches"),
    ("no_split", {"split": None}, "list"),
    ("no_split_no_standardize", {"split": None, "standardize": None, "max_tokens": 9},
     "list"),
    ("no_split_count", {"split": None, "output_mode": "count"}, "list"),
    ("no_split_sequence_length", {"split": None, "output_sequence_length": 3}, "list"),
    ("ngrams_2", {"ngrams": 2}, "list"),
    ("ngrams_tuple", {"ngrams": (1, 3)}, "list"),
    ("ngrams_tuple_reversed", {"ngrams": (3, 1), "max_tokens": 25}, "batches"),
    ("max_tokens_sequence_length", {"max_tokens": 8, "output_sequence_length": 6}, "list"),
    ("sequence_length_truncates", {"output_sequence_length": 3}, "list"),
    ("sequence_length_pads", {"output_sequence_length": 40, "ngrams": 2}, "list"),
    ("multi_hot", {"output_mode": "multi_hot"}, "list"),
    ("multi_hot_padded", {"output_mode": "multi_hot", "max_tokens": 12,
                          "pad_to_max_tokens": True}, "batches"),
    ("multi_hot_character_lower", {"output_mode": "multi_hot", "split": "character",
                                   "standardize": "lower"}, "list"),
    ("count_bigrams", {"output_mode": "count", "ngrams": 2}, "list"),
    ("count_padded_truncated", {"output_mode": "count", "max_tokens": 30,
                                "pad_to_max_tokens": True}, "list"),
    ("tf_idf", {"output_mode": "tf_idf"}, "list"),
    ("tf_idf_batches_max_tokens", {"output_mode": "tf_idf", "max_tokens": 15}, "batches"),
    ("tf_idf_padded", {"output_mode": "tf_idf", "max_tokens": 200,
                       "pad_to_max_tokens": True}, "list"),
    ("tf_idf_ngrams", {"output_mode": "tf_idf", "ngrams": (1, 2), "max_tokens": 20,
                       "standardize": "lower"}, "list"),
    ("given_int", {"vocabulary": VOCABULARY}, None),
    ("given_int_specials", {"vocabulary": ["", "[UNK]"] + VOCABULARY,
                            "output_sequence_length": 5}, None),
    ("given_multi_hot_specials", {"output_mode": "multi_hot",
                                  "vocabulary": ["[UNK]"] + VOCABULARY}, None),
    ("given_count_padded", {"output_mode": "count", "vocabulary": VOCABULARY[:4],
                            "max_tokens": 7, "pad_to_max_tokens": True}, None),
    ("given_tf_idf", {"output_mode": "tf_idf", "vocabulary": VOCABULARY,
                      "idf_weights": IDF}, None),
    ("given_tf_idf_specials", {"output_mode": "tf_idf", "vocabulary": ["[UNK]"] + VOCABULARY,
                               "idf_weights": [9.0] + IDF}, None),
    ("given_tf_idf_padded", {"output_mode": "tf_idf", "vocabulary": VOCABULARY,
                             "idf_weights": IDF, "max_tokens": 12,
                             "pad_to_max_tokens": True}, None),
    ("given_no_standardize", {"standardize": None, "vocabulary": VOCABULARY}, None),
]


def _outputs(layer, inputs):
    try:
        return np.asarray(layer(inputs)).tolist()
    except (ValueError, tf.errors.InvalidArgumentError):
        return None


def _run(kwargs, adapt):
    layer = keras.layers.TextVectorization(**kwargs)
    if adapt == "list":
        layer.adapt(CORPUS)
    elif adapt == "batches":
        layer.adapt(tf.data.Dataset.from_tensor_slices(CORPUS).batch(BATCH_SIZE))
    return {
        "vocabulary": layer.get_vocabulary(),
        "vocabulary_without_specials": layer.get_vocabulary(include_special_tokens=False),
        "vocabulary_size": int(layer.vocabulary_size()),
        "output": _outputs(layer, CORPUS + PROBE),
        "column_output": _outputs(layer, [[text] for text in CORPUS + PROBE]),
        "empty_output": _outputs(layer, EMPTY),
    }


def main():
    cases = [{"name": name, "config": kwargs, "adapt": adapt, **_run(kwargs, adapt)}
             for name, kwargs, adapt in CASES]
    header = {"keras_version": keras.__version__, "tensorflow_version": tf.__version__,
              "batch_size": BATCH_SIZE, "corpus": CORPUS, "probe": PROBE, "empty": EMPTY}
    # One case per line keeps the file small and its diffs readable.
    with open(OUTPUT, "w", encoding="utf-8") as f:
        f.write(json.dumps(header, ensure_ascii=False)[:-1] + ',\n"cases": [\n')
        f.write(",\n".join(json.dumps(case, ensure_ascii=False) for case in cases))
        f.write("\n]}\n")
    print(f"Wrote {len(cases)} cases to {OUTPUT}")


if __name__ == "__main__":
    main()
