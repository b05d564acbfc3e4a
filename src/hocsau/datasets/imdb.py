"""IMDB: 50,000 movie reviews labelled by sentiment, as sequences of word indexes."""

from __future__ import annotations

import numpy as np

from hocsau.datasets._remote import fetch, fetch_json
from hocsau.datasets._safe_pickle import load_npz
from hocsau.datasets._sequences import drop_long, limit_vocabulary, mark_and_offset
from hocsau.datasets._splits import shuffled

_HASHES = {
    "imdb.npz": "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
    "imdb_word_index.json": "bfafd718b763782e994055a2d397834f",
}


def load_data(
    path: str = "imdb.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
):
    """Loads IMDB, downloading it on first use.

    Each word is encoded as its frequency rank (1 for the most frequent, see `get_word_index`)
    plus `index_from`, which leaves 0 (padding), `start_char` and `oov_char` free.

    Args:
        path: File name of the cached copy, under `~/.hocsau/datasets`.
        num_words: Keep only indexes below this (others become `oov_char`); None keeps all.
        skip_top: Indexes below this become `oov_char` too.
        maxlen: Drop the reviews whose sequence is `maxlen` long or longer; None keeps all.
        seed: Seed of the shuffle applied to each split.
        start_char: Index put at the start of every sequence; None puts nothing.
        oov_char: Index replacing the words cut by `num_words` or `skip_top`; None removes them.
        index_from: Offset added to every word index of the file.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: object arrays of 25,000 lists of int indexes
        each (before `maxlen`), and int labels (0 negative, 1 positive).

    The file stores ragged object arrays; they are read with an unpickler that allows numpy
    arrays and builtin values only, so a tampered file cannot run code.
    """
    arrays = load_npz(fetch("imdb.npz", _HASHES["imdb.npz"], fname=path))
    rng = np.random.RandomState(seed)
    x_train, y_train = shuffled(rng, arrays["x_train"], arrays["y_train"])
    x_test, y_test = shuffled(rng, arrays["x_test"], arrays["y_test"])
    x_train = mark_and_offset(x_train, start_char, index_from)
    x_test = mark_and_offset(x_test, start_char, index_from)
    if maxlen:
        x_train, y_train = drop_long(maxlen, x_train, y_train)
        x_test, y_test = drop_long(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError(
                f"After filtering for sequences shorter than maxlen={maxlen}, no sequence "
                "was kept. Increase maxlen."
            )
    xs = limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([y_train, y_test])
    cut = len(x_train)
    return (
        (np.array(xs[:cut], dtype="object"), labels[:cut]),
        (np.array(xs[cut:], dtype="object"), labels[cut:]),
    )


def get_word_index(path: str = "imdb_word_index.json") -> dict[str, int]:
    """The dict from each word to its frequency rank (1 is the most frequent) in IMDB.

    Args:
        path: File name of the cached copy, under `~/.hocsau/datasets`.
    """
    return fetch_json("imdb_word_index.json", _HASHES["imdb_word_index.json"], path)
