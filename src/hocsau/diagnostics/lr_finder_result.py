"""`LRFinderResult`: what `find_learning_rate` measured, its suggestions and its plot."""

from __future__ import annotations

import numpy as np


class LRFinderResult:
    """The learning rates tried, the losses seen, and two suggested rates.

    Attributes:
        learning_rates: the rate of each step of the sweep.
        losses: the smoothed (bias-corrected exponential average) loss at each step.
        raw_losses: the batch loss at each step.
        suggestion: the rate where the smoothed loss falls fastest against log(rate).
        valley: a rate two thirds of the way down the longest descending stretch of the
            smoothed loss (less sensitive to noise than `suggestion`; it may lie above or
            below it).
    """

    def __init__(self, learning_rates, losses, raw_losses):
        self.learning_rates = np.asarray(learning_rates, dtype="float64")
        self.losses = np.asarray(losses, dtype="float64")
        self.raw_losses = np.asarray(raw_losses, dtype="float64")
        self.suggestion = self._steepest()
        self.valley = self._valley()

    def _steepest(self) -> float | None:
        """argmin of d(loss)/d(log lr) over the finite part of the curve, leaving out its
        first tenth (where the average is noise) and the last, diverging step."""
        finite = np.isfinite(self.losses)
        losses, rates = self.losses[finite], self.learning_rates[finite]
        skip = len(losses) // 10
        losses, rates = losses[skip:-1], rates[skip:-1]
        if len(losses) < 3:
            return None
        slopes = np.gradient(losses, np.log(rates))
        return float(rates[int(np.argmin(slopes))])

    def _valley(self) -> float | None:
        """The longest run of non-increasing smoothed losses; the rate 2/3 down it."""
        losses = np.nan_to_num(self.losses, nan=np.inf)
        if len(losses) < 3:
            return None
        best_start, best_length, start = 0, 1, 0
        for i in range(1, len(losses)):
            if losses[i] > losses[i - 1]:
                start = i
            if i - start + 1 > best_length:
                best_start, best_length = start, i - start + 1
        return float(self.learning_rates[best_start + (2 * (best_length - 1)) // 3])

    def verdict(self) -> str:
        """One paragraph saying what the sweep found."""
        if self.suggestion is None:
            return ("Learning rate finder: the loss diverged within the first steps; lower "
                    f"`start_lr` (the sweep began at {self.learning_rates[0]:.2e}).")
        stopped = len(self.losses)
        return (f"Learning rate finder: {stopped} steps from {self.learning_rates[0]:.2e} to "
                f"{self.learning_rates[-1]:.2e}; lowest smoothed loss "
                f"{np.nanmin(self.losses):.4g}.\n"
                f"  Suggested learning rate (steepest descent): {self.suggestion:.2e}\n"
                f"  Alternative (valley, 2/3 down the longest descent): {self.valley:.2e}")

    def plot(self, path: str | None = None, ax=None):
        """Smoothed loss against the learning rate (log scale) with the suggestion marked;
        saved as an image when `path` is given. Returns the matplotlib figure."""
        import matplotlib.pyplot as plt

        figure = ax.figure if ax is not None else plt.figure(figsize=(6, 4))
        ax = ax or figure.add_subplot(1, 1, 1)
        ax.plot(self.learning_rates, self.losses, label="smoothed loss")
        if self.suggestion is not None:
            ax.axvline(self.suggestion, color="tab:red", linestyle="--",
                       label=f"steepest: {self.suggestion:.1e}")
            ax.axvline(self.valley, color="tab:green", linestyle=":",
                       label=f"valley: {self.valley:.1e}")
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("loss")
        ax.legend()
        if path is not None:
            figure.savefig(path)
        return figure

    def __repr__(self) -> str:
        return (f"<LRFinderResult steps={len(self.losses)} suggestion={self.suggestion} "
                f"valley={self.valley}>")
