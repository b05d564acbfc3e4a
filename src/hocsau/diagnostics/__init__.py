"""`hocsau.diagnostics`: the debugging recipe around `fit` (learning-rate range test,
overfitting one batch, ...)."""

from hocsau.diagnostics.find_learning_rate import find_learning_rate
from hocsau.diagnostics.lr_finder_result import LRFinderResult
from hocsau.diagnostics.overfit_one_batch import overfit_one_batch
from hocsau.diagnostics.overfit_result import OverfitResult

__all__ = ["LRFinderResult", "OverfitResult", "find_learning_rate", "overfit_one_batch"]
