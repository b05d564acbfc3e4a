"""Geometric edits of corner (`xyxy`) boxes and the anchor-delta encoding of detectors."""

from __future__ import annotations

import math

import torch

from hocsau import config
from hocsau.utils.bounding_boxes.formats import as_boxes, convert_format


def _require_xyxy(bounding_box_format: str, allowed=("xyxy",)) -> None:
    if bounding_box_format not in allowed:
        raise ValueError(f"Only {' and '.join(repr(f) for f in allowed)} boxes are supported "
                         "here; convert them with `convert_format` first. Received: "
                         f"bounding_box_format={bounding_box_format!r}")


def _area(boxes: torch.Tensor) -> torch.Tensor:
    x1, y1, x2, y2 = boxes.unbind(-1)
    return (x2 - x1) * (y2 - y1)


def clip_to_image_size(bounding_boxes: dict, height=None, width=None,
                       bounding_box_format="xyxy") -> dict:
    """Clip `bounding_boxes["boxes"]` to the image; boxes left with no area get label -1."""
    _require_xyxy(bounding_box_format, ("xyxy", "rel_xyxy"))
    if bounding_box_format == "xyxy" and (height is None or width is None):
        raise ValueError("`height` and `width` must be set if `format='xyxy'`.")
    boxes = as_boxes(bounding_boxes["boxes"], None if not torch.is_tensor(
        bounding_boxes["boxes"]) else bounding_boxes["boxes"].dtype)
    high_x, high_y = (width, height) if bounding_box_format == "xyxy" else (1.0, 1.0)
    x1, y1, x2, y2 = boxes.unbind(-1)
    boxes = torch.stack([x1.clamp(0, high_x), y1.clamp(0, high_y), x2.clamp(0, high_x),
                         y2.clamp(0, high_y)], dim=-1)
    result = dict(bounding_boxes, boxes=boxes)
    if bounding_boxes.get("labels") is not None:
        labels = torch.as_tensor(bounding_boxes["labels"])
        result["labels"] = torch.where(_area(boxes) > 0, labels, torch.full_like(labels, -1))
    return result


def crop(boxes, top, left, height, width, bounding_box_format="xyxy") -> torch.Tensor:
    """Boxes in the frame of the crop at (`top`, `left`) of size `height` x `width`,
    clipped to it."""
    _require_xyxy(bounding_box_format)
    x1, y1, x2, y2 = as_boxes(boxes).unbind(-1)
    return torch.stack([(x1 - left).clamp(0, width), (y1 - top).clamp(0, height),
                        (x2 - left).clamp(0, width), (y2 - top).clamp(0, height)], dim=-1)


def pad(boxes, top, left, height=None, width=None, bounding_box_format="xyxy"):
    """Boxes moved by the `top` / `left` padding added to their image."""
    _require_xyxy(bounding_box_format)
    x1, y1, x2, y2 = as_boxes(boxes).unbind(-1)
    return torch.stack([x1 + left, y1 + top, x2 + left, y2 + top], dim=-1)


def affine_transform(boxes, angle, translate_x, translate_y, scale, shear_x, shear_y,
                     height, width, center_x=None, center_y=None,
                     bounding_box_format="xyxy") -> torch.Tensor:
    """Boxes `(batch, N, 4)` under the affine transform that Keras's geometric augmentations
    apply to images (angles and shears in degrees, translations and centre as fractions of
    the image size, one value per batch entry): the transformed corners' bounding box."""
    _require_xyxy(bounding_box_format)
    params = [torch.as_tensor(v, dtype=torch.float32)
              for v in (angle, translate_x, translate_y, scale, shear_x, shear_y)]
    matrix = _inverse_affine(0.5 if center_x is None else center_x,
                             0.5 if center_y is None else center_y, *params, height, width)
    boxes = as_boxes(boxes)
    x1, y1, x2, y2 = boxes.unbind(-1)
    corners = torch.stack([torch.stack(p, dim=-1) for p in
                           ((x1, y1), (x2, y1), (x2, y2), (x1, y2))], dim=2)
    ones = torch.ones(corners.shape[:-1] + (1,), dtype=corners.dtype)
    moved = torch.einsum("bnxy,byz->bnxz", torch.cat([corners, ones], dim=-1),
                         matrix[:, :2, :].transpose(1, 2))
    return torch.cat([moved.amin(dim=2), moved.amax(dim=2)], dim=-1)


def _inverse_affine(center_x, center_y, angle, translate_x, translate_y, scale, shear_x,
                    shear_y, height, width) -> torch.Tensor:
    rot = -angle * (math.pi / 180.0)
    sx, sy = -shear_x * (math.pi / 180.0), -shear_y * (math.pi / 180.0)
    cx, cy = center_x * (width - 1), center_y * (height - 1)
    cx_t, cy_t = cx - translate_x * (width - 1), cy - translate_y * (height - 1)
    a = torch.cos(rot - sy) / torch.cos(sy)
    b = a * torch.tan(sx) + torch.sin(rot)
    c = -torch.sin(rot - sy) / torch.cos(sy)
    d = torch.cos(rot) - c * torch.tan(sx)
    a0, a1, b0, b1 = d * scale, -b * scale, -c * scale, a * scale
    a2, b2 = cx - a0 * cx_t - a1 * cy_t, cy - b0 * cx_t - b1 * cy_t
    zeros, ones = torch.zeros_like(angle), torch.ones_like(angle)
    return torch.stack([a0, a1, a2, b0, b1, b2, zeros, zeros, ones], dim=-1).reshape(-1, 3, 3)


def _check_encoding(variance, encoding_format: str, name: str) -> torch.Tensor | None:
    if variance is not None:
        variance = torch.as_tensor(variance, dtype=torch.float32)
        if variance.shape[-1] != 4:
            raise ValueError(f"`variance` must be length 4, got {variance}")
    if encoding_format not in ("center_xywh", "center_yxhw"):
        message = (f"`encoding_format` should be one of 'center_xywh' or 'center_yxhw', got "
                   f"{encoding_format}" if name == "encoding_format" else
                   "`encoded_format` should be 'center_xywh' or 'center_yxhw', but got "
                   f"'{encoding_format}'.")
        raise ValueError(message)
    return variance


def encode_box_to_deltas(anchors, boxes, anchor_format, box_format,
                         encoding_format="center_yxhw", variance=None, image_shape=None):
    """Offsets of `boxes` from `anchors` in the centre format `encoding_format`: centre
    shifts over the anchor size, then log size ratios (divided by `variance` if given)."""
    variance = _check_encoding(variance, encoding_format, "encoding_format")
    height, width = (None, None) if image_shape is None else image_shape[:2]
    anchors = convert_format(anchors, anchor_format, encoding_format, height, width)
    boxes = convert_format(boxes, box_format, encoding_format, height, width)
    anchor_size = anchors[..., 2:].clamp_min(config.epsilon())
    deltas = torch.cat([(boxes[..., :2] - anchors[..., :2]) / anchor_size,
                        torch.log(boxes[..., 2:].clamp_min(config.epsilon()) / anchor_size)],
                       dim=-1)
    return deltas if variance is None else deltas / variance


def decode_deltas_to_boxes(anchors, boxes_delta, anchor_format, box_format,
                           encoded_format="center_yxhw", variance=None, image_shape=None):
    """The inverse of `encode_box_to_deltas`; `anchors` and `boxes_delta` may be dicts of
    pyramid levels."""
    variance = _check_encoding(variance, encoded_format, "encoded_format")
    height, width = (None, None) if image_shape is None else image_shape[:2]

    def decode(anchor, delta):
        anchor = convert_format(anchor, anchor_format, encoded_format, height, width)
        delta = as_boxes(delta)
        if variance is not None:
            delta = delta * variance
        box = torch.cat([delta[..., :2] * anchor[..., 2:] + anchor[..., :2],
                         torch.exp(delta[..., 2:]) * anchor[..., 2:]], dim=-1)
        return convert_format(box, encoded_format, box_format, height, width)

    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {level: decode(anchor, boxes_delta[level]) for level, anchor in anchors.items()}
    return decode(anchors, boxes_delta)
