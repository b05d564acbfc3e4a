"""`Layer`: the Keras layer contract on a `torch.nn.Module`.

A layer is built lazily from the shape of its first input (`build`), owns Keras-named weights
created by `add_weight`, computes in `call`, and can be called on real tensors (eager) or on
symbolic tensors (recording a graph node, see `hocsau.models.symbolic`).

    layer(x) -> eager:    build once -> resolve training/mask -> nn.Module.__call__ -> call
             -> symbolic: build once -> check input_spec -> infer output spec -> Node
"""

from __future__ import annotations

import collections
import functools
import inspect
import math
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from hocsau import _trace_state, config, dtype_policies
from hocsau.backend import remat, stateless_scope
from hocsau.backend.name_scope import current_path, name_scope
from hocsau.layers._eager_call import (
    annotate,
    attach_mask,
    call_with_cast_weights,
    cast_floats,
    host_masks_as_tensors,
    input_mask,
    is_meta,
    is_string_data,
    shape_of,
    strings_error,
    to_tensors,
)
from hocsau.layers._legacy_api import LegacyShapes, assign_weights
from hocsau.layers._tracked_containers import (
    PLAIN_CONTAINERS,
    TrackedModules,
    holds_modules,
    sync_all,
)
from hocsau.layers.call_context import CONTEXT, resolve_training
from hocsau.layers.input_spec import assert_input_compatibility
from hocsau.models import symbolic
from hocsau.saving.serialization import keras_class, serialize_keras_object
from hocsau.utils import naming
from hocsau.variable import Variable, check_value_dtype

_SHAPE_KWARGS = ("input_shape", "input_dim", "batch_input_shape", "batch_size", "input_length",
                 "weights")
_CONTAINERS = (nn.ModuleList, nn.ModuleDict, nn.ParameterList, nn.ParameterDict)
_CALL_INFO: dict = {}


def _scoped_build(build):
    """`build` run under the layer's name scope, as Keras wraps every `build`: weights made
    there, a sublayer's included, get paths like "lstm/lstm_cell/kernel"; then `built`."""
    if getattr(build, "_scoped", False):
        return build

    signature = inspect.signature(build)

    @functools.wraps(build)
    def scoped(self, *args, **kwargs):
        with self._open_name_scope():
            self._layer_path = current_path()
            build(self, *args, **kwargs)
        _record_build_arguments(self, signature, args, kwargs)
        self.built = True  # as Keras: a model whose own `build` builds its layers is built

    scoped._scoped = True
    return scoped


def _record_build_arguments(layer, signature: inspect.Signature, args, kwargs) -> None:
    """Keep what `build` was given, for `get_build_config`, as Keras records every call (a
    direct `layer.build(shape)` included): the one argument, or a dict of several."""
    try:
        bound = signature.bind(layer, *args, **kwargs).arguments
    except TypeError:
        return
    bound.pop(next(iter(signature.parameters)), None)  # `self`
    if len(bound) > 1:
        layer._build_shapes = NamedShapes(bound)
    elif bound and next(iter(bound.values())) is not None:
        layer._build_shapes = next(iter(bound.values()))


@keras_class("keras.layers")
class Layer(LegacyShapes, nn.Module):
    """Base class of every hocsau layer, and the class users subclass for their own layers.

    Args:
        trainable: whether the layer's weights are updated in training.
        dtype: the dtype policy ("float32", "mixed_float16", a DTypePolicy); None: global.
        name: unique name; default from the class name (dense, dense_1, ...).
        activity_regularizer: penalty on the layer's output, added to `losses`.
        input_shape / input_dim / batch_input_shape / batch_size: the input of a Sequential's
            first layer.
    """

    supports_masking = False
    # False for layers that take host data (strings) as it comes, as in Keras.
    _convert_input_args = True

    def __new__(cls, *args, **kwargs):
        # nn.Module state exists before the subclass's __init__ runs, so Keras code that sets
        # attributes before calling super().__init__() keeps working.
        self = super().__new__(cls)
        nn.Module.__init__(self)
        self.training = False  # Keras calls run in inference mode unless told otherwise
        self._init_args = (args, kwargs)
        self._tracked_variables: list[Variable] = []
        self._trainable = True
        self.built = False
        self._parent_path = None  # the name scopes open at the first build, as Keras keeps
        self._layer_path = None
        self._remat_mode = remat.get_current_remat_mode()  # of a RematScope open at creation
        return self

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:
            cls.build = _scoped_build(cls.__dict__["build"])

    def __init__(self, *, activity_regularizer=None, trainable: bool = True, dtype=None,
                 autocast: bool = True, name: str | None = None, **kwargs):
        shape_kwargs = {k: kwargs.pop(k) for k in _SHAPE_KWARGS if k in kwargs}
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                            f"{kwargs}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Argument `name` must be a string. Received: name={name!r}")
        self.name = name or naming.uniquify(naming.to_snake_case(type(self).__name__))
        self._dtype_policy = dtype_policies.get(dtype)
        self.autocast = autocast
        self._trainable = bool(trainable)
        self._activity_regularizer = _regularizer(activity_regularizer)
        self._activity_losses: list[torch.Tensor] = []
        self.input_spec = None
        self._inbound_nodes: list = []
        self._outbound_nodes: list = []
        self._build_shapes = None
        self._batch_input_shape = _batch_input_shape(shape_kwargs)
        self._initial_weights = shape_kwargs.get("weights")
        self._call_info = _call_info(type(self))

    # --- attribute tracking -----------------------------------------------------------------
    def __getattr__(self, name):
        # nn.Module's lookup of parameters, sublayers and buffers, inlined: weights are read
        # through here on every call.
        state = self.__dict__
        for store in ("_parameters", "_modules", "_buffers"):
            found = state.get(store)
            if found is not None and name in found:
                return found[name]
        attribute = getattr(type(self), name, None)
        if isinstance(attribute, property):
            attribute.fget(self)  # re-raises the property's own, clearer error
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        modules = self.__dict__.get("_modules")
        if modules and name in modules and not isinstance(value, nn.Module) and value is not None:
            del modules[name]  # Python values may replace a sublayer or container, as in Keras
        if isinstance(value, list) and value and all(isinstance(v, nn.Module) for v in value):
            value = nn.ModuleList(value)
        elif (type(value) in PLAIN_CONTAINERS and not name.startswith("_")
              and (not value or holds_modules(value))):
            # Keras tracks layers put in (or later added to) a list/dict/tuple attribute;
            # private ones are hocsau's own bookkeeping (`_init_args`, nodes).
            super().__setattr__(name, value)
            modules[name] = TrackedModules(value)
            modules[name].sync()
            return
        elif isinstance(value, nn.Module) and not isinstance(value, (Layer, *_CONTAINERS)):
            from hocsau.layers.core.torch_module_wrapper import TorchModuleWrapper

            value = TorchModuleWrapper(value, name=naming.uniquify(f"torch_module_{name}"))
        elif isinstance(value, Variable):
            self._track_assigned(value, name)
            return
        super().__setattr__(name, value)

    def _track_assigned(self, variable: Variable, name: str) -> None:
        """A Variable assigned to an attribute becomes one of the layer's own weights, in the
        order of assignment among those made by `add_weight` (as Keras tracks it)."""
        if not self._owns(variable):
            if not hasattr(variable, "_created_trainable"):
                variable._created_trainable = bool(variable.trainable)
            self._tracked_variables.append(variable)
        self._rename_parameter(variable, name)

    def _owns(self, variable: Variable) -> bool:
        return any(v is variable for v in self.__dict__.get("_tracked_variables", ()))

    def _rename_parameter(self, variable: Variable, name: str) -> None:
        """Keep a weight registered once, under the attribute name the layer uses for it."""
        params = self._parameters
        for key in [k for k, v in params.items() if v is variable]:
            del params[key]
        self.__dict__.pop(name, None)
        params[name] = variable

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        """Freezing (or unfreezing) reaches every weight created trainable and every sublayer."""
        value = bool(value)
        self._trainable = value
        for variable in self._tracked_variables:
            if getattr(variable, "_created_trainable", True):
                variable.trainable = value
        for module in self._modules.values():
            if isinstance(module, Layer):
                module.trainable = value
            elif module is not None:
                for param in module.parameters():
                    param.requires_grad_(value)

    # --- dtype ------------------------------------------------------------------------------
    @property
    def dtype_policy(self) -> dtype_policies.DTypePolicy:
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value) -> None:
        self._dtype_policy = dtype_policies.get(value)

    @property
    def dtype(self) -> str:
        """The dtype of the layer's weights (Keras's `layer.dtype`)."""
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self) -> str:
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._dtype_policy.variable_dtype

    # --- weights ----------------------------------------------------------------------------
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable: bool = True,
                   autocast: bool = True, regularizer=None, constraint=None,
                   aggregation: str = "none", overwrite_with_gradient: bool = False,
                   name: str | None = None) -> Variable:
        """Create a weight, track it in Keras's order, and register it as a torch parameter."""
        from hocsau import constraints, initializers

        shape = () if shape is None else tuple(int(d) for d in shape)
        dtype = config.standardize_dtype(dtype or self._dtype_policy.variable_dtype)
        if initializer is None:
            initializer = "glorot_uniform" if "float" in dtype else "zeros"
        name = name or naming.uniquify("variable")  # Keras's names: variable, variable_1, ...
        try:
            with self._open_name_scope():  # the path: "<enclosing scopes>/<layer>/<name>"
                variable = Variable(initializers.get(initializer), shape=shape, dtype=dtype,
                                    trainable=trainable and self._trainable, name=name)
        except (RuntimeError, MemoryError) as error:
            if not _out_of_memory(error):
                raise
            raise ValueError(
                f"Layer '{self.name}' cannot create its weight '{name}' of shape {shape} and "
                f"dtype {dtype}: {_size_in_bytes(shape, dtype)} do not fit in memory. Check the "
                f"layer's size arguments (units, filters, input_dim, ...). Received: "
                f"shape={shape}") from None
        variable._created_trainable = bool(trainable)
        variable._autocast = autocast
        variable.overwrite_with_gradient = overwrite_with_gradient
        variable.regularizer = _regularizer(regularizer)
        variable.constraint = constraints.get(constraint) if constraint is not None else None
        self._tracked_variables.append(variable)
        self.register_parameter(self._free_parameter_key(name), variable)
        _trace_state.remember_new_weight(variable)
        return variable

    def add_variable(self, shape, initializer, dtype=None, trainable=True, autocast=True,
                     regularizer=None, constraint=None, name=None) -> Variable:
        """Keras 3 alias of `add_weight` with the shape and initializer first."""
        return self.add_weight(shape=shape, initializer=initializer, dtype=dtype,
                               trainable=trainable, autocast=autocast, regularizer=regularizer,
                               constraint=constraint, name=name)

    def _free_parameter_key(self, name: str) -> str:
        key = name.replace("/", "_").replace(".", "_") or "variable"
        candidate, index = key, 1
        while (candidate in self._parameters or candidate in self._modules
               or candidate in self.__dict__ or candidate in self._buffers):
            candidate, index = f"{key}_{index}", index + 1
        return candidate

    def _own_weights(self) -> list:
        """This layer's weights (not its sublayers'): trainable first, as Keras lists them."""
        tracked = self._tracked_variables
        others = [p for p in self._parameters.values()
                  if p is not None and not any(p is v for v in tracked)]
        created = [v for v in tracked if getattr(v, "_created_trainable", True)]
        fixed = [v for v in tracked if not getattr(v, "_created_trainable", True)]
        buffers = [b for b in self._buffers.values() if b is not None]
        return created + others + fixed + buffers

    def _sublayers(self) -> list:
        sync_all(self)
        return [m for m in self._modules.values() if m is not None]

    def _direct_layers(self) -> list:
        """The layers this one holds, directly or in containers, in assignment order (a
        model: its `layers`)."""
        from hocsau.trainers.trainer import Trainer

        if isinstance(self, Trainer):
            return list(self.layers)
        return _layers_in(self._sublayers())

    def _flatten_layers(self, include_self: bool = True, recursive: bool = True) -> list:
        """Keras's walk over a layer and its sublayers: each once, a layer's sublayers taken
        before its later siblings (in reverse order, as Keras's deque gives them)."""
        result = [self] if include_self else []
        seen, queue = set(), collections.deque(self._direct_layers())
        while queue:
            layer = queue.popleft()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            result.append(layer)
            if recursive:
                queue.extendleft(layer._direct_layers())
        return result

    def _seed_states(self) -> list:
        """The states of the `SeedGenerator`s held in this layer's attributes (directly or in
        a list, tuple or dict), in assignment order: Keras counts them among `variables`."""
        from hocsau.random import SeedGenerator

        states = []
        for value in self.__dict__.values():
            items = value.values() if isinstance(value, dict) else \
                value if isinstance(value, (list, tuple)) else (value,)
            states.extend(item.state for item in items if isinstance(item, SeedGenerator))
        return states

    def _gathered(self, own: list, of_layer) -> list:
        """`own` then `of_layer(sublayer)` of each sublayer (a torch module's parameters and
        buffers), without repeats."""
        result, seen = [], set()
        for module in [None, *self._sublayers()]:
            items = own if module is None else \
                of_layer(module) if isinstance(module, Layer) else _module_weights(module)
            for w in items:
                if id(w) not in seen:
                    seen.add(id(w))
                    result.append(w)
        return result

    @property
    def weights(self) -> list:
        """Every weight of the layer and its sublayers, deduplicated, in Keras's order."""
        return self._gathered(self._own_weights(), lambda layer: layer.weights)

    @property
    def variables(self) -> list:
        """`weights` plus the random seed states of the layer and its sublayers (Keras's
        `variables`; metric variables excluded)."""
        return self._gathered(self._own_weights() + self._seed_states(),
                              lambda layer: layer.variables)

    @property
    def trainable_weights(self) -> list:
        if not self._trainable:
            return []
        return [w for w in self.weights if _is_trainable(w)]

    @property
    def non_trainable_weights(self) -> list:
        if not self._trainable:
            return self.weights
        return [w for w in self.weights if not _is_trainable(w)]

    # Keras 1 / tf.keras 2 custom layers assign these lists (hocsau extension, _legacy_api).
    @trainable_weights.setter
    def trainable_weights(self, value) -> None:
        assign_weights(self, value, trainable=True)

    @non_trainable_weights.setter
    def non_trainable_weights(self, value) -> None:
        assign_weights(self, value, trainable=False)

    trainable_variables = trainable_weights

    @property
    def non_trainable_variables(self) -> list:
        """`non_trainable_weights` plus the random seed states (Keras's definition)."""
        if not self._trainable:
            return self.variables
        return [v for v in self.variables if not _is_trainable(v)]

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights as numpy arrays, in `weights` order."""
        from hocsau.distribution.parameter_sharding import whole_weights

        with whole_weights(self):  # parameter-sharded weights gathered (collective)
            return [w.detach().cpu().numpy().copy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Set every weight from a list of arrays with exactly the shapes of `get_weights()`."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a weight list of "
                f"length {len(weights)}, but the layer was expecting {len(own)} weights.")
        for variable, value in zip(own, weights, strict=False):
            value = np.asarray(value)
            if tuple(value.shape) != tuple(variable.shape):
                raise ValueError(
                    f"Layer {self.name} weight shape {tuple(variable.shape)} is not compatible "
                    f"with provided weight shape {tuple(value.shape)}.")
            check_value_dtype(variable, value, f"Layer '{self.name}' weight '{variable.path}'")
        with torch.no_grad():  # a parameter-sharded weight writes its chunk (no collective)
            for variable, value in zip(own, weights, strict=False):
                variable.copy_(torch.as_tensor(np.asarray(value), dtype=variable.dtype))

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't "
                "built. You can build it manually via: `layer.build(input_shape)`.")
        return int(sum(w.numel() for w in self.weights))

    # --- losses -----------------------------------------------------------------------------
    @property
    def activity_regularizer(self):
        return self._activity_regularizer

    @activity_regularizer.setter
    def activity_regularizer(self, value) -> None:
        self._activity_regularizer = _regularizer(value)

    def add_loss(self, loss) -> None:
        """Add a loss tensor (from `call`) to `losses` for this call."""
        loss = torch.as_tensor(loss)
        self._activity_losses.append(loss)
        stateless_scope.record_loss(loss)
        if CONTEXT.depth:
            CONTEXT.activity_losses.append(loss)

    @property
    def losses(self) -> list:
        """Activity losses of the last call plus the weight regularization penalties."""
        result = list(self._activity_losses)
        for module in self._sublayers():
            if isinstance(module, Layer):
                result.extend(module._activity_losses_recursive())
        result.extend(penalty for _, penalty in self._weight_penalties())
        return result

    def _activity_losses_recursive(self) -> list:
        result = list(self._activity_losses)
        for module in self._sublayers():
            if isinstance(module, Layer):
                result.extend(module._activity_losses_recursive())
        return result

    def regularized_variables(self) -> list:
        """(variable, regularizer) pairs of the trainable weights with a regularizer (a frozen
        weight adds no penalty, as in Keras)."""
        return [(w, w.regularizer) for w in self.trainable_weights
                if getattr(w, "regularizer", None)]

    def _weight_penalties(self) -> list:
        return [(w, reg(w)) for w, reg in self.regularized_variables()]

    # --- building ---------------------------------------------------------------------------
    def build(self, input_shape=None) -> None:
        """Create the weights for `input_shape`; the default builds sublayers by a dry run."""
        if self._sublayers() and type(self).call is not Layer.call and input_shape is not None:
            self.built = True
            symbolic.dry_run(self, input_shape)
        self.built = True

    build._builds_by_dry_run = True
    build = _scoped_build(build)

    def _maybe_build(self, args, kwargs) -> None:
        """Build from the shapes of the first call's inputs (batch axis kept as called)."""
        if self.built:
            return
        sync_all(self)
        if self.input_spec is not None and args:  # as a symbolic call checks it
            assert_input_compatibility(self.input_spec, args[0], self.name)
        shapes = _build_shapes(self, args, kwargs)
        if type(self).build is not Layer.build or self._build_shapes is None:
            self._build_shapes = shapes
        if getattr(type(self).build, "_builds_by_dry_run", False):
            # The real call about to run builds the sublayers; no dry run needed.
            self._layer_path = current_path()
            self.built = True
            return
        _call_build(self, shapes)
        self.built = True
        self._apply_initial_weights()

    def _apply_initial_weights(self) -> None:
        if self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)

    def get_build_config(self) -> dict | None:
        if self._build_shapes is None:
            return None
        shapes = self._build_shapes
        if isinstance(shapes, NamedShapes):
            return {"shapes_dict": {k: _listify(v) for k, v in shapes.items()}}
        if isinstance(shapes, dict):  # one input, a dict of tensors
            return {"input_shape": {k: _listify(v) for k, v in shapes.items()}}
        return {"input_shape": _listify(shapes)}

    def build_from_config(self, config: dict) -> None:
        if not config or self.built:
            return
        if "shapes_dict" in config:
            shapes = NamedShapes({k: _tuplify(v) for k, v in config["shapes_dict"].items()})
        elif isinstance(config["input_shape"], dict):
            shapes = {k: _tuplify(v) for k, v in config["input_shape"].items()}
        else:
            shapes = _tuplify(config["input_shape"])
        self._build_shapes = shapes
        _call_build(self, shapes)
        self.built = True

    # --- saving -----------------------------------------------------------------------------
    def save_own_variables(self, store) -> None:
        """Keras's hook: this layer's variables into `store` under "0", "1", ... (Keras's file
        order). Override it, calling `super()`, to save more state."""
        from hocsau.saving.weights_store import layer_values

        store.update(layer_values(self))

    def load_own_variables(self, store) -> None:
        """Keras's hook: read back what `save_own_variables` wrote."""
        from hocsau.saving.weights_store import load_layer_values

        load_layer_values(self, store)

    # --- calling ----------------------------------------------------------------------------
    def call(self, *args, **kwargs):
        raise NotImplementedError(f"Layer {type(self).__name__} does not implement `call()`.")

    def forward(self, *args, **kwargs):
        if self._remat_mode is not None:
            return remat.rematerialized_call(self, args, kwargs)
        return self.call(*args, **kwargs)

    def __call__(self, *args, **kwargs):
        if not self.built:
            # Weights made while building (sublayers' too) get this layer's scope in their path.
            with self._open_name_scope():
                return self._first_call(args, kwargs)
        if symbolic.any_symbolic(args, kwargs):
            return symbolic.symbolic_call(self, args, kwargs)
        return self._eager_call(args, kwargs)

    def _first_call(self, args, kwargs):
        if symbolic.any_symbolic(args, kwargs):
            return symbolic.symbolic_call(self, args, kwargs)
        return self._eager_call(args, kwargs)

    @property
    def path(self) -> str | None:
        """The layer's name under the scopes it was built in ("sequential/dense"); None
        before it is built."""
        return self._layer_path

    def _open_name_scope(self) -> name_scope:
        """This layer's name scope, under the scopes open when it was first entered."""
        if self._parent_path is None:
            self._parent_path = current_path()
        return name_scope(self.name, caller=self)

    def _eager_call(self, args, kwargs):
        if args and not isinstance(args[0], torch.Tensor) and self._convert_input_args:
            args = (to_tensors(args[0]),) + args[1:]
        if not self.built:
            self._maybe_build(args, kwargs)
            if is_meta(args):
                # Built during a parent's dry run: the new weights are real, the inputs meta.
                return symbolic.call_with_meta_weights(self, args, kwargs)
        info = self._call_info
        context = CONTEXT
        outer = context.depth == 0
        if outer:
            context.training = None
            context.activity_losses = []
        training = resolve_training(info, self.training, kwargs)
        if info.takes_mask and kwargs.get("mask") is None and args:
            mask = input_mask(args[0])
            if mask is not None:
                kwargs["mask"] = mask
        elif info.takes_mask and kwargs.get("mask") is not None:
            kwargs["mask"] = host_masks_as_tensors(kwargs["mask"])
        if self._activity_losses:
            self._activity_losses = []
        # Keras's call context keeps the last value set for the rest of the outermost call.
        context.training = training
        context.depth += 1
        try:
            policy = self._dtype_policy
            if self.autocast and args and self._convert_input_args:
                args = (cast_floats(args[0], policy.torch_compute_dtype),) + args[1:]
            if policy.mixed:
                outputs = call_with_cast_weights(self, policy.torch_compute_dtype, args, kwargs)
            else:
                outputs = nn.Module.__call__(self, *args, **kwargs)
        except Exception as error:
            if isinstance(error, (RuntimeError, IndexError)) and args:
                # Checked only after torch failed, so correct calls pay nothing for it.
                try:
                    self._explain_input_error(args[0])
                except ValueError as mismatch:
                    raise mismatch from None  # Keras's message, not torch's traceback
            if self._convert_input_args and args and is_string_data(args[0]) \
                    and not getattr(error, "_hocsau_annotated", False):
                raise strings_error(self, args[0]) from error
            annotate(error, self, args)
            raise
        finally:
            context.depth -= 1
            if outer:
                context.training = None
        if self._activity_regularizer is not None:
            self._add_activity_loss(outputs)
        if self.supports_masking or info.computes_mask:
            attach_mask(self, args, kwargs, outputs)
        return outputs

    def _explain_input_error(self, inputs) -> None:
        """Raise Keras's ValueError for what is wrong with `inputs`, after torch failed on
        them; layers with more checks than their `input_spec` extend it."""
        assert_input_compatibility(self.input_spec, inputs, self.name)

    def _add_activity_loss(self, outputs) -> None:
        for out in outputs if isinstance(outputs, (list, tuple)) else [outputs]:
            batch = out.shape[0] if out.dim() else 1
            self.add_loss(self._activity_regularizer(out) / batch)

    def compute_mask(self, inputs, previous_mask=None):
        """The mask of the output: passed through when the layer supports masking."""
        return previous_mask if self.supports_masking else None

    def compute_output_shape(self, *args, **kwargs):
        """Output shape(s) for input shape(s); by default inferred by a dry run."""
        return symbolic.output_shape_by_dry_run(self, args, kwargs)

    def compute_output_spec(self, *args, **kwargs):
        return symbolic.infer_output_spec(self, args, kwargs)

    # --- graph connectivity -----------------------------------------------------------------
    def _single_node(self, attribute: str):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called and thus has no "
                                 f"defined {attribute}.")
        # As in Keras 3, a layer used in several graphs reports its first use.
        return self._inbound_nodes[0]

    @property
    def input(self):
        return self._single_node("input").input_structure

    @property
    def output(self):
        return self._single_node("output").output_structure

    def get_input_at(self, node_index: int):
        return self._inbound_nodes[node_index].input_structure

    def get_output_at(self, node_index: int):
        return self._inbound_nodes[node_index].output_structure

    # --- config -----------------------------------------------------------------------------
    def get_config(self) -> dict:
        """Keras's base keys plus, for user layers, their simple constructor arguments."""
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": serialize_keras_object(self._dtype_policy)}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        if self._activity_regularizer is not None:
            config["activity_regularizer"] = serialize_keras_object(self._activity_regularizer)
        if type(self).get_config is Layer.get_config and type(self).__module__.split(".")[0] != \
                "hocsau":
            config.update(_auto_config(self))
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if "dtype" in config and isinstance(config["dtype"], dict):
            config["dtype"] = dtype_policies.get(config["dtype"])
        if "batch_input_shape" in config and config["batch_input_shape"] is not None:
            config["batch_input_shape"] = tuple(config["batch_input_shape"])
        if "batch_shape" in config and cls.__name__ != "InputLayer":
            config["batch_input_shape"] = tuple(config.pop("batch_shape"))
        try:
            return cls(**config)
        except Exception as error:  # Keras wraps any failure the same way
            raise TypeError(f"Error when deserializing class '{cls.__name__}' using config="
                            f"{config}.\n\nException encountered: {error}") from error

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    def extra_repr(self) -> str:
        return f"name={self.name}"


class CallInfo(NamedTuple):
    """What a layer class's `call` signature and `compute_mask` tell its callers."""

    takes_training: bool
    takes_mask: bool
    computes_mask: bool  # compute_mask is overridden
    training_default: bool | None  # the default of `training` in `call`


def _call_info(cls: type) -> CallInfo:
    info = _CALL_INFO.get(cls)
    if info is None:
        params = inspect.signature(cls.call).parameters
        has_kwargs = any(p.kind is p.VAR_KEYWORD for p in params.values())
        training = params.get("training")
        default = None if training is None or training.default is training.empty else \
            training.default
        info = CallInfo("training" in params, "mask" in params and not has_kwargs,
                        cls.compute_mask is not Layer.compute_mask, default)
        _CALL_INFO[cls] = info
    return info


def _is_trainable(weight) -> bool:
    return weight.trainable if isinstance(weight, Variable) else bool(weight.requires_grad)


def _layers_in(modules) -> list:
    """The Layers among `modules`, containers opened in place."""
    found = []
    for module in modules:
        if isinstance(module, Layer):
            found.append(module)
        elif isinstance(module, (nn.ModuleList, nn.ModuleDict)):
            found += _layers_in(module.values() if isinstance(module, nn.ModuleDict)
                                else module)
    return found


def _module_weights(module: nn.Module) -> list:
    """A plain torch module's parameters then buffers (its running statistics); a container's
    layers' weights each in Keras's order."""
    if isinstance(module, (nn.ModuleList, nn.ModuleDict)):
        children = module.values() if isinstance(module, nn.ModuleDict) else module
        return [w for child in children
                for w in (child.weights if isinstance(child, Layer) else _module_weights(child))]
    return list(module.parameters()) + [b for b in module.buffers()]


def _regularizer(value):
    if value is None:
        return None
    from hocsau import regularizers

    return regularizers.get(value)


def _batch_input_shape(kwargs: dict):
    if "batch_input_shape" in kwargs:
        return tuple(kwargs["batch_input_shape"])
    if "input_shape" in kwargs:
        return (kwargs.get("batch_size"),) + tuple(kwargs["input_shape"])
    if "input_dim" in kwargs:
        return (kwargs.get("batch_size"), kwargs["input_dim"])
    return None


class NamedShapes(dict):
    """The shapes for `build(a_shape, b_shape)`, by parameter name (a plain dict is the shape
    of one input that is a dict of tensors)."""


def _build_params(layer: Layer) -> list:
    return [p for p in inspect.signature(layer.build).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _call_build(layer: Layer, shapes) -> None:
    """`build(**named shapes)`, `build(shape)`, or `build()` for a `build(self)` (as Keras
    calls it, e.g. keras.io's VariableSelection layer taking a dict of inputs)."""
    if isinstance(shapes, NamedShapes):
        layer.build(**shapes)
    elif _build_params(layer):
        layer.build(shapes)
    else:
        layer.build()


def _build_shapes(layer: Layer, args, kwargs):
    """The argument for `build`: one shape (a list or dict of shapes for a list or dict of
    inputs), or `NamedShapes` for `build(a_shape, ...)`."""
    params = _build_params(layer)
    if len(params) <= 1:
        return shape_of(args[0] if args else next(iter(kwargs.values())))
    bound = inspect.signature(layer.call).bind_partial(*args, **kwargs).arguments
    shapes = NamedShapes()
    for p in params:
        source = p.name[: -len("_shape")] if p.name.endswith("_shape") else p.name
        if source in bound and bound[source] is not None:
            shapes[p.name] = shape_of(bound[source])
    return shapes


def _auto_config(layer: Layer) -> dict:
    """A user layer's constructor arguments, when they are plain JSON-able values."""
    args, kwargs = layer._init_args
    params = [p for p in inspect.signature(type(layer).__init__).parameters.values()
              if p.name != "self" and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    config = {p.name: value for p, value in zip(params, args, strict=False)}
    config.update({k: v for k, v in kwargs.items() if k not in ("name", "trainable", "dtype")})
    return {k: v for k, v in config.items() if _is_plain(v)}


def _is_plain(value) -> bool:
    if isinstance(value, (bool, int, float, str, type(None))):
        return True
    if isinstance(value, (list, tuple)):
        return all(_is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v) for k, v in value.items())
    return False


def _listify(shape):
    """A shape (or list of shapes) as JSON lists; another build argument as it is."""
    if not isinstance(shape, (list, tuple)):
        return shape
    if shape and isinstance(shape[0], (list, tuple)):
        return [list(s) for s in shape]
    return list(shape)


def _tuplify(shape):
    """A shape (or list of shapes) read from JSON as tuples; another argument as it is."""
    if not isinstance(shape, list):
        return shape
    if shape and isinstance(shape[0], list):
        return [tuple(s) for s in shape]
    return tuple(shape)


def _out_of_memory(error: BaseException) -> bool:
    """An allocation failure (torch's CPU or CUDA allocator, NumPy, a size overflow)."""
    text = str(error).lower()
    return isinstance(error, MemoryError) or any(
        phrase in text for phrase in ("allocate", "out of memory", "overflow"))


def _size_in_bytes(shape: tuple, dtype: str) -> str:
    size = math.prod(shape) * torch.empty((), dtype=config.torch_dtype(dtype)).element_size()
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if size < 1024 or unit == "PiB":
            return f"{size:.4g} {unit}"
        size /= 1024
