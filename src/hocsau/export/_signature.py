"""Input signatures for export: the specs an endpoint is exported for (as Keras reads them:
one entry per positional argument, each a structure of specs), the sample tensors traced
through it and the dynamic axes torch.export is told about.

    signature  [arg_0, arg_1, ...]        arg_i: InputSpec, or lists / tuples / dicts of them
    flat       [spec, spec, ...]          one ONNX input each, named after the model's Inputs
    None axes  axis 0 -> Dim("batch"), others -> Dim.DYNAMIC (renamed "<input>_dim<axis>"
               in the ONNX file); the traced samples give them small sizes, larger ones only
               when the model cannot run on those
"""

from __future__ import annotations

import re

import numpy as np
import torch

from hocsau import config
from hocsau.layers.input_spec import InputSpec
from hocsau.models.symbolic import flatten, is_symbolic, map_structure

# Sizes the tracing samples take on unknown axes: torch.export treats sizes 0 and 1 as
# constants; a short sequence keeps tracing fast (torch's shape propagation walks recurrent
# layers step by step), while convolutions may need more room on spatial axes.
_SAMPLE_BATCH, _SAMPLE_SIZES = 2, (8, 32, 128)


def model_signature(model) -> list:
    """The signature of `model(inputs)`: from its Input tensors (functional, Sequential) or,
    for a subclassed model, the shapes of its first call."""
    from hocsau.models.functional import Functional

    if not model.built:
        raise ValueError("The model provided has not yet been built. It must be built before "
                         f"export. Received: model '{model.name}' (never called or built)")
    if isinstance(model, Functional):
        return [map_structure(_spec_of, model._inputs_struct)]
    graph_inputs = getattr(model, "inputs", None)
    if graph_inputs and all(is_symbolic(t) for t in graph_inputs):
        return [_spec_of(graph_inputs[0])]
    shapes = getattr(model, "_build_shapes", None)
    if shapes is None:
        raise ValueError("The model provided has never been called. It must be called at "
                         f"least once before export, or given `input_signature`. Received: "
                         f"model '{model.name}'")
    dtype = model.dtype_policy.compute_dtype
    if isinstance(shapes, dict):
        return [_spec_from_shape(shape, dtype) for shape in shapes.values()]
    return [_spec_from_shape(shapes, dtype)]


def standardize(signature, model=None) -> list:
    """Keras's `input_signature` forms as a list of positional arguments of `InputSpec`s.

    A bare spec is one argument; for a functional model with several inputs, a flat list of
    one spec per input is read as the single (list) argument the model takes.
    """
    if not isinstance(signature, (list, tuple)):
        signature = [signature]
    specs = map_structure(_to_spec, list(signature))
    inputs = len(getattr(model, "inputs", None) or ())
    if model is not None and hasattr(model, "_inputs_struct") and inputs > 1 \
            and len(specs) == inputs and all(isinstance(s, InputSpec) for s in specs):
        specs = [specs]
    return specs


def input_names(specs: list, model=None) -> list[str]:
    """One unique name per flat input: the spec's, else the model's Input name at that
    place, else `input_<i>`."""
    flat = flatten(specs)
    graph_inputs = [t for t in (getattr(model, "inputs", None) or []) if is_symbolic(t)]
    defaults = ([t._keras_history[0].name for t in graph_inputs]
                if len(graph_inputs) == len(flat) else [None] * len(flat))
    names, used = [], set()
    for index, (spec, default) in enumerate(zip(flat, defaults, strict=True)):
        name = spec.name or default or f"input_{index}"
        while name in used:
            name = f"{name}_{index}"
        used.add(name)
        names.append(name)
    return names


def sample_inputs(endpoint, specs: list) -> tuple:
    """A flat tuple of tensors that `endpoint` runs on: unknown axes take the first sample
    size the model accepts (the last size's error is raised when none fits)."""
    for index, size in enumerate(_SAMPLE_SIZES):
        inputs = samples(specs, size)
        try:
            with torch.no_grad():
                endpoint(*inputs)
            return inputs
        except Exception:
            if index == len(_SAMPLE_SIZES) - 1:
                raise
    return ()


def samples(specs: list, other: int = _SAMPLE_SIZES[0]) -> tuple:
    """A flat tuple of ones, unknown axes of size 2 (batch) or `other`."""
    result = []
    for spec in flatten(specs):
        shape = [(_SAMPLE_BATCH if axis == 0 else other) if size is None else size
                 for axis, size in enumerate(spec.shape)]
        dtype = config.torch_dtype(spec.dtype)
        result.append(torch.ones(shape, dtype=dtype, device=config.device()))
    return tuple(result)


def dynamic_shapes(specs: list) -> tuple | None:
    """torch.export's `dynamic_shapes` for a `forward(*flat_inputs)`: the unknown axes, all
    batch axes sharing one `Dim("batch")`, the others `Dim.DYNAMIC` (any range the model
    needs, an error if it fixes the size); None when every size is known."""
    batch = torch.export.Dim("batch")
    per_input, any_dynamic = [], False
    for spec in flatten(specs):
        axes = {axis: batch if axis == 0 else torch.export.Dim.DYNAMIC
                for axis, size in enumerate(spec.shape) if size is None}
        any_dynamic = any_dynamic or bool(axes)
        per_input.append(axes or None)
    return (tuple(per_input),) if any_dynamic else None


def dim_names(specs: list, names: list[str]) -> list[dict]:
    """Per flat input, {axis: name} of its dynamic axes: "batch", "<input>_dim<axis>"."""
    return [{axis: "batch" if axis == 0 else re.sub(r"\W", "_", f"{name}_dim{axis}")
             for axis, size in enumerate(spec.shape) if size is None}
            for spec, name in zip(flatten(specs), names, strict=True)]


def pack(structure, flat: list):
    """`flat` values laid out as the specs in `structure` are."""
    values = iter(flat)
    return map_structure(lambda _: next(values), structure)


def _spec_of(tensor) -> InputSpec:
    shape = (None,) + tuple(tensor.shape[1:])
    return InputSpec(shape=shape, dtype=tensor.dtype, name=tensor._keras_history[0].name)


def _spec_from_shape(shape, dtype: str) -> InputSpec:
    if not isinstance(shape, (list, tuple)) or any(isinstance(d, (list, tuple)) for d in shape):
        raise ValueError("Export needs `input_signature` for a subclassed model called on "
                         f"nested inputs. Received: input shapes {shape}")
    return InputSpec(shape=(None,) + tuple(shape[1:]), dtype=dtype)


def _to_spec(value) -> InputSpec:
    """An `InputSpec` (with shape and dtype), a symbolic tensor, a tensor or an array."""
    if isinstance(value, InputSpec):
        if value.shape is None or value.dtype is None:
            raise ValueError(f"The `shape` and `dtype` must be provided. Received: x={value!r}")
        return InputSpec(shape=value.shape, dtype=config.standardize_dtype(value.dtype),
                         name=value.name)
    if is_symbolic(value):
        return _spec_of(value)
    if isinstance(value, (torch.Tensor, np.ndarray)):
        shape = (None,) + tuple(value.shape[1:])
        return InputSpec(shape=shape, dtype=config.standardize_dtype(value.dtype))
    raise TypeError(f"Unsupported x={value!r} of the type ({type(value)}). Supported types are: "
                    "`hocsau.InputSpec`, symbolic tensors (`hocsau.Input`), torch tensors and "
                    "NumPy arrays.")
