"""`ShardedDataParallel` (a hocsau extension): data parallel training whose weights, gradients
and optimizer state are split between the processes."""

from __future__ import annotations

from hocsau.distribution.data_parallel import DataParallel
from hocsau.distribution.process_group import num_processes, process_id


class ShardedDataParallel(DataParallel):
    """Data parallelism with the weights, gradients and optimizer state split between the
    processes (ZeRO-3 style; ZeRO-2 with `shard_weights=False`).

    Every process computes the forward and backward pass on its slice of each global batch,
    as with `DataParallel`. Each trainable weight is flattened and padded to W equal chunks;
    process r keeps chunk r and the optimizer slots of that chunk only.

    With `shard_weights=True` (the default) the weights themselves live only as chunks
    between uses: each top-level layer's weights are all-gathered just before its forward
    pass and released after it, gathered again when backward needs them, and each weight's
    gradient is reduce-scattered into its chunk as soon as it is complete. Memory per
    process is about (weights + gradients + optimizer state) / W plus the largest top-level
    layer's whole weights. The Variables stay the same objects with their names, paths,
    regularizers and constraints; reading one outside its layer's forward pass raises a
    ValueError, except through `get_weights`, `Variable.numpy`, saving, loading and
    `keras.distribution.whole_weights(model)` (collective: every process calls them).
    `evaluate` and `predict` gather every weight for their duration (processes may run
    unequal numbers of batches). Constraints are applied to the whole weight, gathered one
    at a time after each step. Every process must run the same layers together (each
    forward pass gathers); `jit_compile=True` is refused.

    With `shard_weights=False` the weights stay whole on every process: the reduced
    gradients are reduce-scattered, each process updates its chunks, and the updated chunks
    are all-gathered into the weights after every step (optimizer memory / W only).

    Either way training equals `DataParallel` up to the order of the gradient sums,
    `optimizer.variables` hold this process's chunks (flat, padded to an equal length),
    and `model.save` gathers weights and slots so the chief writes what one process would.
    `clipnorm` / `global_clipnorm` use the norms of the whole gradients (one small
    all-reduce); `use_ema` averages the chunks. A `LossScaleOptimizer` is refused.

    Args:
        shard_weights: split the weights themselves (True) or only the optimizer's work.
        Others: as `DataParallel`'s.
    """

    def __init__(self, *args, shard_weights: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.shard_weights = bool(shard_weights)

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
