"""`hocsau.diagnostics`: the debugging recipe around `fit` (learning-rate range test, ...)."""

from hocsau.diagnostics.find_learning_rate import find_learning_rate
from hocsau.diagnostics.lr_finder_result import LRFinderResult

__all__ = ["LRFinderResult", "find_learning_rate"]
