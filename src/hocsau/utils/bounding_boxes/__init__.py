"""Bounding-box utilities (Keras 3's `keras.utils.bounding_boxes`): format conversion, IoU,
clipping, cropping, padding, affine transforms and anchor-delta encoding, on torch tensors."""

from hocsau.utils.bounding_boxes.converters import (
    affine_transform,
    clip_to_image_size,
    crop,
    decode_deltas_to_boxes,
    encode_box_to_deltas,
    pad,
)
from hocsau.utils.bounding_boxes.formats import convert_format
from hocsau.utils.bounding_boxes.iou import compute_ciou, compute_iou

__all__ = ["affine_transform", "clip_to_image_size", "compute_ciou", "compute_iou",
           "convert_format", "crop", "decode_deltas_to_boxes", "encode_box_to_deltas", "pad"]
