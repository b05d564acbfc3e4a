"""A float64 twin of a compiled model, for numerical gradient checks: the same layers, weights
and compiled loss, computing in double precision throughout."""

from __future__ import annotations

import contextlib
import copy

import numpy as np
import torch

from hocsau import config


def float64_copy(model):
    """A deep copy of `model` whose float layers, weights, buffers and compiled loss are float64
    (any model: Sequential, functional or subclassed, nested layers and custom layers too)."""
    from hocsau.layers.layer import Layer
    from hocsau.trainers.compile_utils import CompileLoss

    # The activity losses of the last call are graph tensors, which cannot be deep-copied;
    # the optimizer (and its slots) is not needed.
    memo = {id(layer._activity_losses): [] for layer in model.modules()
            if isinstance(layer, Layer)}
    memo[id(model.optimizer)] = None
    twin = copy.deepcopy(model, memo)
    for module in twin.modules():
        if isinstance(module, Layer) and _is_float(module.dtype_policy.compute_dtype):
            module.dtype_policy = "float64"
    with torch.no_grad():
        for tensor in [*twin.parameters(), *twin.buffers()]:
            if tensor.is_floating_point():
                tensor.data = tensor.data.to(torch.float64)
    compiled = model._compile_config
    twin._compile_loss = CompileLoss(_float64_loss(compiled["loss"]), compiled["loss_weights"],
                                     model._output_names())
    twin._step_cache = None
    return twin


def _is_float(dtype: str) -> bool:
    return "float" in dtype


def _float64_loss(spec):
    """The compile `loss` argument (one loss, a list or a dict) with every Loss object rebuilt
    to compute in float64 (a Loss keeps the floatx of its construction)."""
    if isinstance(spec, dict):
        return {key: _float64_loss(value) for key, value in spec.items()}
    if isinstance(spec, (list, tuple)):
        return [_float64_loss(value) for value in spec]
    if hasattr(spec, "get_config") and hasattr(spec, "dtype"):
        return type(spec).from_config({**spec.get_config(), "dtype": "float64"})
    return spec


def as_float64(data, device=None):
    """Arrays (or lists / dicts of arrays) as tensors on `device`: floats as float64, the
    rest as they are."""
    if isinstance(data, dict):
        return {key: as_float64(value, device) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [as_float64(value, device) for value in data]
    array = data.detach().cpu().numpy() if torch.is_tensor(data) else np.asarray(data)
    array = array.astype("float64") if array.dtype.kind == "f" else array
    return torch.as_tensor(array, device=device)


@contextlib.contextmanager
def float64_default():
    """floatx is float64 inside the block (losses named by strings resolve to float64)."""
    previous = config.floatx()
    config.set_floatx("float64")
    try:
        yield
    finally:
        config.set_floatx(previous)
