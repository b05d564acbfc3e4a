"""Unique default names (dense, dense_1, ...) as Keras gives them."""

from __future__ import annotations

import collections
import re

_COUNTS: collections.Counter = collections.Counter()


def to_snake_case(name: str) -> str:
    """'BatchNormalization' -> 'batch_normalization', 'Conv2D' -> 'conv2d'."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
    return name.lstrip("_") or "layer"


def uniquify(base: str) -> str:
    """The first use of `base` keeps it; later uses get _1, _2, ..."""
    count = _COUNTS[base]
    _COUNTS[base] += 1
    return base if count == 0 else f"{base}_{count}"


def reset_names() -> None:
    """Forget every name given so far (part of `backend.clear_session`)."""
    _COUNTS.clear()


def get_uid(prefix: str = "") -> int:
    """Count one more use of `prefix` and return the count (1 for the first)."""
    _COUNTS[prefix] += 1
    return _COUNTS[prefix]
