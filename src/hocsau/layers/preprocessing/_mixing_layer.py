"""Shared base of MixUp and CutMix: each image is mixed with another image of its batch, and
the labels of dict inputs `{"images": ..., "labels": ...}` by the same weights."""

from __future__ import annotations

import torch

from hocsau.layers.preprocessing._augmentation_layer import AugmentationLayer, batched

_UNSUPPORTED_KEYS = ("bounding_boxes", "segmentation_masks")


class MixingLayer(AugmentationLayer):
    """An augmentation that blends each image with the image at its place in a permutation
    of the batch.

    Called on a dict, it transforms `"images"` and, with the same draws, `"labels"` (one-hot
    or soft, shape `(batch, classes)`); other keys pass through, as in Keras. Subclasses'
    transformations hold `"permutation_order"` and `"mix_weight"` (one weight per image: the
    share of the image itself).
    """

    def call(self, inputs, training=True):
        if not isinstance(inputs, dict):
            return super().call(inputs, training)
        self._check_keys(inputs)
        data = dict(inputs)
        images = torch.as_tensor(data["images"]).to(self._dtype_policy.torch_compute_dtype)
        data["images"] = images
        if not training:
            return data
        batch = batched(images, self.name)
        transformation = self.get_random_transformation(batch)
        outputs = self.transform_images(batch, transformation)
        data["images"] = outputs[0] if images.ndim == 3 else outputs
        if "labels" in data:
            labels = torch.as_tensor(data["labels"]).to(images.device)
            mixed = self.transform_labels(labels[None] if images.ndim == 3 else labels,
                                          transformation)
            data["labels"] = mixed[0] if images.ndim == 3 else mixed
        return data

    def _check_keys(self, inputs: dict) -> None:
        if "images" not in inputs or any(key in inputs for key in _UNSUPPORTED_KEYS):
            raise ValueError(f"Layer '{self.name}' takes images, or a dict with an 'images' key "
                             "and optionally 'labels' (bounding boxes and segmentation masks "
                             f"are not supported). Received: keys={sorted(inputs)}")

    def transform_labels(self, labels, transformation, training=True):
        """Mixes `labels` `(batch, classes)` with their permutation, by the images' weights."""
        labels = torch.as_tensor(labels)
        if not training:
            return labels
        if labels.ndim != 2:
            raise ValueError(f"Layer '{self.name}' mixes one-hot or soft labels of shape "
                             "(batch, num_classes); one-hot encode integer labels first. "
                             f"Received: labels.shape={tuple(labels.shape)}")
        order = torch.as_tensor(transformation["permutation_order"]).to(labels.device).long()
        weight = torch.as_tensor(transformation["mix_weight"]).to(labels.device).reshape(-1, 1)
        return weight * labels + (1.0 - weight) * labels[order]

    def compute_output_shape(self, input_shape):
        return input_shape
