"""`Lambda`: wraps a Python function as a layer."""

from __future__ import annotations

import inspect
import types

from hocsau.layers.layer import Layer
from hocsau.models import symbolic
from hocsau.saving import lambda_code
from hocsau.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)


@keras_class("keras.layers")
class Lambda(Layer):
    """Calls `function(inputs, **arguments)`; for quick experiments in Sequential and
    functional models.

    A Python `lambda` is saved as bytecode, which only loads under the same Python version and
    only with `safe_mode=False` (or `hocsau.config.enable_unsafe_deserialization()`): prefer a
    named, registered function or a `Layer` subclass for anything kept.

    Args:
        function: the function; it also receives `mask` and `training` if it names them.
        output_shape: the output shape without the batch axis (or a list of such shapes), or a
            function from the full input shape to the full output shape; by default inferred
            by running `function` on meta tensors.
        mask: None (the output has no mask), a function `mask(inputs, previous_mask)`, or a
            tensor used as the output's mask.
        arguments: keyword arguments passed to `function`.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.arguments = arguments or {}
        self.function = function
        self.supports_masking = mask is not None
        self.mask = mask
        self._output_shape = output_shape
        names = _argument_names(function)
        self._fn_expects_training_arg = "training" in names
        self._fn_expects_mask_arg = "mask" in names

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return _inferred(lambda: super(Lambda, self).compute_output_shape(input_shape))
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        batch = symbolic.flatten(input_shape)[0]
        return symbolic.map_structure_shapes(lambda s: (batch, *s), self._output_shape)

    def compute_output_spec(self, *args, **kwargs):
        if self._output_shape is None:
            # Run the function itself, so outputs keep their true dtypes (an int cast feeding
            # an Embedding stays int).
            return _inferred(lambda: symbolic._dry_run_specs(self, args, kwargs))
        return super().compute_output_spec(*args, **kwargs)

    def compute_mask(self, inputs, previous_mask=None):
        if callable(self.mask):
            return self.mask(inputs, previous_mask)
        return self.mask

    def get_config(self) -> dict:
        config = super().get_config()
        config["function"] = _function_config(self.function)
        if self._output_shape is not None:
            config["output_shape"] = (_function_config(self._output_shape)
                                      if callable(self._output_shape) else self._output_shape)
        if self.mask is not None:
            config["mask"] = (_function_config(self.mask) if callable(self.mask)
                              else serialize_keras_object(self.mask))
        config["arguments"] = serialize_keras_object(self.arguments)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None, safe_mode=None):
        """Rebuild the layer; a bytecode `function` needs `safe_mode=False` (see the class)."""
        config = dict(config)
        for key in ("function", "output_shape", "mask", "arguments"):
            if key in config:
                config[key] = _load(config[key], custom_objects, safe_mode)
        output_shape = config.get("output_shape")
        if isinstance(output_shape, list) and all(
                isinstance(d, (int, type(None))) for d in output_shape):
            config["output_shape"] = tuple(output_shape)
        return super().from_config(config)


def _argument_names(fn) -> tuple:
    """The names `fn` takes; none for builtins without a signature (torch.relu)."""
    try:
        return tuple(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return ()


def _inferred(infer):
    try:
        return infer()
    except Exception as error:
        raise ValueError("We could not automatically infer the shape of the Lambda's output. "
                         "Please specify the `output_shape` argument for this Lambda layer.\n\n"
                         f"{type(error).__name__}: {error}") from error


def _function_config(fn) -> dict:
    """A lambda as Keras's Lambda-layer bytecode entry; a named function by its name."""
    if isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>":
        code, defaults, closure = lambda_code.func_dump(fn)
        return {"class_name": "__lambda__",
                "config": {"code": code, "defaults": defaults, "closure": closure}}
    if callable(fn):
        return serialize_keras_object(fn)
    raise ValueError(f"Invalid input type for serialization. Received: {fn} of type {type(fn)}.")


def _load(value, custom_objects, safe_mode):
    if isinstance(value, dict) and value.get("class_name") == "__lambda__":
        return lambda_code.deserialize_lambda(value["config"], safe_mode)
    return deserialize_keras_object(value, custom_objects=custom_objects)
