"""CIFAR-100: 60,000 32x32 colour images in 100 classes grouped into 20 superclasses."""

from __future__ import annotations

import os

import numpy as np

from hocsau.datasets._remote import CIFAR_ORIGIN, fetch
from hocsau.datasets.cifar import load_batch, to_image_format

_HASHES = {
    "cifar-100-python.tar.gz": "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"
}


def load_data(label_mode: str = "fine"):
    """Loads CIFAR-100, downloading and extracting its archive on first use.

    Args:
        label_mode: "fine" for the 100 classes, "coarse" for the 20 superclasses.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape `(50000, 32, 32, 3)` and
        `(10000, 32, 32, 3)` (channels first when `image_data_format()` says so), and int64
        labels of shape `(50000, 1)` and `(10000, 1)`, as Keras returns them.
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(
            f'`label_mode` must be one of "fine", "coarse". Received: label_mode={label_mode}.'
        )
    name = "cifar-100-python.tar.gz"
    root = fetch(
        name, _HASHES[name], fname="cifar-100-python-target", base=CIFAR_ORIGIN, extract=True
    )
    folder = os.path.join(root, "cifar-100-python")
    splits = []
    for part in ("train", "test"):
        x, y = load_batch(os.path.join(folder, part), label_key=f"{label_mode}_labels")
        splits.append((to_image_format(x), np.reshape(y, (len(y), 1))))
    return tuple(splits)
