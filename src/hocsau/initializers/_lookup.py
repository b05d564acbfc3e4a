"""Identifier resolution shared by the object families (initializers, regularizers,
constraints, activations): a name, a config dict, a class or a callable becomes the object.
"""

from __future__ import annotations

from hocsau.saving.serialization import (
    deserialize_keras_object,
    get_registered_object,
    unknown_identifier,
)


def family_functions(family: str, objects: dict):
    """`(deserialize, get)` for the family whose built-ins are `objects` (name -> object).

    `deserialize` takes a name (a class found by name is instantiated with its defaults)
    or a serialized dict; `get` also passes callables through, instantiates classes and
    keeps None. An unknown name raises `unknown_identifier`'s ValueError.
    """

    def deserialize(config, custom_objects: dict | None = None):
        if not isinstance(config, str):
            return deserialize_keras_object(config, module_objects=objects,
                                            custom_objects=custom_objects)
        found = get_registered_object(config, custom_objects, objects)
        if found is None:
            raise unknown_identifier(family, config, objects)
        return found() if isinstance(found, type) else found

    def get(identifier):
        if identifier is None:
            return None
        if isinstance(identifier, (str, dict)):
            return deserialize(identifier)
        if isinstance(identifier, type):
            identifier = identifier()
        if callable(identifier):
            return identifier
        raise ValueError(f"Could not interpret {family} identifier: {identifier!r}")

    deserialize.__doc__ = f"A {family} from its name or its serialized dict."
    get.__doc__ = f"A {family} from a name, dict, class, instance or callable; None stays None."
    return deserialize, get
