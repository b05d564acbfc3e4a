"""`RNN`: runs a cell over the time axis, with PyTorch's fused kernels when the cell allows.

    call(sequences, initial_state, mask, training)
        states <- initial_state | stored states (stateful) | cell's zeros
        fused:  one torch._VF kernel over the (compacted, see _fused) sequence; cuDNN's on
                a GPU (float32 / float16 / float64 inputs; bfloat16 runs it in float32)
        loop:   for each step (reversed if go_backwards): output, states <- cell(x_t, states)
                masked steps keep the previous output and states
        return  last output | all outputs (return_sequences), [+ final states (return_state)]
"""

from __future__ import annotations

import torch

from hocsau.layers.input_spec import assert_input_compatibility
from hocsau.layers.layer import Layer
from hocsau.layers.rnn import _fused
from hocsau.layers.rnn.stacked_rnn_cells import StackedRNNCells, _takes_training
from hocsau.models.symbolic import flatten, map_structure
from hocsau.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)


@keras_class("keras.layers")
class RNN(Layer):
    """Base class of the recurrent layers: any cell (an object with `state_size` and
    `call(inputs, states) -> (output, new_states)`) run over inputs (batch, steps, features).

    Args:
        cell: an RNN cell, or a list of cells (stacked with `StackedRNNCells`).
        return_sequences: return every step's output (batch, steps, units), not only the last.
        return_state: also return the final states.
        go_backwards: process the sequence in reverse (returned sequences stay reversed).
        stateful: each batch starts from the previous batch's final states (fixed batch size);
            `reset_states()` zeroes them.
        unroll: accepted for Keras compatibility (PyTorch's kernels need no unrolling).
        zero_output_for_mask: masked steps output zeros instead of repeating the last output.

    The fused kernel runs when the cell is `fusable()`: built-in cells with tanh activation,
    sigmoid recurrent activation (LSTM, GRU), no recurrent dropout and, for GRU,
    `reset_after=True`; Keras's weight layout is converted on the fly (`fused_weights()`), so
    gradients reach the Keras variables. Keras's further cuDNN conditions are lifted:
    `unroll` changes nothing (the kernel is the same computation), `use_bias=False` passes no
    bias, and any mask (not only right-padded) is compacted without a host sync.
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if "call" not in dir(cell):
            raise ValueError("Argument `cell` should have a `call` method. "
                             f"Received: cell={cell}")
        state_size = getattr(cell, "state_size", None)
        if not isinstance(state_size, (list, tuple, int)) or isinstance(state_size, bool):
            raise ValueError("The RNN cell should have a `state_size` attribute: an integer or "
                             f"a list of integers. Received: state_size={state_size!r}")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        self.states = None
        self.state_size = [state_size] if isinstance(state_size, int) else list(state_size)

    def build(self, sequences_shape, initial_state_shape=None):
        if self.stateful and sequences_shape[0] is None:
            raise ValueError("When using `stateful=True` in a RNN, the batch size must be "
                             "static. Found dynamic batch size: sequence.shape="
                             f"{tuple(sequences_shape)}")
        if len(sequences_shape) < 3:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: '
                             f"expected ndim=3, found ndim={len(sequences_shape)}. Full shape "
                             f"received: {tuple(sequences_shape)}")
        if self.unroll and sequences_shape[1] is None:
            raise ValueError("Cannot unroll a RNN if the time dimension is undefined. Pass a "
                             "`shape` with the number of steps to `Input()`. Received: "
                             f"sequences_shape={tuple(sequences_shape)}")
        step_shape = (sequences_shape[0],) + tuple(sequences_shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build(step_shape)
            self.cell.built = True
        self.built = True

    def call(self, sequences, initial_state=None, mask=None, training=False):
        if initial_state is None:
            initial_state = self._start_states(sequences)
        else:
            initial_state = _as_state_list(initial_state, sequences)
        if mask is not None:
            mask = flatten(mask)[0].to(torch.bool)
        if self._fusable():
            last, outputs, states = self._fused_call(sequences, list(initial_state), mask,
                                                     training)
        elif getattr(self, "use_cudnn", "auto") is True:
            raise ValueError("use_cudnn=True was specified, but cuDNN is not supported for "
                             "this layer configuration with this backend. Pass "
                             "use_cudnn='auto' to fallback to a non-cuDNN implementation.")
        else:
            last, outputs, states = self._step_loop(sequences, list(initial_state), mask,
                                                    training)
        _reset_dropout_masks(self.cell)
        if self.stateful and not sequences.is_meta:
            self.states = map_structure(torch.Tensor.detach, states)
        output = outputs if self.return_sequences else last
        return (output, *states) if self.return_state else output

    def _start_states(self, sequences) -> list:
        batch = sequences.shape[0]
        if not self.stateful:
            return self.get_initial_state(batch, like=sequences)
        if self.states is None or sequences.is_meta:
            return self.get_initial_state(batch, like=sequences)
        expected = flatten(self.states)[0].shape[0]
        if expected != batch:
            raise ValueError("If an RNN is stateful, the batch size of the input sequences "
                             "must be the same as the batch size of the initial state. \n"
                             f"- Expected batch size: {expected}\n- Received batch size: {batch}")
        return self.states

    def get_initial_state(self, batch_size, like=None) -> list:
        """The cell's `get_initial_state`, else zeros of each state size."""
        getter = getattr(self.cell, "get_initial_state", None)
        if getter is not None:
            state = getter(batch_size=batch_size)
            return list(state) if isinstance(state, (list, tuple)) else [state]
        like = like if like is not None else torch.zeros(())
        return [like.new_zeros((batch_size, size)) for size in self.state_size]

    def reset_states(self) -> None:
        """Zero the stored states of a stateful RNN."""
        if self.states is not None:
            self.states = map_structure(torch.zeros_like, self.states)

    reset_state = reset_states

    # --- the two ways of running the cell ---------------------------------------------------
    def _fusable(self) -> bool:
        cell = self.cell
        return getattr(cell, "fused_kind", None) is not None and cell.fusable()

    def _fused_call(self, sequences, states, mask, training):
        cell = self.cell
        x = sequences.flip(1) if self.go_backwards else sequences
        if training and 0 < cell.dropout < 1:
            x = x * cell.get_dropout_mask(x[:, 0])[:, None]
        weights = cell.fused_weights()
        if x.shape[-1] != weights[0].shape[1]:
            # torch's CPU LSTM kernel does not check this: it would read past the input.
            assert_input_compatibility(self.input_spec, sequences, self.name)
        if mask is not None:
            mask = mask.flip(1) if self.go_backwards else mask
            x = _fused.compact(x, mask)
            if len(states) == 2 and (self.return_state or self.stateful):
                x, weights = _fused.hold_cell_state(x, mask, weights, cell.units)
        outputs, final = _fused.run(cell.fused_kind, x, states, weights,
                                    cudnn=getattr(self, "use_cudnn", "auto") is not False)
        if mask is not None:
            outputs = _fused.spread(outputs, mask)
            any_step = mask.any(dim=1, keepdim=True)
            final = [torch.where(any_step, outputs[:, -1], states[0])] + final[1:]
            if self.zero_output_for_mask:
                outputs = outputs.masked_fill(~mask[..., None], 0.0)
        # Without a mask the last output is the final state: taking it keeps a gradient off
        # the whole output sequence when only the last step is returned.
        return (outputs[:, -1] if mask is not None else final[0]), outputs, final

    def _step_loop(self, sequences, states, mask, training):
        cell = self.cell
        kwargs = {"training": training} if _takes_training(cell) else {}
        steps = sequences.unbind(1)
        keeps = mask[..., None].unbind(1) if mask is not None else None
        order = range(len(steps) - 1, -1, -1) if self.go_backwards else range(len(steps))
        outputs, output = [], None
        for t in order:
            new_output, new_states = cell(steps[t], states, **kwargs)
            if not isinstance(new_states, (list, tuple)):
                new_states = [new_states]
            if keeps is not None:
                previous = output if output is not None else torch.zeros_like(new_output)
                new_output = torch.where(keeps[t], new_output, previous)
                new_states = _where_nested(keeps[t], new_states, states)
            output, states = new_output, list(new_states)
            if self.return_sequences:
                outputs.append(output)
        outputs = torch.stack(outputs, dim=1) if outputs else None
        if keeps is not None and self.zero_output_for_mask:
            step_mask = mask.flip(1) if self.go_backwards else mask
            output = output.masked_fill(~step_mask[:, -1:], 0.0)
            if outputs is not None:
                outputs = outputs.masked_fill(~step_mask[..., None], 0.0)
        return output, outputs, states

    # --- shapes, masks, config --------------------------------------------------------------
    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[0], sequences_shape[1]
        output_size = getattr(self.cell, "output_size", None)
        if output_size is None:
            output_size = flatten(self.state_size)[0]
        output_shape = (batch, steps, output_size) if self.return_sequences else (
            batch, output_size)
        if not self.return_state:
            return output_shape
        state_shapes = [(batch, s) if isinstance(s, int) else [(batch, n) for n in s]
                        for s in self.state_size]
        return (output_shape, *state_shapes)

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self.state_size)
        return output_mask

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"return_sequences": self.return_sequences,
                       "return_state": self.return_state, "go_backwards": self.go_backwards,
                       "stateful": self.stateful, "unroll": self.unroll,
                       "zero_output_for_mask": self.zero_output_for_mask,
                       "cell": serialize_keras_object(self.cell)})
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        config["cell"] = deserialize_keras_object(config["cell"], custom_objects=custom_objects)
        return super().from_config(config)


def _as_state_list(states, like: torch.Tensor) -> list:
    """Initial states given to `call` as a list of tensors on the sequence's device."""
    states = states if isinstance(states, (list, tuple)) else [states]
    return map_structure(
        lambda s: s if isinstance(s, torch.Tensor) else torch.as_tensor(
            s, dtype=like.dtype, device=like.device), list(states))


def _where_nested(keep, new, old):
    """`new` where `keep`, else `old`, over matching nested lists of tensors."""
    if isinstance(new, (list, tuple)):
        return [_where_nested(keep, n, o) for n, o in zip(new, old, strict=True)]
    return torch.where(keep, new, old)


def _reset_dropout_masks(cell) -> None:
    for inner in getattr(cell, "cells", [cell]):
        if hasattr(inner, "reset_dropout_mask"):
            inner.reset_dropout_mask()
            inner.reset_recurrent_dropout_mask()
