"""JSON from files, with a nesting limit: a hostile config nested thousands of levels deep
would otherwise stop the parser or the deserializer with a RecursionError."""

from __future__ import annotations

import json

# Far deeper than any real config (a model nested in a model adds about six levels).
MAX_DEPTH = 128


def loads(text: str | bytes, filepath: str, entry: str):
    """The value of `text`, the `entry` (config.json, model_config, ...) of `filepath`.

    Raises:
        ValueError: naming the file and entry, for invalid JSON or nesting deeper than
            `MAX_DEPTH`.
    """
    too_deep = f"'{filepath}' has an invalid {entry}: it nests deeper than {MAX_DEPTH} levels."
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(too_deep) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"'{filepath}' has an invalid {entry}: {error}") from None
    if depth(value) > MAX_DEPTH:
        raise ValueError(too_deep)
    return value


def depth(value) -> int:
    """How deeply lists and dicts nest in `value` (0 for a scalar), without recursion."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, level = pending.pop()
        children = item.values() if isinstance(item, dict) else \
            item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in children)
    return deepest
