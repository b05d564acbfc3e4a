"""`Bidirectional`: one recurrent layer reads the sequence forwards, a twin reads it backwards,
and their outputs are merged."""

from __future__ import annotations

import torch

from hocsau.layers.layer import Layer
from hocsau.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


_RNN_ATTRIBUTES = ("go_backwards", "return_sequences", "return_state", "stateful")

@keras_class("keras.layers")
class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs.

    The forward layer is a copy of `layer` (named `forward_<name>`); the backward layer is
    `backward_layer`, or a copy of `layer` with `go_backwards` flipped. Returned sequences of
    the backward layer are put back in time order before merging.

    Args:
        layer: an RNN layer (`LSTM`, `GRU`, `SimpleRNN`, `RNN`).
        merge_mode: "concat" (default), "sum", "mul", "ave", or None for a list of both.
        backward_layer: an RNN layer with the opposite `go_backwards` and the same
            `return_sequences`, `return_state` and `stateful`.
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Bidirectional` layer with a "
                             f"`keras.layers.Layer` instance. Received: {layer}")
        missing = [a for a in _RNN_ATTRIBUTES if not hasattr(layer, a)]
        if missing:
            raise ValueError("`Bidirectional` wraps a recurrent layer (an RNN such as LSTM, GRU "
                             f"or SimpleRNN), but {type(layer).__name__} '{layer.name}' has no "
                             f"{', '.join(f'`{a}`' for a in missing)}. Received: layer={layer}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("`backward_layer` need to be a `keras.layers.Layer` instance. "
                             f"Received: {backward_layer}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should be "
                             'one of {"sum", "mul", "ave", "concat", None}')
        super().__init__(**kwargs)
        self.forward_layer = _copy(layer, "forward_", layer.go_backwards)
        self.backward_layer = backward_layer if backward_layer is not None else _copy(
            layer, "backward_", not layer.go_backwards)
        self._check_pair()
        for rnn in (self.forward_layer, self.backward_layer):
            rnn.zero_output_for_mask = rnn.return_sequences
        self.merge_mode = merge_mode
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self._initial_weights = weights

    def _check_pair(self) -> None:
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(
                "Forward layer and backward layer should have different `go_backwards` value. "
                f"Received: forward_layer.go_backwards={forward.go_backwards}, "
                f"backward_layer.go_backwards={backward.go_backwards}")
        for name in ("stateful", "return_sequences", "return_state"):
            if getattr(forward, name) != getattr(backward, name):
                raise ValueError(
                    "Forward layer and backward layer are expected to have the same value for "
                    f'attribute "{name}", got "{getattr(forward, name)}" for forward layer and '
                    f'"{getattr(backward, name)}" for backward layer')

    def build(self, sequences_shape, initial_state_shape=None):
        for rnn in (self.forward_layer, self.backward_layer):
            if not rnn.built:
                rnn.build(sequences_shape)
                rnn.built = True
        self.built = True

    def call(self, sequences, initial_state=None, mask=None, training=None):
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, mask=mask,
                               training=training)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, mask=mask,
                                    training=training)
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev.flip(1)
        output = _merge(self.merge_mode, y, y_rev)
        if not self.return_state:
            return output
        return (*output, *states) if self.merge_mode is None else (output, *states)

    def reset_states(self) -> None:
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    reset_state = reset_states

    @property
    def states(self):
        forward, backward = self.forward_layer.states, self.backward_layer.states
        return None if forward is None else tuple(forward) + tuple(backward)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        output_shape = self.forward_layer.compute_output_shape(sequences_shape)
        state_shapes = ()
        if self.return_state:
            output_shape, state_shapes = output_shape[0], tuple(output_shape[1:])
        if self.merge_mode == "concat":
            output_shape = tuple(output_shape[:-1]) + (output_shape[-1] * 2,)
        outputs = [output_shape, output_shape] if self.merge_mode is None else [output_shape]
        if not self.return_state:
            return outputs if self.merge_mode is None else output_shape
        return (*outputs, *state_shapes, *state_shapes)

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        masks = [output_mask] * (2 if self.merge_mode is None else 1)
        if self.return_state:
            return masks + [None] * (2 * len(self.forward_layer.state_size))
        return masks if self.merge_mode is None else output_mask

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"merge_mode": self.merge_mode,
                       "layer": serialize_keras_object(self.forward_layer),
                       "backward_layer": serialize_keras_object(self.backward_layer)})
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        config["layer"] = deserialize_keras_object(config["layer"], custom_objects=custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize_keras_object(config["backward_layer"],
                                                                custom_objects=custom_objects)
        return super().from_config(config)


def _copy(layer: Layer, prefix: str, go_backwards: bool) -> Layer:
    """A fresh layer from `layer`'s config, renamed `<prefix><name>`."""
    config = serialize_keras_object(layer)
    name = layer.name[len(prefix):] if layer.name.startswith(prefix) else layer.name
    config["config"].update(name=f"{prefix}{name}", go_backwards=go_backwards)
    return deserialize_keras_object(config)


def _merge(mode, y: torch.Tensor, y_rev: torch.Tensor):
    if mode == "concat":
        return torch.cat([y, y_rev], dim=-1)
    if mode == "sum":
        return y + y_rev
    if mode == "ave":
        return (y + y_rev) / 2
    if mode == "mul":
        return y * y_rev
    return [y, y_rev]
