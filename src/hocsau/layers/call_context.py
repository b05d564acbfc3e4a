"""State shared by nested layer calls: the training flag and the activity losses of one call.

The outermost call opens a context; nested layers read the training flag from it unless they
are given one, and layers with an activity regularizer add their penalties to it.
"""

from __future__ import annotations


class CallContext:
    """Module-level singleton; nesting depth tells the outermost call apart."""

    __slots__ = ("depth", "training", "activity_losses")

    def __init__(self):
        self.depth = 0
        self.training = None
        self.activity_losses: list = []


CONTEXT = CallContext()
