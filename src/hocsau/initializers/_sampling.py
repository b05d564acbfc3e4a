"""Random draws for the initializers, made the way Keras's torch backend makes them.

A seeded draw uses a fresh CPU `torch.Generator` seeded with `seed` (as Keras does for an
integer seed), so a seeded initializer returns the same values on every call and the same
values as Keras on the CPU. An unseeded draw uses torch's global generator, which
`torch.manual_seed` makes reproducible.
"""

from __future__ import annotations

import torch

from hocsau.config import torch_dtype


def generator(seed: int | None) -> torch.Generator | None:
    if seed is None:
        return None
    return torch.Generator().manual_seed(int(seed) & 0xFFFFFFFF)


def normal(shape, mean: float, stddev: float, dtype, seed: int | None) -> torch.Tensor:
    return torch.normal(mean, stddev, size=tuple(shape), generator=generator(seed),
                        dtype=torch_dtype(dtype))


def uniform(shape, minval: float, maxval: float, dtype, seed: int | None) -> torch.Tensor:
    shape = tuple(shape)
    unit = torch.rand(shape or (1,), generator=generator(seed), dtype=torch_dtype(dtype))
    values = (maxval - minval) * unit + minval
    return values if shape else values[0]


def truncated_normal(shape, mean: float, stddev: float, dtype, seed: int | None) -> torch.Tensor:
    """Normal draws kept within two standard deviations of the mean.

    Like Keras: draw four candidates per entry and keep the first one inside (-2, 2). Keras
    keeps an outside value when all four miss (about 4 entries in a million); those are
    drawn again here, so every value lies inside the bounds.
    """
    rng = generator(seed)
    dtype = torch_dtype(dtype)
    candidates = torch.normal(0.0, 1.0, size=(*shape, 4), generator=rng, dtype=dtype)
    inside = (candidates > -2) & (candidates < 2)
    first = inside.to(torch.uint8).argmax(dim=-1, keepdim=True)
    values = candidates.gather(-1, first).squeeze(-1).reshape(-1)
    misses = torch.nonzero(~(values.abs() < 2)).squeeze(1)
    while misses.numel():
        fresh = torch.normal(0.0, 1.0, size=(misses.numel(),), generator=rng, dtype=dtype)
        values[misses] = fresh
        misses = misses[~(fresh.abs() < 2)]
    return values.reshape(tuple(shape)).mul_(stddev).add_(mean)
