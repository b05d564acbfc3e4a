"""tf.keras 2's object serialization (`{"class_name": ..., "config": ...}`, no `module`),
as Keras 3 keeps it in `keras.legacy.saving` / `keras.utils.legacy`."""

from __future__ import annotations

import inspect

from hocsau.saving.serialization import (
    CustomObjectScope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
)


def serialize_keras_object(instance):
    """An object with `get_config` as `{"class_name", "config"}` (nested objects marked
    `__passive_serialization__`); a function or class as its registered name."""
    instance = inspect.unwrap(instance) if callable(instance) else instance
    if instance is None:
        return None
    if hasattr(instance, "get_config"):
        config = {}
        for key, item in instance.get_config().items():
            if isinstance(item, str):
                config[key] = item
                continue
            try:
                serialized = serialize_keras_object(item)
            except ValueError:
                serialized = item
            if isinstance(serialized, dict) and not isinstance(item, dict):
                serialized["__passive_serialization__"] = True
            config[key] = serialized
        return {"class_name": get_registered_name(type(instance)), "config": config}
    if hasattr(instance, "__name__"):
        return get_registered_name(instance)
    raise ValueError(f"Cannot serialize {instance} because it doesn't implement "
                     "`get_config()`.")


def _unknown(kind: str, name: str) -> ValueError:
    return ValueError(f"Unknown {kind}: '{name}'. Please ensure you are using a "
                      "`keras.utils.custom_object_scope` and that this object is included in "
                      "the scope.")


def _class_and_config(config, module_objects, custom_objects, printable_module_name):
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError(f"Improper config format for {config}. Expecting python dict contains "
                         "`class_name` and `config` as keys")
    cls = get_registered_object(config["class_name"], custom_objects, module_objects)
    if cls is None:
        raise _unknown(printable_module_name, config["class_name"])
    cls_config = config["config"]
    if isinstance(cls_config, list):
        return cls, cls_config
    for key, item in list(cls_config.items()):
        if key == "name":
            continue
        if isinstance(item, dict) and "__passive_serialization__" in item:
            cls_config[key] = deserialize_keras_object(item, module_objects, custom_objects,
                                                       "config_item")
        elif isinstance(item, str):
            found = get_registered_object(item, custom_objects, module_objects)
            if inspect.isfunction(found):
                cls_config[key] = found
    return cls, cls_config


def deserialize_keras_object(identifier, module_objects=None, custom_objects=None,
                             printable_module_name="object"):
    """Rebuild an object from `serialize_keras_object`'s output (or a registered name),
    looking names up in `custom_objects`, the custom object scopes, the registered objects,
    then `module_objects`."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        cls, cls_config = _class_and_config(identifier, module_objects, custom_objects,
                                            printable_module_name)
        custom_objects = custom_objects or {}
        if not hasattr(cls, "from_config"):
            with CustomObjectScope(custom_objects):
                return cls(**cls_config)
        if "custom_objects" in inspect.signature(cls.from_config).parameters:
            return cls.from_config(cls_config,
                                   custom_objects={**get_custom_objects(), **custom_objects})
        with CustomObjectScope(custom_objects):
            return cls.from_config(cls_config)
    if isinstance(identifier, str):
        obj = get_registered_object(identifier, custom_objects, module_objects)
        if obj is None:
            raise _unknown(printable_module_name, identifier)
        return obj() if inspect.isclass(obj) else obj
    if inspect.isfunction(identifier):
        return identifier
    raise ValueError(f"Could not interpret serialized {printable_module_name}: {identifier}")


__all__ = ["deserialize_keras_object", "serialize_keras_object"]
