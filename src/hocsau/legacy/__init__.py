"""`hocsau.legacy`: Keras's `keras.legacy` (tf.keras 2's serialization format)."""

from hocsau.legacy import saving

__all__ = ["saving"]
