"""Tracing a layer's `call` on stand-ins for its symbolic inputs, to infer what it returns.

    traced_outputs(layer, args, kwargs, sizes):
        for each size (unknown axes take it):
            meta run:         empty meta tensors, meta copies of the weights, under
                              `torch.device("meta")` (creation ops and raw torch factories
                              make meta tensors too): no FLOPs, no memory
        if any meta run fails (an op without a meta kernel, `.item()`, numpy conversion,
        data-dependent code), for each size:
            placeholder run:  ones on the weights' device, the real weights, moving
                              statistics and buffers in throwaway copies, torch's random
                              state restored afterwards
        both kinds under `no_grad` and `_trace_state.tracing()` (seed generators hold still)

Input masks travel with the stand-ins (`_keras_mask`), so `call` sees them as in a real call.
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch

from hocsau import _trace_state, config
from hocsau.models import symbolic

# Sizes for unknown axes: two primes no real axis is likely to share (Keras uses the same).
PLACEHOLDER_SIZES = (83, 89)


def traced_outputs(layer, args: tuple, kwargs: dict, sizes=PLACEHOLDER_SIZES) -> list:
    """The outputs of `layer(*args, **kwargs)` for each size of the unknown axes.

    String inputs (numpy arrays of "" in the placeholder run) have no meta stand-in; a layer
    that fails on them gets an error naming the layers that take strings."""
    strings = _has_strings(args, kwargs)
    with _trace_state.tracing(), _outermost_call(layer), torch.no_grad():
        if not strings:
            try:
                return [_meta_run(layer, args, kwargs, size) for size in sizes]
            except Exception:  # noqa: BLE001 - any failure on meta gets the real-data run
                pass
        try:
            return [_placeholder_run(layer, args, kwargs, size) for size in sizes]
        except Exception as error:
            if strings:
                raise _string_error(layer) from error
            raise graph_error(layer, args, error) from error


def _meta_run(layer, args, kwargs, size: int):
    args, kwargs = symbolic.map_structure(lambda v: _stand_in(v, size, None), (args, kwargs))
    state = {id(t): torch.empty_like(t, device="meta") for t in _state(layer)}
    with torch.device("meta"):
        return _call(layer, state, args, kwargs)


def _placeholder_run(layer, args, kwargs, size: int):
    device = config.device()
    args, kwargs = symbolic.map_structure(lambda v: _stand_in(v, size, device), (args, kwargs))
    state = {id(t): t.detach().clone() for t in _state(layer) if _is_state(t)}
    with _restored_rng(device), _trace_state.restoring_new_weights():
        return _call(layer, state, args, kwargs)


def _stand_in(value, size: int, device):
    """A tensor for a symbolic value: meta when `device` is None, else ones (masks: True)."""
    if not symbolic.is_symbolic(value):
        return value
    shape = tuple(size if d is None else d for d in value.shape)
    if value.dtype == "string":
        return np.full(shape, "", dtype=str)
    dtype = config.torch_dtype(value.dtype)
    if device is None:
        tensor = torch.empty(shape, dtype=dtype, device="meta")
    else:
        tensor = torch.ones(shape, dtype=dtype, device=device)
    mask = getattr(value, "_keras_mask", None)
    if mask is not None:
        tensor._keras_mask = _stand_in(mask, size, device)
    return tensor


def _call(layer, state: dict, args, kwargs):
    """Call `layer` with its tensors replaced by `state` (id(tensor) -> stand-in)."""
    from hocsau.layers.layer import Layer

    with _swapped(layer, state):
        return Layer._eager_call(layer, args, kwargs)


@contextlib.contextmanager
def _swapped(layer, state: dict):
    """Every module slot holding a replaced tensor holds its stand-in for the block, then the
    original again (a tensor shared by several modules or paths is swapped in each)."""
    saved = []
    try:
        for module in layer.modules():
            for slots in (module._parameters, module._buffers):
                for name, tensor in slots.items():
                    if tensor is not None and id(tensor) in state:
                        saved.append((slots, name, tensor))
                        slots[name] = state[id(tensor)]
        yield
    finally:
        for slots, name, tensor in reversed(saved):
            slots[name] = tensor


def call_with_meta_weights(layer, args, kwargs):
    """Call `layer` on meta tensors with its weights swapped for meta copies."""
    state = {id(t): torch.empty_like(t, device="meta") for t in _state(layer)}
    return _call(layer, state, args, kwargs)


def _state(layer) -> list:
    """Each parameter and buffer of `layer` and its sublayers, once."""
    return list(layer.parameters()) + list(layer.buffers())


def _is_state(tensor) -> bool:
    """Weights a call may change in place: non-trainable Variables (moving statistics) and
    buffers. Trainable weights are only read, so the placeholder run uses them as they are."""
    if isinstance(tensor, torch.nn.Parameter):
        return not getattr(tensor, "_created_trainable", tensor.requires_grad)
    return True


@contextlib.contextmanager
def _outermost_call(layer):
    """A trace runs as an outermost call (its own training value and activity losses), even
    when it starts inside another layer's call; the losses it adds are dropped afterwards, as
    Keras's symbolic calls add none."""
    from hocsau.layers.call_context import CONTEXT

    saved = CONTEXT.depth, CONTEXT.training, CONTEXT.activity_losses
    losses = {id(m): list(m.__dict__.get("_activity_losses") or ()) for m in layer.modules()}
    CONTEXT.depth = 0
    try:
        yield
    finally:
        CONTEXT.depth, CONTEXT.training, CONTEXT.activity_losses = saved
        for module in layer.modules():
            if "_activity_losses" in module.__dict__:
                module.__dict__["_activity_losses"] = losses.get(id(module), [])


@contextlib.contextmanager
def _restored_rng(device: torch.device):
    """Random draws of the placeholder run leave torch's generators where they were."""
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices, device_type=device.type):
        yield


def _has_strings(args, kwargs) -> bool:
    return any(symbolic.is_symbolic(value) and value.dtype == "string"
               for value in symbolic.flatten((args, kwargs)))


def _string_error(layer) -> TypeError:
    return TypeError(f"{type(layer).__name__} received a string input it cannot take: strings "
                     "go to layers such as StringLookup, Hashing or TextVectorization first "
                     "(shape ops such as ops.expand_dims and ops.reshape take them too).")


def graph_error(layer, args, error: Exception) -> ValueError:
    received = symbolic.map_structure(lambda t: t.shape if symbolic.is_symbolic(t) else t,
                                      args[0] if args else None)
    return ValueError(
        f"Exception encountered when calling {type(layer).__name__} '{layer.name}' on a "
        f"symbolic input.\n\n{type(error).__name__}: {error}\n\nReceived: inputs with shape "
        f"{received}")
