"""`draw_bounding_boxes`: boxes (and class names) drawn onto a batch of images."""

from __future__ import annotations

import numpy as np

from hocsau.utils.bounding_boxes import convert_format
from hocsau.visualization._images import batch_as_numpy, to_uint8


def draw_bounding_boxes(images, bounding_boxes, bounding_box_format, class_mapping=None,
                        color=(128, 128, 128), line_thickness=2, text_thickness=1,
                        font_scale=1.0, data_format=None) -> np.ndarray:
    """Draw `bounding_boxes` ({"boxes": (n, k, 4), "labels": (n, k), optional
    "confidences"}) onto `images` (n, h, w, c) and return them as uint8 channels_last
    arrays. Boxes labelled -1 (padding) are skipped; labels found in `class_mapping` are
    written above their box (with the confidence when given). Drawing uses Pillow (Keras
    uses OpenCV: the boxes are the same, the lettering differs).
    """
    from PIL import Image, ImageDraw, ImageFont

    if not isinstance(bounding_boxes, dict):
        raise TypeError(f"`bounding_boxes` should be a dict. Received: bounding_boxes="
                        f"{bounding_boxes} of type {type(bounding_boxes)}")
    if "boxes" not in bounding_boxes or "labels" not in bounding_boxes:
        raise ValueError("`bounding_boxes` should be a dict containing 'boxes' and 'labels' "
                         f"keys. Received: bounding_boxes={bounding_boxes}")
    array = to_uint8(batch_as_numpy(images, data_format))
    height, width = array.shape[1:3]
    boxes = np.asarray(convert_format(bounding_boxes["boxes"], bounding_box_format, "xyxy",
                                      height, width)).astype("int32")
    labels = np.asarray(bounding_boxes["labels"]).astype("int32")
    confidences = bounding_boxes.get("confidences")
    font = ImageFont.load_default(size=max(1, int(12 * font_scale)))
    drawn = []
    for i, image in enumerate(array):
        canvas = Image.fromarray(image.squeeze(-1) if image.shape[-1] == 1 else image)
        pen = ImageDraw.Draw(canvas)
        ink = tuple(color) if canvas.mode == "RGB" else int(np.mean(color))
        for (x1, y1, x2, y2), label, k in zip(boxes[i], labels[i], range(len(labels[i])),
                                              strict=True):
            if label == -1:
                continue
            pen.rectangle([x1, y1, x2, y2], outline=ink, width=line_thickness)
            name = (class_mapping or {}).get(int(label))
            if name is not None:
                if confidences is not None:
                    name = f"{name} | {float(np.asarray(confidences)[i][k]):.2f}"
                pen.text(_text_origin(x1, y1, font_scale, text_thickness or line_thickness),
                         name, fill=ink, font=font)
        drawn.append(np.asarray(canvas).reshape(image.shape))
    return np.stack(drawn, axis=0)


def _text_origin(x: int, y: int, font_scale: float, thickness: int) -> tuple[int, int]:
    """Above the box when there is room, else just inside its top-left corner."""
    font_height = int(font_scale * 12)
    if y - 8 - 2 * font_height > 0:
        return x, y - 8 - font_height
    return x + 3, y + font_height + thickness + 3
