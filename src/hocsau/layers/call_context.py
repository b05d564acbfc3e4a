"""State shared by nested layer calls: the training flag and the activity losses of one call.

The outermost call opens a context; each layer sets the training flag to the value it
resolved, and later layers of the same outermost call read it unless they are given one (as in
Keras, the value is not restored when a nested call returns). Layers with an activity
regularizer add their penalties to it.
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


def resolve_training(info, module_training: bool, kwargs: dict):
    """The `training` value of a layer call, as Keras 3 resolves it: an explicit `training`
    argument (even None); else the context's value; else (a torch addition) True when the
    module is in `.train()` mode; else the default of `training` in `call` (`info`, the
    layer's `CallInfo`). It is put into `kwargs` when `call` takes it and it is not None."""
    if "training" in kwargs:
        # Given to a layer whose call does not take it, it still sets the context.
        return kwargs["training"] if info.takes_training else kwargs.pop("training")
    training = CONTEXT.training
    if training is None:
        training = True if module_training else info.training_default
    if training is not None and info.takes_training:
        kwargs["training"] = training
    return training
