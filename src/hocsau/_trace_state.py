"""Whether a layer's `call` is being traced to infer the outputs of a symbolic call.

While a trace runs (on the meta device, or on placeholder data when the meta device cannot
run the code), state that a real call would change must stay as it is: seed generators hand
out their current seed without advancing, as Keras's stateless symbolic scope does. The state
is thread-local, so a model built in one thread does not freeze another thread's training.
"""

from __future__ import annotations

import contextlib
import threading

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
