"""`hocsau.preprocessing`: text and sequence preprocessing (Keras's legacy utilities included),
and the dataset builders Keras also exposes here (`image_dataset_from_directory`, ...).

`preprocessing.sequence.pad_sequences` is also `hocsau.utils.pad_sequences`; the dataset
loaders are `hocsau.utils`'s, exposed here too as in Keras 3.
"""

from hocsau.preprocessing import image, sequence, text
from hocsau.utils.image_dataset_utils import image_dataset_from_directory
from hocsau.utils.text_dataset_utils import text_dataset_from_directory
from hocsau.utils.timeseries_dataset_utils import timeseries_dataset_from_array

__all__ = ["image", "image_dataset_from_directory", "sequence", "text",
           "text_dataset_from_directory", "timeseries_dataset_from_array"]
