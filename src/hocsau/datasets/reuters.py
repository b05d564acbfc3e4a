"""Reuters: 11,228 newswires labelled over 46 topics, as sequences of word indexes."""

from __future__ import annotations

import numpy as np

from hocsau.datasets._remote import fetch, fetch_json
from hocsau.datasets._safe_pickle import load_npz
from hocsau.datasets._sequences import drop_long, limit_vocabulary, mark_and_offset
from hocsau.datasets._splits import shuffled, split_index

_HASHES = {
    "reuters.npz": "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916",
    "reuters_word_index.json": "4d44cc38712099c9e383dc6e5f11a921",
}
_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)  # fmt: skip


def load_data(
    path: str = "reuters.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    test_split: float = 0.2,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
):
    """Loads Reuters, downloading it on first use.

    Words are encoded as in `imdb.load_data`, and `num_words`, `skip_top`, `maxlen`,
    `start_char`, `oov_char` and `index_from` filter and shift them the same way.

    Args:
        path: File name of the cached copy, under `~/.hocsau/datasets`.
        test_split: Fraction of the (shuffled) newswires kept for the test split.
        seed: Seed of the shuffle.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: object arrays of lists of int indexes, and int
        topic labels (0-45, named by `get_label_names`).

    The file stores ragged object arrays; they are read with an unpickler that allows numpy
    arrays and builtin values only, so a tampered file cannot run code.
    """
    arrays = load_npz(fetch("reuters.npz", _HASHES["reuters.npz"], fname=path))
    xs, labels = shuffled(np.random.RandomState(seed), arrays["x"], arrays["y"])
    xs = mark_and_offset(xs, start_char, index_from)
    if maxlen:
        xs, labels = drop_long(maxlen, xs, labels)
    xs = limit_vocabulary(xs, num_words, skip_top, oov_char)
    cut = split_index(len(xs), test_split)
    return (
        (np.array(xs[:cut], dtype="object"), np.array(labels[:cut])),
        (np.array(xs[cut:], dtype="object"), np.array(labels[cut:])),
    )


def get_word_index(path: str = "reuters_word_index.json") -> dict[str, int]:
    """The dict from each word to its frequency rank (1 is the most frequent) in Reuters.

    Args:
        path: File name of the cached copy, under `~/.hocsau/datasets`.
    """
    return fetch_json("reuters_word_index.json", _HASHES["reuters_word_index.json"], path)


def get_label_names() -> tuple[str, ...]:
    """The 46 topic names, indexed by label."""
    return _LABEL_NAMES
