"""Fashion-MNIST: 70,000 28x28 grayscale images of clothes in 10 classes."""

from __future__ import annotations

import gzip
import os

import numpy as np

from hocsau.datasets._remote import fetch

_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)
_UBYTE = 0x08  # idx type code of unsigned bytes


def load_data():
    """Loads Fashion-MNIST, downloading its four idx files on first use.

    Labels: 0 T-shirt/top, 1 trouser, 2 pullover, 3 dress, 4 coat, 5 sandal, 6 shirt,
    7 sneaker, 8 bag, 9 ankle boot. Keras publishes no checksums for these files; a truncated
    download is still caught, by its length and by gzip's own check when read.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape `(60000, 28, 28)` and
        `(10000, 28, 28)`, and uint8 labels of shape `(60000,)` and `(10000,)`.
    """
    folder = os.path.join("datasets", "fashion-mnist")
    y_train, x_train, y_test, x_test = (
        _read_idx(fetch(name, None, cache_subdir=folder)) for name in _FILES
    )
    return (x_train, y_train), (x_test, y_test)


def _read_idx(path: str) -> np.ndarray:
    """A gzipped idx file (big-endian header: 0, 0, type, rank, then one size per axis)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3] if len(data) >= 4 else 0
    header = 4 + 4 * rank
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank))
    if data[:3] != bytes([0, 0, _UBYTE]) or len(data) != header + int(np.prod(shape)):
        raise ValueError(f"Malformed idx file {path}: expected unsigned bytes of shape {shape}.")
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape)
