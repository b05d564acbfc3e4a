"""`draw_segmentation_masks`: class masks painted (and blended) onto images."""

from __future__ import annotations

import numpy as np

from hocsau.visualization._images import batch_as_numpy


def draw_segmentation_masks(images, segmentation_masks, num_classes=None, color_mapping=None,
                            alpha=0.8, blend=True, ignore_index=-1, data_format=None):
    """Paint each pixel of `images` (n, h, w, c) with its class colour from
    `segmentation_masks` (n, h, w, 1) of integers; with `blend`, mix `alpha` of the colour
    with the image (uint8 result) and leave `ignore_index` pixels untouched, else return
    the painted float32 images. Colours come from `color_mapping` (class -> RGB) or a fixed
    palette; classes are 0 .. `num_classes` - 1 (by default the largest class in the masks,
    as Keras counts them).
    """
    array = batch_as_numpy(images, data_format).astype("float32")
    masks = batch_as_numpy(segmentation_masks, data_format, "segmentation_masks")
    if masks.dtype.kind not in "iu":
        raise TypeError("`segmentation_masks` must be in integer dtype. "
                        f"Received: segmentation_masks.dtype={masks.dtype}")
    masks = masks[..., 0]
    if num_classes is None:
        num_classes = int(masks.max())
    colors = (_palette(num_classes) if color_mapping is None
              else [color_mapping[i] for i in range(num_classes)])
    painted = array.copy()
    for index, color in enumerate(colors):
        painted[masks == index] = np.asarray(color, dtype="float32")
    if not blend:
        return painted
    mixed = array * (1 - alpha) + painted * alpha
    return np.where((masks != ignore_index)[..., None], mixed, array).astype("uint8")


def _palette(num_classes: int) -> list:
    """Keras's class colours: distinct, deterministic RGB triples."""
    step = np.array([2 ** 25 - 1, 2 ** 15 - 1, 2 ** 21 - 1])
    return [((i * step) % 255).tolist() for i in range(num_classes)]
