"""When a saving callback with `save_freq` (an int, in batches) should write again."""

from __future__ import annotations


class BatchCounter:
    """Counts trained batches across epochs; `due(batch)` is True every `every` batches."""

    def __init__(self, every: int):
        self.every = every
        self._seen = 0
        self._last_batch = None

    def due(self, batch: int) -> bool:
        if self._last_batch is None or batch <= self._last_batch:
            self._seen += batch + 1  # a new epoch: batches are numbered from 0 again
        else:
            self._seen += batch - self._last_batch
        self._last_batch = batch
        if self._seen >= self.every:
            self._seen = 0
            return True
        return False


def check_save_freq(save_freq, allow_false: bool = False):
    """'epoch' or a positive int (or False where the callback allows it)."""
    valid = save_freq == "epoch" or (isinstance(save_freq, int) and not isinstance(
        save_freq, bool) and save_freq > 0) or (allow_false and save_freq is False)
    if not valid:
        raise ValueError("Invalid value for argument `save_freq`: expected 'epoch' or a "
                         f"positive integer (a number of batches). Received: save_freq={save_freq}")
    return save_freq
