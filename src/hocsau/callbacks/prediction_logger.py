"""`PredictionLogger` (a hocsau extension): the model's predictions on a few fixed examples
after each epoch, kept for inspection while training (seed 004: look at predictions, not only
at the loss)."""

from __future__ import annotations

import numpy as np

from hocsau.callbacks.callback import Callback
from hocsau.distribution.process_group import is_chief


class PredictionLogger(Callback):
    """Predicts the first `num_samples` examples of `x` every `every` epochs and keeps the
    results: `predictions[epoch]` is what `model.predict_on_batch` returns (a NumPy array,
    or a dict / list of arrays for a model with several outputs); `epochs` lists the epochs
    logged (0-based, as `History.epoch`).

    Args:
        x: inputs (an array, or a list / dict of arrays), e.g. validation data.
        y: the matching targets, printed next to the predictions (optional).
        num_samples: rows of `x` to follow.
        every: log after every `every`-th epoch (the last epoch of `fit` is always logged).
        verbose: 1 prints a compact table (target, prediction per row) when logging (on the
            chief process only when training on several).
        precision: decimals printed.
    """

    def __init__(self, x, y=None, num_samples: int = 8, every: int = 1, verbose: int = 0,
                 precision: int = 3):
        super().__init__()
        for name, value in (("num_samples", num_samples), ("every", every)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"`{name}` must be a positive integer. Received: "
                                 f"{name}={value!r}")
        from hocsau.diagnostics._state import take_rows

        self.x = take_rows(x, slice(0, num_samples))
        self.y = None if y is None else take_rows(y, slice(0, num_samples))
        self.every, self.verbose, self.precision = every, verbose, precision
        self.predictions: dict = {}
        self.epochs: list[int] = []
        self._last_epoch = None

    def on_train_begin(self, logs=None):
        self._last_epoch = self.params.get("epochs") if self.params else None

    def on_epoch_end(self, epoch, logs=None):
        last = self._last_epoch is not None and epoch + 1 == self._last_epoch
        if (epoch + 1) % self.every and not last:
            return
        predictions = self.model.predict_on_batch(self.x)
        self.predictions[epoch] = predictions
        self.epochs.append(epoch)
        if self.verbose and is_chief():  # every process predicts (a collective when sharded)
            print(self.table(epoch))

    def table(self, epoch: int) -> str:
        """The logged predictions of `epoch` as text: one line per example (and output)."""
        lines = [f"Predictions after epoch {epoch + 1}:"]
        for name, predicted, target in _heads(self.predictions[epoch], self.y):
            prefix = f"  [{name}]" if name is not None else " "
            for row, values in enumerate(np.asarray(predicted)):
                wanted = "" if target is None else f"  target {self._format(target[row])}"
                lines.append(f"{prefix} #{row}{wanted}  predicted {self._format(values)}")
        return "\n".join(lines)

    def _format(self, values) -> str:
        return np.array2string(np.asarray(values), precision=self.precision, threshold=8,
                               edgeitems=3, max_line_width=200, suppress_small=True)


def _heads(predictions, targets) -> list[tuple]:
    """`(output name or index, predictions, targets)` per output."""
    if isinstance(predictions, dict):
        return [(name, value, None if targets is None else targets[name])
                for name, value in predictions.items()]
    if isinstance(predictions, (list, tuple)):
        return [(index, value, None if targets is None else targets[index])
                for index, value in enumerate(predictions)]
    return [(None, predictions, targets)]
