"""`AugMix`: mixes an image with several randomly augmented copies of itself."""

from __future__ import annotations

import random as py_random

import torch

from hocsau import random
from hocsau.layers.preprocessing import _sublayer_steps as steps
from hocsau.layers.preprocessing._augmentation_layer import AugmentationLayer, check_value_range
from hocsau.layers.preprocessing._image_layer import check_choice, factor_range
from hocsau.saving.serialization import keras_class

_GEOMETRY_AND_LEVELS = ("random_shear", "random_translation", "random_rotation",
                        "random_posterization", "solarization", "auto_contrast", "equalization")
_COLOR = ("random_brightness", "random_color_degeneration", "random_contrast",
          "random_sharpness")


@keras_class("keras.layers")
class AugMix(AugmentationLayer):
    """AugMix (Hendrycks et al., 2019): `num_chains` chains of up to `chain_depth`
    augmentations each (the same for the whole batch) augment copies of the images; the
    copies are averaged with Dirichlet(`alpha`) weights and blended with the images by a
    Beta(`alpha`, `alpha`) weight, then clipped to `value_range`. Identity unless
    `training=True`.

    Each step of a chain picks one of the augmentations or nothing, uniformly, with a Python
    `random.Random` seeded by `seed` (Keras uses the global `random` module, so the same
    `random.seed` before a Keras call gives the same picks); the rest is drawn from the
    layer's seed stream in Keras's order.

    Args:
        value_range: the `(min, max)` of the pixel values.
        num_chains: how many augmented copies are mixed.
        chain_depth: the most augmentations in a chain.
        factor: a number `f` in [0, 1] (meaning `(0, f)`) or a pair: every augmentation's
            strength.
        alpha: the concentration of the Dirichlet and Beta draws.
        all_ops: also pick from brightness, color degeneration, contrast and sharpness (the
            AugMix paper leaves them out, as they overlap with corruption benchmarks).
        interpolation: 'bilinear' or 'nearest', for the geometric augmentations.
        seed: an integer for reproducible draws.
        data_format: 'channels_last' (default from config) or 'channels_first'.

    The transformation is `{"chain_mixing_weights": (num_chains,), "weight_sample": (),
    "chain_transforms": [[{"layer_name": name, "transformation": ...}, ...], ...]}`.
    """

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3,
                 alpha=1.0, all_ops=True, interpolation="bilinear", seed=None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        for name, value in (("num_chains", num_chains), ("chain_depth", chain_depth)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"The `{name}` argument should be a positive integer. "
                                 f"Received: {name}={value}")
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or alpha <= 0:
            raise ValueError(f"The `alpha` argument should be a positive number. "
                             f"Received: alpha={alpha}")
        check_choice("interpolation", interpolation, ("nearest", "bilinear"))
        self.value_range = value_range
        self._clip = check_value_range(value_range)
        self.num_chains, self.chain_depth, self.alpha = num_chains, chain_depth, alpha
        self.all_ops, self.interpolation = all_ops, interpolation
        self.factor = factor_range(factor, "factor", (0, 1))
        self._names = _GEOMETRY_AND_LEVELS + (_COLOR if all_ops else ())
        for name, layer in steps.make_augmentations(self._names, self.factor, value_range,
                                                    interpolation, seed, data_format).items():
            setattr(self, name, layer)
        # Unseeded layers take their picks' seed from torch, so torch.manual_seed repeats runs.
        self._picker = py_random.Random(
            seed if seed is not None else int(torch.randint(2**31, ()).item()))

    def get_random_transformation(self, images, training=True, seed=None):
        seed = self.generator if seed is None else seed
        gammas = random.gamma((self.num_chains,), self.alpha, dtype="float32", seed=seed)
        weight = random.beta((), self.alpha, self.alpha, dtype="float32", seed=seed)
        chains = [self._chain(images) for _ in range(self.num_chains)]
        return {"chain_mixing_weights": (gammas / gammas.sum()).to(images.device),
                "weight_sample": weight.to(images.device), "chain_transforms": chains}

    def _chain(self, images) -> list:
        chain = []
        for _ in range(self.chain_depth):
            name = self._picker.choice([*self._names, None])
            if name is not None:
                transformation = steps.get_random_transformation(
                    getattr(self, name), images, self.generator)
                chain.append({"layer_name": name, "transformation": transformation})
        return chain

    def _transform(self, images, transformation):
        weights = torch.as_tensor(transformation["chain_mixing_weights"]).to(images)
        weight = torch.as_tensor(transformation["weight_sample"]).to(images)
        mixed = torch.zeros_like(images)
        for index, chain in enumerate(transformation["chain_transforms"]):
            augmented = images
            for step in chain:
                augmented = steps.transform_images(getattr(self, step["layer_name"]),
                                                   augmented, step["transformation"])
            mixed = mixed + augmented * weights[index]
        return torch.clamp(weight * images + (1.0 - weight) * mixed, *self._clip)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"value_range": self.value_range, "num_chains": self.num_chains,
                       "chain_depth": self.chain_depth, "factor": self.factor,
                       "alpha": self.alpha, "all_ops": self.all_ops,
                       "interpolation": self.interpolation})
        return config
