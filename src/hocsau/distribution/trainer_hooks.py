"""What `fit` / `evaluate` / `predict` and `Optimizer.apply` call to run data parallel.

Every function returns its input unchanged (or does nothing) unless a `DataParallel`
distribution is active in a multi-process group, so the one-process path is untouched.

Batch rules: see `data_sharding` (arrays: the global batch split by rows; other sources:
per-process batches with equal step counts).
"""

from __future__ import annotations

import contextlib
import gc
import weakref

import torch

from hocsau.distribution import collectives, errors, parameter_sharding, process_group
from hocsau.distribution.chief_partner import ChiefPartner
from hocsau.distribution.data_parallel import DataParallel
from hocsau.distribution.data_sharding import shard_source
from hocsau.distribution.distribution_lib import distribution
from hocsau.distribution.process_group import (
    is_chief,
    is_multi_process,
    local_device,
    num_processes,
    process_id,
)
from hocsau.distribution.sharded_data_parallel import ShardedDataParallel
from hocsau.models.symbolic import map_structure
from hocsau.trainers.epoch_iterator import EpochIterator

# Parameter sharding, for the trainer: a weight's penalty (read outside its layer's call),
# whole weights for evaluate / predict.
penalty = parameter_sharding.penalty
whole_weights = parameter_sharding.whole_weights

# Per-step state shared with `Optimizer.apply`: the loss scale of this process's slice, and
# whether the gradients were already averaged by DDP.
_STEP = {"loss_scale": 1.0, "ddp_reduced": False, "fitting": False}
_WRAPPED: weakref.WeakSet = weakref.WeakSet()  # models whose step cache holds a DDP wrapper


def _release_ddp() -> None:
    for model in list(_WRAPPED):
        _release_ddp_of(model)


def _release_ddp_of(model) -> None:
    """Drop the model's DDP wrapper (made again by the next `fit`): its reducer's threads end
    now, while the group exists, so a script that destroys the group itself exits cleanly."""
    if (model.__dict__.get("_step_cache") or {}).pop("ddp", None) is not None:
        _WRAPPED.discard(model)
        gc.collect()  # the wrapper and its reducer sit in reference cycles


process_group.before_leaving(_release_ddp)


def remember(model) -> None:
    """Record the distribution active at `compile` (as TF's `model.distribute_strategy`), so a
    `fit` outside the `scope()` block still uses it."""
    model.__dict__["_distribution"] = distribution()


def _chosen(model):
    return model.__dict__.get("_distribution") or distribution()


def active(model):
    """The model's `DataParallel` when it runs on several processes, else None."""
    chosen = _chosen(model)
    if isinstance(chosen, DataParallel) and is_multi_process():
        return chosen
    return None


def prepare_fit(model, callbacks=None) -> None:
    """Before training: the chief's random state and (built) weights on every process; notes
    whether a callback may stop training after a batch (its stop is then synced per batch)."""
    _STEP["batch_stop"] = False
    _STEP["same_structure"] = False
    if active(model) is None:
        return
    _STEP["batch_stop"] = any(_has_batch_end_hook(c) for c in _as_list(callbacks))
    collectives.broadcast_rng_state()
    if model.built:
        same_structure(model.weights)
        collectives.broadcast_weights(  # a parameter-sharded weight's chunks agree already
            [w for w in model.weights if not isinstance(w, parameter_sharding.ShardedVariable)])
        _shard_parameters(model)


def _shard_parameters(model) -> None:
    """Parameter-shard the model once it is built, when its distribution asks for it."""
    chosen = active(model)
    if isinstance(chosen, ShardedDataParallel) and chosen.shard_weights:
        parameter_sharding.shard(model, chosen)


def same_structure(variables) -> None:
    """Once per `fit`, before weights are paired up across processes: every process must
    hold the same weights (a clear error names the first difference)."""
    if not _STEP.get("same_structure"):
        errors.check_same_structure(variables, collectives.all_gather_objects)
        _STEP["same_structure"] = True


def show_progress(model, verbose) -> bool:
    return verbose != 0 and (active(model) is None or is_chief())


def local_callbacks(model, callbacks):
    """The callbacks this process runs: writers marked `_chief_only` run on the chief only;
    one that reads the whole weights (`reads_whole_weights`) leaves a `ChiefPartner` in its
    place, which joins its gathers."""
    if active(model) is None or is_chief() or callbacks is None:
        return callbacks
    if not isinstance(callbacks, (list, tuple)):
        callbacks = [callbacks]
    return [ChiefPartner(c) if hasattr(c, "reads_whole_weights") else c for c in callbacks
            if not getattr(c, "_chief_only", False) or hasattr(c, "reads_whole_weights")]


def epoch_iterator(model, adapter, steps, training: bool):
    """The `EpochIterator` over `adapter`, or, when data parallel, a `ShardedIterator` over
    this process's part of it (see `data_sharding`)."""
    if isinstance(_chosen(model), DataParallel):
        errors.check_launch(_chosen(model))
    chosen = active(model)
    if chosen is None or not chosen.auto_shard_dataset:
        return EpochIterator(adapter, steps)
    source = shard_source(adapter, process_id(), num_processes(), training,
                          chosen.split_batches)
    return ShardedIterator(EpochIterator(source, steps), training)


class ShardedIterator:
    """Wraps an `EpochIterator` over a sharded source: (step, local batch) pairs; records
    which processes held each batch (for `predict`) and the loss scale of each step.

    In training every step runs on every process (DDP needs it), so an array batch with
    fewer rows than processes is an error. Evaluation and prediction skip what is not
    this process's. Each training epoch starts from the chief's random state, so shuffles
    (arrays, DataLoader samplers) agree even when the processes drew differently before.
    """

    def __init__(self, iterator, training: bool):
        self._iterator = iterator
        self._training = training
        self.owners: list[tuple] = []

    @property
    def num_batches(self) -> int | None:
        return self._iterator.num_batches

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self._iterator.close()

    def close(self) -> None:
        self._iterator.close()

    def __iter__(self):
        if self._training:
            collectives.broadcast_rng_state()
        try:
            for step, (local, scale, owners) in self._iterator:
                self.owners.append(owners)
                _STEP["ddp_reduced"] = False
                if self._training:
                    _check_rows(len(owners), local)
                    _STEP["loss_scale"] = scale
                elif local is None:
                    continue
                yield step, local
        finally:
            _STEP["loss_scale"] = 1.0


def _check_rows(holders: int, local) -> None:
    world = num_processes()
    if local is None:
        raise ValueError(f"A training batch of {holders} rows cannot be split over {world} "
                         "processes: every process needs at least one row. Choose a "
                         "`batch_size` (and a number of samples) so that every batch, the "
                         "last included, has at least one row per process.")


def training_module(model):
    """What the built-in `train_step` calls forward: the model's DDP wrapper when distributed.

    A model not built yet runs its first step plainly (its gradients are then averaged by
    `Optimizer.apply`); DDP wraps it from the next step on, once per `fit`.
    """
    chosen = active(model)
    if chosen is None or not model.built:
        return model
    if isinstance(chosen, ShardedDataParallel):  # its optimizer step reduces the gradients
        _STEP["ddp_reduced"] = True
        _shard_parameters(model)  # a model built by the first step: from the second on
        return model
    cache = model._training_cache()
    ddp = cache.get("ddp")
    if ddp is None:
        same_structure(model.weights)
        device = local_device()
        ddp = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[device] if device.type == "cuda" else None,
            find_unused_parameters=active(model).find_unused_parameters)
        cache["ddp"] = ddp
        _WRAPPED.add(model)
    _STEP["ddp_reduced"] = True
    return ddp


def scale_loss(loss: torch.Tensor) -> torch.Tensor:
    """The loss to differentiate: scaled for this process's share of an uneven batch."""
    scale = _STEP["loss_scale"]
    return loss if scale == 1.0 else loss * scale


def gradient_scale() -> float:
    """What turns the sum of the processes' gradients into the global-mean gradient: 1/W
    after the built-in step (its loss already carries this slice's share), else this slice's
    loss scale / W."""
    share = 1.0 if _STEP["ddp_reduced"] else _STEP["loss_scale"]
    return share / num_processes()


def fitting_distribution():
    """The data parallel distribution of the `fit` in progress, else None."""
    return _STEP["fitting"] or None


def reduce_gradients(grads: list[torch.Tensor], variables) -> list[torch.Tensor]:
    """Average gradients over the processes unless DDP already did (custom `train_step`s,
    several optimizers): one all-reduce per dtype, weighted like `scale_loss`."""
    averaging = _STEP["fitting"] or (isinstance(distribution(), DataParallel)
                                     and is_multi_process())
    if _STEP["ddp_reduced"] or not averaging:
        return grads
    if _STEP["fitting"]:
        same_structure(variables)
    grads = [g.clone() for g in grads]
    collectives.all_reduce_sum_(grads, scale=_STEP["loss_scale"] / num_processes(),
                                what="gradients (outside DDP: a custom step)")
    return grads


@contextlib.contextmanager
def fitting(model):
    """Mark a `fit` in progress (the optimizer then averages gradients DDP did not)."""
    previous = _STEP["fitting"]
    _STEP["fitting"] = active(model)
    try:
        with errors.translated(model, "fit"):
            yield
    finally:
        _STEP["fitting"] = previous
        _STEP["ddp_reduced"] = False
        _release_ddp_of(model)


@contextlib.contextmanager
def synced_metrics(model):
    """Inside the block, the model's metric states are combined over all processes by their
    `aggregation` (so results and every callback's decisions agree); the local states come
    back after."""
    if active(model) is None:
        yield
        return
    # A container metric lists its metrics' states too: each state is reduced once.
    variables = list({id(v): v for m in model.metrics for v in m.variables}.values())
    saved = [v.detach().clone() for v in variables]
    with torch.no_grad():
        collectives.reduce_by_aggregation_(variables)  # in place: bumps version counters
    try:
        yield
    finally:
        with torch.no_grad():
            for variable, value in zip(variables, saved, strict=True):
                variable.copy_(value)


def average_moving_statistics(model) -> None:
    """Average the moving statistics of unsynchronized BatchNormalization layers (which each
    process updates from its own slice), as TF's ON_READ/MEAN variables are, so every process
    validates and saves the same weights. Once per epoch: one all-reduce."""
    if active(model) is None:
        return
    from hocsau.layers.normalization.batch_normalization import BatchNormalization

    statistics = [w for layer in model.modules()
                  if isinstance(layer, BatchNormalization) and not layer.synchronized
                  for w in layer.non_trainable_weights if w.name.startswith(_MOVING)]
    if statistics:
        with torch.no_grad():
            collectives.all_reduce_sum_(statistics, scale=1.0 / num_processes(),
                                        what="BatchNormalization moving statistics")


_MOVING = ("moving_", "renorm_")


def _as_list(callbacks) -> list:
    if callbacks is None:
        return []
    return list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]


def _has_batch_end_hook(callback) -> bool:
    from hocsau.callbacks.callback import Callback

    return any(getattr(type(callback), name, None) is not getattr(Callback, name)
               for name in ("on_train_batch_end", "on_batch_end"))


def stop_after_batch(model) -> bool:
    """`stop_training` after a batch: OR-ed over the processes when a callback could set it
    per batch (TerminateOnNaN, user callbacks), else every process would leave at another
    step and the next collective would hang. One small all-reduce per step only then."""
    if _STEP.get("batch_stop") and active(model) is not None:
        model.stop_training = collectives.any_process(model.stop_training)
    return model.stop_training


def stop_on_any(model, stop: bool) -> bool:
    """`stop_training` OR-ed over the processes, so every process leaves `fit` together."""
    return collectives.any_process(stop) if active(model) is not None else stop


def gather_predictions(model, outputs: list, iterator) -> list:
    """Every process's per-batch outputs, interleaved back into the global batch order."""
    if not isinstance(iterator, ShardedIterator):
        return outputs
    local = [map_structure(lambda t: t.detach().cpu(), o) for o in outputs]
    per_rank = [iter(part) for part in collectives.all_gather_objects(local)]
    return [next(per_rank[rank]) for owners in iterator.owners for rank in owners]
