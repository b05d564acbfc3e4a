"""`ChiefPartner`: what a non-chief process runs in place of a chief-only callback that reads
every weight (TensorBoard's graph and histograms).

Under parameter sharding, reading the whole weights is a collective (`whole_weights`): the
chief's callback gathers them, so every other process must join the same gathers at the same
points of the callback order, or the chief waits forever.
"""

from __future__ import annotations

from hocsau.callbacks.callback import Callback
from hocsau.distribution.parameter_sharding import whole_weights


class ChiefPartner(Callback):
    """Joins the weight gathers of the chief-only `callback` (which says when it reads the
    whole weights through `reads_whole_weights(event, epoch)`), writing nothing."""

    def __init__(self, callback):
        super().__init__()
        self.callback = callback

    def on_train_begin(self, logs=None):
        self._join("train_begin", None)

    def on_epoch_end(self, epoch, logs=None):
        self._join("epoch_end", epoch)

    def _join(self, event: str, epoch) -> None:
        if self.callback.reads_whole_weights(event, epoch):
            with whole_weights(self.model):
                pass
