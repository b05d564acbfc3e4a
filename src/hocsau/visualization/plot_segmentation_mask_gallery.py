"""`plot_segmentation_mask_gallery`: each image beside its true and predicted masks."""

from __future__ import annotations

import numpy as np

from hocsau.visualization._images import batch_as_numpy
from hocsau.visualization.draw_segmentation_masks import draw_segmentation_masks
from hocsau.visualization.plot_image_gallery import plot_image_gallery


def plot_segmentation_mask_gallery(images, num_classes, value_range=(0, 255), y_true=None,
                                   y_pred=None, color_mapping=None, blend=True, alpha=0.8,
                                   ignore_index=-1, data_format=None, **kwargs) -> None:
    """One row per image: the image, then `y_true` and `y_pred` masks (n, h, w, 1) drawn
    onto it by `draw_segmentation_masks`. Other keyword arguments go to
    `plot_image_gallery`."""
    array = batch_as_numpy(images, data_format)
    columns = [array]
    for masks in (y_true, y_pred):
        if masks is not None:
            masks = batch_as_numpy(masks, data_format, "segmentation_masks").astype("int32")
            columns.append(draw_segmentation_masks(
                array, masks, num_classes=num_classes, color_mapping=color_mapping,
                alpha=alpha, blend=blend, ignore_index=ignore_index,
                data_format="channels_last"))
    gallery = np.stack([column[i] for i in range(len(array)) for column in columns], axis=0)
    return plot_image_gallery(gallery, value_range=value_range, rows=len(array),
                              cols=len(columns), data_format="channels_last", **kwargs)
