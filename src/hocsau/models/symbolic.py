"""Symbolic tensors (shape + dtype + history) and the nodes that connect layers in a graph.

Calling a layer on a `SymbolicTensor` builds the layer, checks its `input_spec`, adds Keras's
call-context arguments (a non-None `training` default of `call`, the input masks), infers the
output by tracing `call` (`_trace`: on PyTorch's meta device, else on placeholder data; each
unknown axis is tried with two sizes and reported as None where the results differ), gives the
outputs the masks `compute_mask` makes of the symbolic inputs (`_keras_mask`), and records a
`Node`.
"""

from __future__ import annotations

import inspect
import itertools

import torch

from hocsau import config
from hocsau.layers.input_spec import assert_input_compatibility
from hocsau.models import _trace

_COUNTER = itertools.count()


class SymbolicTensor:
    """A placeholder for a tensor in a graph being built: `.shape` (None for unknown axes),
    `.dtype` (a string) and `_keras_history` (the layer, node and output index that made it)."""

    _is_symbolic = True

    def __init__(self, shape, dtype=None, name: str | None = None, keras_history=None,
                 sparse: bool = False):
        self._shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = config.standardize_dtype(dtype)
        self.name = name or f"keras_tensor_{next(_COUNTER)}"
        self._keras_history = keras_history
        self.sparse = sparse
        self._keras_mask = None

    @property
    def shape(self) -> tuple:
        return self._shape

    @property
    def ndim(self) -> int:
        return len(self._shape)

    def __repr__(self) -> str:
        return f"<SymbolicTensor shape={self._shape}, dtype={self.dtype}, name={self.name}>"

    def __len__(self):
        raise TypeError("A symbolic tensor has no length: it stands for a batch of unknown size.")

    def __iter__(self):
        raise TypeError("A symbolic tensor cannot be iterated. Use `hocsau.ops` or a Lambda layer.")

    def __bool__(self):
        raise TypeError("A symbolic tensor has no truth value. Use `hocsau.ops.cond` instead.")

    def __array__(self, *args, **kwargs):
        raise TypeError(
            "A symbolic tensor (from `Input`) cannot be converted to a numpy array. It only "
            "describes a graph; call the model on real data to get values.")

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        """Torch functions cannot build graph nodes that Keras files can describe: say what
        does instead of torch's "must be Tensor" TypeError."""
        name = getattr(func, "__name__", repr(func))
        values = flatten(list(args) + list((kwargs or {}).values()))
        if any(isinstance(v, torch.nn.Parameter) and v.requires_grad for v in values):
            raise TypeError(
                f"The torch function `{name}` received a symbolic tensor together with "
                "trainable torch parameters, as happens when a `torch.nn.Module` is called on "
                "`keras.Input`. The model would not track or train those weights: wrap the "
                "module first, e.g. `keras.layers.TorchModuleWrapper(module)(x)`. Received: "
                f"arguments of types {[type(v).__name__ for v in values]}")
        raise TypeError(
            f"The torch function `{name}` was called on a symbolic tensor (from `keras.Input`), "
            "which holds no values. Use the `keras.ops` function of the same name, a "
            "`keras.layers.Lambda`, or wrap torch code in a layer's `call`. Received: "
            f"arguments of types {[type(v).__name__ for v in values]}")

    # Arithmetic records torch operations as graph nodes.
    def _op(self, fn, *args):
        return record_op(fn, (self,) + args, {})

    def __add__(self, other): return self._op(torch.add, other)  # noqa: E704
    def __radd__(self, other): return record_op(_reversed(torch.add), (self, other), {})  # noqa
    def __sub__(self, other): return self._op(torch.sub, other)  # noqa: E704
    def __rsub__(self, other): return record_op(_reversed(torch.sub), (self, other), {})  # noqa
    def __mul__(self, other): return self._op(torch.mul, other)  # noqa: E704
    def __rmul__(self, other): return record_op(_reversed(torch.mul), (self, other), {})  # noqa
    def __truediv__(self, other): return self._op(torch.true_divide, other)  # noqa: E704
    def __rtruediv__(self, other): return record_op(_reversed(torch.true_divide), (self, other), {})  # noqa
    def __matmul__(self, other): return self._op(torch.matmul, other)  # noqa: E704
    def __rmatmul__(self, other): return record_op(_reversed(torch.matmul), (self, other), {})  # noqa
    def __pow__(self, other): return self._op(torch.pow, other)  # noqa: E704
    def __neg__(self): return self._op(torch.neg)  # noqa: E704
    def __abs__(self): return self._op(torch.abs)  # noqa: E704
    def __getitem__(self, key): return self._op(_getitem, key)  # noqa: E704
    def __lt__(self, other): return self._op(torch.lt, other)  # noqa: E704
    def __le__(self, other): return self._op(torch.le, other)  # noqa: E704
    def __gt__(self, other): return self._op(torch.gt, other)  # noqa: E704
    def __ge__(self, other): return self._op(torch.ge, other)  # noqa: E704

    __hash__ = object.__hash__


def _getitem(x, key):
    return x[key]


def _reversed(fn):
    def swapped(a, b):
        return fn(b, a)

    swapped.__name__ = getattr(fn, "__name__", "op")  # `1 + x` is an add, as in Keras
    return swapped


class Node:
    """One call of a layer in a graph: its arguments (symbolic tensors inside) and outputs."""

    def __init__(self, layer, call_args: tuple, call_kwargs: dict, outputs):
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.output_structure = outputs
        self.outputs = flatten(outputs)
        self.inputs = [t for t in flatten((call_args, call_kwargs)) if is_symbolic(t)]
        self.input_structure = call_args[0] if call_args else next(iter(call_kwargs.values()), None)
        self.index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for i, out in enumerate(self.outputs):
            out._keras_history = (layer, self.index, i)
        for tensor in self.inputs:
            parent = tensor._keras_history
            if parent is not None:
                parent[0]._outbound_nodes.append(self)

    @property
    def parent_nodes(self) -> list:
        result = []
        for tensor in self.inputs:
            history = tensor._keras_history
            if history is not None:
                node = history[0]._inbound_nodes[history[1]]
                if node not in result:
                    result.append(node)
        return result

    @property
    def is_input(self) -> bool:
        return not self.inputs


def is_symbolic(value) -> bool:
    return getattr(type(value), "_is_symbolic", False)


def flatten(structure) -> list:
    """The leaves of nested lists, tuples and dicts (dicts in key-insertion order)."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for item in structure.values() for leaf in flatten(item)]
    return [structure]


def map_structure(fn, structure):
    if isinstance(structure, list):
        return [map_structure(fn, s) for s in structure]
    if isinstance(structure, tuple):
        return tuple(map_structure(fn, s) for s in structure)
    if isinstance(structure, dict):
        return {k: map_structure(fn, v) for k, v in structure.items()}
    return fn(structure)


def any_symbolic(args, kwargs) -> bool:
    """Fast check used by every layer call: is any argument a symbolic tensor?"""
    if args:
        first = args[0]
        if isinstance(first, torch.Tensor):
            return False
        if is_symbolic(first):
            return True
    return any(is_symbolic(leaf) for leaf in flatten((args, kwargs)))


def graph_constant(value):
    """A concrete argument of a graph node as the graph keeps it. A tensor computed while the
    model was being built (`embedding(ops.arange(n))` in keras.io's TabTransformer) is a
    constant of the graph, as it is under TensorFlow: its autograd history, freed by the first
    backward pass, is cut. Weights (leaf tensors) stay as they are, so gradients reach them."""
    if isinstance(value, torch.Tensor) and value.grad_fn is not None:
        return value.detach()
    return value


def _graph_constants(args: tuple, kwargs: dict):
    if any(isinstance(leaf, torch.Tensor) and leaf.grad_fn is not None
           for leaf in flatten((args, kwargs))):
        return map_structure(graph_constant, (args, kwargs))
    return args, kwargs


def unpack_singleton(structure):
    """A list or tuple of one as its element, as Keras gives the calls and shapes of models
    built with `outputs=[x]` and rebuilds a lone output from a config."""
    if isinstance(structure, (list, tuple)) and len(structure) == 1:
        return structure[0]
    return structure


def symbolic_call(layer, args: tuple, kwargs: dict):
    """Build `layer` if needed, check its input, infer its outputs and record a Node."""
    args, kwargs = _graph_constants(args, kwargs)
    if not layer.built:
        layer._maybe_build(args, kwargs)
    first = args[0] if args else next(iter(kwargs.values()))
    assert_input_compatibility(layer.input_spec, first, layer.name)
    kwargs = _context_kwargs(layer, args, kwargs)
    specs = layer.compute_output_spec(*args, **kwargs)
    outputs = map_structure(lambda spec: SymbolicTensor(spec.shape, spec.dtype), specs)
    if layer.supports_masking or layer._call_info.computes_mask:
        from hocsau.layers._eager_call import attach_mask

        attach_mask(layer, args, kwargs, outputs, compute=_symbolic_mask)
    Node(layer, args, kwargs, outputs)
    return outputs


def _context_kwargs(layer, args: tuple, kwargs: dict) -> dict:
    """The keyword arguments Keras records in a node: `training` when `call`'s default for it
    is not None (a Dropout node keeps `training=False`, so a direct call of the model runs it
    in inference even after an augmentation layer set the context), and the input masks
    (`mask`, or `<name>_mask` for several tensor arguments) when `call` takes them."""
    kwargs = dict(kwargs)
    info = layer._call_info
    if info.takes_training and "training" not in kwargs and info.training_default is not None:
        kwargs["training"] = info.training_default
    # A `training` that `call` does not take only sets the call context (see `_eager_call`).
    call_kwargs = {k: v for k, v in kwargs.items() if k != "training" or info.takes_training}
    try:
        bound = inspect.signature(layer.call).bind_partial(*args, **call_kwargs).arguments
    except TypeError:
        return kwargs  # the trace reports the bad call
    tensors = {name: value for name, value in bound.items() if _is_tensor_argument(value)}
    names = ["mask"] if len(tensors) == 1 else [f"{name}_mask" for name in tensors]
    params = inspect.signature(layer.call).parameters
    for name, value in zip(names, tensors.values(), strict=False):
        if name in params and bound.get(name) is None:
            mask = map_structure(lambda t: getattr(t, "_keras_mask", None), value)
            if _graph_mask(mask):
                kwargs[name] = mask
    return kwargs


def _is_tensor_argument(value) -> bool:
    leaves = flatten(value)
    return bool(leaves) and all(is_symbolic(t) for t in leaves)


def _graph_mask(mask) -> bool:
    """Whether a mask can be recorded in a node: some mask, each computed by graph ops (a
    mask from a `compute_mask` written with plain torch reaches `call` through `_keras_mask`
    only, so saved configs hold Keras operations alone)."""
    leaves = [m for m in flatten(mask) if m is not None]
    return bool(leaves) and not any(
        getattr(m._keras_history[0], "_derived_mask", False) for m in leaves)


def _symbolic_mask(layer, inputs, previous_mask):
    """`compute_mask` on symbolic tensors: as Keras, its ops are recorded as graph nodes; one
    written with plain torch runs as one recorded operation instead."""
    try:
        mask = layer.compute_mask(inputs, previous_mask)
    except Exception:  # noqa: BLE001 - torch code on symbolic tensors: traced as one op below
        mask = False
    if all(m is None or is_symbolic(m) for m in flatten(mask)):
        return mask
    compute = _MaskFunction(layer)
    return record_op(compute, (inputs, previous_mask), {}, derived_mask=True)


class _MaskFunction:
    """`layer.compute_mask` as the function of a graph operation."""

    __name__ = "compute_mask"

    def __init__(self, layer):
        self.layer = layer

    def __call__(self, inputs, previous_mask):
        return self.layer.compute_mask(inputs, previous_mask)


class Spec:
    """Shape and dtype of one output, as `compute_output_spec` returns them."""

    def __init__(self, shape, dtype):
        self.shape = tuple(shape)
        self.dtype = config.standardize_dtype(dtype)


def infer_output_spec(layer, args: tuple, kwargs: dict):
    """Output specs from `compute_output_shape` when the layer defines it, else a dry run."""
    from hocsau.layers.layer import Layer

    if type(layer).compute_output_shape is not Layer.compute_output_shape:
        shapes = map_structure(_shape_or_none, args[0] if args else next(iter(kwargs.values())))
        result = layer.compute_output_shape(shapes)
        dtype = layer.compute_dtype
        if _is_shape(result):
            return Spec(result, dtype)
        return map_structure_shapes(lambda s: Spec(s, dtype), result)
    return _dry_run_specs(layer, args, kwargs)


def _shape_or_none(value):
    return tuple(value.shape) if hasattr(value, "shape") else value


def _is_shape(value) -> bool:
    return isinstance(value, (tuple, list, torch.Size)) and all(
        d is None or isinstance(d, int) for d in value)


def map_structure_shapes(fn, structure):
    if _is_shape(structure):
        return fn(tuple(structure))
    if isinstance(structure, dict):
        return {k: map_structure_shapes(fn, v) for k, v in structure.items()}
    return type(structure)(map_structure_shapes(fn, s) for s in structure)


def output_shape_by_dry_run(layer, args, kwargs):
    """`compute_output_shape` default: shapes in, shapes out, via the dry run."""
    to_spec = lambda shape: SymbolicTensor(shape, layer.compute_dtype)  # noqa: E731
    args = tuple(map_structure_shapes(to_spec, a) if _is_shape_tree(a) else a for a in args)
    specs = _dry_run_specs(layer, args, kwargs)
    return map_structure(lambda spec: spec.shape, specs)


def _is_shape_tree(value) -> bool:
    if _is_shape(value):
        return True
    return isinstance(value, (list, tuple)) and bool(value) and all(_is_shape(v) for v in value)


def _dry_run_specs(layer, args: tuple, kwargs: dict):
    """Trace `call` (see `_trace`), twice with different sizes when an axis is unknown."""
    unknown = any(d is None for t in flatten((args, kwargs)) if is_symbolic(t) for d in t.shape)
    sizes = _trace.PLACEHOLDER_SIZES if unknown else _trace.PLACEHOLDER_SIZES[:1]
    results = _trace.traced_outputs(layer, args, kwargs, sizes)

    def merge(*outs):
        shapes = [tuple(o.shape) for o in outs]
        shape = tuple(d if all(s[i] == d for s in shapes) else None
                      for i, d in enumerate(shapes[0]))
        return Spec(shape, outs[0].dtype)

    return _zip_map(merge, results)


def _zip_map(fn, structures):
    first = structures[0]
    if isinstance(first, (list, tuple)):
        return type(first)(_zip_map(fn, [s[i] for s in structures]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: _zip_map(fn, [s[k] for s in structures]) for k in first}
    return fn(*structures)


def call_with_meta_weights(layer, args, kwargs):
    """Call `layer` on meta tensors with its weights swapped for meta copies."""
    return _trace.call_with_meta_weights(layer, args, kwargs)


def dry_run(layer, input_shape) -> None:
    """Build `layer`'s sublayers by tracing a call on inputs of `input_shape`."""
    if _is_shape(input_shape):
        spec = SymbolicTensor(input_shape, layer.compute_dtype)
    else:
        spec = map_structure_shapes(lambda s: SymbolicTensor(s, layer.compute_dtype), input_shape)
    _trace.traced_outputs(layer, (spec,), {}, _trace.PLACEHOLDER_SIZES[:1])


def record_op(fn, args: tuple, kwargs: dict, derived_mask: bool = False):
    """Apply a tensor function to symbolic arguments: a graph node of an `OpLayer`."""
    from hocsau.layers.core.op_layer import OpLayer

    layer = OpLayer(fn, args, kwargs)
    if derived_mask:
        layer._derived_mask = True
    return layer._call_template()
