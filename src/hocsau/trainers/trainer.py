"""`Trainer`: compile / fit / evaluate / predict for `Model`."""

from __future__ import annotations


class Trainer:
    """The training half of `Model` (the other half is `Layer`)."""

    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.stop_training = False
