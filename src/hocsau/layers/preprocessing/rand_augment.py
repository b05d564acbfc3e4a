"""`RandAugment`: applies a few augmentations picked at random from a fixed list."""

from __future__ import annotations

import torch

from hocsau import random
from hocsau.layers.preprocessing import _sublayer_steps as steps
from hocsau.layers.preprocessing._augmentation_layer import AugmentationLayer, check_value_range
from hocsau.layers.preprocessing._image_layer import check_choice, factor_range
from hocsau.saving.serialization import keras_class

_AUGMENTATIONS = ("random_shear", "random_translation", "random_rotation", "random_brightness",
                  "random_color_degeneration", "random_contrast", "random_sharpness",
                  "random_posterization", "solarization", "auto_contrast", "equalization")


@keras_class("keras.layers")
class RandAugment(AugmentationLayer):
    """RandAugment (Cubuk et al., 2019): `num_ops` times in a row, one augmentation picked at
    random (the same for the whole batch) from shear, translation, rotation, brightness,
    color degeneration, contrast, sharpness, posterization, solarization, auto contrast and
    equalization, all at strength `factor`. Identity unless `training=True`.

    Args:
        value_range: the `(min, max)` of the pixel values.
        num_ops: how many augmentations to apply in turn.
        factor: a number `f` in [0, 1] (meaning `(0, f)`) or a pair: the strength given to
            every augmentation (posterization keeps `max(1, int(8 * upper))` bits).
        interpolation: 'bilinear' or 'nearest', for the geometric augmentations.
        seed: an integer for reproducible draws.
        data_format: 'channels_last' (default from config) or 'channels_first'.

    The transformation is `{"transforms": {name: that augmentation's transformation},
    "layer_idxes": (num_ops,) int32}`, indices into the list above; the augmentations are
    attributes under their names (`layer.random_shear`, ...), as in Keras.
    """

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear",
                 seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if isinstance(num_ops, bool) or not isinstance(num_ops, int) or num_ops < 0:
            raise ValueError("The `num_ops` argument should be a non-negative integer. "
                             f"Received: num_ops={num_ops}")
        check_choice("interpolation", interpolation, ("nearest", "bilinear"))
        check_value_range(value_range)
        self.value_range, self.num_ops, self.interpolation = value_range, num_ops, interpolation
        self.factor = factor_range(factor, "factor", (0, 1))
        for name, layer in steps.make_augmentations(
                _AUGMENTATIONS, self.factor, value_range, interpolation, seed,
                data_format).items():
            setattr(self, name, layer)

    def get_random_transformation(self, images, training=True, seed=None):
        seed = self.generator if seed is None else seed
        indices = random.randint((self.num_ops,), 0, len(_AUGMENTATIONS), seed=seed)
        transforms = {name: steps.get_random_transformation(getattr(self, name), images, seed)
                      for name in _AUGMENTATIONS}
        return {"transforms": transforms, "layer_idxes": indices}

    def _transform(self, images, transformation):
        # One small host read, so that only the picked augmentations run (Keras computes all
        # eleven at each step and selects one).
        for index in torch.as_tensor(transformation["layer_idxes"]).tolist():
            name = _AUGMENTATIONS[index]
            images = steps.transform_images(getattr(self, name), images,
                                            transformation["transforms"][name])
        return images

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"value_range": self.value_range, "num_ops": self.num_ops,
                       "factor": self.factor, "interpolation": self.interpolation})
        return config
