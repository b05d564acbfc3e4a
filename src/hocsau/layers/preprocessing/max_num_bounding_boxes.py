"""`MaxNumBoundingBoxes`: a fixed number of boxes per image, for batching detection data."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hocsau.layers.layer import Layer
from hocsau.saving.serialization import keras_class
from hocsau.utils.argument_validation import standardize_data_format


@keras_class("keras.layers")
class MaxNumBoundingBoxes(Layer):
    """Pads (with `fill_value`) or truncates the boxes and labels of
    `{"images": ..., "bounding_boxes": {"boxes": (batch, n, 4), "labels": (batch, n)}}` to
    `max_number` per image; everything else passes through unchanged (a single image's
    `(n, 4)` boxes too).

    Args:
        max_number: the number of boxes per image in the output.
        fill_value: the value of the padding boxes and labels.
        bounding_box_format: the boxes' format ("xyxy", ...); required, as in Keras, when
            the input has bounding boxes.
        data_format: the images' layout (unused: images pass through).
    """

    _convert_input_args = False

    def __init__(self, max_number, fill_value=-1, bounding_box_format=None, data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.max_number = int(max_number)
        self.fill_value = int(fill_value)
        self.bounding_box_format = bounding_box_format
        self.data_format = standardize_data_format(data_format)

    def call(self, data):
        if not isinstance(data, dict) or "bounding_boxes" not in data:
            return data
        if not self.bounding_box_format:
            raise ValueError("You passed an input with a 'bounding_boxes' key, but you didn't "
                             "specify a bounding box format. Pass a `bounding_box_format` "
                             f"argument to your {type(self).__name__} layer, e.g. "
                             "`bounding_box_format='xyxy'`.")
        boxes, labels = data["bounding_boxes"]["boxes"], data["bounding_boxes"]["labels"]
        return {**data, "bounding_boxes": {**data["bounding_boxes"],
                                           "boxes": self._fit(torch.as_tensor(boxes).float(), 1),
                                           "labels": self._fit(torch.as_tensor(labels), 0)}}

    def _fit(self, values: torch.Tensor, trailing: int) -> torch.Tensor:
        """`values` cut or padded along the box axis (the one before `trailing` axes)."""
        axis = values.ndim - 1 - trailing
        values = values.narrow(axis, 0, min(self.max_number, values.shape[axis]))
        missing = self.max_number - values.shape[axis]
        return F.pad(values, [0, 0] * trailing + [0, missing], value=self.fill_value)

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, dict) and "bounding_boxes" in input_shape:
            extra = set(input_shape["bounding_boxes"]) - {"boxes", "labels"}
            if extra:
                raise KeyError(f"There are unsupported keys in `bounding_boxes`: "
                               f"{list(extra)}. Only `boxes` and `labels` are supported.")
            shapes = dict(input_shape["bounding_boxes"])
            shapes["boxes"] = (*shapes["boxes"][:-2], self.max_number, shapes["boxes"][-1])
            shapes["labels"] = (*shapes["labels"][:-1], self.max_number)
            return {**input_shape, "bounding_boxes": shapes}
        return input_shape

    def get_config(self) -> dict:
        config = {**super().get_config(), "data_format": self.data_format}
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return {**config, "max_number": self.max_number, "fill_value": self.fill_value}
