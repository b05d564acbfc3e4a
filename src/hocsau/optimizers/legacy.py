"""`hocsau.optimizers.legacy`: the names tf.keras 2.11+ gave its previous optimizers
(`tf.keras.optimizers.legacy.Adam`), so tutorials written against them run unchanged.

They are the current optimizers, also taking the old arguments: `lr` for `learning_rate`, and
`decay`, Keras 2's time-based decay `learning_rate / (1 + decay * iterations)` (an
`InverseTimeDecay` schedule). They save as the current classes, which Keras 3 reads.
"""

from __future__ import annotations

from hocsau.optimizers import adagrad, adam, ftrl, optimizer, rmsprop, sgd
from hocsau.optimizers.schedules import InverseTimeDecay


class _LegacyArguments:
    """Maps `lr` and `decay` onto the current constructor's `learning_rate`."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._keras_module = "keras.optimizers"  # saved as the current class of that name

    def __init__(self, *args, lr=None, decay=0.0, **kwargs):
        if lr is not None:
            if args or "learning_rate" in kwargs:
                raise ValueError("Pass either `learning_rate` or its old name `lr`, not both. "
                                 f"Received: lr={lr}")
            kwargs["learning_rate"] = lr
        if decay:
            if args:
                kwargs["learning_rate"], args = args[0], args[1:]
            rate = kwargs.get("learning_rate", type(self).__mro__[2]().learning_rate)
            kwargs["learning_rate"] = InverseTimeDecay(float(rate), decay_steps=1,
                                                       decay_rate=decay)
        super().__init__(*args, **kwargs)


class Adam(_LegacyArguments, adam.Adam):
    """tf.keras's legacy `Adam`: the current `Adam`, with `lr` and `decay`."""


class SGD(_LegacyArguments, sgd.SGD):
    """tf.keras's legacy `SGD`: the current `SGD`, with `lr` and `decay`."""


class RMSprop(_LegacyArguments, rmsprop.RMSprop):
    """tf.keras's legacy `RMSprop`: the current `RMSprop`, with `lr` and `decay`."""


class Adagrad(_LegacyArguments, adagrad.Adagrad):
    """tf.keras's legacy `Adagrad`: the current `Adagrad`, with `lr` and `decay`."""


class Ftrl(_LegacyArguments, ftrl.Ftrl):
    """tf.keras's legacy `Ftrl`: the current `Ftrl`, with `lr` and `decay`."""


Optimizer = optimizer.Optimizer

__all__ = ["SGD", "Adagrad", "Adam", "Ftrl", "Optimizer", "RMSprop"]
