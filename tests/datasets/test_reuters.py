"""reuters from a locally served npz of ragged object arrays, compared with Keras."""

import json

import numpy as np
import pytest
from dataset_files import npz_bytes, ragged

from hocsau.datasets import reuters


@pytest.fixture
def served(publish):
    rng = np.random.RandomState(8)
    publish(reuters, "reuters.npz", npz_bytes(x=ragged(rng, 40, 50), y=rng.randint(0, 46, 40)))
    publish(reuters, "reuters_word_index.json", json.dumps({"the": 1}).encode())


@pytest.mark.parametrize("kwargs", [
    {},
    {"num_words": 30, "skip_top": 2, "test_split": 0.3, "seed": 5},
    {"maxlen": 9, "oov_char": None},
    {"start_char": None, "index_from": 0, "test_split": 0},
])
def test_reuters_matches_keras(served, keras_load, same, kwargs):
    ours = reuters.load_data(**kwargs)
    same(ours, keras_load("reuters", **kwargs))


def test_reuters_defaults(served):
    (x_train, y_train), (x_test, y_test) = reuters.load_data()
    assert x_train.shape == (32,) and x_test.shape == (8,)
    assert y_train.dtype == np.int64 and y_train.max() < 46


def test_reuters_word_index_and_labels(served):
    from keras.datasets import reuters as keras_reuters

    assert reuters.get_word_index() == {"the": 1}
    assert reuters.get_label_names() == keras_reuters.get_label_names()
    assert len(reuters.get_label_names()) == 46
