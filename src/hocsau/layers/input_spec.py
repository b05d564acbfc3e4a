"""`InputSpec`: what a layer accepts, checked when a graph is built so errors name the layer."""

from __future__ import annotations


class InputSpec:
    """Rank, axis sizes and dtype that a layer's input must have (Keras's InputSpec).

    Args:
        dtype: expected dtype string, or None.
        shape: the full expected shape, None for any size on an axis.
        ndim / max_ndim / min_ndim: constraints on the rank.
        axes: {axis: size} for axes whose size is fixed (e.g. {-1: 784} for a built Dense).
        allow_last_axis_squeeze: accept a missing or extra trailing axis of size 1.
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = dtype
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        self.optional = optional

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}

    def __repr__(self) -> str:
        parts = [f"{k}={v}" for k, v in self.get_config().items() if v]
        return f"InputSpec({', '.join(parts)})"


def assert_input_compatibility(specs, inputs, layer_name: str) -> None:
    """Raise a ValueError naming the layer, the expectation and the received shape."""
    if specs is None:
        return
    specs = specs if isinstance(specs, (list, tuple)) else [specs]
    inputs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    if len(specs) != len(inputs) and len(specs) > 1:
        raise ValueError(f'Layer "{layer_name}" expects {len(specs)} input(s), but it received '
                         f"{len(inputs)} input tensors.")
    for index, (spec, x) in enumerate(zip(specs, inputs, strict=False)):
        if spec is None or not hasattr(x, "shape"):
            continue
        _check_one(spec, tuple(x.shape), index, layer_name)


def _check_one(spec: InputSpec, shape: tuple, index: int, layer_name: str) -> None:
    ndim = len(shape)
    where = f'Input {index} of layer "{layer_name}" is incompatible with the layer'
    if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
        raise ValueError(f"{where}: expected ndim={spec.ndim}, found ndim={ndim}. "
                         f"Full shape received: {shape}")
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        raise ValueError(f"{where}: expected max_ndim={spec.max_ndim}, found ndim={ndim}. "
                         f"Full shape received: {shape}")
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        raise ValueError(f"{where}: expected min_ndim={spec.min_ndim}, found ndim={ndim}. "
                         f"Full shape received: {shape}")
    for axis, size in spec.axes.items():
        if size is None:
            continue
        if not -ndim <= axis < ndim or shape[axis] not in (size, None):
            raise ValueError(f"{where}: expected axis {axis} of input shape to have value {size}, "
                             f"but received input with shape {shape}")
    if spec.shape is not None:
        for expected, got in zip(spec.shape, shape, strict=False):
            if expected is not None and got is not None and expected != got:
                raise ValueError(f"{where}: expected shape={spec.shape}, found shape={shape}")
