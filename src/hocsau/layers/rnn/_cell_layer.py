"""Shared base of SimpleRNN, GRU and LSTM: an `RNN` over a built-in cell made from the layer's
own arguments, with the cell's arguments flattened into the layer's config as in Keras."""

from __future__ import annotations

import inspect

from hocsau.layers.input_spec import InputSpec
from hocsau.layers.layer import Layer
from hocsau.layers.rnn.rnn import RNN
from hocsau.saving.serialization import serialize_keras_object

_CELL_PROPERTIES = ("units", "activation", "recurrent_activation", "use_bias",
                    "unit_forget_bias", "reset_after", "kernel_initializer",
                    "recurrent_initializer", "bias_initializer", "kernel_regularizer",
                    "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
                    "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout",
                    "seed")


class CellLayer(RNN):
    """`RNN(cell_class(...))` with the cell's arguments as the layer's (not public)."""

    cell_class: type
    cell_name: str
    hidden_config_keys: tuple = ()  # cell arguments Keras leaves out of the layer's config

    def __init__(self, cell_kwargs: dict, *, activity_regularizer=None, use_cudnn="auto",
                 **kwargs):
        if use_cudnn not in ("auto", True, False):
            raise ValueError("Invalid valid received for argument `use_cudnn`. Expected one of "
                             f"{{'auto', True, False}}. Received: use_cudnn={use_cudnn}")
        cell = self.cell_class(**cell_kwargs, name=self.cell_name, dtype=kwargs.get("dtype"),
                               trainable=kwargs.get("trainable", True))
        super().__init__(cell, activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=3)
        self.use_cudnn = use_cudnn

    def build(self, sequences_shape, initial_state_shape=None):
        super().build(sequences_shape, initial_state_shape)
        # The feature size is fixed by the kernel: a wrong one gets Keras's input-spec message.
        self.input_spec = InputSpec(ndim=3, axes={-1: sequences_shape[-1]})

    def get_config(self) -> dict:
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype", *self.hidden_config_keys):
            cell_config.pop(key, None)
        config.update(cell_config)
        config["activity_regularizer"] = serialize_keras_object(self.activity_regularizer)
        return config

    from_config = classmethod(Layer.from_config.__func__)


def cell_arguments(cell_class: type, scope: dict) -> dict:
    """The cell's constructor arguments picked from a layer constructor's `locals()`."""
    names = inspect.signature(cell_class.__init__).parameters
    return {k: scope[k] for k in names if k in scope and k not in ("self", "kwargs")}


def _cell_property(name: str) -> property:
    return property(lambda self: getattr(self.cell, name),
                    doc=f"The cell's `{name}`.")


for _name in _CELL_PROPERTIES:
    setattr(CellLayer, _name, _cell_property(_name))
del _name
