"""Collectives the trainer, optimizer and saving use; each is a no-op in one process.

Tensors travel in one flat buffer per dtype, so a sync costs one all-reduce per dtype.
"""

from __future__ import annotations

import torch
import torch.distributed as dist

from hocsau.distribution.errors import collective
from hocsau.distribution.process_group import barrier, is_chief, is_multi_process


def all_reduce_sum_(tensors: list[torch.Tensor], scale: float | None = None,
                    what: str = "tensors") -> None:
    """Sum `tensors` over the processes in place (times `scale` first, when given); `what`
    names them in errors."""
    def reduce(flat):
        if scale is not None:
            flat.mul_(scale)
        dist.all_reduce(flat)

    _flat_in_place(tensors, reduce, what)


def _flat_in_place(tensors: list[torch.Tensor], function, what: str) -> None:
    """Run the collective `function` on one flat buffer per (dtype, device), copy back."""
    groups: dict = {}
    for tensor in tensors:
        groups.setdefault((tensor.dtype, tensor.device), []).append(tensor)
    for group in groups.values():
        flat = torch.cat([t.detach().reshape(-1) for t in group])
        with collective(f"the all-reduce of {what}"):
            function(flat)
        for tensor, part in zip(group, flat.split([t.numel() for t in group]), strict=True):
            tensor.copy_(part.view_as(tensor))


_REDUCERS = {
    "sum": lambda flat: dist.all_reduce(flat),
    "mean": lambda flat: dist.all_reduce(flat.div_(dist.get_world_size())),
    "max": lambda flat: dist.all_reduce(flat, op=dist.ReduceOp.MAX),
    "min": lambda flat: dist.all_reduce(flat, op=dist.ReduceOp.MIN),
    "only_first_replica": lambda flat: dist.broadcast(flat, src=0),
}


def reduce_by_aggregation_(variables: list) -> None:
    """Combine every process's `variables` in place, each by its `aggregation` (metric
    states: "sum" counts, "mean", "max" / "min", the chief's for "only_first_replica";
    "none" stays local). One collective per aggregation and dtype."""
    by_kind: dict = {}
    for variable in variables:
        by_kind.setdefault(getattr(variable, "aggregation", "sum"), []).append(variable)
    for kind in sorted(by_kind):  # the same order on every process
        if kind in _REDUCERS:
            _flat_in_place(by_kind[kind], _REDUCERS[kind], "metric states")


def any_process(flag: bool) -> bool:
    """True on every process when `flag` is True on any of them (one all-reduce)."""
    if not is_multi_process():
        return bool(flag)
    from hocsau.distribution.process_group import local_device

    value = torch.tensor([1.0 if flag else 0.0], device=local_device())
    with collective("the all-reduce that agrees on `stop_training`"):
        dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())


def min_over_processes(value: int) -> int:
    """The smallest `value` over the processes (one all-reduce)."""
    if not is_multi_process():
        return int(value)
    from hocsau.distribution.process_group import local_device

    tensor = torch.tensor([int(value)], dtype=torch.int64, device=local_device())
    with collective("the all-reduce that agrees on the number of batches"):
        dist.all_reduce(tensor, op=dist.ReduceOp.MIN)
    return int(tensor.item())


def broadcast_object(value):
    """The chief's `value` (picklable) on every process."""
    if not is_multi_process():
        return value
    box = [value]
    with collective("a broadcast from the chief"):
        dist.broadcast_object_list(box, src=0)
    return box[0]


def broadcast_rng_state() -> None:
    """Give every process the chief's torch random state, so shuffles and dropout agree."""
    if not is_multi_process():
        return
    states = [torch.get_rng_state()]
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        states.append(torch.cuda.get_rng_state())
    with collective("the broadcast of the random state"):
        dist.broadcast_object_list(states, src=0)
    torch.set_rng_state(states[0])
    if len(states) > 1:
        torch.cuda.set_rng_state(states[1])


def broadcast_weights(variables: list) -> None:
    """Copy the chief's values of `variables` to every process."""
    if not is_multi_process():
        return
    with torch.no_grad(), collective("the broadcast of the chief's weights"):
        for variable in variables:
            dist.broadcast(variable.data, src=0)


def all_gather_objects(value) -> list:
    """Every process's `value` (picklable), in rank order."""
    gathered = [None] * dist.get_world_size()
    with collective("an all-gather"):
        dist.all_gather_object(gathered, value)
    return gathered


def on_chief(function, *args, **kwargs) -> None:
    """Run `function` on the chief only; every process then waits at a barrier, so a read
    right after a write never races. One process: just run it."""
    if not is_multi_process():
        function(*args, **kwargs)
        return
    try:
        if is_chief():
            function(*args, **kwargs)
    finally:
        with collective("the barrier after the chief's write"):
            barrier()
