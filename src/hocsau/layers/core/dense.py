"""`Dense`: `activation(inputs @ kernel + bias)` on the last axis."""

from __future__ import annotations

import torch

from hocsau import activations, constraints, initializers, regularizers
from hocsau.layers._lora import LoraMixin, LoraWeight
from hocsau.layers.input_spec import InputSpec
from hocsau.layers.layer import Layer
from hocsau.quantizers.quantized_layers import DenseQuantization
from hocsau.saving.serialization import keras_class, serialize_keras_object


@keras_class("keras.layers")
class Dense(DenseQuantization, LoraMixin, Layer):
    """Densely connected layer: kernel of shape (input_dim, units), as in Keras.

    N-D inputs are transformed along their last axis, e.g. (batch, steps, d) -> (batch, steps,
    units).

    Args:
        units: output size (positive integer).
        activation: activation name or callable; None means linear.
        use_bias: whether to add a bias vector.
        kernel_initializer / bias_initializer / *_regularizer / *_constraint: as in Keras.
        lora_rank: when set, the layer is built with LoRA enabled (see `enable_lora`): the
            kernel is frozen and `kernel + (lora_kernel_a @ lora_kernel_b) * (lora_alpha /
            lora_rank)` is used, only the two small factors being trained.
        lora_alpha: scale of the LoRA update (default `lora_rank`).
        quantization_config: the `QuantizationConfig` of a quantized layer (from files).
    """

    kernel = LoraWeight()

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 lora_rank=None, lora_alpha=None, quantization_config=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError("Received an invalid value for `units`, expected a positive integer. "
                             f"Received: units={units!r}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._init_lora(lora_rank, lora_alpha)
        self._init_quantization(quantization_config)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        if len(input_shape) < 2:  # a single sample without its batch axis, say
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: '
                             f"expected min_ndim=2, found ndim={len(input_shape)}. Full shape "
                             f"received: {tuple(input_shape)}")
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"The last dimension of the input to Dense layer '{self.name}' must "
                             f"be defined. Received: input_shape={tuple(input_shape)}")
        if self.quantization_mode:
            self.quantized_build((input_dim, self.units), self.quantization_mode,
                                 self.quantization_config)
        if self.quantization_mode in (None, "float8"):  # float8: kernel after its scales (Keras)
            self.kernel = self.add_weight(name="kernel", shape=(input_dim, self.units),
                                          initializer=self.kernel_initializer,
                                          regularizer=self.kernel_regularizer,
                                          constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True
        self._build_lora()

    def call(self, inputs):
        # Multiplying by the (in, out) kernel directly, rather than F.linear on its transpose,
        # gives its gradient in the kernel's own layout: no copy when it is accumulated.
        if self.bias is not None and inputs.dim() == 2:
            outputs = torch.addmm(self.bias, inputs, self.kernel)
        else:
            outputs = torch.matmul(inputs, self.kernel)
            outputs = outputs if self.bias is None else outputs + self.bias
        return activations.apply_to_fresh(self.activation, outputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize_keras_object(self.kernel_initializer),
            "bias_initializer": serialize_keras_object(self.bias_initializer),
            "kernel_regularizer": serialize_keras_object(self.kernel_regularizer),
            "bias_regularizer": serialize_keras_object(self.bias_regularizer),
            "kernel_constraint": serialize_keras_object(self.kernel_constraint),
            "bias_constraint": serialize_keras_object(self.bias_constraint),
            "quantization_config": serialize_keras_object(self.quantization_config),
            **self._lora_config(),
        })
        return config
