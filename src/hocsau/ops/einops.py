"""`rearrange`: einops-style reshape and transpose in one pattern, e.g. "b (h w) c -> b h w c"."""

from __future__ import annotations

import math
import re

import torch

from hocsau.ops._convert import tensor as _to_tensor
from hocsau.ops.dispatch import op

_TOKEN = re.compile(r"\(([^()]*)\)|(\w+)")


def _groups(side: str) -> list[list[str]]:
    """'b (h w) c' -> [['b'], ['h', 'w'], ['c']]."""
    return [group.split() if group else [name]
            for group, name in _TOKEN.findall(side)]


def _sizes(groups: list[list[str]], shape, lengths: dict) -> dict[str, int]:
    sizes = dict(lengths)
    if len(groups) != len(shape):
        raise ValueError(f"The pattern has {len(groups)} input axes but the tensor has rank "
                         f"{len(shape)}. Received: shape={tuple(shape)}")
    for group, dim in zip(groups, shape, strict=False):
        unknown = [name for name in group if name not in sizes]
        if len(unknown) > 1:
            raise ValueError(f"Cannot infer the sizes of {unknown} in group {group}: pass all "
                             "but one of them as keyword arguments.")
        known = math.prod(sizes[name] for name in group if name in sizes)
        if unknown:
            sizes[unknown[0]] = dim // known
        elif known != dim:
            raise ValueError(f"Axis group {group} has size {known} but the tensor axis has size "
                             f"{dim}.")
    return sizes


@op
def rearrange(tensor, pattern, **axes_lengths) -> torch.Tensor:
    """Split, merge and reorder axes as described by an einops `pattern`.

    Args:
        tensor: the input.
        pattern: "input axes -> output axes"; parentheses group axes into one.
        **axes_lengths: sizes of grouped axes that cannot be inferred.
    """
    x = _to_tensor(tensor)
    source, _, target = pattern.partition("->")
    inputs, outputs = _groups(source), _groups(target)
    sizes = _sizes(inputs, x.shape, axes_lengths)
    names = [name for group in inputs for name in group]
    order = [name for group in outputs for name in group]
    if sorted(names) != sorted(order):
        raise ValueError(f"Both sides of the pattern must name the same axes. Received: "
                         f"pattern={pattern!r}")
    x = x.reshape([sizes[name] for name in names]).permute([names.index(n) for n in order])
    return x.reshape([math.prod(sizes[name] for name in group) for group in outputs])
