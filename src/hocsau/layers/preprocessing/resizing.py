"""`Resizing`: images to a fixed height and width."""

from __future__ import annotations

from hocsau.layers.preprocessing._image_layer import ImageLayer, check_choice, check_size
from hocsau.ops import image
from hocsau.saving.serialization import keras_class

_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5")


@keras_class("keras.layers")
class Resizing(ImageLayer):
    """Resizes images (rank 3 or 4) to `(height, width)`; integer images come back rounded
    in their own dtype.

    Args:
        height / width: the output size.
        interpolation: 'bilinear', 'nearest', 'bicubic', 'lanczos3' or 'lanczos5'
            (bilinear, nearest and bicubic as torch's `interpolate`, like Keras's torch
            backend; Lanczos as JAX's `scale_and_translate`).
        crop_to_aspect_ratio: first crop the largest centered box of the target aspect ratio.
        pad_to_aspect_ratio: first pad with `fill_value` (evenly on both sides) to it.
        fill_mode: only 'constant'.
        antialias: low-pass filter when downsampling.
        data_format: 'channels_last' (default from config) or 'channels_first'.
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        check_size(height, width)
        check_choice("interpolation", interpolation, _INTERPOLATIONS)
        check_choice("fill_mode", fill_mode, ("constant",))
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be "
                             "`True`. Received: crop_to_aspect_ratio=True, "
                             "pad_to_aspect_ratio=True")
        self.height, self.width = height, width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def call(self, inputs):
        return image.resize(inputs, (self.height, self.width), self.interpolation,
                            self.antialias, self.crop_to_aspect_ratio, self.pad_to_aspect_ratio,
                            self.fill_mode, self.fill_value, self.data_format)

    def compute_output_shape(self, input_shape):
        return self._sized(input_shape, self.height, self.width)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height": self.height, "width": self.width,
                       "interpolation": self.interpolation,
                       "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                       "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
                       "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                       "antialias": self.antialias})
        return config
