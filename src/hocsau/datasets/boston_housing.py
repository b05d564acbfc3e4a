"""Boston Housing: 506 census tracts with 13 features and the median home price (k$)."""

from __future__ import annotations

import numpy as np

from hocsau.datasets._remote import fetch
from hocsau.datasets._splits import check_test_split, shuffle_split

_HASHES = {
    "boston_housing.npz": "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"
}


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113):
    """Loads Boston Housing, downloading it on first use.

    One of its features assumes that racial segregation sets prices; prefer
    `california_housing` unless the point is to discuss such bias.

    Args:
        path: File name of the cached copy, under `~/.hocsau/datasets`.
        test_split: Fraction of the (shuffled) samples kept for the test split, in [0, 1).
        seed: Seed of the shuffle.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float64 features of shape `(n, 13)` and
        float64 prices of shape `(n,)` (404 training samples with the defaults).
    """
    check_test_split(test_split)
    path = fetch("boston_housing.npz", _HASHES["boston_housing.npz"], fname=path)
    with np.load(path, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    return shuffle_split(x, y, test_split, seed)
