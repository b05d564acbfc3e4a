"""`CenterCrop`: the central `(height, width)` window of images."""

from __future__ import annotations

from hocsau.layers.preprocessing._image_layer import ImageLayer, check_size
from hocsau.ops import image
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class CenterCrop(ImageLayer):
    """Crops the center of images (rank 3 or 4) to `(height, width)`; an image smaller than
    the target is cropped to the target's aspect ratio and resized to it.

    Args:
        height / width: the output size.
        data_format: 'channels_last' (default from config) or 'channels_first'.
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        check_size(height, width)
        self.height, self.width = height, width

    def call(self, inputs):
        inputs = inputs.to(self._dtype_policy.torch_compute_dtype)
        height_axis, width_axis = self._spatial_axes
        in_height, in_width = inputs.shape[height_axis], inputs.shape[width_axis]
        if in_height < self.height or in_width < self.width:
            # Keras's smart_resize: crop to the target's aspect ratio, then resize (bilinear).
            return image.resize(inputs, (self.height, self.width), crop_to_aspect_ratio=True,
                                data_format=self.data_format)
        top, left = (in_height - self.height) // 2, (in_width - self.width) // 2
        return inputs.narrow(height_axis, top, self.height).narrow(width_axis, left, self.width)

    def compute_output_shape(self, input_shape):
        return self._sized(input_shape, self.height, self.width)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height": self.height, "width": self.width})
        return config
