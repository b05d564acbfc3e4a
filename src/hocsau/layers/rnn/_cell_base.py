"""Shared base of the built-in recurrent cells: Keras-named weights, argument checks and the
per-sequence dropout masks (one mask for every step of a sequence, as Keras's DropoutRNNCell).

A cell also tells its RNN whether PyTorch's fused kernel can run it (`fusable`), and gives the
weights in the fused kernel's layout (`fused_weights`).
"""

from __future__ import annotations

import torch

from hocsau import activations, constraints, initializers, random, regularizers
from hocsau.layers.layer import Layer
from hocsau.saving.serialization import serialize_keras_object

_WEIGHT_ARGS = ("kernel_initializer", "recurrent_initializer", "bias_initializer",
                "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                "kernel_constraint", "recurrent_constraint", "bias_constraint")
_GETTERS = {"initializer": initializers.get, "regularizer": regularizers.get,
            "constraint": constraints.get}


class RecurrentCell(Layer):
    """Base of SimpleRNNCell, GRUCell and LSTMCell (not public).

    Subclasses set `gates` (blocks of `units` columns in the kernels) and implement `call`.
    """

    gates = 1

    def __init__(self, units, activation="tanh", use_bias=True, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        weight_args = {k: kwargs.pop(k) for k in _WEIGHT_ARGS if k in kwargs}
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError("Received an invalid value for argument `units`, expected a "
                             f"positive integer. Received: units={units!r}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        for name, value in weight_args.items():
            setattr(self, name, _GETTERS[name.rsplit("_", 1)[1]](value))
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.seed = seed
        self.seed_generator = random.SeedGenerator(seed)
        self.state_size = units
        self.output_size = units
        self._dropout_mask = None
        self._recurrent_dropout_mask = None
        self._fusable_for = self._default_activations = None

    def _add_kernels(self, input_dim: int, bias_shape, bias_initializer) -> None:
        """`kernel` (input_dim, gates*units), `recurrent_kernel` (units, gates*units), `bias`."""
        columns = self.gates * self.units
        self.kernel = self.add_weight(
            name="kernel", shape=(input_dim, columns), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel", shape=(self.units, columns),
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=bias_shape, initializer=bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def fused_weights(self) -> list:
        """torch's layout: w_ih (gates*units, in), w_hh, b_ih, b_hh (Keras has one bias)."""
        weights = [self.kernel.t(), self.recurrent_kernel.t()]
        if self.bias is not None:
            weights += [self.bias, self.bias.new_zeros(self.bias.shape)]
        return weights

    def fusable(self) -> bool:
        """Whether PyTorch's fused kernel computes this cell exactly: tanh / sigmoid
        activations (checked once per activation object) and no recurrent dropout."""
        key = (self.activation, getattr(self, "recurrent_activation", None))
        if self._fusable_for != key:
            names = [activations.serialize(a) for a in key if a is not None]
            self._default_activations = names in (["tanh"], ["tanh", "sigmoid"])
            self._fusable_for = key
        return self._default_activations and self.recurrent_dropout == 0

    # --- dropout masks, drawn once per sequence ---------------------------------------------
    def _draw_mask(self, like: torch.Tensor, rate: float) -> torch.Tensor:
        return random.dropout(torch.ones_like(like), rate, seed=self.seed_generator)

    def get_dropout_mask(self, step_input):
        if self._dropout_mask is None and self.dropout > 0:
            self._dropout_mask = self._draw_mask(step_input, self.dropout)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, step_input):
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._draw_mask(step_input, self.recurrent_dropout)
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self) -> None:
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self) -> None:
        self._recurrent_dropout_mask = None

    def _dropped(self, inputs, h_tm1, training):
        """Inputs and previous output with this sequence's dropout masks applied (training)."""
        if training and 0 < self.dropout < 1:
            inputs = inputs * self.get_dropout_mask(inputs)
        if training and 0 < self.recurrent_dropout < 1:
            h_tm1 = h_tm1 * self.get_recurrent_dropout_mask(h_tm1)
        return inputs, h_tm1

    def get_initial_state(self, batch_size=None):
        return [torch.zeros((batch_size, self.units), dtype=self.kernel.dtype,
                            device=self.kernel.device)]

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"units": self.units,
                       "activation": activations.serialize(self.activation),
                       "use_bias": self.use_bias})
        config.update({k: serialize_keras_object(getattr(self, k)) for k in _WEIGHT_ARGS})
        config.update({"dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                       "seed": self.seed})
        return config
