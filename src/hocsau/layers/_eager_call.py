"""What an eager layer call does around `call`: input conversion and casting, mixed-precision
weight casts, Keras masks in and out, and error notes naming the layer."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from hocsau import config
from hocsau.models import symbolic


def shape_of(value):
    if isinstance(value, (list, tuple)):
        return [shape_of(v) for v in value]
    if isinstance(value, dict):
        return {k: shape_of(v) for k, v in value.items()}
    shape = getattr(value, "shape", None)
    return tuple(shape) if shape is not None else None


def to_tensors(value):
    """numpy arrays, lists of numbers and scalars -> tensors on the default device; strings
    stay numpy arrays for the layers that take them."""
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(v, (torch.Tensor, np.ndarray)) for v in value):
        return type(value)(to_tensors(v) for v in value)
    if isinstance(value, dict):
        return {k: to_tensors(v) for k, v in value.items()}
    array = np.asarray(value)
    if is_string_data(array):
        return array
    tensor = torch.from_numpy(np.ascontiguousarray(array))
    if tensor.is_floating_point() and array.dtype == np.float64:
        tensor = tensor.to(config.torch_dtype(None))
    return tensor.to(config.device())


def is_string_data(value) -> bool:
    """A string array, or a (nested) list whose first leaf is a string."""
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "US" or (value.dtype == object and value.size > 0
                                            and isinstance(value.flat[0], (str, bytes)))
    while isinstance(value, (list, tuple)) and value:
        value = value[0]
    return isinstance(value, (str, bytes))


def cast_floats(value, dtype: torch.dtype):
    """Floating tensors (also inside lists) cast to the layer's compute dtype, as Keras does."""
    if isinstance(value, torch.Tensor):
        if value.dtype is dtype or not value.is_floating_point():
            return value
        return value.to(dtype)
    if isinstance(value, (list, tuple)):
        return type(value)(cast_floats(v, dtype) for v in value)
    return value


def call_with_cast_weights(layer, dtype: torch.dtype, args, kwargs):
    """Mixed precision: run `call` with the layer's own float weights cast to the compute dtype
    (differentiably, so float32 weights get the gradients), as Keras autocasts variables."""
    from hocsau.distribution.parameter_sharding import reading

    own = dict(layer.named_parameters(recurse=False))
    with reading(list(own.values())):  # parameter-sharded weights gathered for the casts
        casts = {name: weight.to(dtype) for name, weight in own.items()
                 if weight.is_floating_point() and weight.dtype != dtype
                 and getattr(weight, "_autocast", True)}
    if not casts:
        return nn.Module.__call__(layer, *args, **kwargs)
    with torch.nn.utils.stateless._reparametrize_module(layer, casts):
        return nn.Module.__call__(layer, *args, **kwargs)


def is_meta(args) -> bool:
    first = next((t for t in symbolic.flatten(args) if isinstance(t, torch.Tensor)), None)
    return first is not None and first.is_meta


def input_mask(inputs):
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(x, "_keras_mask", None) for x in inputs]
        return None if all(m is None for m in masks) else masks
    return getattr(inputs, "_keras_mask", None)


def host_masks_as_tensors(mask):
    """A `mask=` argument given as numpy arrays (alone or in a list, as Keras accepts) as
    tensors on the default device; tensors and None pass through."""
    if isinstance(mask, np.ndarray):
        return to_tensors(mask)
    if isinstance(mask, (list, tuple)) and any(isinstance(m, np.ndarray) for m in mask):
        return type(mask)(to_tensors(m) if isinstance(m, np.ndarray) else m for m in mask)
    return mask


def attach_mask(layer, args, kwargs, outputs, compute=None) -> None:
    """Set `compute_mask(inputs, input mask)` as the outputs' `_keras_mask` (`compute`: how
    to call it, for symbolic outputs)."""
    mask = kwargs.get("mask")
    if mask is None and args:
        mask = input_mask(args[0])
    if mask is None and not layer._call_info.computes_mask:
        return
    inputs = args[0] if args else None
    out_mask = layer.compute_mask(inputs, mask) if compute is None else compute(
        layer, inputs, mask)
    if out_mask is None:
        return
    if isinstance(outputs, (list, tuple)):
        masks = out_mask if isinstance(out_mask, (list, tuple)) else [out_mask] * len(outputs)
        for out, m in zip(outputs, masks, strict=False):
            set_mask(out, m)
    else:
        set_mask(outputs, out_mask)


def set_mask(tensor, mask) -> None:
    if isinstance(tensor, torch.Tensor) or symbolic.is_symbolic(tensor):
        try:
            tensor._keras_mask = mask
        except AttributeError:  # a Parameter or other slot-only tensor passed through
            pass


def strings_error(layer, inputs) -> TypeError:
    """For a layer that computes on numbers and failed on strings (marked as annotated, so the
    layers around it pass it on unchanged)."""
    error = TypeError(f"Layer '{layer.name}' computes on numbers, but received strings. Turn "
                      "them into numbers first (`StringLookup`, `TextVectorization`, "
                      f"`Hashing`). Received: inputs of dtype {np.asarray(inputs).dtype} and "
                      f"shape {np.shape(inputs)}")
    error._hocsau_annotated = True
    return error


def annotate(error: Exception, layer, args) -> None:
    """Add the layer's name and the received shapes to an exception raised inside `call`."""
    if getattr(error, "_hocsau_annotated", False):
        return
    shapes = shape_of(args[0]) if args else None
    note = (f"Exception encountered when calling {type(layer).__name__} '{layer.name}'. "
            f"Received: inputs with shape {shapes}")
    try:
        error._hocsau_annotated = True
        error.add_note(note)
    except AttributeError:
        pass
