"""Whether a layer's `call` is being traced to infer the outputs of a symbolic call.

While a trace runs (on the meta device, or on placeholder data when the meta device cannot
run the code), state that a real call would change must stay as it is, as in Keras's
stateless symbolic scope: seed generators hand out their current seed without advancing, and
weights created during a placeholder run (a sublayer built there) get their initial values
back afterwards. The state is thread-local, so a model built in one thread does not freeze
another thread's training.
"""

from __future__ import annotations

import contextlib
import threading

import torch

_STATE = threading.local()


def active() -> bool:
    """True while a symbolic trace runs in this thread."""
    return getattr(_STATE, "depth", 0) > 0


@contextlib.contextmanager
def tracing():
    """Mark this thread as tracing for the duration of the block (nestable)."""
    _STATE.depth = getattr(_STATE, "depth", 0) + 1
    try:
        yield
    finally:
        _STATE.depth -= 1


def remember_new_weight(variable) -> None:
    """Called for each new weight: inside `restoring_new_weights`, keep its initial value."""
    created = getattr(_STATE, "created", None)
    if created is not None:
        created.append((variable, variable.detach().clone()))


@contextlib.contextmanager
def restoring_new_weights():
    """Weights created in the block (e.g. moving statistics a placeholder run then updates)
    end it with their initial values."""
    outer = getattr(_STATE, "created", None)
    _STATE.created = []
    try:
        yield
    finally:
        created, _STATE.created = _STATE.created, outer
        with torch.no_grad():
            for variable, initial in created:
                variable.copy_(initial)
