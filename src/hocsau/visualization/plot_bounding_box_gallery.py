"""`plot_bounding_box_gallery`: a grid of images with true and predicted boxes drawn."""

from __future__ import annotations

import numpy as np

from hocsau.visualization._images import batch_as_numpy
from hocsau.visualization.draw_bounding_boxes import draw_bounding_boxes
from hocsau.visualization.plot_image_gallery import plot_image_gallery


def plot_bounding_box_gallery(images, bounding_box_format, y_true=None, y_pred=None,
                              value_range=(0, 255), true_color=(0, 188, 212),
                              pred_color=(255, 235, 59), line_thickness=2, font_scale=1.0,
                              text_thickness=None, class_mapping=None,
                              ground_truth_mapping=None, prediction_mapping=None,
                              legend=False, legend_handles=None, rows=None, cols=None,
                              data_format=None, **kwargs) -> None:
    """`plot_image_gallery` of `images` with the `y_true` boxes drawn in `true_color` and the
    `y_pred` boxes in `pred_color` (dicts as `draw_bounding_boxes` takes); `legend=True`
    adds a legend for the two colours. Other keyword arguments go to `plot_image_gallery`.
    """
    from matplotlib import patches

    array = batch_as_numpy(images, data_format)
    drawn = {"bounding_box_format": bounding_box_format, "line_thickness": line_thickness,
             "text_thickness": text_thickness, "font_scale": font_scale,
             "data_format": "channels_last"}
    if y_true is not None:
        array = draw_bounding_boxes(array, y_true, color=true_color,
                                    class_mapping=ground_truth_mapping or class_mapping, **drawn)
    if y_pred is not None:
        array = draw_bounding_boxes(array, y_pred, color=pred_color,
                                    class_mapping=prediction_mapping or class_mapping, **drawn)
    if legend:
        if legend_handles:
            raise ValueError("Only pass `legend` OR `legend_handles` to "
                             "`keras.visualization.plot_bounding_box_gallery()`.")
        legend_handles = [patches.Patch(color=np.array(true_color) / 255.0, label="Ground Truth"),
                          patches.Patch(color=np.array(pred_color) / 255.0, label="Prediction")]
    return plot_image_gallery(array, value_range=value_range, legend_handles=legend_handles,
                              rows=rows, cols=cols, data_format="channels_last", **kwargs)
