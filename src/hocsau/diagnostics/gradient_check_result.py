"""`GradientCheckResult`: per-weight relative errors of a gradient check."""

from __future__ import annotations


class GradientCheckResult:
    """Relative error of autograd's gradient against finite differences, per weight.

    Attributes:
        errors: `{weight path: relative error}`.
        layers: `{weight path: layer name}`.
        worst_weight, worst_layer, worst_error: the largest error and where it is.
        passed: every error is at most `tolerance`.
        loss: the float64 loss at the checked weights (what `evaluate` reports for the
            batch, in double precision).
    """

    def __init__(self, errors: dict, layers: dict, tolerance: float, loss: float | None = None):
        self.errors, self.layers, self.tolerance = dict(errors), dict(layers), tolerance
        self.loss = loss
        self.worst_weight = max(self.errors, key=self.errors.get) if self.errors else None
        self.worst_error = self.errors[self.worst_weight] if self.errors else 0.0
        self.worst_layer = self.layers.get(self.worst_weight)
        self.passed = self.worst_error <= tolerance

    def verdict(self) -> str:
        if not self.errors:
            return "Gradient check: the model has no trainable weights."
        lines = [f"Gradient check: {len(self.errors)} weights, worst relative error "
                 f"{self.worst_error:.2e} in layer '{self.worst_layer}' ({self.worst_weight}): "
                 + ("passed." if self.passed else f"FAILED (tolerance {self.tolerance:.0e}).")]
        lines += [f"  {path}: {error:.2e}" for path, error in self.errors.items()
                  if error > self.tolerance]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<GradientCheckResult passed={self.passed} worst_layer={self.worst_layer} "
                f"worst_error={self.worst_error:.2e}>")
