"""The reader of CIFAR's pickled batches, shared by CIFAR-10 and CIFAR-100."""

from __future__ import annotations

import numpy as np

from hocsau import config
from hocsau.datasets._safe_pickle import load_pickle


def load_batch(fpath: str, label_key: str = "labels") -> tuple[np.ndarray, list]:
    """Reads one batch file: its images as uint8 `(n, 3, 32, 32)` and its list of labels.

    The batches are Python 2 pickles; they are read with an unpickler that builds numpy arrays
    and builtin values only, never arbitrary objects.
    """
    with open(fpath, "rb") as f:
        batch = load_pickle(f, encoding="bytes")
    if not isinstance(batch, dict):
        raise ValueError(f"Malformed CIFAR batch {fpath}: expected a dict.")
    batch = {key.decode("utf8") if isinstance(key, bytes) else key: v for key, v in batch.items()}
    data = batch["data"]
    return data.reshape(data.shape[0], 3, 32, 32), batch[label_key]


def to_image_format(x: np.ndarray) -> np.ndarray:
    """Channels-first batches as the configured image layout."""
    return x.transpose(0, 2, 3, 1) if config.image_data_format() == "channels_last" else x
