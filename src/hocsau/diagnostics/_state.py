"""Shared helpers of the diagnostics: state snapshots, model copies, single batches."""

from __future__ import annotations

import contextlib

import numpy as np
import torch


@contextlib.contextmanager
def preserved_state(model):
    """Run a block that trains `model`, then put back its weights, its optimizer's variables
    (slots, iterations, learning rate) and its metrics bit for bit."""
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    variables = list(model.variables) + list(optimizer.variables)
    saved = [v.detach().clone() for v in variables]
    try:
        yield
    finally:
        with torch.no_grad():
            for variable, value in zip(variables, saved, strict=True):
                variable.copy_(value)
        model.reset_metrics()


def trained_copy(model):
    """A compiled copy of `model` (same architecture, compile config and weights) to train
    without touching the original."""
    from hocsau.models.cloning import clone_model

    clone = clone_model(model)
    if not getattr(clone, "compiled", False):
        clone.compile_from_config(model.get_compile_config())
    clone.set_weights(model.get_weights())
    return clone


def take_rows(data, index):
    """`data[index]` for an array or for each array in a list / dict (`index` a slice or an
    array of row numbers)."""
    if isinstance(data, dict):
        return {key: take_rows(value, index) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(take_rows(value, index) for value in data)
    return data[index]


def num_rows(data) -> int:
    """Rows of an array or of the first array in a list / dict."""
    if isinstance(data, dict):
        return num_rows(next(iter(data.values())))
    if isinstance(data, (list, tuple)):
        return num_rows(data[0])
    return len(data)


def check_compiled(model, function: str) -> None:
    if not getattr(model, "compiled", False):
        raise ValueError(f"`{function}` needs a compiled model: call `model.compile(optimizer, "
                         f"loss)` first. Received: an uncompiled model '{model.name}'")


def as_numpy(values) -> np.ndarray:
    return np.asarray(values, dtype="float64")
