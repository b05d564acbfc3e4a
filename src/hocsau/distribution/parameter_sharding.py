"""Parameter sharding (ZeRO-3) for `ShardedDataParallel` / `ModelParallel(layout_map=)`.

Every split trainable weight keeps its `Variable` object (name, path, shape, regularizer,
constraint, identity in `model.weights`), but between uses its storage is released
(`untyped_storage().resize_(0)`): the values live only in this process's flat chunk, the
Variable the optimizer steps (`sharded_step`). The class of such a weight becomes
`ShardedVariable`, whose torch-function check turns a read of released values into a
ValueError naming it (a raw read would touch freed memory).

When the whole values are needed:

- forward: a pre-hook on each of the model's top-level layers (and on the model, for
  weights it owns directly) all-gathers that layer's chunks into the weights' storage (the
  same StorageImpl, so every view stays valid); its post-hook releases them again. Tensors
  that autograd saves from those storages are marked (saved-tensor hooks), and unpacking a
  marked one in backward gathers that layer's weights again (one collective), version
  counter untouched.
- backward: once a weight's gradient is accumulated, its post-accumulate hook
  reduce-scatters the gradient into its chunk's `.grad` (scaled to the global mean) and
  releases the whole gradient and weight (gradients are sharded too).
- after the optimizer step: every weight released (stale now); a constrained weight is
  gathered alone, constrained whole, its chunk retaken, released.
- `whole_weights(model)`: every weight gathered inside the block (saving, loading,
  get/set_weights, evaluate and predict); on leaving, the chunks are retaken from the
  (possibly written) weights and the storage released. Collective: every process enters it.

Gathers and releases happen in the same order on every process (same layers, same
autograd graph), which the collectives need.
"""

from __future__ import annotations

import contextlib
import weakref

import torch
import torch.distributed as dist

from hocsau.distribution.errors import collective
from hocsau.distribution.flat_chunks import (
    by_dtype,
    gathered,
    own_chunk,
    padded_chunk,
    padded_rows,
    unpadded,
)
from hocsau.distribution.process_group import num_processes, process_id
from hocsau.variable import Variable, check_value_dtype

_PINNED = {"depth": 0}  # > 0 inside `whole_weights`: releases wait for its end
_SHAPE_ONLY = frozenset({  # what reads no values
    "__get__", "__set__", "size", "dim", "numel", "untyped_storage", "element_size", "stride",
    "is_floating_point", "is_complex", "is_contiguous", "register_hook",
    "register_post_accumulate_grad_hook", "requires_grad_"})


class ShardedVariable(Variable):
    """A parameter-sharded `Variable`: whole only while gathered (see the module notes)."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func is torch.Tensor.copy_ and isinstance(args[0], ShardedVariable):
            return args[0]._write(args[1], "copy_")  # loading: into the chunk, locally
        kwargs = kwargs or {}
        if getattr(func, "__name__", "") not in _SHAPE_ONLY:
            _check_gathered((*args, *kwargs.values()), func)
        with torch._C.DisableTorchFunctionSubclass():
            return func(*args, **kwargs)

    def numpy(self, *, force: bool = False):
        """The whole value (collective when released: every process calls it)."""
        del force  # a copy is returned either way
        with _gathered([self]):
            return self.detach().cpu().clone().numpy()  # `.numpy()` would pin the storage

    def assign(self, value) -> Variable:
        return self._write(value, "copy_")

    def assign_add(self, value) -> Variable:
        return self._write(value, "add_")

    def assign_sub(self, value) -> Variable:
        return self._write(value, "sub_")

    def _write(self, value, method: str) -> Variable:
        """Write into this process's chunk (and the whole value when gathered): no
        collective, so one process may assign alone."""
        value = check_value_dtype(self, _as_tensor(value), f"Variable '{self.path}'")
        value = torch.as_tensor(value, dtype=self.dtype, device=self.device)
        whole = (value.reshape(self.shape) if value.numel() == self.numel()
                 else value.expand(self.shape))
        with torch.no_grad():
            getattr(self._chunk, method)(padded_chunk(whole, num_processes(), process_id()))
            if not self._released:
                getattr(self.data, method)(whole)
        return self

    def __repr__(self) -> str:
        return f"<Variable path={self.path}, shape={tuple(self.shape)}, sharded>"


def _as_tensor(value):
    return value.detach() if isinstance(value, torch.Tensor) else torch.as_tensor(value)


def _check_gathered(args, func) -> None:
    for arg in args:
        items = arg if isinstance(arg, (list, tuple)) else (arg,)
        for item in items:
            if isinstance(item, ShardedVariable) and item._released:
                raise ValueError(
                    f"The weight '{item.path}' is parameter-sharded: each process holds only "
                    "its chunk outside the forward pass of the layer that owns it. Read it "
                    "inside that layer's `call`, or within "
                    "`keras.distribution.whole_weights(model)` (every process must enter "
                    "it). Received: a read of it by "
                    f"`{getattr(func, '__qualname__', func)}` outside both")


def is_sharded(model) -> bool:
    return model.__dict__.get("_parameter_sharding") is not None


def shard(model, chosen) -> None:
    """Parameter-shard `model`'s split trainable weights (once; weights broadcast first)."""
    if is_sharded(model) or not model.built:
        return
    if getattr(model, "jit_compile", False):
        raise ValueError(f"`{type(chosen).__name__}(shard_weights=True)` gathers weights "
                         "with hooks a compiled step cannot trace. Use `jit_compile=False` "
                         "or `shard_weights=False`. Received: jit_compile=True")
    split = {id(w): w for w in model.trainable_weights if chosen.shards_variable(w)}
    chunks = _existing_chunks(model)
    for weight in split.values():
        if not isinstance(weight, ShardedVariable):  # else sharded with another model
            _make_sharded(weight, chunks.get(id(weight)))
    weights = list(split.values())
    model.__dict__["_parameter_sharding"] = _hook_units(model, weights)
    _release(weights)


def _existing_chunks(model) -> dict:
    """{id(weight): chunk} of a sharded optimizer state made before (its chunks are kept)."""
    from hocsau.distribution.sharded_step import _states

    found = {}
    for state in _states(getattr(model, "optimizer", None)):
        found.update({id(w): o for w, o in zip(state.weights, state.owned, strict=True)
                      if o is not w})
    return found


def _make_sharded(weight, chunk) -> None:
    weight._chunk = chunk if chunk is not None else own_chunk(weight, num_processes(),
                                                               process_id())
    weight._released = False
    weight.__class__ = ShardedVariable
    weight.register_post_accumulate_grad_hook(_reduce_gradient)
    _STORAGES[_storage_key(weight)] = weight


_STORAGES: weakref.WeakValueDictionary = weakref.WeakValueDictionary()  # StorageImpl
# address -> sharded weight (stable across resizes)


def _storage_key(tensor) -> int:
    return tensor.untyped_storage()._cdata


def _hook_units(model, weights: list) -> list:
    """Hooks on the top-level layers (their sublayers' weights with them) and on the model
    (the weights no top-level layer holds); returns the handles."""
    mine = {id(w) for w in weights}
    handles, seen = [], set()
    for layer in getattr(model, "layers", []):
        held = [w for w in layer.weights if id(w) in mine]
        seen.update(id(w) for w in held)
        if held:
            handles += _hook(layer, held)
    rest = [w for w in weights if id(w) not in seen]
    return handles + (_hook(model, rest) if rest else [])


def _hook(module, weights: list) -> list:
    scopes: list = []

    pack = _packer(weights)

    def before(_module, _args):
        _gather(weights)
        scope = torch.autograd.graph.saved_tensors_hooks(pack, _unpack)
        scope.__enter__()
        scopes.append(scope)

    def after(_module, _args, _output):
        if scopes:  # not when the pre-hook itself failed
            scopes.pop().__exit__(None, None, None)
        _release(weights)

    return [module.register_forward_pre_hook(before),
            module.register_forward_hook(after, always_call=True)]


class _Saved:
    """A saved tensor sharing a sharded weight's storage: unpacking it gathers `weights`
    (the weight's layer's, so a layer's backward gathers them in one collective)."""

    __slots__ = ("tensor", "weights")

    def __init__(self, tensor, weights: list):
        self.tensor, self.weights = tensor, weights


def _packer(group: list):
    """The pack hook of a block gathering `group`: a tensor saved from one of them brings
    the group back in backward; from another sharded weight (a tied one), that weight."""
    members = {id(w) for w in group}

    def pack(tensor):
        try:
            weight = _STORAGES.get(_storage_key(tensor))
        except (RuntimeError, NotImplementedError):  # a tensor without storage
            return tensor
        if weight is None:
            return tensor
        return _Saved(tensor, group if id(weight) in members else [weight])

    return pack


def _unpack(saved):
    if isinstance(saved, _Saved):
        _gather(saved.weights)
        return saved.tensor
    return saved


@contextlib.contextmanager
def reading(weights: list):
    """Inside the block `weights` (sharded or not) are whole, and tensors saved for backward
    from them gather them again when unpacked (regularizers computed in the loss)."""
    sharded = [w for w in weights if isinstance(w, ShardedVariable)]
    if not sharded:
        yield
        return
    _gather(sharded)
    try:
        with torch.autograd.graph.saved_tensors_hooks(_packer(sharded), _unpack):
            yield
    finally:
        _release(sharded)


def penalty(weight, regularizer):
    """`regularizer(weight)`; a parameter-sharded weight is gathered for it (alone, so the
    memory bound holds) and again in backward."""
    if not isinstance(weight, ShardedVariable):
        return regularizer(weight)
    with reading([weight]):
        return regularizer(weight)


def _gather(weights: list) -> None:
    """All-gather the chunks of the released `weights` into their storage (one all-gather
    per dtype; collective)."""
    todo = [w for w in weights if w._released]
    chunks = [w._chunk for w in todo]
    for indices in by_dtype(range(len(todo)), chunks).values():
        with collective("the all-gather of sharded weights"):
            rows = gathered([chunks[i] for i in indices], num_processes())
        for i, part in zip(indices, rows, strict=True):
            weight = todo[i]
            weight.untyped_storage().resize_(weight.numel() * weight.element_size())
            with torch.no_grad():
                weight.data.copy_(unpadded(part, weight))  # .data: no version bump
            weight._released = False


def _release(weights: list, stale: bool = False) -> None:
    """Free the whole values, unless `whole_weights` pins them; `stale` ones (the chunks
    changed) are marked released even then, so the next `_gather` refills them."""
    pinned = _PINNED["depth"] > 0
    if pinned and not stale:
        return
    for weight in weights:
        if not weight._released:
            if not pinned:
                _free(weight)
            weight._released = True


def _free(weight) -> None:
    """Free the whole value's memory, keeping the Variable, its shape and the storage that
    views (saved for backward) share; a storage that `.numpy()` pinned (an array may still
    read it) is left to the array and the weight gets a new, empty one."""
    storage = weight.untyped_storage()
    if storage.resizable():
        storage.resize_(0)
        return
    del _STORAGES[_storage_key(weight)]
    fresh = torch.empty_like(weight.data)
    fresh.untyped_storage().resize_(0)
    weight.data = fresh
    _STORAGES[_storage_key(weight)] = weight


@contextlib.contextmanager
def _gathered(weights: list):
    _gather(weights)
    try:
        yield
    finally:
        _release(weights)


def _reduce_gradient(weight) -> None:
    """Post-accumulate hook: the whole local gradient -> this process's chunk of the summed
    (global-mean) gradient in the chunk's `.grad`; the whole gradient and weight released."""
    from hocsau.distribution.trainer_hooks import gradient_scale

    grad, weight.grad = weight.grad, None
    rows = padded_rows(grad, num_processes())
    rows.mul_(gradient_scale())
    mine = torch.empty(rows.shape[1], dtype=rows.dtype, device=rows.device)
    with collective("the reduce-scatter of a sharded weight's gradient"):
        dist.reduce_scatter_single(mine, rows.reshape(-1))
    chunk = weight._chunk
    chunk.grad = mine if chunk.grad is None else chunk.grad + mine
    _release([weight])


def after_step(weights: list, constrain: bool = True) -> None:
    """After the optimizer stepped the chunks: release the (stale) weights; with
    `constrain`, a constrained weight is gathered alone, constrained whole, its chunk
    retaken. Inside `whole_weights` the weights are refilled instead."""
    _release(weights, stale=True)
    if _PINNED["depth"]:
        _gather(weights)
    for weight in weights:
        if not constrain or getattr(weight, "constraint", None) is None:
            continue
        with _gathered([weight]), torch.no_grad():
            weight.data.copy_(weight.constraint(weight.data))
            weight._chunk.copy_(padded_chunk(weight.data, num_processes(), process_id()))


@contextlib.contextmanager
def whole_weights(model):
    """Inside the block every parameter-sharded weight of `model` is whole (read or write
    them freely); after it each process keeps its chunk of the (possibly new) values.
    Collective: every process enters it. Nothing happens for a model that is not sharded."""
    weights = [w for w in getattr(model, "weights", []) if isinstance(w, ShardedVariable)]
    if not weights:
        yield
        return
    _PINNED["depth"] += 1
    try:
        _gather(weights)
        yield
    finally:
        _PINNED["depth"] -= 1
        _retake_chunks(weights)
        _release(weights)


def _retake_chunks(weights: list) -> None:
    with torch.no_grad():
        for weight in weights:
            if not weight._released:
                weight._chunk.copy_(padded_chunk(weight.data, num_processes(), process_id()))


def held_elements(model) -> dict[str, int]:
    """{weight path: entries this process holds now (whole storage + chunk)} of the
    parameter-sharded weights: between steps about size / W each."""
    return {w.path: w.untyped_storage().size() // w.element_size() + w._chunk.numel()
            for w in model.weights if isinstance(w, ShardedVariable)}
