"""`hocsau.preprocessing`: text and sequence preprocessing (Keras's legacy utilities included).

`preprocessing.sequence.pad_sequences` is also `hocsau.utils.pad_sequences`.
"""

from hocsau.preprocessing import image, sequence, text

__all__ = ["image", "sequence", "text"]
