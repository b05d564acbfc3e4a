"""CIFAR-10: 60,000 32x32 colour images in 10 classes."""

from __future__ import annotations

import os

import numpy as np

from hocsau.datasets._remote import CIFAR_ORIGIN, fetch
from hocsau.datasets.cifar import load_batch, to_image_format

_HASHES = {
    "cifar-10-python.tar.gz": "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
}


def load_data():
    """Loads CIFAR-10, downloading and extracting its archive on first use.

    Labels: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog, 7 horse, 8 ship,
    9 truck.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape `(50000, 32, 32, 3)` and
        `(10000, 32, 32, 3)` (channels first when `image_data_format()` says so), and uint8
        labels of shape `(50000, 1)` and `(10000, 1)`.
    """
    name = "cifar-10-python.tar.gz"
    root = fetch(
        name, _HASHES[name], fname="cifar-10-batches-py-target", base=CIFAR_ORIGIN, extract=True
    )
    folder = os.path.join(root, "cifar-10-batches-py")
    batches = [load_batch(os.path.join(folder, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([x for x, _ in batches]).astype("uint8")
    y_train = np.concatenate([np.asarray(y) for _, y in batches]).astype("uint8")
    x_test, y_test = load_batch(os.path.join(folder, "test_batch"))
    x_test, y_test = x_test.astype("uint8"), np.asarray(y_test).astype("uint8")
    return (
        (to_image_format(x_train), y_train.reshape(-1, 1)),
        (to_image_format(x_test), y_test.reshape(-1, 1)),
    )
