"""`install_as_keras()`: lets packages that `import keras` (tqdm.keras, KerasTuner, ...) run
on hocsau, by an explicit opt-in that never silently shadows a real Keras installation.

A `sys.meta_path` finder answers `keras.<sub>` with the module object `hocsau.<sub>` itself, so
`keras.layers.Dense is hocsau.layers.Dense` and isinstance checks hold both ways. The top-level
`keras` is a thin facade over `hocsau`: every attribute is hocsau's, except that `__version__`
and `version()` report the Keras release whose API hocsau follows, because packages test
`keras.version().startswith("3.")` to pick their Keras 3 code path. Keras's private
`keras.src.<path>` resolves to `hocsau.<path>` where hocsau has that module (KerasTuner imports
`keras.src.ops`); anything else under `keras.` that hocsau lacks is a ModuleNotFoundError.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types
import warnings

_ALIAS = "keras"
_TARGET = "hocsau"


class _KerasFacade(types.ModuleType):
    """The module `keras` resolves to: hocsau's namespace under Keras's version."""

    def __getattr__(self, name: str):
        return getattr(importlib.import_module(_TARGET), name)

    def __dir__(self):
        return sorted(set(dir(importlib.import_module(_TARGET))) | set(self.__dict__))


def _new_facade() -> _KerasFacade:
    from hocsau.saving.keras_file import KERAS_FORMAT_VERSION

    facade = _KerasFacade(_ALIAS, "Alias of hocsau installed by hocsau.install_as_keras().")
    facade.__path__ = []  # a package, so `import keras.<sub>` asks the finders
    facade.__version__ = KERAS_FORMAT_VERSION
    facade.version = lambda: KERAS_FORMAT_VERSION
    facade.__spec__ = importlib.util.spec_from_loader(_ALIAS, _FINDER, is_package=True)
    return facade


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds `keras` and `keras.<sub>` and loads them as the facade / `hocsau.<sub>`."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != _ALIAS and not fullname.startswith(_ALIAS + "."):
            return None
        if fullname == _ALIAS:
            return importlib.util.spec_from_loader(fullname, self, is_package=True)
        target = importlib.util.find_spec(_target_name(fullname))
        if target is None:
            return None
        is_package = target.submodule_search_locations is not None
        return importlib.util.spec_from_loader(fullname, self, is_package=is_package)

    def create_module(self, spec):
        if spec.name == _ALIAS:
            return _new_facade()
        target = importlib.import_module(_target_name(spec.name))
        # The import system overwrites `__spec__` before exec_module; keep hocsau's own.
        self._saved_spec = target.__spec__
        return target

    def exec_module(self, module):
        if module.__name__ != _ALIAS:
            module.__spec__ = self._saved_spec


_FINDER = _AliasFinder()


def _target_name(alias_name: str) -> str:
    """`keras.<path>` and Keras's private `keras.src.<path>` both name `hocsau.<path>`."""
    rest = alias_name[len(_ALIAS):]
    if rest == ".src" or rest.startswith(".src."):
        rest = rest[len(".src"):]
    return _TARGET + rest


def _is_alias(module) -> bool:
    return isinstance(module, _KerasFacade)


def _real_keras_location() -> str | None:
    """Where a real Keras is imported or importable from, or None when there is none."""
    loaded = sys.modules.get(_ALIAS)
    if loaded is not None and not _is_alias(loaded):
        return getattr(loaded, "__file__", None) or repr(loaded)
    if loaded is not None:
        return None
    try:
        spec = importlib.util.find_spec(_ALIAS)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.loader is _FINDER:
        return None
    return spec.origin or str(list(spec.submodule_search_locations or []))


def install_as_keras(force: bool = False) -> None:
    """Make `import keras` and `import keras.<submodule>` resolve to hocsau.

    Refuses (ImportError) when a real Keras is imported or importable, unless `force=True`,
    which shadows it deliberately with a warning. Calling it again is harmless;
    `uninstall_as_keras()` takes the alias away.
    """
    if _FINDER in sys.meta_path and _is_alias(sys.modules.get(_ALIAS)):
        return
    real = _real_keras_location()
    if real is not None and not force:
        raise ImportError(
            "hocsau.install_as_keras() would shadow the real Keras installed at "
            f"{real}. Use the real package, or pass `force=True` to make `import keras` "
            "resolve to hocsau anyway."
        )
    if real is not None:
        warnings.warn(f"`import keras` now resolves to hocsau, shadowing the real Keras at "
                      f"{real} (install_as_keras(force=True)).", UserWarning, stacklevel=2)
        _forget_modules(lambda module: True)
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    importlib.import_module(_ALIAS)


def uninstall_as_keras() -> None:
    """Remove the alias installed by `install_as_keras()`; `import keras` then finds whatever
    Keras is installed, if any. Modules that already imported the alias keep their reference."""
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    _forget_modules(_is_aliased_module)


def _is_aliased_module(module) -> bool:
    return _is_alias(module) or getattr(module, "__name__", "").startswith(_TARGET + ".")


def _forget_modules(should_forget) -> None:
    """Drop `keras` and `keras.*` entries of sys.modules that `should_forget` accepts."""
    for name in [n for n in sys.modules if n == _ALIAS or n.startswith(_ALIAS + ".")]:
        if should_forget(sys.modules[name]):
            del sys.modules[name]
