"""Rematerialization (gradient checkpointing): `remat(f)` and `RematScope`.

A checkpointed call keeps only its inputs for the backward pass and runs again during it
(`torch.utils.checkpoint`, non-reentrant), trading compute for activation memory.
"""

from __future__ import annotations

import collections
import functools
import math
import threading
import warnings

import torch
import torch.utils.checkpoint

_STATE = threading.local()
_MODES = ("full", "activations", "larger_than", "list_of_layers", None)

RematMode = collections.namedtuple("RematMode", ["mode", "output_size_threshold",
                                                 "layer_names"])


def remat(f):
    """`f` wrapped so its intermediate results are recomputed in the backward pass instead of
    stored (plain calls when no gradient is being recorded)."""

    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        if not torch.is_grad_enabled() or _on_meta(args):
            return f(*args, **kwargs)
        return torch.utils.checkpoint.checkpoint(f, *args, use_reentrant=False, **kwargs)

    return wrapped


def _on_meta(args) -> bool:
    return any(isinstance(a, torch.Tensor) and a.is_meta for a in args)


class RematScope:
    """Layers created inside the scope rematerialize their calls.

    Args:
        mode: "full" (every layer), "activations" (the `activation` of layers that have
            one), "larger_than" (layers whose outputs hold more than
            `output_size_threshold` values), "list_of_layers" (layers named in
            `layer_names`) or None (none).
        output_size_threshold: the threshold of "larger_than".
        layer_names: the names for "list_of_layers".
    """

    def __init__(self, mode="full", output_size_threshold: int = 1024, layer_names=None):
        if mode not in _MODES:
            raise ValueError(f"Invalid mode '{mode}'. Supported modes are: 'full', "
                             "'activations', 'larger_than', 'list_of_layers', or  None.")
        self.mode = mode
        self.output_size_threshold = output_size_threshold
        self.layer_names = layer_names or []
        self._pushed = False

    def __enter__(self):
        _stack().append(self)
        self._pushed = True
        return self

    def __exit__(self, *exc) -> None:
        if self._pushed:
            _stack().pop()
            self._pushed = False


def _stack() -> list:
    if not hasattr(_STATE, "scopes"):
        _STATE.scopes = []
    return _STATE.scopes


def get_current_remat_mode() -> RematMode | None:
    """The innermost open `RematScope` as a `RematMode`, or None."""
    stack = _stack()
    if not stack:
        return None
    scope = stack[-1]
    return RematMode(scope.mode, scope.output_size_threshold, scope.layer_names)


def rematerialized_call(layer, args: tuple, kwargs: dict):
    """Call `layer.call` under the layer's remat mode (set when the layer was created)."""
    if not torch.is_grad_enabled() or _on_meta(args):
        return layer.call(*args, **kwargs)  # nothing to keep for a backward pass
    mode = layer._remat_mode
    current = get_current_remat_mode()
    if current is not None and current != mode:
        warnings.warn(f"The RematScope at call time ({current}) differs the one set during "
                      f"layer initialization ({mode}). Restoring the correct "
                      f"rematerialization mode {mode} for this layer.", stacklevel=4)
    if mode.mode == "activations" and getattr(layer, "activation", None) is not None:
        return _with_remat_activation(layer, args, kwargs)
    if mode.mode == "full" or (mode.mode == "list_of_layers" and layer.name in
                               mode.layer_names) or (mode.mode == "larger_than" and
                                                     _output_size(layer, args, kwargs) >
                                                     mode.output_size_threshold):
        return remat(layer.call)(*args, **kwargs)
    return layer.call(*args, **kwargs)


def _with_remat_activation(layer, args, kwargs):
    original, owned = layer.activation, "activation" in layer.__dict__
    layer.__dict__["activation"] = remat(original)
    try:
        return layer.call(*args, **kwargs)
    finally:
        if owned:
            layer.__dict__["activation"] = original
        else:
            del layer.__dict__["activation"]


def _output_size(layer, args, kwargs) -> int:
    """Values in the layer's outputs for these input shapes (cached per shape)."""
    key = tuple(tuple(a.shape) if isinstance(a, torch.Tensor) else None for a in args)
    sizes = layer.__dict__.setdefault("_remat_output_sizes", {})
    if key not in sizes:
        shapes = [tuple(a.shape) for a in args if isinstance(a, torch.Tensor)]
        result = layer.compute_output_shape(shapes[0] if len(shapes) == 1 else shapes)
        sizes[key] = _count(result)
    return sizes[key]


def _count(shapes) -> int:
    if isinstance(shapes, dict):
        return sum(_count(s) for s in shapes.values())
    if isinstance(shapes, (list, tuple)) and shapes and not all(
            isinstance(d, int) or d is None for d in shapes):
        return sum(_count(s) for s in shapes)
    return math.prod(d or 1 for d in shapes)
