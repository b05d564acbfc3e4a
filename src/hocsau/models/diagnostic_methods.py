"""`DiagnosticMethods`: hocsau extensions on `Model` (Keras has no such methods): the
debugging recipe of `hocsau.diagnostics` called on the model itself."""

from __future__ import annotations


class DiagnosticMethods:
    """`model.find_learning_rate(x, y)`, `model.overfit_one_batch(x, y)` and
    `model.gradient_check(x, y)`: the functions of `hocsau.diagnostics` with the model as
    their first argument (keyword arguments as there); each prints its verdict and returns
    its result object."""

    def find_learning_rate(self, x, y, **kwargs):
        """Learning-rate range test (see `hocsau.diagnostics.find_learning_rate`); the
        model's weights and optimizer state are left bit-identical. Returns an
        `LRFinderResult`."""
        from hocsau.diagnostics.find_learning_rate import find_learning_rate

        return find_learning_rate(self, x, y, **kwargs)

    def overfit_one_batch(self, x, y, **kwargs):
        """Train a copy on one small batch and report the likely bugs (see
        `hocsau.diagnostics.overfit_one_batch`). Returns an `OverfitResult`."""
        from hocsau.diagnostics.overfit_one_batch import overfit_one_batch

        return overfit_one_batch(self, x, y, **kwargs)

    def gradient_check(self, x, y, **kwargs):
        """Autograd against float64 finite differences, per weight (see
        `hocsau.diagnostics.gradient_check`). Returns a `GradientCheckResult`."""
        from hocsau.diagnostics.gradient_check import gradient_check

        return gradient_check(self, x, y, **kwargs)
