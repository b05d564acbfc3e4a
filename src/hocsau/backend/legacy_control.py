"""tf.keras 2's `keras.backend` control flow and CTC helpers (`K.switch`, `K.rnn`,
`K.map_fn`, `K.ctc_batch_cost`, ...): a hocsau extension with TensorFlow's semantics."""

from __future__ import annotations

import functools

import torch

from hocsau import config, ops, tree
from hocsau.ops._convert import tensor
from hocsau.ops.dispatch import op


def _value(expression):
    return expression() if callable(expression) else expression


@op
def switch(condition, then_expression, else_expression):
    """`then_expression` where `condition` holds, else `else_expression` (callables are
    called; a scalar condition picks one whole branch)."""
    condition = tensor(condition).to(torch.bool)
    if condition.dim() == 0:
        return _value(then_expression) if bool(condition) else _value(else_expression)
    then_value, else_value = tensor(_value(then_expression)), tensor(_value(else_expression))
    if condition.dim() > then_value.dim():
        raise ValueError("Rank of `condition` should be less than or equal to rank of "
                         "`then_expression` and `else_expression`. ndim(condition)="
                         f"{condition.dim()}, ndim(then_expression)={then_value.dim()}")
    condition = condition.reshape(*condition.shape, *([1] * (then_value.dim() -
                                                             condition.dim())))
    return torch.where(condition, then_value, else_value)


def map_fn(fn, elems, name=None, dtype=None):
    """`fn` applied to each slice of `elems` along axis 0, results stacked."""
    results = [fn(item) for item in tensor(elems).unbind(0)]
    stacked = torch.stack([tensor(r) for r in results])
    return stacked if dtype is None else stacked.to(config.torch_dtype(dtype))


def foldl(fn, elems, initializer=None, name=None):
    """Left fold of `fn(accumulator, item)` over axis 0 (the first item starts without an
    initializer)."""
    items = list(tensor(elems).unbind(0))
    if initializer is None:
        initializer, items = items[0], items[1:]
    return functools.reduce(fn, items, initializer)


def foldr(fn, elems, initializer=None, name=None):
    """Right fold of `fn(accumulator, item)` over axis 0, last item first."""
    items = list(reversed(tensor(elems).unbind(0)))
    if initializer is None:
        initializer, items = items[0], items[1:]
    return functools.reduce(fn, items, initializer)


def _masked(mask_t, new, old):
    mask_t = mask_t.reshape(*mask_t.shape, *([1] * (new.dim() - mask_t.dim())))
    return torch.where(mask_t, new, old)


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None,
        constants=None, unroll=False, input_length=None, time_major=False,
        zero_output_for_mask=False, return_all_outputs=True):
    """Iterate `step_function(input_t, states + constants) -> (output, new_states)` over
    time.

    Returns:
        `(last_output, outputs, new_states)`; `outputs` is `(batch, time, ...)` (one step
        when `return_all_outputs` is False). Masked steps keep the previous states and repeat
        the previous output (zeros when `zero_output_for_mask`).
    """
    flat_steps = [tensor(x).unbind(0 if time_major else 1) for x in tree.flatten(inputs)]
    count = len(flat_steps[0])
    order = list(range(count))[::-1] if go_backwards else list(range(count))
    if mask is not None:
        mask = tensor(mask).to(torch.bool)
        mask = mask.reshape(mask.shape[:2]).unbind(0 if time_major else 1)
    states, outputs, previous = tuple(initial_states), [], None
    extra = tuple(constants or ())
    for t in order:
        step_input = tree.pack_sequence_as(inputs, [s[t] for s in flat_steps])
        output, new_states = step_function(step_input, states + extra)
        new_states = tuple(new_states) if isinstance(new_states, (list, tuple)) else \
            (new_states,)
        if mask is not None:
            fallback = torch.zeros_like(output) if zero_output_for_mask or previous is None \
                else previous
            output = _masked(mask[t], output, fallback)
            new_states = tuple(_masked(mask[t], n, s) for n, s in zip(new_states, states,
                                                                       strict=True))
        states, previous = new_states, output
        outputs = outputs + [output] if return_all_outputs else [output]
    stacked = torch.stack(outputs, dim=0 if time_major else 1)
    return previous, stacked, list(states)


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """Per-sample CTC loss `(batch, 1)` of softmax outputs `y_pred`; the last class is the
    blank."""
    y_pred = tensor(y_pred)
    logits = torch.log(y_pred + config.epsilon())
    losses = ops.ctc_loss(tensor(y_true, device=y_pred.device),
                          logits, tensor(label_length).reshape(-1),
                          tensor(input_length).reshape(-1), mask_index=y_pred.shape[-1] - 1)
    return losses.unsqueeze(1)


def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """Decode softmax outputs (last class blank): a list of `top_paths` int tensors
    `(batch, time)` padded with -1, and their log probabilities `(batch, top_paths)`."""
    y_pred = tensor(y_pred)
    logits = torch.log(y_pred + config.epsilon())
    paths, scores = ops.ctc_decode(
        logits, tensor(input_length).reshape(-1),
        strategy="greedy" if greedy else "beam_search", beam_width=beam_width,
        top_paths=top_paths, mask_index=y_pred.shape[-1] - 1)
    return [path.to(torch.int64) for path in paths.unbind(0)], scores


__all__ = ["ctc_batch_cost", "ctc_decode", "foldl", "foldr", "map_fn", "rnn", "switch"]
