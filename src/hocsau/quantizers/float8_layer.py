"""Float8 mode for Dense and EinsumDense, as Keras 3 runs it: inputs and kernel pass
through float8 (e4m3) with delayed scaling, the output gradient through e5m2; the float
kernel stays trainable.

    inputs_scale, kernel_scale, outputs_grad_scale          scalars (start at 1)
    *_amax_history                                           the last `amax_history_length`
                                                             largest magnitudes
In training each step reads the current scale, then sets the next one from the history's
largest magnitude and records this step's. As in Keras, these six weights are trainable
with `overwrite_with_gradient=True`: the backward pass returns their next values as their
"gradients" and the optimizer writes them over the weights (no update rule, no slots)."""

from __future__ import annotations

import torch

from hocsau import activations
from hocsau.layers.call_context import CONTEXT
from hocsau.quantizers.float8 import (
    compute_float8_amax_history,
    compute_float8_scale,
    quantize_and_dequantize,
)

_FORWARD, _BACKWARD = "float8_e4m3fn", "float8_e5m2"


class Float8Mixin:
    """`_float8_build` and `_float8_call` for a layer with `kernel`, `bias`, `activation`;
    `_float8_product` is its float product (matmul, or EinsumDense's einsum)."""

    def _float8_build(self) -> None:
        length = getattr(self.dtype_policy, "amax_history_length", 1024)
        for prefix in ("inputs", "kernel", "outputs_grad"):
            setattr(self, f"{prefix}_scale", self._add_overwritten(f"{prefix}_scale", (), "ones"))
            setattr(self, f"{prefix}_amax_history",
                    self._add_overwritten(f"{prefix}_amax_history", (length,), "zeros"))
        self._is_quantized = True

    def _add_overwritten(self, name: str, shape: tuple, initializer: str):
        """A float32 weight the optimizer overwrites with its gradient (a scale, a history)."""
        return self.add_weight(name=name, shape=shape, initializer=initializer,
                               dtype="float32", trainable=True, autocast=False,
                               overwrite_with_gradient=True)

    def _float8_call(self, inputs, training=None):
        if getattr(self, "lora_enabled", False):
            raise ValueError(f"Layer '{self.name}': float8 mode does not support LoRA.")
        training = bool(CONTEXT.training if training is None else training)
        compute = self.dtype_policy.compute_dtype
        x = _QuantizeForward.apply(inputs, self.inputs_scale, self.inputs_amax_history,
                                   compute, training)
        kernel = _QuantizeForward.apply(self.kernel, self.kernel_scale,
                                        self.kernel_amax_history, compute, training)
        outputs = _QuantizeGradient.apply(self._float8_product(x, kernel),
                                          self.outputs_grad_scale,
                                          self.outputs_grad_amax_history, compute)
        if self.bias is not None:
            bias = self.bias
            if compute == "float32":  # Keras rounds the bias through bfloat16 here
                bias = bias.to(torch.bfloat16).to(bias.dtype)
            outputs = outputs + bias
        return activations.apply_to_fresh(self.activation, outputs)


    def _float8_product(self, x, kernel):
        return torch.matmul(x, kernel)


class _QuantizeForward(torch.autograd.Function):
    """Float8 (e4m3) round trip of a tensor; the gradient passes straight through, and in
    training the scale and history receive their next values as gradients."""

    @staticmethod
    def forward(ctx, x, scale, history, compute, training):
        ctx.following = None
        if training and (ctx.needs_input_grad[1] or ctx.needs_input_grad[2]):
            ctx.following = _following(scale, history, x, _FORWARD)
        return quantize_and_dequantize(x, scale, _FORWARD, compute)

    @staticmethod
    def backward(ctx, upstream):
        scale, history = ctx.following or (None, None)
        return upstream, scale, history, None, None


class _QuantizeGradient(torch.autograd.Function):
    """Identity forward; the output gradient goes through float8 (e5m2) on the way back,
    and the scale and history receive their next values as gradients."""

    @staticmethod
    def forward(ctx, outputs, scale, history, compute):
        ctx.save_for_backward(scale, history)
        ctx.compute = compute
        return outputs.view_as(outputs)

    @staticmethod
    def backward(ctx, upstream):
        scale, history = ctx.saved_tensors
        result = quantize_and_dequantize(upstream, scale, _BACKWARD, ctx.compute)
        following = (None, None)
        if ctx.needs_input_grad[1] or ctx.needs_input_grad[2]:
            following = _following(scale, history, upstream, _BACKWARD)
        return result, *following, None


def _following(scale, history, x, dtype: str) -> tuple:
    """The next scale (from the history before this step) and the history with this
    step's amax in front."""
    with torch.no_grad():
        largest = float(torch.finfo(getattr(torch, dtype)).max)
        return (compute_float8_scale(history.max(), scale, largest),
                compute_float8_amax_history(x, history))
