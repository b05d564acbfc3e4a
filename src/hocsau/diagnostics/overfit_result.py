"""`OverfitResult`: what `overfit_one_batch` saw."""

from __future__ import annotations

import numpy as np


class OverfitResult:
    """The loss of each step on the single batch, and what is wrong if it did not reach
    its floor.

    Attributes:
        losses: the training loss at each step.
        reached_floor: whether the last loss is below 5% of the first (or below 0.01).
        problems: likely causes found in the model, its compile config and its data.
        ok: `reached_floor` and no problems found.
    """

    def __init__(self, losses, problems: list[str]):
        self.losses = np.asarray(losses, dtype="float64")
        self.problems = list(problems)
        finite = len(self.losses) and np.isfinite(self.losses[-1])
        self.reached_floor = bool(finite and self.losses[-1] <= max(0.05 * self.losses[0], 1e-2))

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1]) if len(self.losses) else float("nan")

    @property
    def ok(self) -> bool:
        return self.reached_floor and not self.problems

    def verdict(self) -> str:
        start = f"{self.losses[0]:.4g}" if len(self.losses) else "n/a"
        head = (f"Overfit one batch: loss {start} -> {self.final_loss:.4g} in "
                f"{len(self.losses)} steps: ")
        head += "reached its floor." if self.reached_floor else "did NOT reach its floor."
        if not self.problems:
            return head + (" The model can learn." if self.reached_floor else "")
        return head + "\n  Likely causes:\n" + "\n".join(f"  - {p}" for p in self.problems)

    def __repr__(self) -> str:
        return f"<OverfitResult final_loss={self.final_loss:.4g} ok={self.ok}>"
