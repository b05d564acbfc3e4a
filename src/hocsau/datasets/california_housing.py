"""California Housing: 20,640 census block groups of 1990, 8 features, median house value ($)."""

from __future__ import annotations

import numpy as np

from hocsau.datasets._remote import fetch
from hocsau.datasets._splits import check_test_split, shuffle_split

_HASHES = {
    "california_housing.npz": "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"
}
_SMALL_SIZE = 600


def load_data(
    version: str = "large",
    path: str = "california_housing.npz",
    test_split: float = 0.2,
    seed: int = 113,
):
    """Loads California Housing, downloading it on first use.

    Features: median income, median house age, average rooms, average bedrooms, population,
    average occupancy, latitude, longitude (all per block group).

    Args:
        version: "large" for all samples, "small" for the first 600.
        path: File name of the cached copy, under `~/.hocsau/datasets`.
        test_split: Fraction of the (shuffled) samples kept for the test split, in [0, 1).
        seed: Seed of the shuffle.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float features of shape `(n, 8)` and float
        values of shape `(n,)`.
    """
    check_test_split(test_split)
    if version not in ("small", "large"):
        raise ValueError(
            f"Argument `version` must be one of 'small', 'large'. Received: version={version}"
        )
    name = "california_housing.npz"
    with np.load(fetch(name, _HASHES[name], fname=path), allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    if version == "small":
        x, y = x[:_SMALL_SIZE], y[:_SMALL_SIZE]
    return shuffle_split(x, y, test_split, seed)
