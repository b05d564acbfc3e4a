"""`TrackedModules`: the sublayers a layer holds in a plain list, dict or tuple attribute.

Keras tracks layers inside such attributes however they got there (`self.grns = []` then
`append`, `self.embeddings = {}` then item assignment, nested containers). The attribute keeps
the user's own container; a `TrackedModules` registered under the same name lists the modules
found in it (depth first, in order), so their weights count, train, move and save. It is
re-synced when the layer builds and whenever its weights are listed.
"""

from __future__ import annotations

from torch import nn

PLAIN_CONTAINERS = (list, dict, tuple)


class TrackedModules(nn.ModuleList):
    """The modules inside `source`, a plain container attribute of a layer."""

    def __init__(self, source):
        super().__init__()
        object.__setattr__(self, "source", source)

    def sync(self) -> None:
        found = list(_modules_in(self.source))
        if len(found) != len(self) or any(a is not b for a, b in zip(found, self, strict=True)):
            self._modules.clear()
            self.extend(found)


def _modules_in(container):
    values = container.values() if isinstance(container, dict) else container
    for value in values:
        if isinstance(value, nn.Module):
            yield value
        elif type(value) in PLAIN_CONTAINERS:
            yield from _modules_in(value)


def holds_modules(value) -> bool:
    """Whether a plain container (at any depth) holds a module."""
    return next(_modules_in(value), None) is not None


def sync_all(layer) -> None:
    for module in layer._modules.values():
        if isinstance(module, TrackedModules):
            module.sync()
