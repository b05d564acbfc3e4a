"""Flat, padded chunks of tensors split between W processes (what `sharded_step` and
`parameter_sharding` share): a tensor is flattened, zero-padded to W equal chunks, and
process r holds chunk r."""

from __future__ import annotations

import torch
import torch.distributed as dist
import torch.nn.functional as F

from hocsau.variable import Variable


def chunk_size(size: int, world: int) -> int:
    return -(-size // world)


def padded(tensor: torch.Tensor, chunk: int, world: int) -> torch.Tensor:
    """`tensor` flattened, zero-padded to `chunk * world` entries, as `world` rows."""
    flat = tensor.reshape(-1)
    return F.pad(flat, (0, chunk * world - flat.numel())).view(world, chunk)


def padded_rows(tensor: torch.Tensor, world: int) -> torch.Tensor:
    """`tensor` as `world` equal padded rows (row r: process r's chunk)."""
    return padded(tensor, chunk_size(tensor.numel(), world), world)


def padded_chunk(tensor: torch.Tensor, world: int, rank: int) -> torch.Tensor:
    """Process `rank`'s chunk of `tensor` (a view of a padded copy)."""
    return padded_rows(tensor, world)[rank]


def own_chunk(variable, world: int, rank: int) -> Variable:
    """A flat Variable holding process `rank`'s chunk of `variable`, with its name and path
    (so optimizer slots are named after the weight) and `_shard_of` pointing at it."""
    value = padded_chunk(variable.detach(), world, rank)
    owned = Variable(value.clone(), dtype=variable.dtype, trainable=True,
                     name=variable.name, device=variable.device)
    owned._path = variable.path
    owned._shard_of = variable
    owned.overwrite_with_gradient = getattr(variable, "overwrite_with_gradient", False)
    return owned


def gathered(chunks: list, world: int) -> list[torch.Tensor]:
    """Every process's `chunks` (equal sizes everywhere): one all-gather, a (world, size)
    block of rows per chunk."""
    mine = torch.cat([chunk.detach().reshape(-1) for chunk in chunks])
    rows = torch.empty(world * mine.numel(), dtype=mine.dtype, device=mine.device)
    dist.all_gather_single(rows, mine)
    return list(rows.view(world, -1).split([chunk.numel() for chunk in chunks], dim=1))


def unpadded(rows: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """The gathered `rows` of a padded chunk, shaped like the weight `like` again."""
    return rows.reshape(-1)[:like.numel()].view(like.shape)


def by_dtype(indices, tensors: list) -> dict:
    """`indices` grouped by their tensors' (dtype, device), in order: one collective each."""
    groups: dict = {}
    for i in indices:
        groups.setdefault((tensors[i].dtype, tensors[i].device), []).append(i)
    return groups
