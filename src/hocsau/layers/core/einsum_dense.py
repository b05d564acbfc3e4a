"""`EinsumDense`: a dense layer whose contraction is an einsum equation with a kernel."""

from __future__ import annotations

import re

import torch

from hocsau import activations, constraints, initializers, regularizers
from hocsau.initializers.variance_scaling import VarianceScaling
from hocsau.layers._lora import LoraMixin, LoraWeight
from hocsau.layers.input_spec import InputSpec
from hocsau.layers.layer import Layer
from hocsau.quantizers.quantized_layers import EinsumDenseQuantization
from hocsau.saving.serialization import keras_class, serialize_keras_object

# The equation forms Keras accepts, with "..." written as "0": (pattern, ellipsis side).
_FORMS = ((re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)"), None),
          (re.compile(r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)"), "left"),
          (re.compile(r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0"), "right"))


@keras_class("keras.layers")
class EinsumDense(EinsumDenseQuantization, LoraMixin, Layer):
    """`activation(einsum(equation, inputs, kernel) + bias)`, as Keras's EinsumDense.

    Example: `EinsumDense("abc,cd->abd", output_shape=(None, 64), bias_axes="d")` maps
    (batch, steps, c) to (batch, steps, 64); `"...x,xy->...y"` works for any number of
    leading axes. The kernel's shape is read from the equation, the input shape and
    `output_shape`; Glorot/He/LeCun kernels count their fans over the contracted (input) and
    produced (output) kernel axes, as in Keras.

    Args:
        equation: `"ab,bc->ac"`, `"...ab,bc->...ac"` or `"ab...,bc->ac..."` forms.
        output_shape: the output's shape without the batch axis and the axes under "..."
            (an int for one axis; None for an axis taken from the input).
        activation: activation name or callable; None means linear.
        bias_axes: output letters that carry a bias (None: no bias).
        kernel_initializer / bias_initializer / *_regularizer / *_constraint: as in Keras.
        lora_rank / lora_alpha: LoRA as for Dense (see `enable_lora`): the kernel is frozen
            and `kernel + (lora_kernel_a @ lora_kernel_b) * (lora_alpha / lora_rank)` is used.
        gptq_unpacked_column_size: the GPTQ kernel's column count (set by quantization,
            read back from files).
        quantization_config: the `QuantizationConfig` of a quantized layer (from files).
    """

    kernel = LoraWeight()

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 gptq_unpacked_column_size=None, quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        self._init_quantization(quantization_config)
        self.gptq_unpacked_column_size = gptq_unpacked_column_size
        self.equation = equation
        self._spec = _parse(equation)
        self.partial_output_shape = _partial_shape(output_shape)
        if bias_axes is not None and not isinstance(bias_axes, str):
            raise ValueError("Argument `bias_axes` must be a string of output letters or None. "
                             f"Received: bias_axes={bias_axes!r}")
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._init_lora(lora_rank, lora_alpha)

    def build(self, input_shape) -> None:
        shapes = _analyze(self._spec, self.bias_axes, tuple(input_shape),
                          self.partial_output_shape)
        kernel_shape, bias_shape, _, input_axes, output_axes = shapes
        self._kernel_shape_built = tuple(kernel_shape)
        self.input_spec = InputSpec(ndim=len(input_shape))
        if self.quantization_mode:
            self.quantized_build(kernel_shape, self.quantization_mode, self.quantization_config)
        if self.quantization_mode in (None, "float8"):  # float8: kernel after its scales (Keras)
            self.kernel = self.add_weight(
                name="kernel", shape=kernel_shape,
                initializer=self._kernel_init(input_axes, output_axes),
                regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None if bias_shape is None else self.add_weight(
            name="bias", shape=bias_shape, initializer=self.bias_initializer,
            regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True
        self._build_lora()

    def _explain_input_error(self, inputs) -> None:
        """Inputs whose axes would need another kernel than the one built: Keras's kind of
        message, naming the equation and both shapes."""
        super()._explain_input_error(inputs)
        built = getattr(self, "_kernel_shape_built", ())
        shape = tuple(inputs.shape)
        needed = tuple(_analyze(self._spec, self.bias_axes, shape, self.partial_output_shape)[0])
        if built and needed != built:
            raise ValueError(f"Input 0 of layer \"{self.name}\" is incompatible with the layer: "
                             f"equation '{self.equation}' was built with a kernel of shape "
                             f"{built}, but this input needs {needed}. Received: input with "
                             f"shape {shape}")

    def _kernel_init(self, input_axes, output_axes):
        """A variance-scaling initializer told which kernel axes are fan-in and fan-out."""
        init = self.kernel_initializer
        if not isinstance(init, VarianceScaling) or (
                init.input_axes is not None and init.output_axes is not None):
            return init
        config = {**init.get_config(), "input_axes": input_axes, "output_axes": output_axes}
        return type(init).from_config(config)

    def call(self, inputs, training=None):
        outputs = torch.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            outputs = outputs + self.bias
        return activations.apply_to_fresh(self.activation, outputs)

    def compute_output_shape(self, input_shape):
        return _analyze(self._spec, self.bias_axes, tuple(input_shape),
                        self.partial_output_shape)[2]

    def get_config(self) -> dict:
        return {**super().get_config(), "output_shape": self.partial_output_shape,
                "equation": self.equation,
                "activation": activations.serialize(self.activation),
                "bias_axes": self.bias_axes,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "quantization_config": serialize_keras_object(self.quantization_config),
                **self._lora_config(), **self._gptq_config()}

    def _gptq_config(self) -> dict:
        """Keras writes the GPTQ kernel's column count only once it is set."""
        columns = self.gptq_unpacked_column_size
        return {"gptq_unpacked_column_size": columns} if columns else {}


def _parse(equation):
    """(input letters, kernel letters, output letters, ellipsis side) of an equation."""
    if isinstance(equation, str):
        plain = equation.replace("...", "0")
        for pattern, side in _FORMS:
            match = pattern.fullmatch(plain)
            if match:
                return (*match.groups(), side)
    raise ValueError(f"Invalid einsum equation '{equation}'. Equations must be in the form "
                     "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]... "
                     f"Received: equation={equation!r}")


def _partial_shape(output_shape) -> tuple:
    shape = (output_shape,) if isinstance(output_shape, int) else output_shape
    try:
        shape = tuple(shape)
    except TypeError:
        shape = None
    if shape is None or not all(d is None or (isinstance(d, int) and not isinstance(d, bool)
                                              and d > 0) for d in shape):
        raise ValueError("Argument `output_shape` must be a positive int or a tuple of positive "
                         f"ints / None. Received: output_shape={output_shape!r}")
    return shape


def _analyze(spec, bias_axes, input_shape, partial):
    """(kernel shape, bias shape, full output shape, kernel input axes, kernel output axes)."""
    in_spec, w_spec, out_spec, side = spec
    elided = len(input_shape) - len(in_spec)
    if elided < 0 or (side is None and elided > 0):
        raise ValueError(f"EinsumDense: the equation's input '{in_spec}' does not fit an input "
                         f"of rank {len(input_shape)}. Received: input_shape={input_shape}")
    output = _full_output_shape(input_shape, partial, elided, side)
    if len(output) != len(out_spec) + elided:
        needed = len(out_spec) + elided - (len(output) - len(partial))
        raise ValueError(f"EinsumDense: `output_shape` must have {needed} axes for the output "
                         f"'{out_spec}' of equation '{''.join(spec[:3])}'. Received: "
                         f"output_shape={partial}")
    in_pos = {d: (i - len(in_spec) if side == "left" else i) for i, d in enumerate(in_spec)}
    out_pos = {d: (i + elided if side == "left" else i) for i, d in enumerate(out_spec)}
    _check_dims(in_spec, w_spec, out_spec, in_pos, out_pos, input_shape, output)
    kernel, input_axes, output_axes = [], [], []
    for i, d in enumerate(w_spec):
        size = output[out_pos[d]] if d in out_pos else None
        (output_axes if d in out_pos else input_axes).append(i)
        kernel.append(input_shape[in_pos[d]] if size is None and d in in_pos else size)
    if None in kernel:
        raise ValueError(f"EinsumDense: the kernel '{w_spec}' has an axis of unknown size; give "
                         f"it in `output_shape`. Received: input_shape={input_shape}, "
                         f"output_shape={partial}")
    bias = _bias_shape(bias_axes, out_spec, output, elided, side)
    return tuple(kernel), bias, tuple(output), input_axes, output_axes


def _full_output_shape(input_shape, partial, elided, side) -> list:
    """Batch axis, then the axes under a leading "...", `partial`, then a trailing "..."."""
    output = [input_shape[0], *partial]
    if elided > 0 and side == "left":
        output[1:1] = input_shape[1:elided]
    elif elided > 0:
        output += input_shape[len(input_shape) - elided:]
    return output


def _check_dims(in_spec, w_spec, out_spec, in_pos, out_pos, input_shape, output) -> None:
    for d in in_spec:
        size = output[out_pos[d]] if d in out_pos else None
        if size is not None and size != input_shape[in_pos[d]]:
            raise ValueError(f"Input shape and output shape do not match at shared dimension "
                             f"'{d}'. Input shape is {input_shape[in_pos[d]]}, and output shape "
                             f"is {size}. Received: input_shape={input_shape}")
    for d in out_spec:
        if d not in in_spec and d not in w_spec:
            raise ValueError(f"Dimension '{d}' was specified in the output '{out_spec}' but has "
                             f"no corresponding dim in the input spec '{in_spec}' or weight spec "
                             f"'{w_spec}'. Received: equation with output '{out_spec}'")
    for d in w_spec:
        if d not in in_pos and d not in out_pos:
            raise ValueError(f"Weight dimension '{d}' did not have a match in either the input "
                             f"spec '{in_spec}' or the output spec '{out_spec}'. For this layer, "
                             f"the weight must be fully specified. Received: weight spec "
                             f"'{w_spec}'")


def _bias_shape(bias_axes, out_spec, output, elided, side):
    """The bias covers the output from its first biased letter on, 1 on unbiased axes."""
    if bias_axes is None:
        return None
    for d in bias_axes:
        if d not in out_spec:
            raise ValueError(f"Bias dimension '{d}' was requested, but is not part of the output "
                             f"spec '{out_spec}'. Received: bias_axes={bias_axes!r}")
    offset = elided if side == "left" else 0
    first = min(out_spec.index(d) for d in bias_axes)
    shape = [output[i + offset] if d in bias_axes else 1
             for i, d in enumerate(out_spec) if i >= first]
    if None in shape:
        raise ValueError(f"EinsumDense: the bias over '{bias_axes}' has an axis of unknown size "
                         f"(give it in `output_shape`). Received: output shape {tuple(output)}")
    if side != "left":
        shape += [1] * max(elided, 0)
    return tuple(shape)
