"""Objects <-> Keras 3 config dicts, in exactly Keras's format so files cross between the two.

A serialized object is `{"module": "keras.layers", "class_name": "Dense", "config": {...},
"registered_name": None}`. Built-in classes are registered under their Keras module with
`keras_class`; user classes with `register_keras_serializable` or `custom_objects`.
"""

from __future__ import annotations

import difflib
import importlib
import sys
import threading
import types

import numpy as np
import torch

_BUILTINS: dict[str, dict[str, type]] = {}
_GLOBAL_CUSTOM_OBJECTS: dict[str, object] = {}
_GLOBAL_CUSTOM_NAMES: dict[object, str] = {}
_SCOPE = threading.local()


def keras_class(module: str):
    """Register a built-in class under its Keras module ("keras.layers", ...)."""

    def decorator(cls):
        cls._keras_module = module
        _BUILTINS.setdefault(module, {})[cls.__name__] = cls
        return cls

    return decorator


def builtin_classes(module: str) -> dict[str, type]:
    """The built-in classes registered under a Keras module."""
    return _BUILTINS.get(module, {})


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Decorator registering a user class or function as `package>name` for deserialization."""

    def decorator(obj):
        registered = f"{package}>{name or obj.__name__}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError(f"Cannot register a class that does not have a get_config() method. "
                             f"Received: {obj}")
        _GLOBAL_CUSTOM_OBJECTS[registered] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered
        return obj

    return decorator


def get_custom_objects() -> dict:
    """The global dict of custom objects; users may add to it directly."""
    return _GLOBAL_CUSTOM_OBJECTS


def get_registered_name(obj) -> str:
    return _GLOBAL_CUSTOM_NAMES.get(obj, getattr(obj, "__name__", type(obj).__name__))


def get_registered_object(name: str, custom_objects: dict | None = None, module_objects=None):
    for source in (_scope_objects(), _GLOBAL_CUSTOM_OBJECTS, custom_objects or {},
                   module_objects or {}):
        if name in source:
            return source[name]
    return None


class CustomObjectScope:
    """`with CustomObjectScope({"MyLayer": MyLayer}):` makes names visible to deserialization."""

    def __init__(self, custom_objects: dict | None = None, *more: dict):
        self.custom_objects = custom_objects or {}
        self._objects = {k: v for d in (custom_objects, *more) for k, v in (d or {}).items()}
        self._saved = None

    def __enter__(self):
        self._saved = _scope_objects()
        _SCOPE.objects = {**self._saved, **self._objects}
        return self

    def __exit__(self, *exc):
        _SCOPE.objects = self._saved


custom_object_scope = CustomObjectScope


def _scope_objects() -> dict:
    return getattr(_SCOPE, "objects", {})


def serialize_keras_object(obj):
    """Serialize `obj` (a Keras-style object, function, or plain value) to a JSON-able value."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (np.generic,)):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return {"class_name": "__numpy__",
                "config": {"value": obj.tolist(), "dtype": str(obj.dtype)}}
    if isinstance(obj, torch.Tensor):
        value = obj.detach().cpu()
        return {"class_name": "__tensor__", "config": {"value": value.tolist(),
                                                       "dtype": str(value.dtype).split(".")[-1]}}
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, types.FunctionType) and obj.__name__ == "<lambda>":
        from hocsau.saving.lambda_code import serialize_lambda

        return serialize_lambda(obj)
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        return _serialize_function(obj)
    if isinstance(obj, type):
        return {"class_name": "__typespec__", "config": obj.__name__}
    return _serialize_instance(obj)


def _serialize_function(fn) -> dict:
    registered = _GLOBAL_CUSTOM_NAMES.get(fn)
    if registered is not None:
        # Keras names a registered function by its "package>name" alone, found on loading in
        # the registry (its module is not looked at).
        return {"module": "builtins", "class_name": "function", "config": registered,
                "registered_name": "function"}
    return {"module": getattr(fn, "_keras_module", None) or fn.__module__,
            "class_name": "function", "config": getattr(fn, "_keras_name", fn.__name__),
            "registered_name": "function"}


def _serialize_instance(obj) -> dict:
    cls = type(obj)
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize {obj!r}: it has no `get_config()` method.")
    module = _WRITTEN_MODULES.get(cls.__dict__.get("_keras_module"), {}).get(
        cls.__name__, cls.__dict__.get("_keras_module"))
    registered = _GLOBAL_CUSTOM_NAMES.get(cls)
    if registered is None and cls.__bases__ and cls.__bases__[0].__name__ == cls.__name__:
        # A subclass turned functional by `super().__init__(inputs, outputs)`: the user's class.
        registered = _GLOBAL_CUSTOM_NAMES.get(cls.__bases__[0])
    if module is None and registered is None:
        registered = cls.__name__
    config = serialize_keras_object(obj.get_config())
    result = {"module": module or cls.__module__, "class_name": cls.__name__, "config": config,
              "registered_name": registered}
    build_config = getattr(obj, "get_build_config", None)
    if build_config is not None:
        built = build_config()
        if built:
            result["build_config"] = built
    compile_config = getattr(obj, "get_compile_config", None)
    if compile_config is not None:
        compiled = compile_config()
        if compiled is not None:
            # An overridden `get_compile_config` may return the objects themselves (an
            # optimizer, a loss function): serialized here, as Keras does.
            result["compile_config"] = {k: serialize_keras_object(v) for k, v in compiled.items()}
    return result


def deserialize_keras_object(config, module_objects: dict | None = None,
                             custom_objects: dict | None = None, safe_mode: bool = True,
                             **kwargs):
    """Rebuild an object from `serialize_keras_object`'s output (or a Keras file's config)."""
    if config is None or isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, str):
        found = get_registered_object(config, custom_objects, module_objects)
        if found is None and module_objects is None:
            return config  # a plain string value, as Keras returns it (e.g. "SGD")
        if found is None:
            raise ValueError(_unknown_message(config, module_objects, custom_objects))
        return found
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(c, module_objects, custom_objects, safe_mode)
                for c in config]
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config!r}")
    from hocsau.saving.lambda_code import SafeModeScope, in_safe_mode

    # Nested `from_config` calls do not receive `safe_mode`: a scope carries it (a caller's
    # scope decides, else the argument; None counts as safe).
    if in_safe_mode() is None:
        with SafeModeScope(safe_mode is not False):
            return deserialize_keras_object(config, module_objects, custom_objects, None)
    if "class_name" not in config or "config" not in config:
        return {k: _deserialize_value(v, custom_objects, safe_mode) for k, v in config.items()}
    return _deserialize_dict(config, module_objects, custom_objects, safe_mode)


def _deserialize_value(value, custom_objects, safe_mode):
    if isinstance(value, dict) and "class_name" in value and "config" in value:
        return deserialize_keras_object(value, None, custom_objects, safe_mode)
    return value


def _deserialize_dict(config, module_objects, custom_objects, safe_mode):
    class_name = config["class_name"]
    inner = config["config"]
    if class_name == "__numpy__":
        return np.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__tensor__":
        return torch.tensor(inner["value"], dtype=getattr(torch, inner["dtype"]))
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "__lambda__":
        from hocsau.saving.lambda_code import deserialize_lambda

        return deserialize_lambda(inner, safe_mode)
    if class_name == "__typespec__":
        return {"int": int, "float": float, "str": str, "bool": bool}.get(inner, inner)
    if class_name == "function":
        return _resolve_function(config, module_objects, custom_objects)
    cls = _resolve_class(config, module_objects, custom_objects)
    if not hasattr(cls, "from_config"):
        raise TypeError(f"{cls} has no `from_config()` class method; cannot deserialize it.")
    with CustomObjectScope(custom_objects or {}):
        obj = cls.from_config(inner)
        build_config = config.get("build_config")
        if build_config and hasattr(obj, "build_from_config"):
            obj.build_from_config(build_config)
        compile_config = config.get("compile_config")
        if compile_config and hasattr(obj, "compile_from_config"):
            obj.compile_from_config(compile_config)
    return obj


def _resolve_class(config, module_objects, custom_objects):
    class_name = config["class_name"]
    registered = config.get("registered_name")
    for name in (registered, class_name):
        if name:
            found = get_registered_object(name, custom_objects)
            if found is not None:
                return found
    module = config.get("module")
    if module in _BUILTINS and class_name in _BUILTINS[module]:
        return _BUILTINS[module][class_name]
    if module_objects and class_name in module_objects:
        return module_objects[class_name]
    for classes in _BUILTINS.values():
        if class_name in classes:
            return classes[class_name]
    raise TypeError(
        f"Could not locate class '{class_name}'. Make sure custom classes are decorated with "
        "`@hocsau.saving.register_keras_serializable()` or passed in `custom_objects`. "
        f"Full object config: {config}"
    )


def _resolve_function(config, module_objects, custom_objects):
    name = config["config"]
    registered = config.get("registered_name")
    for key in (registered, name):
        if key and key != "function":
            found = get_registered_object(key, custom_objects, module_objects)
            if found is not None:
                return found
    module = config.get("module") or ""
    for family in _FUNCTION_FAMILIES.get(module, ()):
        found = getattr(importlib.import_module(family), name, None)
        if callable(found):
            return found
    if module in _FUNCTION_FAMILIES:
        return importlib.import_module(_FUNCTION_FAMILIES[module][0]).get(name)
    # Outside safe mode, a function of a module the program has already imported (no new
    # code is imported); in safe mode a file cannot name arbitrary functions (`os.system`).
    from hocsau.saving.lambda_code import in_safe_mode

    loaded = sys.modules.get(module)
    if in_safe_mode() is False and loaded is not None and callable(getattr(loaded, name, None)):
        return getattr(loaded, name)
    raise TypeError(f"Could not locate function '{name}' (module {module!r}). Pass it in "
                    "`custom_objects` or register it with `register_keras_serializable`.")


# Classes Keras writes under a module other than the public one they are registered in.
_WRITTEN_MODULES = {"keras": {"Functional": "keras.src.models.functional"}}

# Where a function named in a file is looked up; Keras writes its built-in functions (any
# family) under "builtins".
_FUNCTION_FAMILIES = {"keras.activations": ("hocsau.activations",),
                      "keras.losses": ("hocsau.losses",), "keras.metrics": ("hocsau.metrics",),
                      "builtins": ("hocsau.activations", "hocsau.losses", "hocsau.metrics")}


def _unknown_message(name, module_objects, custom_objects) -> str:
    known = sorted(set(module_objects or {}) | set(custom_objects or {}))
    close = difflib.get_close_matches(name, known, n=3)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return f"Could not interpret identifier: {name!r}.{hint}"


def unknown_identifier(family: str, name: str, valid) -> ValueError:
    """The error every `get()` raises for an unknown string, listing the nearest valid names."""
    close = difflib.get_close_matches(str(name), sorted(valid), n=3, cutoff=0.5)
    hint = f" Did you mean one of: {', '.join(close)}?" if close else ""
    return ValueError(f"Could not interpret {family} identifier: {name!r}.{hint} "
                      f"Valid names: {', '.join(sorted(valid))}.")
