"""`hocsau.diagnostics`: the debugging recipe around `fit` (baselines, output bias from the
class prior, learning-rate range test, overfitting one batch, gradient checking, a look at
an input batch)."""

from hocsau.diagnostics.baseline import baseline
from hocsau.diagnostics.baseline_result import BaselineResult
from hocsau.diagnostics.find_learning_rate import find_learning_rate
from hocsau.diagnostics.gradient_check import gradient_check
from hocsau.diagnostics.gradient_check_result import GradientCheckResult
from hocsau.diagnostics.initialize_output_bias import initialize_output_bias
from hocsau.diagnostics.lr_finder_result import LRFinderResult
from hocsau.diagnostics.overfit_one_batch import overfit_one_batch
from hocsau.diagnostics.overfit_result import OverfitResult
from hocsau.diagnostics.show_batch import show_batch

__all__ = ["BaselineResult", "GradientCheckResult", "LRFinderResult", "OverfitResult",
           "baseline", "find_learning_rate", "gradient_check", "initialize_output_bias",
           "overfit_one_batch", "show_batch"]
