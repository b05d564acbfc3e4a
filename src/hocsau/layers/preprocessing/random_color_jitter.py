"""`RandomColorJitter`: random brightness, contrast, saturation and hue, in that order."""

from __future__ import annotations

from hocsau.layers.preprocessing._augmentation_layer import AugmentationLayer, check_value_range
from hocsau.layers.preprocessing._image_layer import factor_range
from hocsau.layers.preprocessing.random_hue import RandomHue
from hocsau.layers.preprocessing.random_saturation import RandomSaturation
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RandomColorJitter(AugmentationLayer):
    """Applies, when `training=True`, each adjustment whose factor is given: brightness
    (`x + d * (max - min)`, clipped), contrast (`(x - mean) * c + mean` per image and channel,
    clipped), then `RandomSaturation` and `RandomHue`; every draw comes from this layer's seed
    stream.

    Args:
        value_range: the `(min, max)` of the pixel values.
        brightness_factor: as `RandomBrightness`'s factor (in [-1, 1]); None skips it.
        contrast_factor: as `RandomContrast`'s factor (in [0, 1]); None skips it.
        saturation_factor: as `RandomSaturation`'s factor; None skips it.
        hue_factor: as `RandomHue`'s factor; None skips it.
        seed: an integer for reproducible draws.
        data_format: 'channels_last' (default from config) or 'channels_first'.

    The transformation holds the draws of the adjustments used: `rgb_delta` and
    `contrast_factor` (`(batch, 1, 1, 1)`), `saturation` and `hue` (the sublayers'
    transformations).
    """

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None,
                 saturation_factor=None, hue_factor=None, seed=None, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self._range = check_value_range(value_range)
        self.value_range = value_range
        self.brightness_factor, self.contrast_factor = brightness_factor, contrast_factor
        self.saturation_factor, self.hue_factor = saturation_factor, hue_factor
        self._brightness = None if brightness_factor is None else factor_range(
            brightness_factor, "brightness_factor")
        self._contrast = None if contrast_factor is None else factor_range(
            contrast_factor, "contrast_factor", (0, 1))
        color = {"value_range": value_range, "data_format": self.data_format}
        self._saturation = None if saturation_factor is None else RandomSaturation(
            saturation_factor, **color)
        self._hue = None if hue_factor is None else RandomHue(hue_factor, **color)

    def get_random_transformation(self, images, training=True, seed=None):
        seed = self.generator if seed is None else seed
        shape, draws = (images.shape[0], 1, 1, 1), {}
        if self._brightness is not None:
            delta = self._draw(shape, *self._brightness, images, seed)
            draws["rgb_delta"] = delta * (self._range[1] - self._range[0])
        if self._contrast is not None:
            low, high = 1.0 - self._contrast[0], 1.0 + self._contrast[1]
            draws["contrast_factor"] = self._draw(shape, low, high, images, seed)
        for key, layer in (("saturation", self._saturation), ("hue", self._hue)):
            if layer is not None:
                draws[key] = layer.get_random_transformation(images, seed=seed)
        return draws

    def _transform(self, images, transformation):
        if "rgb_delta" in transformation:
            images = (images + transformation["rgb_delta"].to(images)).clamp(*self._range)
        if "contrast_factor" in transformation:
            height_axis, width_axis = self._spatial_axes
            mean = images.mean(height_axis, keepdim=True).mean(width_axis, keepdim=True)
            factor = transformation["contrast_factor"].to(images)
            images = ((images - mean) * factor + mean).clamp(*self.value_range)
        for key, layer in (("saturation", self._saturation), ("hue", self._hue)):
            if key in transformation:
                images = layer.transform_images(images, transformation[key])
        return images

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"value_range": self.value_range,
                       "brightness_factor": self.brightness_factor,
                       "contrast_factor": self.contrast_factor,
                       "saturation_factor": self.saturation_factor,
                       "hue_factor": self.hue_factor})
        return config
