"""The parts of a `FeatureSpace`: `Feature` (a dtype, a preprocessor and an output mode),
`Cross` (features hashed together) and the identity preprocessor of plain float features,
serialized under Keras's module names."""

from __future__ import annotations

import torch

from hocsau.layers.layer import Layer
from hocsau.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)

_MODULE = "keras.src.layers.preprocessing.feature_space"


def _check_mode(output_mode, allowed: tuple) -> None:
    if output_mode not in allowed:
        raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                         f"{set(allowed)}. Received: output_mode={output_mode}")


@keras_class(_MODULE)
class Cross:
    """Features crossed by `HashedCrossing` into `crossing_dim` bins; its name joins the
    feature names with "_X_"."""

    def __init__(self, feature_names, crossing_dim: int, output_mode: str = "one_hot"):
        _check_mode(output_mode, ("int", "one_hot"))
        self.feature_names = tuple(feature_names)
        self.crossing_dim = crossing_dim
        self.output_mode = output_mode

    @property
    def name(self) -> str:
        return "_X_".join(self.feature_names)

    def get_config(self) -> dict:
        return {"feature_names": self.feature_names, "crossing_dim": self.crossing_dim,
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config: dict) -> Cross:
        return cls(**config)


@keras_class(_MODULE)
class Feature:
    """An input of `dtype` turned into a feature by `preprocessor` (a layer), then encoded
    by `output_mode`: "float" (as is), "int" (as is) or "one_hot" (multi-hot over the
    preprocessor's vocabulary or bins)."""

    def __init__(self, dtype: str, preprocessor, output_mode: str):
        _check_mode(output_mode, ("int", "one_hot", "float"))
        self.dtype = dtype
        if isinstance(preprocessor, dict):
            preprocessor = deserialize_keras_object(preprocessor)
        self.preprocessor = preprocessor
        self.output_mode = output_mode

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "preprocessor": serialize_keras_object(self.preprocessor),
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config: dict) -> Feature:
        return cls(**config)


@keras_class(_MODULE)
class TFDIdentity(Layer):
    """The preprocessor of `FeatureSpace.float`: its input as float32."""

    def call(self, inputs):
        return torch.as_tensor(inputs).to(torch.float32)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)
