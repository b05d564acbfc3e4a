"""File-system paths in configs: refused while a model is deserialized in safe mode.

A layer config may name a file to read (a lookup layer's `vocabulary`); in a downloaded
`.keras` file that could be any local file (`/etc/passwd`), whose contents would then come
back as model outputs. Within a safe-mode deserialization (`load_model`,
`deserialize_keras_object`, unless `safe_mode=False` or
`hocsau.config.enable_unsafe_deserialization()`), a layer must therefore check each path
argument here before opening it; data a model needs is read from the archive's `assets/`.
Paths given directly in code (outside deserialization) are read as usual.
"""

from __future__ import annotations

import os

from hocsau.saving.lambda_code import in_safe_mode


def check_config_path(layer, argument: str, value) -> None:
    """Raise when `value` (an argument of `layer`) is a file path and safe mode is on.

    Raises:
        ValueError: naming the layer, the argument and the path, and how to allow it.
    """
    if not isinstance(value, (str, os.PathLike)) or in_safe_mode() is not True:
        return
    name = getattr(layer, "name", type(layer).__name__)
    raise ValueError(
        f"Layer '{name}' asks to read the local file '{os.fspath(value)}' (argument "
        f"`{argument}`) while a config is loaded in safe mode. A config may only use data "
        "stored in the model file itself, since a path could name any file of this machine. "
        "If you trust the source of the model, pass `safe_mode=False` to the loading "
        "function, or call `hocsau.config.enable_unsafe_deserialization()`.")
