"""`RandomColorDegeneration`: blends each image with its grayscale version."""

from __future__ import annotations

from hocsau.layers.preprocessing._augmentation_layer import AugmentationLayer, check_value_range
from hocsau.layers.preprocessing._image_layer import factor_range
from hocsau.ops import image
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RandomColorDegeneration(AugmentationLayer):
    """`x + f * (gray(x) - x)`, clipped to `value_range`, with `f` drawn per image from the
    factor range (0 keeps the colors, 1 gives gray); identity unless `training=True`.

    Args:
        factor: a number `f` in [-1, 1] (meaning `(-|f|, |f|)`, the lower end clipped at -1,
            as Keras) or a pair.
        value_range: the `(min, max)` of the pixel values.
        data_format: 'channels_last' (default from config) or 'channels_first'.
        seed: an integer for reproducible draws.

    The transformation is `{"factor": (batch, 1, 1, 1)}`.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(factor, "factor")
        self.value_range = check_value_range(value_range)

    def get_random_transformation(self, images, training=True, seed=None):
        return {"factor": self._draw((images.shape[0], 1, 1, 1), *self.factor, images, seed)}

    def _transform(self, images, transformation):
        factor = transformation["factor"].to(images)
        gray = image.rgb_to_grayscale(images, data_format=self.data_format)
        return (images + factor * (gray - images)).clamp(*self.value_range)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return config
