"""`hocsau.data`: the tf.data-style input pipeline (`Dataset`, `AUTOTUNE`)."""

from hocsau.data.dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset"]
