"""A bound on how deeply a model config may nest, checked before it is rebuilt.

Rebuilding a config recurses once per level (and `json.loads` too), so a damaged or crafted
config nested thousands of levels deep would end in a `RecursionError` from somewhere inside.
Configs Keras writes stay far below the bound: each nested model adds about three levels, a
plain model about ten.
"""

from __future__ import annotations

import json

MAX_CONFIG_DEPTH = 256


def check_config_depth(config, argument: str = "config") -> None:
    """Raise a `ValueError` when `config` nests dicts and lists deeper than the bound (an
    iterative walk: it cannot itself run out of stack)."""
    stack = [(config, 1)]
    while stack:
        value, depth = stack.pop()
        if not isinstance(value, (dict, list, tuple)):
            continue
        if depth > MAX_CONFIG_DEPTH:
            raise _too_deep(argument)
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children)


def parse_config_json(text: str, argument: str = "json_string"):
    """`json.loads(text)`, answering bad JSON and too deep nesting with a `ValueError`."""
    try:
        config = json.loads(text)
    except RecursionError:
        raise _too_deep(argument) from None
    except json.JSONDecodeError as error:
        raise ValueError(f"`{argument}` is not valid JSON: {error}. Received: "
                         f"{argument}={str(text)[:100]!r}") from None
    check_config_depth(config, argument)
    return config


def _too_deep(argument: str) -> ValueError:
    return ValueError(f"`{argument}` nests deeper than {MAX_CONFIG_DEPTH} levels; no model "
                      "config does, so it is damaged or was not written by Keras. Received: "
                      f"{argument} nested more than {MAX_CONFIG_DEPTH} levels deep")
