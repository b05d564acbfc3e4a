"""`QuantizationConfig`: which quantizers a `quantize` call uses for weights and activations,
and the resolution of Keras's `quantize(mode, config)` arguments into one config."""

from __future__ import annotations

from hocsau.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)

QUANTIZATION_MODES = ("int8", "float8", "int4", "gptq", "awq")


@keras_class("keras.quantizers")
class QuantizationConfig:
    """Base of the per-mode configs (`Int8QuantizationConfig`, ...); `mode` names the mode.

    Args:
        weight_quantizer: quantizes the weights (None: the layer's default).
        activation_quantizer: quantizes the inputs at call time (None: weight-only).
    """

    def __init__(self, weight_quantizer=None, activation_quantizer=None):
        self.weight_quantizer = weight_quantizer
        self.activation_quantizer = activation_quantizer

    @property
    def mode(self) -> str:
        raise TypeError("QuantizationConfig is a base class: use Int8QuantizationConfig, "
                        "Int4QuantizationConfig, Float8QuantizationConfig, GPTQConfig or "
                        "AWQConfig. Received: "
                        f"{type(self).__name__}")

    def get_config(self) -> dict:
        return {"weight_quantizer": serialize_keras_object(self.weight_quantizer),
                "activation_quantizer": serialize_keras_object(self.activation_quantizer)}

    @classmethod
    def from_config(cls, config: dict):
        return cls(weight_quantizer=deserialize_keras_object(config.get("weight_quantizer")),
                   activation_quantizer=deserialize_keras_object(
                       config.get("activation_quantizer")))

    @staticmethod
    def weight_quantizer_or_default(config, default):
        if config is not None and config.weight_quantizer is not None:
            return config.weight_quantizer
        return default

    @staticmethod
    def activation_quantizer_or_default(config, default):
        return config.activation_quantizer if config is not None else default


def validate_and_resolve_config(mode, config) -> QuantizationConfig:
    """The config of a `quantize(mode, config)` call: the mode's default config when only a
    mode is given, checked against `mode` when both are."""
    from hocsau.quantizers.float8_quantization_config import Float8QuantizationConfig
    from hocsau.quantizers.int4_quantization_config import Int4QuantizationConfig
    from hocsau.quantizers.int8_quantization_config import Int8QuantizationConfig

    if isinstance(config, str):
        mode, config = config, None
    check_mode(mode)
    if config is None:
        defaults = {"int8": Int8QuantizationConfig, "int4": Int4QuantizationConfig,
                    "float8": Float8QuantizationConfig}
        if mode in ("gptq", "awq"):
            raise ValueError(f"Quantization mode '{mode}' is calibrated with a dataset: pass "
                             f"config={mode.upper()}Config(dataset, tokenizer, ...). Received: "
                             f"mode={mode!r}, config=None")
        if mode is None:
            raise ValueError("You must provide either `mode` or `config` to `quantize`.")
        return defaults[mode]()
    if not isinstance(config, QuantizationConfig):
        raise ValueError("Argument `config` must be an instance of `QuantizationConfig`. "
                         f"Received: config={config} (of type {type(config)})")
    if mode is not None and config.mode != mode:
        raise ValueError(f"Contradictory arguments: mode='{mode}' but "
                         f"config.mode='{config.mode}'")
    return config


def check_mode(mode) -> None:
    if mode is not None and mode not in QUANTIZATION_MODES:
        raise ValueError(f"Invalid quantization mode. Expected one of {QUANTIZATION_MODES}. "
                         f"Received: mode={mode}")
