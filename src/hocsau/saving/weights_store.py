"""Model state <-> HDF5 groups in Keras 3's layout (`model.weights.h5` and `.weights.h5`).

Keras walks a model's attributes and writes every layer's own variables under the path of
attributes that leads to it; lists of layers are named by class (`layers/dense_1`):

    vars/                      the model's own variables (attribute "name" on each vars group)
    layers/dense/vars/0, 1     Sequential / Functional: `model.layers`, numbered per class
    d1/vars/0                  a subclassed model's attribute `self.d1`
    blocks/dense_1/vars/0      a list attribute `self.blocks`
    optimizer/vars/0, 1, ...   the optimizer's variables (iterations, learning rate, slots)
    layers/text_vectorization/_lookup_layer/vars
                               a layer's plain attribute holding an object with saving hooks

Each object is written once, at the first path that reaches it; attributes are visited in
sorted order with private names last, as in Keras, so files cross between the libraries.
Objects with `save_assets` / `load_assets` hooks also get the asset folder of their path
(`.keras` files only, see `assets_store`), right after their variables, as Keras does.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
from torch import nn

from hocsau.layers.layer import _CONTAINERS, Layer
from hocsau.saving.assets_store import object_folder
from hocsau.utils.naming import to_snake_case


def walk(obj, path: str = "", seen: set | None = None):
    """Yield `(path, saveable)` for `obj` and everything under it, each object once."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    yield path, obj
    for attr, child in _children(obj):
        child_path = f"{path}/{attr}" if path else attr
        if isinstance(child, (list, tuple, dict, *_CONTAINERS)):
            yield from _walk_container(child, child_path, seen)
        elif _is_saveable(child):
            yield from walk(child, child_path, seen)


def _walk_container(container, path: str, seen: set):
    used: dict[str, int] = {}
    values = container.values() if isinstance(container, (dict, nn.ModuleDict)) else container
    for item in values:
        if isinstance(item, (list, tuple, dict, *_CONTAINERS)):
            yield from _walk_container(item, f"{path}/{_unique('container', used)}", seen)
        elif _is_saveable(item):
            name = _unique(to_snake_case(type(item).__name__), used)
            yield from walk(item, f"{path}/{name}", seen)


def _unique(name: str, used: dict) -> str:
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


_HOOKS = ("save_own_variables", "save_assets")


def _is_saveable(obj) -> bool:
    return isinstance(obj, Layer) or any(hasattr(obj, hook) for hook in _HOOKS)


def _children(obj):
    """(attribute, value) pairs as Keras visits them: a Sequential's or Functional's `layers`
    first, then attributes sorted with private names last."""
    if not isinstance(obj, Layer):
        return []
    from hocsau.models.functional import Functional
    from hocsau.models.sequential import Sequential

    pairs = {}
    if isinstance(obj, (Sequential, Functional)):
        first = [("layers", [la for la in obj.layers if type(la).__name__ != "OpLayer"])]
    else:
        first = []
        pairs = {k: getattr(m, "source", m) for k, m in obj._modules.items()
                 if isinstance(m, (Layer, *_CONTAINERS))}
        # Plain attributes holding saveable helpers (Keras visits every saveable attribute).
        pairs |= {k: v for k, v in vars(obj).items()
                  if not isinstance(v, (type, nn.Module)) and _is_saveable(v)}
        if _is_model(obj):
            pairs["layers"] = obj.layers
    optimizer = getattr(obj, "optimizer", None) if _is_model(obj) else None
    if optimizer is not None:
        pairs["optimizer"] = optimizer
    ordered = sorted(pairs, key=lambda k: f"~{k}" if k.startswith("_") else k)
    return first + [(k, pairs[k]) for k in ordered]


def _is_model(obj) -> bool:
    from hocsau.trainers.trainer import Trainer

    return isinstance(obj, Trainer)


def own_variables(layer) -> list:
    """The variables a layer writes under its own `vars` group, in Keras's order (a
    quantized layer's own: `_variables_in_file`)."""
    in_file = getattr(type(layer), "_variables_in_file", None)
    return in_file(layer) if in_file is not None else list(layer._own_weights())


def _torch_children(layer) -> list:
    """Plain torch modules inside a layer: saved by their `state_dict` keys, as Keras's
    TorchModuleWrapper does."""
    return [m for m in layer._modules.values()
            if isinstance(m, nn.Module) and not isinstance(m, (Layer, *_CONTAINERS))]


def save_state(model, h5file, assets_folder: str | None = None, skip=None) -> None:
    """Write `model`'s (and its optimizer's) variables into an open h5py file, and with
    `assets_folder`, each object's assets into its folder there. Objects in `skip` (Keras's
    `objects_to_skip`), and what only they reach, are left out."""
    for path, obj in walk(model, seen=_skipped(skip)):
        if isinstance(obj, Layer) or hasattr(obj, "save_own_variables"):
            _save_variables(h5file, path, obj)
        if assets_folder is not None and hasattr(obj, "save_assets"):
            folder = object_folder(assets_folder, path)
            os.makedirs(folder, exist_ok=True)
            obj.save_assets(folder)


def _save_variables(h5file, path: str, obj) -> None:
    group = h5file.create_group(f"{path}/vars" if path else "vars")
    name = getattr(obj, "name", None)
    if isinstance(name, str):
        group.attrs["name"] = name
    for key, value in _state_of(obj).items():
        group[key] = value


def _state_of(obj) -> dict:
    """An object's arrays by key: its own `save_own_variables` (optimizers, layers that
    override it) or, for layers, their variables numbered in Keras's order."""
    if _custom(obj, "save_own_variables"):
        store = {}
        obj.save_own_variables(store)
        return {k: np.asarray(v) for k, v in store.items()}
    return layer_values(obj)


def layer_values(layer) -> dict:
    """A layer's variables under "0", "1", ... (Keras's order), then its plain torch
    modules' state under their keys: what `Layer.save_own_variables` writes."""
    state = {str(i): v.detach().cpu().numpy() for i, v in enumerate(own_variables(layer))}
    for module in _torch_children(layer):
        state.update({k: v.detach().cpu().numpy() for k, v in module.state_dict().items()})
    return state


def load_layer_values(layer, store) -> None:
    """`Layer.load_own_variables`: the entries `layer_values` names (keys an override added
    for its own state are left to it)."""
    names = {str(i) for i in range(len(own_variables(layer)))} | {
        k for m in _torch_children(layer) for k in m.state_dict()}
    _load_layer(layer, {k: store[k] for k in store.keys() if k in names}, f"'{layer.name}'")


def _custom(obj, hook: str) -> bool:
    """Whether `obj` has `hook` of its own (a layer's inherited one is the generic path)."""
    method = getattr(obj, hook, None)
    if method is None:
        return False
    return not isinstance(obj, Layer) or getattr(method, "__func__", None) is not getattr(
        Layer, hook)


def load_state(model, h5file, skip_mismatch: bool = False, assets=None, skip=None) -> None:
    """Read variables (and, with `assets`, assets) written by `save_state` (or Keras) into
    `model`; an object whose asset folder is absent keeps its state. `assets.assets_folder(path)`
    gives an object's folder (extracted on demand, see `keras_archive`) or None. Objects in
    `skip`, and what only they reach, keep their state.

    Raises:
        ValueError: naming the layer, the variable and both shapes, for the first mismatch
            (with `skip_mismatch=True`, a warning instead and the layer is left as it was).
    """
    optimizer = getattr(model, "optimizer", None) if _is_model(model) else None
    if optimizer is not None and not optimizer.built and "optimizer" in h5file:
        optimizer.build(model.trainable_weights)
    for path, obj in walk(model, seen=_skipped(skip)):
        key = f"{path}/vars" if path else "vars"
        store = h5file[key] if key in h5file else {}
        try:
            _load_into(obj, store, key)
            _load_assets(obj, assets, path)
        except ValueError as error:
            if not skip_mismatch:
                raise
            warnings.warn(f"Skipping loading weights for {_describe(obj)}: {error}",
                          stacklevel=3)


def _skipped(objects) -> set:
    return {id(obj) for obj in objects or ()}


def _describe(obj) -> str:
    kind = "layer" if isinstance(obj, Layer) else "optimizer" if _is_optimizer(obj) else "object"
    return f"{kind} '{getattr(obj, 'name', type(obj).__name__)}'"


def _is_optimizer(obj) -> bool:
    from hocsau.optimizers._state import OptimizerState

    return isinstance(obj, OptimizerState)


def _load_into(obj, store, key: str) -> None:
    if isinstance(obj, Layer) and not _custom(obj, "load_own_variables"):
        _load_layer(obj, store, key)
    elif _is_optimizer(obj):
        _load_optimizer(obj, store, key)
    elif hasattr(obj, "load_own_variables"):
        obj.load_own_variables({k: np.asarray(store[k]) for k in store.keys()})


def _load_assets(obj, assets, path: str) -> None:
    if assets is None or not hasattr(obj, "load_assets"):
        return
    folder = assets.assets_folder(path)
    if folder is not None:
        obj.load_assets(folder)


def _load_optimizer(optimizer, store, key: str) -> None:
    """Optimizer state, when the file has it; a different count of variables (another
    optimizer, or one never built) is skipped with a warning, as Keras does."""
    if not len(store.keys()):
        return
    variables = optimizer.variables
    if len(store.keys()) != len(variables):
        warnings.warn(f"Skipping variable loading for optimizer '{optimizer.name}', because "
                      f"it has {len(variables)} variables whereas the saved optimizer has "
                      f"{len(store.keys())} variables (at '{key}').", stacklevel=4)
        return
    values = [np.asarray(store[str(i)]) for i in range(len(variables))]
    _check_shapes(f"Optimizer '{optimizer.name}'", variables, values, key)
    _assign(variables, values)


def _load_layer(layer, store, key: str) -> None:
    variables = own_variables(layer)
    torch_state = {k: v for m in _torch_children(layer) for k, v in m.state_dict().items()}
    expected = len(variables) + len(torch_state)
    if len(store.keys()) != expected:
        raise ValueError(
            f"Layer '{layer.name}' expected {expected} variables, but received "
            f"{len(store.keys())} variables during loading (at '{key}'). Expected: "
            f"{[getattr(v, 'name', '?') for v in variables] + list(torch_state)}")
    values = [np.asarray(store[str(i)]) for i in range(len(variables))]
    _check_shapes(f"Layer '{layer.name}'", variables, values, key)
    _assign(variables, values)
    for module in _torch_children(layer):
        module.load_state_dict({k: _as_tensor(np.asarray(store[k]), v)
                                for k, v in module.state_dict().items()})


def _check_shapes(owner: str, variables: list, values: list, key: str) -> None:
    for variable, value in zip(variables, values, strict=True):
        if tuple(value.shape) != tuple(variable.shape):
            raise ValueError(
                f"{owner} weight '{getattr(variable, 'name', '?')}' has shape "
                f"{tuple(variable.shape)}, but the saved value at '{key}' has shape "
                f"{tuple(value.shape)}.")


def _assign(variables: list, values: list) -> None:
    for variable, value in zip(variables, values, strict=True):
        variable.data.copy_(_as_tensor(value, variable))


def _as_tensor(value: np.ndarray, like):
    import torch

    return torch.as_tensor(value).to(dtype=like.dtype, device=like.device)
