"""Quantized layers as Keras 3 builds them: `quantize(mode)` replaces a layer's float weight
by int8 values and a float32 scale with Keras's names, shapes and file order, so quantized
`.keras` files cross with Keras both ways, and the layer then runs its `_<mode>_call`.

    class Dense(QuantizableMixin, LoraMixin, Layer):
        _quantized_weight = "kernel"          # the float weight quantize() replaces
        # _int8_build(shape, config), _quantize_int8(config), _int8_call(inputs)

`forward` dispatches to the quantized call only for quantized layers: float layers pay one
attribute check. A layer built under a quantized policy ("int8_from_float32", from a file)
creates the quantized weights directly.
"""

from __future__ import annotations

import torch

from hocsau import activations
from hocsau.quantizers.quantization_config import (
    QuantizationConfig,
    validate_and_resolve_config,
)
from hocsau.quantizers.quantized_lora import QuantizedLoraMixin
from hocsau.saving.serialization import deserialize_keras_object


class QuantizableMixin(QuantizedLoraMixin):
    """`quantize`, `quantized_build`, the quantized `forward` and the file order."""

    _is_quantized = False
    _quantized_weight = "kernel"
    _quantizable_class = ""  # the built-in class whose call the quantized one replaces
    _quantization_modes = ("int8",)  # the modes the layer implements

    def _init_quantization(self, quantization_config) -> None:
        """The constructor's `quantization_config` (an object or its serialized dict)."""
        if isinstance(quantization_config, dict):
            quantization_config = deserialize_keras_object(quantization_config)
        if quantization_config is not None and not isinstance(quantization_config,
                                                              QuantizationConfig):
            raise ValueError("Argument `quantization_config` must be a `QuantizationConfig` "
                             f"or None. Received: quantization_config={quantization_config!r}")
        self.quantization_config = quantization_config

    @property
    def quantization_mode(self):
        """The quantization mode ("int8"), None for a float layer."""
        return self.dtype_policy.quantization_mode

    def quantize(self, mode=None, type_check: bool = True, config=None) -> None:
        """Quantize the built layer's weight in place (Keras's `Layer.quantize`).

        Args:
            mode: "int8" (weights per output channel, inputs per row at call time).
            type_check: refuse subclasses, whose `call` may not match the quantized one.
            config: a `QuantizationConfig` choosing the weight / activation quantizers.
        """
        if type_check and type(self).__name__ != self._quantizable_class:
            raise NotImplementedError(f"Layer {type(self).__name__} does not have a `quantize` "
                                      "method implemented.")
        config = validate_and_resolve_config(mode, config)
        self._check_quantize_args(config.mode)
        self.quantization_config = config
        with torch.no_grad():
            if config.mode == "float8":  # float8 keeps the float weight, adds scales
                self._float8_build()
            else:
                float_weight = self._drop_weight(self._quantized_weight)
                getattr(self, f"_quantize_{config.mode}")(float_weight, config)
        mode = config.mode
        if mode == "int4":
            mode = f"int4/{self._int4_block_size or -1}"
        elif hasattr(config, "dtype_policy_string"):  # GPTQ / AWQ: "gptq/4/128"
            mode = config.dtype_policy_string()
        self.dtype_policy = f"{mode}_from_{self.dtype_policy.name}"

    def quantized_build(self, weight_shape, mode: str, config=None) -> None:
        """Create the quantized weights of `mode` (from `build` under a quantized policy)."""
        if mode not in self._quantization_modes:
            raise self._mode_error(mode)
        if mode == "float8":
            self._float8_build()
        else:
            getattr(self, f"_{mode}_build")(tuple(weight_shape), config)
        self._is_quantized = True

    def forward(self, *args, **kwargs):
        if self._is_quantized:
            return getattr(self, f"_{self.quantization_mode}_call")(*args, **kwargs)
        return super().forward(*args, **kwargs)  # Layer.forward: rematerialization too

    def _finish(self, outputs, inputs=None):
        """LoRA's update (when enabled), bias and activation, as Keras's quantized calls end."""
        if getattr(self, "lora_enabled", False):
            outputs = outputs + self._lora_term(inputs)
        if self.bias is not None:
            outputs = outputs + self.bias
        return activations.apply_to_fresh(self.activation, outputs)

    def _variables_in_file(self) -> list:
        """Keras's order in files: a quantized layer lists its weight, bias, then scales
        (GPTQ / AWQ layers: bias, then their weights in creation order), whichever order
        `build` created them in."""
        weights = list(self._own_weights())
        if not self._is_quantized or self.quantization_mode in ("gptq", "awq"):
            return weights
        head = [self._parameters[self._quantized_weight], getattr(self, "bias", None)]
        head = [w for w in head if w is not None]
        return head + [w for w in weights if not any(w is h for h in head)]

    def _check_quantize_args(self, mode: str) -> None:
        if not self.built:
            raise ValueError("Cannot quantize a layer that isn't yet built. Layer "
                             f"'{self.name}' (of type '{type(self).__name__}') is not built yet.")
        if self._is_quantized:
            raise ValueError(f"Layer '{self.name}' is already quantized with "
                             f"dtype_policy='{self.dtype_policy.name}'. Received: mode={mode}")
        if getattr(self, "lora_enabled", False) and mode not in ("int8", "int4"):
            raise ValueError(f"Layer '{self.name}' has LoRA enabled: only 'int8' and 'int4' "
                             "keep LoRA on top of the quantized weight (as Keras); save the "
                             "model (the update is merged) and quantize the reloaded one. "
                             f"Received: mode={mode}")
        if mode not in self._quantization_modes:
            raise self._mode_error(mode)

    def _mode_error(self, mode) -> ValueError:
        return ValueError(f"Layer '{self.name}' ({type(self).__name__}) supports quantization "
                          f"modes {self._quantization_modes} in hocsau. Received: "
                          f"mode={mode!r}")

    def _drop_weight(self, name: str) -> torch.Tensor:
        """Unregister a weight (its float value is returned, detached)."""
        variable = self._parameters.pop(name)
        self._tracked_variables = [v for v in self._tracked_variables if v is not variable]
        return variable.detach()

    def _add_fixed(self, name: str, shape: tuple, dtype: str = "float32",
                   initializer="zeros"):
        """A non-trainable weight (a scale, a zero point, an amax history)."""
        return self.add_weight(name=name, shape=shape, initializer=initializer, dtype=dtype,
                               trainable=False)

    def _assign_quantized(self, values: tuple) -> None:
        """(weight, scale[, zero point or None]) into the quantized weights."""
        prefix = self._quantized_weight
        for suffix, value in zip(("", "_scale", "_zero"), values, strict=False):
            if value is not None:
                self._parameters[prefix + suffix].copy_(value)

    def _add_int8_weights(self, shape: tuple, scale_shape: tuple, scale_name: str) -> None:
        """The int8 weight (under the float weight's name) and its float32 scale."""
        setattr(self, self._quantized_weight, self.add_weight(
            name=self._quantized_weight, shape=shape, initializer="zeros", dtype="int8",
            trainable=False))
        setattr(self, scale_name, self.add_weight(name=scale_name, shape=scale_shape,
                                                  initializer="ones", trainable=False))
        self._is_quantized = True



def int8_matmul(left: torch.Tensor, right: torch.Tensor) -> torch.Tensor:
    """Exact int32 product of int8 matrices (`left` may have leading batch axes): torch's
    int8 GEMM where it has one; exact float arithmetic on GPUs outside `_int_mm`'s shapes
    and while exporting (ONNX has no such kernel)."""
    rows = left.reshape(-1, left.shape[-1])
    exporting = torch.compiler.is_exporting()
    if not exporting and (not left.is_cuda or (rows.shape[0] > 16 and left.shape[-1] % 8 == 0
                                               and right.shape[-1] % 8 == 0)):
        product = torch._int_mm(rows, right.contiguous())
    else:
        exact = torch.float32 if left.shape[-1] * 127 * 128 < 2 ** 24 else torch.float64
        product = (rows.to(exact) @ right.to(exact)).to(torch.int32)
    return product.reshape(*left.shape[:-1], right.shape[-1])


def straight_through(quantized: torch.Tensor, inputs: torch.Tensor, float_fn) -> torch.Tensor:
    """`quantized` as the value, with the gradient of `float_fn(inputs)` (the dequantized
    weight's) for the inputs, as Keras's custom gradients give: no cost in inference."""
    if not (torch.is_grad_enabled() and inputs.requires_grad):
        return quantized
    linear = float_fn(inputs)
    return quantized + (linear - linear.detach())
