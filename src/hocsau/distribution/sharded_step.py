"""The sharded optimizer step of `ShardedDataParallel` / `ModelParallel`.

Each split weight of W processes is flattened, padded to W equal chunks, and process r owns
chunk r: a flat `Variable` (same name and path as the weight, so the optimizer names its
slots after the weight) that the optimizer is built on, so its slots cover that chunk only.
One step:

    whole gradients -> one reduce-scatter per dtype (scaled to the global mean) -> chunks
    (parameter-sharded weights: their chunks' gradients were reduce-scattered in backward)
    optimizer update of the owned chunks (the usual `Optimizer` code, on flat tensors)
    ZeRO-2: owned chunks -> one all-gather per dtype -> the weights -> constraints
    ZeRO-3: the weights released (`parameter_sharding`), constrained ones one at a time

Weights the distribution does not split (ModelParallel's replicated ones) are updated
whole after one flat all-reduce of their gradients. Names, paths, regularizers and
constraints of the weights are unchanged.
"""

from __future__ import annotations

import contextlib

import torch
import torch.distributed as dist

from hocsau.distribution import collectives, parameter_sharding
from hocsau.distribution.flat_chunks import (
    by_dtype,
    chunk_size,
    gathered,
    own_chunk,
    padded,
    padded_chunk,
    unpadded,
)
from hocsau.distribution.parameter_sharding import ShardedVariable
from hocsau.distribution.process_group import is_multi_process, num_processes, process_id


def route(optimizer, grads: list, variables) -> bool:
    """Run `optimizer.apply` sharded when a sharded distribution is training (True), else
    leave it to the usual path (False). Once sharded, an optimizer stays sharded."""
    state = optimizer.__dict__.get("_sharded_state")
    if state is None:
        chosen = _sharded_distribution()
        if chosen is None:
            return False
        if variables is None:  # the optimizer's own list of weights
            variables = optimizer._built_variables()
        state = ShardedState(optimizer, list(variables), chosen)
        optimizer.__dict__["_sharded_state"] = state
    state.apply(grads, variables)
    return True


def refuse_loss_scaling(optimizer) -> None:
    """A ValueError when `optimizer` (a LossScaleOptimizer) would step sharded: each process
    would judge only its own gradients finite, and the processes could disagree."""
    chosen = _sharded_distribution()
    if chosen is not None:
        raise ValueError(f"`{type(chosen).__name__}` does not support dynamic loss scaling: "
                         "use the 'mixed_bfloat16' dtype policy (no loss scale) or "
                         "`DataParallel`. Received: "
                         f"optimizer={type(optimizer).__name__}({optimizer.name!r})")


def finalize_averages(optimizer) -> bool:
    """When `optimizer` steps sharded: its moving averages (chunks) into the weights, through
    the chunks and one all-gather (True); else False."""
    state = optimizer.__dict__.get("_sharded_state")
    if state is None:
        return False
    with torch.no_grad():
        optimizer._overwrite_model_variables_with_average_value(state.owned)
        state._gather(constrain=False)  # as one process: the averages are taken as they are
    return True


def whole_norms(optimizer, grads: list, plan) -> list | None:
    """The L2 norms of the whole gradients whose parts `grads` are, when `optimizer` steps
    sharded (one all-reduce of the squared norms), else None."""
    if optimizer.__dict__.get("_sharded_state") is None:
        return None
    device = grads[0].device
    squares = torch.stack([n.to(device) for n in torch._foreach_norm(grads)]) ** 2
    copies = torch.tensor([1.0 if getattr(v, "_shard_of", None) is not None else 1.0 /
                           num_processes() for v in plan.variables], device=device)
    squares = squares * copies.to(squares.dtype)  # a replicated gradient counts once
    dist.all_reduce(squares)
    return list(squares.sqrt().unbind())


def _sharded_distribution():
    if not is_multi_process():  # checked first: this runs on every optimizer step
        return None
    from hocsau.distribution import trainer_hooks
    from hocsau.distribution.distribution_lib import distribution
    from hocsau.distribution.sharded_data_parallel import ShardedDataParallel

    for chosen in (trainer_hooks.fitting_distribution(), distribution()):
        if isinstance(chosen, ShardedDataParallel):
            return chosen
    return None


class ShardedState:
    """One optimizer's owned chunks and how they map to the weights."""

    def __init__(self, optimizer, variables: list, chosen):
        if not optimizer._entrywise:
            raise ValueError(f"`{type(chosen).__name__}` updates slices of flattened weights, "
                             f"but `{type(optimizer).__name__}` needs whole weights (matrix "
                             "factors or norms). Use an optimizer such as Adam, or "
                             "`DataParallel`. Received: "
                             f"optimizer={type(optimizer).__name__}({optimizer.name!r})")
        self.world, self.rank = num_processes(), process_id()
        collectives.broadcast_weights(  # the first step may run before fit's sync
            [v for v in variables if not isinstance(v, ShardedVariable)])
        self.weights = variables
        self.split = [chosen.shards_variable(v) for v in variables]
        self.chunks = [chunk_size(v.numel(), self.world) for v in variables]
        self.owned = [self._own(v) if s else v for v, s in zip(variables, self.split,
                                                                 strict=True)]
        self._by_id = {id(v): i for i, v in enumerate(variables)}
        self._by_id.update({id(o): i for i, o in enumerate(self.owned)})
        _carry_exclusions(optimizer, variables, self.owned)
        self.optimizer = optimizer
        self._build(optimizer)

    def _build(self, optimizer) -> None:
        """Build the optimizer on the owned chunks. One built before (state restored by
        BackupAndRestore, or trained in one process) is rebuilt, keeping its values: its
        slots are cut to this process's chunks."""
        if not optimizer.built:
            optimizer.build(self.owned)
            return
        before = optimizer._variables
        optimizer._variables, optimizer.built = [], False
        optimizer.build(self.owned)
        fresh = optimizer._variables
        kept = before[:len(before) - len(fresh)]  # created before `build` (counter, rate)
        optimizer._variables = kept + fresh
        for new, old in zip(fresh, before[len(kept):], strict=True):
            shard_of = getattr(new, "_shard_of", None)
            value = old.detach() if shard_of is None else padded_chunk(
                old.detach(), self.world, self.rank)
            new.copy_(value)

    def _own(self, variable):
        """The chunk this process steps: a parameter-sharded weight's own, else a new one."""
        if isinstance(variable, ShardedVariable):
            return variable._chunk
        return own_chunk(variable, self.world, self.rank)

    def apply(self, grads: list, variables) -> None:
        from hocsau.distribution.trainer_hooks import gradient_scale

        order = range(len(self.weights)) if variables is None else [
            self._index(v) for v in variables]
        local = [None] * len(self.weights)
        for position, gradient in zip(order, grads, strict=True):
            local[position] = gradient
        with torch.no_grad():
            reduced = self._with_sharded_gradients(self._reduce(local, gradient_scale()),
                                                   order)
            self.optimizer._apply(reduced, self.owned, reduce=False)
            self._gather()

    def _index(self, variable) -> int:
        index = self._by_id.get(id(variable))
        if index is None:
            self.optimizer._check_variables_are_known([variable])
        return index

    def _reduce(self, grads: list, scale: float) -> list:
        """Owned chunks of the summed split gradients, whole summed replicated ones."""
        reduced = list(grads)
        whole = [i for i, g in enumerate(grads) if g is not None and not self.split[i]]
        if whole:
            summed = [torch.as_tensor(grads[i]).clone() for i in whole]
            collectives.all_reduce_sum_(summed, scale=scale)
            reduced = _placed(reduced, whole, summed)
        split = [i for i, g in enumerate(grads) if g is not None and self.split[i]]
        for indices in by_dtype(split, self.weights).values():
            rows = torch.cat([padded(torch.as_tensor(grads[i]), self.chunks[i], self.world)
                              for i in indices], dim=1)
            rows.mul_(scale)
            mine = torch.empty(rows.shape[1], dtype=rows.dtype, device=rows.device)
            dist.reduce_scatter_single(mine, rows.reshape(-1))
            reduced = _placed(reduced, indices, mine.split([self.chunks[i] for i in indices]))
        for i in split:  # the full local gradients are not kept (ZeRO-2)
            self.weights[i].grad = None
        return reduced

    def _with_sharded_gradients(self, reduced: list, applied) -> list:
        """Parameter-sharded weights' gradients were reduce-scattered in backward, into their
        chunks' `.grad`: those of the `applied` weights are taken (added to any gradient
        passed whole)."""
        for i in applied:
            owned = self.owned[i]
            if owned is not self.weights[i] and owned.grad is not None:
                gradient, owned.grad = owned.grad, None
                reduced[i] = gradient if reduced[i] is None else reduced[i] + gradient
        return reduced

    def _gather(self, constrain: bool = True) -> None:
        """Every process's updated chunks into the whole weights, then (if `constrain`)
        their constraints; parameter-sharded weights are released instead (the next use
        gathers them), constrained ones constrained whole one at a time."""
        sharded = [w for w in self.weights if isinstance(w, ShardedVariable)]
        if sharded:
            parameter_sharding.after_step(sharded, constrain)
        split = [i for i in range(len(self.weights)) if self.split[i]
                 and not isinstance(self.weights[i], ShardedVariable)]
        for indices in by_dtype(split, self.weights).values():
            rows = gathered([self.owned[i] for i in indices], self.world)
            for i, part in zip(indices, rows, strict=True):
                weight = self.weights[i]
                weight.copy_(unpadded(part, weight))
                if constrain and getattr(weight, "constraint", None) is not None:
                    weight.copy_(weight.constraint(weight))
                    self._take_chunk(i)

    def _take_chunk(self, i: int) -> None:
        self.owned[i].copy_(padded_chunk(self.weights[i].detach(), self.world, self.rank))

    def refresh(self) -> None:
        """Take the owned chunks again from the weights (after weights were loaded)."""
        with torch.no_grad():
            for i in range(len(self.weights)):
                if self.split[i] and not getattr(self.weights[i], "_released", False):
                    self._take_chunk(i)


@contextlib.contextmanager
def whole_optimizer_state(model):
    """Inside the block the model's parameter-sharded weights are whole and the optimizer's
    slots of split weights hold whole tensors shaped like the weights (gathered from every
    process), so saving writes, and loading reads, what one process would; after it each
    process keeps its chunk of them again. Collective: every process enters it. Does
    nothing unless the model or its optimizer is sharded."""
    optimizer = getattr(model, "optimizer", None)
    states = _states(optimizer)
    with parameter_sharding.whole_weights(model):
        if not states:
            yield
            return
        slots = [v for v in optimizer.variables if getattr(v, "_shard_of", None) is not None]
        world, rank = states[0].world, states[0].rank
        with torch.no_grad():
            for indices in by_dtype(range(len(slots)), slots).values():
                _gather_whole([slots[i] for i in indices], world)
        try:
            yield
        finally:
            with torch.no_grad():
                for slot in slots:
                    slot.data = padded_chunk(slot.data, world, rank).clone()
                for state in states:
                    state.refresh()


def _states(optimizer) -> list:
    """The sharded states of `optimizer` and of the optimizers it holds (a MultiOptimizer's,
    a LossScaleOptimizer's inner one)."""
    if optimizer is None:
        return []
    found = [optimizer] + list(getattr(optimizer, "optimizers", ()) or ())
    inner = getattr(optimizer, "inner_optimizer", None)
    found += [inner] if inner is not None else []
    return [o.__dict__["_sharded_state"] for o in found if "_sharded_state" in o.__dict__]


def _gather_whole(slots: list, world: int) -> None:
    for slot, part in zip(slots, gathered(slots, world), strict=True):
        slot.data = unpadded(part, slot._shard_of).clone()


def _placed(values: list, indices: list, parts) -> list:
    for i, part in zip(indices, parts, strict=True):
        values[i] = part
    return values


def _carry_exclusions(optimizer, weights: list, owned: list) -> None:
    """Weights exempted from weight decay by identity pass the exemption to their chunks."""
    excluded = {id(v) for v in getattr(optimizer, "_excluded", ())}
    extra = [o for w, o in zip(weights, owned, strict=True) if id(w) in excluded and o is not w]
    if extra:
        optimizer._excluded = list(optimizer._excluded) + extra
        optimizer._reindex()
