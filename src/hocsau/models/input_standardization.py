"""What a model with a graph (functional, or Sequential once its input is known) does with the
inputs of a call before running its layers, as Keras's `Functional` does:

    flat = inputs matched to the model's `Input`s     # dicts by name, any key order
    for x, input in zip(flat, model inputs):
        x = tensor of the Input's dtype               # bool / int / float64 data cast
        x = x[..., None] if x has one axis less and the Input's last axis is 1
        x = x[..., 0]    if x has one axis more and its last axis is 1

A structure other than the model's (a list for a single input, a dict with extra keys) is
used as Keras uses it, with Keras's warning; wrong ranks, missing names and wrong counts raise
a `ValueError` naming the model.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch

from hocsau import config
from hocsau.models.symbolic import flatten, is_symbolic, map_structure


def standardize_inputs(model, struct, inputs) -> list:
    """The flat list of `inputs` for the `Input`s in `struct`, each conformed to its Input."""
    specs = _specs(model, struct)
    if isinstance(inputs, torch.Tensor) and len(specs) == 1 and not isinstance(struct, dict):
        _, dtype, ndim = specs[0]
        if inputs.dtype == dtype and inputs.dim() == ndim:
            return [inputs]  # the usual call: nothing to match, cast or reshape
    flat, matches = _match_structure(struct, inputs)
    if len(flat) != len(specs):
        raise ValueError(
            f'Layer "{model.name}" expects {len(specs)} input(s), but it received '
            f"{len(flat)} input tensors. Inputs received: {_shapes(flat)}")
    if not matches:
        warnings.warn(_mismatch_message(struct, inputs), stacklevel=4)
    return [_conform(x, *spec) for x, spec in zip(flat, specs, strict=True)]


def _specs(model, struct) -> list:
    """(Input, torch dtype or None for strings, rank) per Input, computed once per model
    (and again if its inputs change, as a Sequential's do when rebuilt). Kept on the model
    itself: torch.compile guards on what the step reads, and a global weak dictionary's keys
    change as other models are collected (its guards then failed to build)."""
    cached = model.__dict__.get("_input_specs")
    if cached is None or cached[0] is not struct:
        specs = [(spec, None if spec.dtype == "string" else config.torch_dtype(spec.dtype),
                  len(spec.shape)) for spec in flatten(struct)]
        cached = model.__dict__["_input_specs"] = (struct, specs)
    return cached[1]


def _name(tensor) -> str:
    return tensor._keras_history[0].name


def _match_structure(struct, inputs) -> tuple[list, bool]:
    """The inputs in the order of the model's Inputs, and whether their structure is the
    model's (a dict keyed by the Inputs' names always is)."""
    if isinstance(inputs, dict) and not isinstance(struct, dict):
        named = struct if isinstance(struct, (list, tuple)) else [struct]
        if all(is_symbolic(t) for t in named):
            return _take_keys(inputs, [_name(t) for t in named]), True
    elif isinstance(struct, dict) and isinstance(inputs, dict):
        flat = [leaf for value in _take_keys(inputs, list(struct)) for leaf in flatten(value)]
        return flat, not set(inputs) - set(struct)  # extra keys: ignored, with a warning
    elif isinstance(struct, dict) and isinstance(inputs, (list, tuple)) and (
            list(struct) != sorted(struct)):
        # Keras pairs a list with a dict's inputs in sorted key order: ambiguous otherwise.
        raise ValueError(_mismatch_message(struct, inputs))
    elif isinstance(struct, (list, tuple)) and len(struct) == 1 and not isinstance(
            inputs, (list, tuple, dict)):
        return [inputs], True
    flat = flatten(inputs) if isinstance(inputs, (list, tuple, dict)) else [inputs]
    return flat, _same_structure(struct, inputs)


def _take_keys(inputs: dict, names: list) -> list:
    missing = [name for name in names if name not in inputs]
    if missing:
        raise ValueError(f'Missing data for input "{missing[0]}". You passed a data dictionary '
                         f"with keys {list(inputs)}. Expected the following keys: {names}")
    return [inputs[name] for name in names]


def _same_structure(struct, value) -> bool:
    """Keras's comparison, lists and tuples alike."""
    if isinstance(struct, (list, tuple)):
        return isinstance(value, (list, tuple)) and len(value) == len(struct) and all(
            _same_structure(s, v) for s, v in zip(struct, value, strict=True))
    if isinstance(struct, dict):
        return isinstance(value, dict) and set(value) == set(struct) and all(
            _same_structure(struct[k], value[k]) for k in struct)
    return not isinstance(value, (list, tuple, dict))


def _mismatch_message(struct, inputs) -> str:
    expected = map_structure(_name, struct)
    received = map_structure(lambda x: "None" if x is None else f"Tensor(shape={_shape(x)})",
                             inputs)
    return ("The structure of `inputs` doesn't match the expected structure.\n"
            f"Expected: {expected}\nReceived: inputs={received}")


def _shape(x) -> tuple | None:
    shape = getattr(x, "shape", None)
    return None if shape is None else tuple(shape)


def _shapes(flat: list) -> list:
    return [_shape(x) for x in flat]


def _conform(x, spec, dtype, ndim):
    """`x` as a tensor of the Input's dtype and rank (host strings pass as they are)."""
    if x is None:
        layer = spec._keras_history[0]
        if not getattr(layer, "optional", False):
            raise ValueError(f"The input '{layer.name}' is not optional, but None was passed. "
                             "Please provide a valid tensor.")
        return None
    if dtype is None or _is_host_strings(x):
        return _adjust_host_rank(x, spec, ndim)
    mask = getattr(x, "_keras_mask", None)
    original = x
    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(np.asarray(x), device=config.device())
    if x.dtype != dtype:
        x = x.to(dtype)
    if x.dim() != ndim:
        x = _adjust_rank(x, spec)
    if x is not original and mask is not None:
        x._keras_mask = mask
    return x


def _is_host_strings(x) -> bool:
    return isinstance(x, np.ndarray) and (x.dtype.kind in "USO")


def _adjust_host_rank(x, spec, ndim: int):
    """Strings stay NumPy on the host; a rank one off is fixed as for tensors."""
    if not isinstance(x, np.ndarray) or x.ndim == ndim:
        return x
    if x.ndim == ndim + 1 and x.shape[-1] == 1:
        return x[..., 0]
    if x.ndim == ndim - 1 and spec.shape[-1] == 1:
        return x[..., None]
    return x


def _adjust_rank(x: torch.Tensor, spec) -> torch.Tensor:
    expected = spec.shape
    if x.dim() == len(expected) + 1 and x.shape[-1] == 1:
        return x.squeeze(-1)
    if x.dim() == len(expected) - 1 and expected[-1] == 1:
        return x.unsqueeze(-1)
    raise ValueError(
        f"Invalid input shape for input '{_name(spec)}': expected shape {expected}, but the "
        f"input has the incompatible shape {tuple(x.shape)}.")
