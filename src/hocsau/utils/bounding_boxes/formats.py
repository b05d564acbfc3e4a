"""Bounding-box formats and `convert_format` (Keras 3's `keras.utils.bounding_boxes`).

Every conversion goes through corners `xyxy`: [left, top, right, bottom]. The `rel_` formats
are the same divided by the image width (x) and height (y).
"""

from __future__ import annotations

import torch

from hocsau import config

SUPPORTED_FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy",
                     "rel_yxyx", "rel_xywh", "rel_center_xywh")


def as_boxes(boxes, dtype=None) -> torch.Tensor:
    """`boxes` as a float tensor on its device (arrays and lists go to the CPU)."""
    dtype = config.torch_dtype(dtype or "float32")
    if torch.is_tensor(boxes):
        return boxes.to(dtype)
    return torch.as_tensor(boxes).to(dtype)


def _corners_from(kind: str, a, b, c, d):
    if kind == "xyxy":
        return a, b, c, d
    if kind == "yxyx":
        return b, a, d, c
    if kind == "xywh":
        return a, b, a + c, b + d
    if kind == "center_xywh":
        return a - c / 2.0, b - d / 2.0, a + c / 2.0, b + d / 2.0
    return b - d / 2.0, a - c / 2.0, b + d / 2.0, a + c / 2.0  # center_yxhw


def _corners_to(kind: str, x1, y1, x2, y2):
    if kind == "xyxy":
        return x1, y1, x2, y2
    if kind == "yxyx":
        return y1, x1, y2, x2
    if kind == "xywh":
        return x1, y1, x2 - x1, y2 - y1
    cx, cy = x1 + (x2 - x1) / 2.0, y1 + (y2 - y1) / 2.0
    if kind == "center_xywh":
        return cx, cy, x2 - x1, y2 - y1
    return cy, cx, y2 - y1, x2 - x1  # center_yxhw


def convert_format(boxes, source: str, target: str, height=None, width=None,
                   dtype="float32"):
    """Convert boxes `(..., 4)` (or the "boxes" of a dict, in place) from `source` to
    `target` format; relative formats need the image `height` and `width`.

    Example:
    ```python
    convert_format(np.array([[10, 20, 30, 40]]), source="xyxy", target="xywh")
    # [[10., 20., 20., 20.]]
    ```
    """
    if isinstance(boxes, dict):
        boxes["boxes"] = convert_format(boxes["boxes"], source, target, height, width, dtype)
        return boxes
    boxes = as_boxes(boxes, dtype)
    if boxes.shape[-1] != 4:
        raise ValueError("`boxes` must be a tensor with the last dimension of 4. "
                         f"Received: boxes.shape={tuple(boxes.shape)}")
    source, target = source.lower(), target.lower()
    if source not in SUPPORTED_FORMATS or target not in SUPPORTED_FORMATS:
        raise ValueError(f"Invalid source or target format. Supported formats: "
                         f"{SUPPORTED_FORMATS}")
    if (source.startswith("rel_") or target.startswith("rel_")) and (
            width is None or height is None):
        raise ValueError(
            "convert_format() must receive `height` and `width` transforming between "
            f"relative and absolute formats.convert_format() received source=`{source}`, "
            f"target=`{target}, but height={height} and width={width}.")
    if source == target:
        return boxes
    if source.startswith("rel_") and target.startswith("rel_"):
        source, target = source[4:], target[4:]
    x1, y1, x2, y2 = _corners_from(source.removeprefix("rel_"), *boxes.unbind(-1))
    if source.startswith("rel_"):
        x1, y1, x2, y2 = x1 * width, y1 * height, x2 * width, y2 * height
    if target.startswith("rel_"):
        x1, y1, x2, y2 = x1 / width, y1 / height, x2 / width, y2 / height
    return torch.stack(_corners_to(target.removeprefix("rel_"), x1, y1, x2, y2), dim=-1)
