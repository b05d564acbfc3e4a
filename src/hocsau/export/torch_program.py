"""`format="torch"`: a `torch.export` program (`.pt2`), loaded with `torch.export.load` and
run with `.module()` by any PyTorch, no hocsau needed."""

from __future__ import annotations

import inspect
import os

import torch

from hocsau.export import _capture
from hocsau.export.onnx import prepare


def export_torch(model, filepath, verbose: bool | None = None, input_signature=None,
                 **kwargs) -> str:
    """Write `model`'s forward pass (inference mode) as a `torch.export.ExportedProgram`.

    The program takes one tensor per flat input (in the order of `model.inputs`) and returns
    a tuple of the flat outputs; None axes of the signature stay dynamic where the model
    allows it. `kwargs` go to `torch.export.export` (`strict`, `preserve_module_call_signature`,
    ...); `dynamic_shapes` is derived from the signature.
    """
    filepath = os.fspath(filepath)
    if not filepath.endswith(".pt2"):
        raise ValueError("The PyTorch export requires the filepath to end with '.pt2'. "
                         f"Got: {filepath}")
    allowed = set(inspect.signature(torch.export.export).parameters) - {
        "mod", "args", "kwargs", "dynamic_shapes", "strict"}
    unknown = sorted(set(kwargs) - allowed)
    if unknown:
        raise ValueError(f"Unsupported arguments for `format=\"torch\"`: {', '.join(unknown)}. "
                         f"Supported arguments are: {', '.join(sorted(allowed))}.")
    endpoint, specs, names = prepare(model, input_signature, {})
    program = _capture.export_program(endpoint, specs, names, model.name, **kwargs)
    torch.export.save(program, filepath)
    if verbose is None or verbose:
        print(f"Saved PyTorch ExportedProgram at '{filepath}'.")
    return filepath
