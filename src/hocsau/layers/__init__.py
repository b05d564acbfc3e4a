"""`hocsau.layers`: every layer class, one per file under this package."""

from hocsau.layers import (
    attention,
    convolutional,
    merging,
    normalization,
    pooling,
    preprocessing,
    regularization,
    reshaping,
    rnn,
)
from hocsau.layers.attention import *  # noqa: F403
from hocsau.layers.convolutional import *  # noqa: F403
from hocsau.layers.core.activation import Activation
from hocsau.layers.core.activity_regularization import ActivityRegularization
from hocsau.layers.core.dense import Dense
from hocsau.layers.core.dropout import Dropout
from hocsau.layers.core.einsum_dense import EinsumDense
from hocsau.layers.core.elu import ELU
from hocsau.layers.core.embedding import Embedding
from hocsau.layers.core.flatten import Flatten
from hocsau.layers.core.identity import Identity
from hocsau.layers.core.input_layer import Input, InputLayer
from hocsau.layers.core.jax_layer import FlaxLayer, JaxLayer
from hocsau.layers.core.lambda_layer import Lambda
from hocsau.layers.core.leaky_relu import LeakyReLU
from hocsau.layers.core.masking import Masking
from hocsau.layers.core.permute import Permute
from hocsau.layers.core.prelu import PReLU
from hocsau.layers.core.relu import ReLU
from hocsau.layers.core.repeat_vector import RepeatVector
from hocsau.layers.core.reshape import Reshape
from hocsau.layers.core.reversible_embedding import ReversibleEmbedding
from hocsau.layers.core.softmax import Softmax
from hocsau.layers.core.tfsm_layer import TFSMLayer
from hocsau.layers.core.torch_module_wrapper import TorchModuleWrapper
from hocsau.layers.core.wrapper import Wrapper
from hocsau.layers.input_spec import InputSpec
from hocsau.layers.layer import Layer
from hocsau.layers.merging import *  # noqa: F403
from hocsau.layers.normalization import *  # noqa: F403
from hocsau.layers.pooling import *  # noqa: F403
from hocsau.layers.preprocessing import *  # noqa: F403
from hocsau.layers.regularization import *  # noqa: F403
from hocsau.layers.reshaping import *  # noqa: F403
from hocsau.layers.rnn import *  # noqa: F403
from hocsau.saving import serialization as _serialization


def serialize(layer) -> dict:
    """A layer as a Keras config dict (`module`, `class_name`, `config`, ...)."""
    return _serialization.serialize_keras_object(layer)


def deserialize(config, custom_objects: dict | None = None) -> Layer:
    """A layer from `serialize`'s output (or a Keras file's layer config)."""
    from hocsau.saving.keras_file import drop_unset_newer_keys

    layer = _serialization.deserialize_keras_object(drop_unset_newer_keys(config),
                                                    custom_objects=custom_objects)
    if not isinstance(layer, Layer):
        raise ValueError("`keras.layers.deserialize` was passed a `config` object that is not "
                         f"a `keras.layers.Layer`. Received: {config}")
    return layer


__all__ = ["ELU", "Activation", "ActivityRegularization", "Dense", "Dropout", "Embedding",
           "Flatten", "Identity", "Input", "InputLayer", "InputSpec", "Lambda", "Layer",
           "LeakyReLU", "Masking", "PReLU", "Permute", "ReLU", "RepeatVector", "Reshape", "Softmax",
           "TorchModuleWrapper", "EinsumDense", "ReversibleEmbedding", "Wrapper", "FlaxLayer",
           "JaxLayer", "TFSMLayer", "deserialize", "serialize"]
for _family in (attention, convolutional, merging, normalization, pooling, preprocessing,
                regularization, reshaping, rnn):
    __all__ += _family.__all__
del _family
