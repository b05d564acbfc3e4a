"""`hocsau.diagnostics`: the debugging recipe around `fit` (learning-rate range test,
overfitting one batch, gradient checking)."""

from hocsau.diagnostics.find_learning_rate import find_learning_rate
from hocsau.diagnostics.gradient_check import gradient_check
from hocsau.diagnostics.gradient_check_result import GradientCheckResult
from hocsau.diagnostics.lr_finder_result import LRFinderResult
from hocsau.diagnostics.overfit_one_batch import overfit_one_batch
from hocsau.diagnostics.overfit_result import OverfitResult

__all__ = ["GradientCheckResult", "LRFinderResult", "OverfitResult", "find_learning_rate",
           "gradient_check", "overfit_one_batch"]
