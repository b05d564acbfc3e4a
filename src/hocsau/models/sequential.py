"""`Sequential`: a plain stack of layers, each feeding the next."""

from __future__ import annotations

from torch import nn

from hocsau.backend.name_scope import current_path
from hocsau.layers.core.input_layer import InputLayer
from hocsau.layers.layer import Layer
from hocsau.models.input_standardization import standardize_inputs
from hocsau.models.model import Model
from hocsau.models.symbolic import SymbolicTensor, is_symbolic
from hocsau.saving.serialization import keras_class, serialize_keras_object
from hocsau.utils.config_nesting import check_config_depth


@keras_class("keras")
class Sequential(Model):
    """A model whose layers run one after the other.

    The input shape comes from an `Input` (or `InputLayer`) first, from `input_shape` on the
    first layer, from `build((None, ...))`, or from the first batch it is called on; once it is
    known the stack is traced symbolically so `summary()`, `output_shape` and every layer's
    `input`/`output` are available.
    """

    def __init__(self, layers=None, trainable: bool = True, name: str | None = None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        self._stack: list[Layer] = []
        self._graph_input = None
        self._graph_output = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._trace()

    # --- editing the stack ------------------------------------------------------------------
    def add(self, layer, rebuild: bool = True) -> None:
        """Append a layer (an `Input` tensor, a hocsau layer or any torch module)."""
        if is_symbolic(layer):
            layer = layer._keras_history[0]
        elif not isinstance(layer, Layer):
            if not isinstance(layer, nn.Module):
                raise ValueError("Only instances of `hocsau.layers.Layer` (or torch modules) can "
                                 f"be added to a Sequential model. Received: {layer!r} "
                                 f"(of type {type(layer)})")
            from hocsau.layers.core.torch_module_wrapper import TorchModuleWrapper

            layer = TorchModuleWrapper(layer)
        if isinstance(layer, InputLayer):
            if self._stack and isinstance(self._stack[0], InputLayer):
                raise ValueError(f"Sequential model '{self.name}' has already been configured to "
                                 f"use an input. Cannot add another: {layer.name}")
            if self._stack:
                raise ValueError("An `Input` must come first in a Sequential model.")
        elif not self._stack and _declared_input_shape(layer) is not None:
            self._stack.append(InputLayer(batch_shape=_declared_input_shape(layer),
                                          dtype=layer._dtype_policy.variable_dtype))
        self._check_name(layer)
        self._stack.append(layer)
        self._modules[layer.name] = layer
        if rebuild:
            self._trace()

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the last layer."""
        if not self.layers:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        del self._modules[layer.name]
        self._graph_output = None
        if rebuild:
            self._trace()
        return layer

    def _check_name(self, layer: Layer) -> None:
        if any(existing.name == layer.name for existing in self._stack):
            raise ValueError(f"All layers added to a Sequential model should have unique names. "
                             f"Name '{layer.name}' is already the name of a layer in this model.")

    # --- building ---------------------------------------------------------------------------
    def _trace(self) -> None:
        """Run the stack on the input's symbolic tensor: builds layers and records shapes."""
        if not self._stack or not isinstance(self._stack[0], InputLayer):
            return
        self._graph_input = self._stack[0].output
        x = self._graph_input
        with self._open_name_scope():  # Keras builds the stack under the model's scope
            self._layer_path = current_path()
            for layer in self._stack[1:]:
                x = layer(x)
        self._graph_output = x
        self._build_shapes = self._graph_input.shape
        self.built = True

    def build(self, input_shape=None) -> None:
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        if self._stack and isinstance(self._stack[0], InputLayer):
            if tuple(self._stack[0].batch_shape) != tuple(input_shape):
                raise ValueError(f"Sequential model '{self.name}' was built for input shape "
                                 f"{self._stack[0].batch_shape}, not {tuple(input_shape)}.")
            return
        self._stack.insert(0, InputLayer(batch_shape=tuple(input_shape)))
        self._trace()

    def _maybe_build(self, args, kwargs) -> None:
        if self.built:
            return
        first = args[0] if args else next(iter(kwargs.values()))
        if not self._stack or not hasattr(first, "shape"):
            self.built = True
            return
        self.build((None,) + tuple(first.shape[1:]))

    # --- running ----------------------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        x = inputs
        if self._graph_input is not None:  # as Keras's functional form of the stack
            x = standardize_inputs(self, self._graph_input, inputs)[0]
        for layer in self.layers:
            # As Keras runs a Sequential's graph: the model's training value when given, else
            # the non-None default of the layer's own `training` (recorded in its node).
            takes_training, default = layer._call_info.takes_training, \
                layer._call_info.training_default
            value = default if training is None else training
            x = layer(x, training=value) if takes_training and value is not None else layer(x)
        return x

    # --- structure --------------------------------------------------------------------------
    @property
    def layers(self) -> list:
        return [layer for layer in self._stack if not isinstance(layer, InputLayer)]

    @property
    def inputs(self) -> list:
        return [self._graph_input] if self._graph_input is not None else []

    @property
    def outputs(self) -> list:
        return [self._graph_output] if self._graph_output is not None else []

    @property
    def input(self) -> SymbolicTensor:
        self._require_graph("input")
        return self._graph_input

    @property
    def output(self) -> SymbolicTensor:
        self._require_graph("output")
        return self._graph_output

    @property
    def input_shape(self) -> tuple:
        return self.input.shape

    @property
    def output_shape(self) -> tuple:
        return self.output.shape

    def _require_graph(self, what: str) -> None:
        if self._graph_output is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined {what} yet: "
                                 "give it an input shape or call it on data first.")

    def get_config(self) -> dict:
        config = Layer.get_config(self)
        config.pop("batch_input_shape", None)
        config["layers"] = [serialize_keras_object(layer) for layer in self._stack]
        if self._graph_input is not None:
            config["build_input_shape"] = list(self._graph_input.shape)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from hocsau.saving.serialization import deserialize_keras_object

        check_config_depth(config)
        layers = [deserialize_keras_object(c, custom_objects=custom_objects)
                  for c in config.get("layers", [])]
        model = cls(layers, name=config.get("name"), trainable=config.get("trainable", True))
        shape = config.get("build_input_shape")
        if shape is not None and not model.built:
            model.build(tuple(shape))
        return model

    def get_build_config(self) -> dict | None:
        """The input shape the stack was built for, as Keras records it (KerasTuner rebuilds
        a trial's model from it before loading the trial's weights)."""
        if self._graph_input is None:
            return None
        return {"input_shape": list(self._graph_input.shape)}


def _declared_input_shape(layer: Layer):
    """The input shape a first layer fixes: `input_shape=` on it, or a functional model's
    single input (as Keras builds `Sequential([base_model, ...])` at once)."""
    if layer._batch_input_shape is not None:
        return layer._batch_input_shape
    from hocsau.models.functional import Functional

    if isinstance(layer, Functional) and len(layer.inputs) == 1:
        return tuple(layer.inputs[0].shape)
    return None
