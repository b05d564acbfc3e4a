"""The nesting bound on model configs: real configs pass untouched, deeper ones are refused
with a ValueError (never a RecursionError), JSON errors name the argument."""

import json

import pytest

from hocsau.utils.config_nesting import MAX_CONFIG_DEPTH, check_config_depth, parse_config_json


def nested(depth: int, kind=dict):
    value = 1
    for _ in range(depth):
        value = {"config": value} if kind is dict else [value]
    return value


@pytest.mark.parametrize("kind", [dict, list])
def test_the_bound_is_exact(kind):
    check_config_depth(nested(MAX_CONFIG_DEPTH, kind))
    with pytest.raises(ValueError, match=rf"`config` nests deeper than {MAX_CONFIG_DEPTH} "
                                         r"levels.*Received: config nested more than"):
        check_config_depth(nested(MAX_CONFIG_DEPTH + 1, kind))


def test_a_config_far_deeper_than_the_stack_is_refused_without_recursion():
    with pytest.raises(ValueError, match="nests deeper"):
        check_config_depth(nested(20_000))


def test_parse_config_json_returns_the_config_and_refuses_deep_or_broken_text():
    config = {"class_name": "Dense", "config": {"units": 2, "activation": None}}
    assert parse_config_json(json.dumps(config)) == config
    with pytest.raises(ValueError, match=r"`json_string` nests deeper"):
        parse_config_json("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match=r"`text` nests deeper"):
        parse_config_json(json.dumps(nested(MAX_CONFIG_DEPTH + 1)), argument="text")
    with pytest.raises(ValueError, match=r"`json_string` is not valid JSON: Expecting value.*"
                                         r"Received: json_string='\{\"a\": '"):
        parse_config_json('{"a": ')
