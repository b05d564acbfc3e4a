"""Keras 3's public API, name by name, against hocsau's.

The walk covers `keras` and every public module below it (`keras.layers`, `keras.ops.nn`,
...): each public name `keras.X.Y` must resolve as `hocsau.X.Y`, be a class where Keras's is
one, and accept every parameter Keras's signature names. Names other issues will build are
listed in PENDING with the issue that builds them; nothing else may be missing.
"""

import inspect
import types

import keras

import hocsau

# Names still missing on purpose: prefix -> the issue that builds them.
PENDING: dict[str, str] = {}
# Parameters of existing names still missing on purpose: "name:parameter" -> issue.
PENDING_PARAMETERS: dict[str, str] = {}


def _public_names() -> list[tuple[str, object]]:
    """(dotted name, Keras object) for every public name under `keras`."""
    names, seen = [], set()

    def walk(module, prefix):
        for name in sorted(dir(module)):
            if name.startswith("_"):
                continue
            value = getattr(module, name)
            dotted = f"{prefix}.{name}"
            if isinstance(value, types.ModuleType):
                # Keras's implementation (`keras.src`) and other packages are not its API.
                if not value.__name__.startswith("keras.") or \
                        value.__name__.startswith("keras.src"):
                    continue
                if value.__name__ not in seen:
                    seen.add(value.__name__)
                    walk(value, dotted)
            names.append((dotted, value))

    walk(keras, "keras")
    return names


def _pending(dotted: str) -> str | None:
    for prefix, issue in PENDING.items():
        if dotted == prefix or dotted.startswith(prefix + ".") or (
                dotted.startswith(prefix) and "." not in dotted[len(prefix):]):
            return issue
    return None


def _resolve(dotted: str):
    value = hocsau
    for part in dotted.split(".")[1:]:
        value = getattr(value, part)
    return value


NAMES = _public_names()


def test_the_walk_covers_keras_public_api():
    assert len(NAMES) > 1400
    assert {"keras.layers.Dense", "keras.ops.nn.relu", "keras.tree.flatten",
            "keras.config.set_max_epochs"} <= {name for name, _ in NAMES}


def test_every_public_name_resolves():
    missing = []
    for dotted, _ in NAMES:
        try:
            _resolve(dotted)
        except AttributeError:
            if _pending(dotted) is None:
                missing.append(dotted)
    assert missing == []


def test_pending_entries_name_keras_names():
    names = {name for name, _ in NAMES}
    for prefix in PENDING:
        assert any(name == prefix or name.startswith(prefix) for name in names), prefix


def test_pending_entries_are_still_missing():
    """An entry leaves PENDING as soon as its names resolve."""
    stale = []
    for prefix in PENDING:
        under = [name for name, _ in NAMES if name == prefix or name.startswith(prefix)]
        if all(_resolves(name) for name in under):
            stale.append(prefix)
    assert stale == []


def _resolves(dotted: str) -> bool:
    try:
        _resolve(dotted)
    except AttributeError:
        return False
    return True


def _parameters(obj):
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        return list(inspect.signature(target).parameters.values())
    except (TypeError, ValueError):
        return None


def _resolved_pairs():
    for dotted, keras_object in NAMES:
        try:
            yield dotted, keras_object, _resolve(dotted)
        except AttributeError:
            continue


def test_classes_stay_classes_and_callables_stay_callable():
    wrong = [dotted for dotted, ours_keras, ours in _resolved_pairs()
             if inspect.isclass(ours_keras) != inspect.isclass(ours)
             or callable(ours_keras) != callable(ours)]
    assert wrong == []


def test_signatures_accept_keras_parameters():
    gaps = []
    for dotted, keras_object, ours in _resolved_pairs():
        if not callable(keras_object) or isinstance(keras_object, types.ModuleType):
            continue
        theirs, mine = _parameters(keras_object), _parameters(ours)
        if theirs is None or mine is None or any(p.kind is p.VAR_KEYWORD for p in mine):
            continue
        accepted = {p.name for p in mine}
        for p in theirs:
            named = p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
            key = f"{dotted}:{p.name}"
            if named and p.name not in accepted and p.name not in ("self", "cls") \
                    and key not in PENDING_PARAMETERS:
                gaps.append(key)
    assert gaps == []


def test_version_and_backend():
    assert hocsau.version() == hocsau.__version__
    assert hocsau.config.backend() == keras.config.backend() == "torch"
