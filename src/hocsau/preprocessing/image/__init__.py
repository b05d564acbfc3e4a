"""`hocsau.preprocessing.image`: Keras's legacy image preprocessing.

`ImageDataGenerator` augments and normalizes images and batches them with `flow`,
`flow_from_directory` or `flow_from_dataframe`; the iterators it returns are `PyDataset`s, so
`model.fit` reads them directly. The geometric transforms need SciPy (`pip install scipy`);
image files need Pillow. The file helpers are those of `hocsau.utils`.
"""

from hocsau.preprocessing.image.affine import (
    apply_affine_transform,
    apply_brightness_shift,
    apply_channel_shift,
    random_brightness,
    random_channel_shift,
    random_rotation,
    random_shear,
    random_shift,
    random_zoom,
)
from hocsau.preprocessing.image.dataframe_iterator import DataFrameIterator
from hocsau.preprocessing.image.directory_iterator import DirectoryIterator
from hocsau.preprocessing.image.image_data_generator import ImageDataGenerator
from hocsau.preprocessing.image.iterator import Iterator
from hocsau.preprocessing.image.numpy_array_iterator import NumpyArrayIterator
from hocsau.utils.image_utils import array_to_img, img_to_array, load_img, save_img, smart_resize

__all__ = ["DataFrameIterator", "DirectoryIterator", "ImageDataGenerator", "Iterator",
           "NumpyArrayIterator", "apply_affine_transform", "apply_brightness_shift",
           "apply_channel_shift", "array_to_img", "img_to_array", "load_img",
           "random_brightness", "random_channel_shift", "random_rotation", "random_shear",
           "random_shift", "random_zoom", "save_img", "smart_resize"]
