"""mnist and fashion_mnist from locally served files in their real formats."""

import numpy as np
import pytest
from dataset_files import idx_gz, npz_bytes

from hocsau.datasets import fashion_mnist, mnist


def mnist_arrays(rng, train=6, test=4):
    return {
        "x_train": rng.randint(0, 256, (train, 28, 28)).astype(np.uint8),
        "y_train": rng.randint(0, 10, train).astype(np.uint8),
        "x_test": rng.randint(0, 256, (test, 28, 28)).astype(np.uint8),
        "y_test": rng.randint(0, 10, test).astype(np.uint8),
    }


def test_mnist_matches_keras(publish, keras_load, same, home):
    arrays = mnist_arrays(np.random.RandomState(1))
    publish(mnist, "mnist.npz", npz_bytes(**arrays))
    (x_train, y_train), (x_test, y_test) = ours = mnist.load_data()
    assert x_train.shape == (6, 28, 28) and x_train.dtype == np.uint8
    assert y_test.shape == (4,) and y_test.dtype == np.uint8
    np.testing.assert_array_equal(x_test, arrays["x_test"])
    same(ours, keras_load("mnist"))
    assert (home / "datasets" / "mnist.npz").is_file()


def test_mnist_wrong_file_is_refused(publish, monkeypatch):
    publish(mnist, "mnist.npz", npz_bytes(**mnist_arrays(np.random.RandomState(1))))
    monkeypatch.setitem(mnist._HASHES, "mnist.npz", "1" * 64)
    with pytest.raises(ValueError, match="file hash of the download from .*mnist.npz"):
        mnist.load_data()


def test_fashion_mnist_matches_keras(publish, keras_load, same, home):
    arrays = mnist_arrays(np.random.RandomState(2), train=5, test=3)
    names = dict(zip(fashion_mnist._FILES, ["y_train", "x_train", "y_test", "x_test"],
                     strict=True))
    for name, key in names.items():
        publish(fashion_mnist, name, idx_gz(arrays[key]))
    (x_train, y_train), (x_test, y_test) = ours = fashion_mnist.load_data()
    assert x_train.shape == (5, 28, 28) and y_train.shape == (5,)
    assert x_test.dtype == y_test.dtype == np.uint8
    np.testing.assert_array_equal(y_train, arrays["y_train"])
    same(ours, keras_load("fashion_mnist"))
    assert sorted(p.name for p in (home / "datasets" / "fashion-mnist").iterdir()) == sorted(names)


def test_fashion_mnist_malformed_idx(publish):
    arrays = mnist_arrays(np.random.RandomState(2), train=5, test=3)
    for name, key in zip(fashion_mnist._FILES, ["y_train", "x_train", "y_test", "x_test"],
                         strict=True):
        publish(fashion_mnist, name, idx_gz(arrays[key]))
    publish(fashion_mnist, "t10k-labels-idx1-ubyte.gz", idx_gz(arrays["y_test"])[:-5])
    with pytest.raises(EOFError):
        fashion_mnist.load_data()
