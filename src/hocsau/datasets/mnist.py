"""MNIST: 70,000 28x28 grayscale images of handwritten digits."""

from __future__ import annotations

import numpy as np

from hocsau.datasets._remote import fetch

_HASHES = {"mnist.npz": "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"}


def load_data(path: str = "mnist.npz"):
    """Loads MNIST, downloading it on first use.

    Args:
        path: File name of the cached copy, under `~/.hocsau/datasets`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape `(60000, 28, 28)` and
        `(10000, 28, 28)` with values in [0, 255], and uint8 digit labels (0-9) of shape
        `(60000,)` and `(10000,)`.
    """
    path = fetch("mnist.npz", _HASHES["mnist.npz"], fname=path)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
