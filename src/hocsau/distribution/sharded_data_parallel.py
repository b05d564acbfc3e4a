"""`ShardedDataParallel` (a hocsau extension): data parallel training whose optimizer state,
reduced gradients and master copy of the weights are split between the processes."""

from __future__ import annotations

from hocsau.distribution.data_parallel import DataParallel
from hocsau.distribution.process_group import num_processes, process_id


class ShardedDataParallel(DataParallel):
    """Data parallelism with the optimizer's work split between processes (ZeRO-2 style).

    Every process computes the forward and backward pass on its slice of each global batch,
    as with `DataParallel`. The gradients are then reduce-scattered: each process receives
    the summed gradient of its 1/W slice of every (flattened) trainable weight, updates that
    slice with optimizer slots that only cover it, and the updated slices are all-gathered
    into the weights. Optimizer memory is divided by the number of processes W; the model's
    weights, names, paths, regularizers and constraints are untouched, so `evaluate`,
    `predict`, callbacks and `model.save` (which gathers the optimizer slots and lets the
    chief write) behave as with `DataParallel`. Training equals `DataParallel` up to the
    order of the gradient sums.

    `optimizer.variables` hold this process's slices (flat, padded to an equal length).
    `clipnorm` / `global_clipnorm` use the norms of the whole gradients (one small
    all-reduce); `use_ema` averages the chunks. A `LossScaleOptimizer` is refused.

    Args: as `DataParallel`'s.
    """

    def shards_variable(self, variable) -> bool:
        """Whether `variable`'s optimizer state is split between the processes."""
        return True

    def shard_sizes(self, model) -> dict[str, int]:
        """{weight path: how many of its entries this process updates} for the trainable
        weights; over all processes the sizes add up to each weight's size."""
        world, rank = num_processes(), process_id()
        sizes = {}
        for variable in model.trainable_weights:
            size = variable.numel()
            if self.shards_variable(variable):
                chunk = -(-size // world)
                size = max(0, min(chunk, size - rank * chunk))
            sizes[variable.path] = size
        return sizes
