"""Where the dataset files come from: Keras's own URLs, or a mirror named by the environment."""

from __future__ import annotations

import json
import os

from hocsau.utils.file_utils import get_file

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
CIFAR_ORIGIN = "https://www.cs.toronto.edu/~kriz/"


def fetch(
    remote_name: str,
    file_hash: str | None,
    fname: str | None = None,
    base: str = KERAS_ORIGIN,
    **kwargs,
) -> str:
    """`get_file` for one dataset file, cached under `fname` (default: its remote name).

    `$HOCSAU_DATASETS_ORIGIN`, when set, replaces the base URL of every dataset (a mirror, or a
    local server in tests); the checksums stay those of the real files.
    """
    base = os.environ.get("HOCSAU_DATASETS_ORIGIN") or base
    origin = f"{base.rstrip('/')}/{remote_name}"
    return get_file(fname or remote_name, origin=origin, file_hash=file_hash, **kwargs)


def fetch_json(remote_name: str, file_hash: str, fname: str):
    """A dataset's JSON file (the word indexes), downloaded on first use and parsed."""
    with open(fetch(remote_name, file_hash, fname=fname), encoding="utf8") as f:
        return json.load(f)
