"""TF-Keras's `.h5` full-model files, read and written.

    attrs:  keras_version, backend, model_config (JSON, TF-Keras's config format),
            training_config (JSON: optimizer_config, loss, metrics, ...; when compiled)
    model_weights/  attrs layer_names, backend, keras_version
        <layer name>/  attrs weight_names (weight paths); one dataset per weight, trainable
                       weights first, under its path (`dense/kernel`)

Weights are matched to layers by position among the layers that have weights (or by name with
`by_name=True`). Only configs and arrays are read: nothing is unpickled.
"""

from __future__ import annotations

import json
import os

import h5py
import numpy as np

from hocsau.saving import bounded_json
from hocsau.saving.atomic import atomic_write
from hocsau.saving.h5_weights import errors_naming, open_h5
from hocsau.saving.keras_file import KERAS_FORMAT_VERSION, rebuild
from hocsau.saving.serialization import (
    CustomObjectScope,
    deserialize_keras_object,
    serialize_keras_object,
)


def save_model(model, filepath, overwrite: bool = True, include_optimizer: bool = True) -> None:
    """Write `model` as a TF-Keras `.h5` file (config, weights, compile settings)."""
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"File {filepath} already exists and overwrite=False.")
    with atomic_write(filepath) as tmp, h5py.File(tmp, "w") as h5file:
        h5file.attrs["keras_version"] = KERAS_FORMAT_VERSION
        h5file.attrs["backend"] = "torch"
        h5file.attrs["model_config"] = json.dumps(legacy_config(serialize_keras_object(model)),
                                                  default=_to_list)
        training = _training_config(model) if include_optimizer else None
        if training is not None:
            h5file.attrs["training_config"] = json.dumps(training, default=_to_list)
        save_weights_to_group(h5file.create_group("model_weights"), model)


def _to_list(value):
    return value.tolist()


def legacy_config(config):
    """A Keras 3 serialized config in TF-Keras's form: no module / registered_name /
    build_config keys, functional nodes as `[[layer, node, tensor, kwargs], ...]`."""
    if isinstance(config, list):
        return [legacy_config(v) for v in config]
    if not isinstance(config, dict):
        return config
    if config.get("class_name") == "__keras_tensor__":
        return config["config"]["keras_history"]
    result = {}
    for key, value in config.items():
        if key in ("module", "registered_name", "build_config", "compile_config"):
            continue
        result[key] = _legacy_nodes(value) if key == "inbound_nodes" else legacy_config(value)
    if config.get("registered_name") and "class_name" in config and config.get("module") is None:
        result["class_name"] = config["registered_name"]
    return result


def _legacy_nodes(nodes: list) -> list:
    converted = []
    for node in nodes:
        args, kwargs = legacy_config(node["args"]), legacy_config(node["kwargs"])
        tensors = args[0] if len(args) == 1 and _is_history_list(args[0]) else args
        tensors = [tensors] if _is_history(tensors) else tensors
        converted.append([list(t) + [kwargs] for t in tensors])
    return converted


def _is_history(value) -> bool:
    return isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)


def _is_history_list(value) -> bool:
    return isinstance(value, list) and value and all(_is_history(v) for v in value)


def _training_config(model) -> dict | None:
    compiled = model.get_compile_config() if hasattr(model, "get_compile_config") else None
    if not compiled:
        return None
    optimizer = legacy_config(compiled.get("optimizer"))
    rest = {k: legacy_config(v) for k, v in compiled.items() if k != "optimizer"}
    return {"optimizer_config": optimizer, **rest}


def save_weights_to_group(group, model) -> None:
    """TF-Keras's weights layout: one group per layer, named by the layer."""
    group.attrs["layer_names"] = [layer.name.encode("utf8") for layer in model.layers]
    group.attrs["backend"] = b"torch"
    group.attrs["keras_version"] = KERAS_FORMAT_VERSION.encode("utf8")
    for layer in sorted(model.layers, key=lambda la: la.name):
        layer_group = group.create_group(layer.name)
        weights = _legacy_weights(layer)
        names = [_weight_name(w, layer, i) for i, w in enumerate(weights)]
        layer_group.attrs["weight_names"] = [n.encode("utf8") for n in names]
        for name, weight in zip(names, weights, strict=True):
            layer_group.create_dataset(name, data=weight.detach().cpu().numpy())


def _weight_name(weight, layer, index: int) -> str:
    return getattr(weight, "path", None) or f"{layer.name}/variable_{index}"


def _legacy_weights(layer) -> list:
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def load_model(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    """Rebuild a model from a TF-Keras (or hocsau) `.h5` file."""
    filepath = os.fspath(filepath)
    with open_h5(filepath) as h5file, errors_naming(filepath):
        if "model_config" not in h5file.attrs:
            raise ValueError(f"No model config found in the file at {filepath}: it holds "
                             "weights only; build the model and call `load_weights`.")
        config = bounded_json.loads(_text(h5file.attrs["model_config"]), filepath,
                                    "model_config")
        model = rebuild(config, filepath, custom_objects, safe_mode)
        load_weights_from_group(h5file["model_weights"], model)
        training = h5file.attrs.get("training_config")
        if compile and training is not None:
            _compile(model, bounded_json.loads(_text(training), filepath, "training_config"),
                     custom_objects)
    return model


def _compile(model, training: dict, custom_objects) -> None:
    with CustomObjectScope(custom_objects or {}):
        optimizer = deserialize_keras_object(training["optimizer_config"])
        losses = training.get("loss")
        losses = deserialize_keras_object(losses) if isinstance(losses, dict) else losses
        model.compile(optimizer=optimizer, loss=losses, metrics=training.get("metrics"),
                      loss_weights=training.get("loss_weights"),
                      weighted_metrics=training.get("weighted_metrics"))


def _text(value) -> str:
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


def load_weights(model, filepath, skip_mismatch: bool = False, by_name: bool = False) -> None:
    """`model.load_weights` for a TF-Keras `.h5` (full model or weights only)."""
    filepath = os.fspath(filepath)
    with open_h5(filepath) as h5file, errors_naming(filepath):
        group = h5file["model_weights"] if "model_weights" in h5file else h5file
        load_weights_from_group(group, model, skip_mismatch=skip_mismatch, by_name=by_name)


def load_weights_from_group(group, model, skip_mismatch: bool = False,
                            by_name: bool = False) -> None:
    """Set the weights of `model.layers` from TF-Keras's layout, by position or by name."""
    saved = [_text(n) for n in group.attrs["layer_names"]]
    saved = [n for n in saved if len(group[n].attrs.get("weight_names", []))]
    if by_name:
        layers = {layer.name: layer for layer in model.layers}
        pairs = [(layers[n], n) for n in saved if n in layers]
    else:
        layers = [layer for layer in model.layers if _legacy_weights(layer)]
        if len(layers) != len(saved):
            raise ValueError("Layer count mismatch when loading weights from file. Model "
                             f"expected {len(layers)} layers, found {len(saved)} saved layers.")
        pairs = list(zip(layers, saved, strict=True))
    for layer, name in pairs:
        layer_group = group[name]
        values = [np.asarray(layer_group[_text(w)]) for w in layer_group.attrs["weight_names"]]
        _set_layer(layer, name, values, skip_mismatch)


def _set_layer(layer, saved_name: str, values: list, skip_mismatch: bool) -> None:
    import warnings

    weights = _legacy_weights(layer)
    problem = None
    if len(values) != len(weights):
        problem = (f"Layer '{layer.name}' expects {len(weights)} weight(s), but the saved "
                   f"layer '{saved_name}' has {len(values)}.")
    else:
        for weight, value in zip(weights, values, strict=True):
            if tuple(weight.shape) != tuple(value.shape):
                problem = (f"Layer '{layer.name}' weight '{getattr(weight, 'name', '?')}' has "
                           f"shape {tuple(weight.shape)}, but the saved value has shape "
                           f"{tuple(value.shape)}.")
                break
    if problem is not None:
        if not skip_mismatch:
            raise ValueError(problem)
        warnings.warn(f"Skipping loading weights: {problem}", stacklevel=3)
        return
    for weight, value in zip(weights, values, strict=True):
        weight.data.copy_(_tensor_like(value, weight))


def _tensor_like(value, like):
    import torch

    return torch.as_tensor(value).to(dtype=like.dtype, device=like.device)
