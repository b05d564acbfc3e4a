"""`Model.quantize`: every quantizable layer of a model (the filters allowing) quantized."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable

from hocsau.quantizers.quantization_config import validate_and_resolve_config


def quantize_model(model, mode=None, config=None, filters=None, **kwargs) -> list:
    """Quantize `model`'s Dense, EinsumDense and Embedding layers (nested ones included);
    the others are left as they are. Returns the quantized layers.

    Args:
        mode / config: as `Layer.quantize` ("int8", or a `QuantizationConfig`); "gptq" and
            "awq" then calibrate the prepared layers (calibration.py).
        filters: a regex (or list of regexes) searched in layer names, or a callable taking
            the layer; only matching layers are quantized.
    """
    type_check = kwargs.pop("type_check", True)
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments passed to {type(model).__name__}: "
                         f"{kwargs}")
    if filters is not None and not isinstance(filters, (str, Callable, list, tuple)):
        raise ValueError("The `filters` argument must be a regex string, a list of regex "
                         f"strings, or a callable. Received: {type(filters)}")
    if not model.built:
        raise ValueError(f"Cannot quantize model '{model.name}': it isn't built yet. Build or "
                         f"call it first. Received: mode={mode}")
    config = validate_and_resolve_config(mode, config)
    quantized = []
    for layer in _leaf_layers(model):
        if not hasattr(layer, "quantize") or not selected(layer, filters):
            continue
        if config.mode not in getattr(layer, "_quantization_modes", (config.mode,)):
            # Keras warns and goes on for a layer without this mode (Embedding and GPTQ...).
            warnings.warn(f"Layer '{layer.name}' ({type(layer).__name__}) does not support "
                          f"quantization mode '{config.mode}'; it is left as it is.",
                          stacklevel=3)
            continue
        layer.quantize(config.mode, type_check=type_check, config=config)
        quantized.append(layer)
    if config.mode in ("gptq", "awq"):
        from hocsau.quantizers.calibration import calibrate

        calibrate(model, config, filters)
    return quantized


def _leaf_layers(model) -> list:
    from hocsau.layers.layer import Layer

    return [m for m in model.modules() if isinstance(m, Layer) and m is not model
            and not any(isinstance(c, Layer) for c in m.children())]


def selected(layer, filters) -> bool:
    """Whether `filters` (None, a regex, regexes or a callable) choose `layer`."""
    if filters is None:
        return True
    if isinstance(filters, str):
        return bool(re.search(filters, layer.name))
    if isinstance(filters, (list, tuple)):
        return any(re.search(pattern, layer.name) for pattern in filters)
    return bool(filters(layer))
