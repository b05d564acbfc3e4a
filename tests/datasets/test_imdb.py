"""imdb from a locally served npz of ragged object arrays, compared with Keras."""

import io
import json
import pickle
import zipfile

import numpy as np
import pytest
from dataset_files import npz_bytes, ragged

from hocsau.datasets import imdb


@pytest.fixture
def served(publish):
    rng = np.random.RandomState(7)
    publish(imdb, "imdb.npz", npz_bytes(
        x_train=ragged(rng, 30, 40), y_train=rng.randint(0, 2, 30),
        x_test=ragged(rng, 20, 40), y_test=rng.randint(0, 2, 20),
    ))
    publish(imdb, "imdb_word_index.json", json.dumps({"the": 1, "and": 2}).encode())


@pytest.mark.parametrize("kwargs", [
    {},
    {"num_words": 20, "skip_top": 4, "seed": 3},
    {"maxlen": 8, "oov_char": None, "num_words": 25},
    {"start_char": None, "index_from": 0},
    {"start_char": None, "index_from": 2, "oov_char": 9, "num_words": 30},
])
def test_imdb_matches_keras(served, keras_load, same, kwargs):
    ours = imdb.load_data(**kwargs)
    same(ours, keras_load("imdb", **kwargs))


def test_imdb_defaults(served):
    (x_train, y_train), (x_test, y_test) = imdb.load_data()
    assert x_train.shape == (30,) and x_train.dtype == object
    assert x_test.shape == (20,) and y_test.shape == (20,)
    assert y_train.dtype == np.int64
    # Word indexes start at 1 + index_from; only the out-of-vocabulary mark 2 is lower.
    assert all(x[0] == 1 and set(x[1:]) <= {2} | set(range(4, 44)) for x in x_train)


def test_imdb_maxlen_too_small(served):
    with pytest.raises(ValueError, match="maxlen=1, no sequence was kept"):
        imdb.load_data(maxlen=1)


def test_imdb_word_index(served):
    assert imdb.get_word_index() == {"the": 1, "and": 2}


def test_imdb_refuses_pickled_code(publish, capsys):
    class Payload:
        def __reduce__(self):
            return (print, ("this must never run",))

    npy = io.BytesIO()
    header = np.lib.format.header_data_from_array_1_0(np.empty(1, dtype=object))
    np.lib.format.write_array_header_1_0(npy, header)
    npy.write(pickle.dumps(Payload(), protocol=3))
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        for key in ("x_train", "y_train", "x_test", "y_test"):
            archive.writestr(f"{key}.npy", npy.getvalue())
    publish(imdb, "imdb.npz", zipped.getvalue())
    with pytest.raises(pickle.UnpicklingError, match="Refusing to load `builtins.print`"):
        imdb.load_data()
    assert "never run" not in capsys.readouterr().out
