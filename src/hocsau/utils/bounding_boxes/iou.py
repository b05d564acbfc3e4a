"""Pairwise IoU and the CIoU distance of boxes."""

from __future__ import annotations

import math

import torch

from hocsau import config
from hocsau.utils.bounding_boxes.formats import convert_format


def _image_size(image_shape):
    return (None, None) if image_shape is None else tuple(image_shape[:2])


def compute_iou(boxes1, boxes2, bounding_box_format, use_masking=False, mask_val=-1,
                image_shape=None) -> torch.Tensor:
    """IoU of every box of `boxes1` with every box of `boxes2`: `(M, 4)` and `(N, 4)` give
    `(M, N)`; a batch axis on either gives `(batch, M, N)`. With `use_masking`, pairs where
    a box has all coordinates below 0 (padding) get `mask_val`."""
    ranks = (len(boxes1.shape), len(boxes2.shape))
    for which, rank in (("boxes1", ranks[0]), ("boxes2", ranks[1])):
        if rank not in (2, 3):
            raise ValueError(
                f"compute_iou() expects {which} to be batched, or to be unbatched. Received "
                f"len(boxes1.shape)={ranks[0]}, len(boxes2.shape)={ranks[1]}. Expected either "
                f"len({which}.shape)=2 AND or len({which}.shape)=3.")
    if "rel" in bounding_box_format and image_shape is None:
        raise ValueError("When using relative bounding box formats (e.g. `rel_yxyx`) the "
                         "`image_shape` argument must be provided.Received `image_shape`: "
                         f"{image_shape}")
    height, width = _image_size(image_shape)
    a = convert_format(boxes1, bounding_box_format, "xyxy", height, width)
    b = convert_format(boxes2, bounding_box_format, "xyxy", height, width)
    low = torch.maximum(a[..., :, None, :2], b[..., None, :, :2])
    high = torch.minimum(a[..., :, None, 2:], b[..., None, :, 2:])
    inter = (high - low).clamp_min(0).prod(-1)
    area_a = (a[..., 2:] - a[..., :2]).prod(-1)
    area_b = (b[..., 2:] - b[..., :2]).prod(-1)
    iou = inter / (area_a[..., :, None] + area_b[..., None, :] - inter + config.epsilon())
    if not use_masking:
        return iou
    background = (a.amax(-1) < 0)[..., :, None] | (b.amax(-1) < 0)[..., None, :]
    return torch.where(background, torch.full_like(iou, mask_val), iou)


def compute_ciou(boxes1, boxes2, bounding_box_format, image_shape=None) -> torch.Tensor:
    """Complete IoU of paired boxes `(..., 4)`: IoU minus the normalized centre distance and
    the aspect-ratio penalty (Zheng et al., 2020)."""
    if "rel" in bounding_box_format:
        raise ValueError("When using relative bounding box formats (e.g. `rel_yxyx`) the "
                         "`image_shape` argument must be provided.Received `image_shape`: "
                         f"{image_shape}")
    eps = config.epsilon()
    height, width = _image_size(image_shape)
    x1a, y1a, x2a, y2a = convert_format(boxes1, bounding_box_format, "xyxy", height,
                                        width).unbind(-1)
    x1b, y1b, x2b, y2b = convert_format(boxes2, bounding_box_format, "xyxy", height,
                                        width).unbind(-1)
    wa, ha = x2a - x1a, y2a - y1a + eps
    wb, hb = x2b - x1b, y2b - y1b + eps
    inter = ((torch.minimum(x2a, x2b) - torch.maximum(x1a, x1b)).clamp_min(0)
             * (torch.minimum(y2a, y2b) - torch.maximum(y1a, y1b)).clamp_min(0))
    iou = inter / (wa * ha + wb * hb - inter + eps + eps)
    diagonal = ((torch.maximum(x2a, x2b) - torch.minimum(x1a, x1b)) ** 2
                + (torch.maximum(y2a, y2b) - torch.minimum(y1a, y1b)) ** 2 + eps)
    centres = ((x1a + x2a) / 2 - (x1b + x2b) / 2) ** 2 + ((y1a + y2a) / 2 - (y1b + y2b) / 2) ** 2
    v = (4 / math.pi ** 2) * (torch.atan(wb / hb) - torch.atan(wa / ha)) ** 2
    alpha = v / (v - iou + (1 + eps))
    return iou - (centres / diagonal + v * alpha)
