"""cifar10 and cifar100 from tar.gz archives of Python 2 pickles, like the real ones."""

import pickle

import numpy as np
import pytest
from dataset_files import cifar_batch, py2_pickle, tar_gz

from hocsau import config
from hocsau.datasets import cifar10, cifar100
from hocsau.datasets.cifar import load_batch


@pytest.fixture
def cifar10_batches(publish):
    rng = np.random.RandomState(5)
    batches = {f"data_batch_{i}": cifar_batch(rng, 3) for i in range(1, 6)}
    batches["test_batch"] = cifar_batch(rng, 2)
    members = {f"cifar-10-batches-py/{name}": py2_pickle(b) for name, b in batches.items()}
    publish(cifar10, "cifar-10-python.tar.gz", tar_gz(members))
    return batches


def test_cifar10_shapes_dtypes_values(cifar10_batches, home):
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    assert x_train.shape == (15, 32, 32, 3) and x_test.shape == (2, 32, 32, 3)
    assert y_train.shape == (15, 1) and y_test.shape == (2, 1)
    assert x_train.dtype == y_train.dtype == x_test.dtype == y_test.dtype == np.uint8
    first = cifar10_batches["data_batch_1"]
    np.testing.assert_array_equal(x_train[0, :, :, 1].ravel(), first[b"data"][0, 1024:2048])
    np.testing.assert_array_equal(y_test[:, 0], cifar10_batches["test_batch"][b"labels"])
    datasets = home / "datasets"
    assert sorted(p.name for p in datasets.iterdir()) == [  # Keras's names, and our marker
        ".cifar-10-batches-py-target.extracted.json", "cifar-10-batches-py-target",
        "cifar-10-batches-py-target_archive"]


def test_cifar10_channels_first(cifar10_batches, monkeypatch):
    monkeypatch.setattr(config, "_IMAGE_DATA_FORMAT", "channels_first")
    (x_train, _), (x_test, _) = cifar10.load_data()
    assert x_train.shape == (15, 3, 32, 32) and x_test.shape == (2, 3, 32, 32)


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_matches_keras(publish, keras_load, same, label_mode):
    rng = np.random.RandomState(6)
    keys = ("fine_labels", "coarse_labels")
    members = {
        "cifar-100-python/train": py2_pickle(cifar_batch(rng, 4, keys, classes=20)),
        "cifar-100-python/test": py2_pickle(cifar_batch(rng, 3, keys, classes=20)),
    }
    publish(cifar100, "cifar-100-python.tar.gz", tar_gz(members))
    (x_train, y_train), (x_test, y_test) = ours = cifar100.load_data(label_mode)
    assert x_train.shape == (4, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_test.shape == (3, 1) and y_test.dtype == np.int64
    same(ours, keras_load("cifar100", label_mode=label_mode))


def test_cifar100_label_mode_error():
    with pytest.raises(ValueError, match="Received: label_mode=medium"):
        cifar100.load_data("medium")


class _Payload:
    def __reduce__(self):
        return (print, ("this must never run",))


def test_load_batch_refuses_code(tmp_path, capsys):
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": _Payload(), b"labels": [1]}, protocol=3))
    with pytest.raises(pickle.UnpicklingError, match="Refusing to load `builtins.print`"):
        load_batch(path)
    assert capsys.readouterr().out == ""
