"""`Merge`: the shared frame of the element-wise merge layers (Add, Multiply, Maximum, ...)."""

from __future__ import annotations

import torch

from hocsau.layers.layer import Layer


class Merge(Layer):
    """Combines a list of tensors element-wise with `_merge_function`.

    Inputs of lower rank get axes of size 1 after the batch axis so that they broadcast, as in
    Keras; the output mask is the OR of the input masks (None when any input is unmasked).
    """

    min_inputs = 1

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        if not isinstance(input_shape, (list, tuple)) or not input_shape \
                or not isinstance(input_shape[0], (list, tuple)):
            raise ValueError("A merge layer should be called on a list of inputs. "
                             f"Received: input_shape={input_shape} (not a list of shapes)")
        if len(input_shape) < self.min_inputs:
            raise ValueError(f"A `{type(self).__name__}` layer should be called on a list of at "
                             f"least {self.min_inputs} inputs. Received: {len(input_shape)} "
                             f"inputs (input_shape={input_shape})")
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError("Cannot merge tensors with different batch sizes. Received "
                             f"tensors with shapes {input_shape}")
        _broadcast_shape([tuple(s[1:]) for s in input_shape])  # raises on incompatible shapes
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("A merge layer should be called on a list of inputs. "
                             f"Received: inputs={inputs} (not a list of tensors)")
        top = max(x.dim() for x in inputs)
        inputs = [x.reshape(x.shape[:1] + (1,) * (top - x.dim()) + x.shape[1:])
                  if x.dim() < top else x for x in inputs]
        return self._merge_function(inputs)

    def _merge_function(self, inputs: list) -> torch.Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define `_merge_function`.")

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)) or len(mask) != len(inputs):
            raise ValueError("The lists `inputs` and `mask` should have the same length. "
                             f"Received: {len(inputs)} inputs and mask={mask}")
        if any(m is None for m in mask):
            return None
        result = mask[0]
        for m in mask[1:]:
            result = torch.logical_or(result, m)
        return result

    def compute_output_shape(self, input_shape):
        shape = _broadcast_shape([tuple(s[1:]) for s in input_shape])
        batch_sizes = {s[0] for s in input_shape} - {None}
        return (batch_sizes.pop() if len(batch_sizes) == 1 else None,) + shape


def _broadcast_shape(shapes: list) -> tuple:
    """The shape of an element-wise result, from the right, None where unknown."""
    result = shapes[0]
    for shape in shapes[1:]:
        long, short = (result, shape) if len(result) >= len(shape) else (shape, result)
        merged = list(long[:len(long) - len(short)])
        for i, j in zip(long[len(long) - len(short):], short, strict=True):
            if i is None or j is None:
                merged.append(None)
            elif i == 1 or j == 1:
                merged.append(j if i == 1 else i)
            elif i != j:
                raise ValueError(f"Inputs have incompatible shapes. Received shapes {result} "
                                 f"and {shape}")
            else:
                merged.append(i)
        result = tuple(merged)
    return result


def masked_extreme(inputs: list, op) -> torch.Tensor:
    """Maximum / Minimum with masks: a masked entry never wins over an unmasked one (Keras's
    rule for merges that have no identity element); the output mask is the OR of the masks."""
    output, output_mask = None, None
    for x in inputs:
        mask = getattr(x, "_keras_mask", None)
        if mask is not None:
            mask = mask.unsqueeze(-1).expand(x.shape)
        if output is None:
            output, output_mask = x, mask
            continue
        if mask is not None:
            x = torch.where(mask, x, output)
        if output_mask is not None:
            output = torch.where(output_mask, output, x)
        output_mask = output_mask | mask if mask is not None and output_mask is not None else None
        output = op(output, x)
    return output
