"""`plot_image_gallery`: a grid of images (with label and prediction titles) in one figure."""

from __future__ import annotations

import math

import numpy as np

from hocsau.visualization._images import batch_as_numpy


def plot_image_gallery(images, y_true=None, y_pred=None, label_map=None, rows=None, cols=None,
                       value_range=(0, 255), scale=2, path=None, show=None, transparent=True,
                       dpi=60, legend_handles=None, data_format=None) -> None:
    """Show (or save to `path`) the first `rows * cols` images of a batch in a grid, values
    mapped from `value_range` to [0, 255]; with `y_true` / `y_pred` (and a `label_map` of
    class -> name) each image is titled "Label: ...  Pred: ...".
    """
    import matplotlib.pyplot as plt

    if path is not None and show:
        raise ValueError("plot_gallery() expects either `path` to be set, or `show` to be "
                         "true.")
    if (y_true is not None or y_pred is not None) and label_map is None:
        raise ValueError("If `y_true` or `y_pred` are provided, a `label_map` must also be "
                         "provided.")
    show = path is None if show is None else show
    array = batch_as_numpy(images, data_format)
    rows = rows or int(math.ceil(math.sqrt(len(array))))
    cols = cols or int(math.ceil(len(array) // rows))
    low, high = value_range
    array = (array[: rows * cols].astype("float32") - low) / (high - low) * 255.0
    fig, axes = plt.subplots(nrows=rows, ncols=cols, figsize=(cols * scale, rows * scale),
                             frameon=False, layout="tight", squeeze=False)
    fig.subplots_adjust(wspace=0, hspace=0)
    if legend_handles is not None:
        fig.legend(handles=legend_handles, loc="lower center")
    truth = None if y_true is None else np.asarray(y_true)
    guess = None if y_pred is None else np.asarray(y_pred)
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index >= len(array):
            continue
        axis.imshow(np.clip(array[index], 0, 255).astype("uint8"))
        axis.margins(x=0, y=0)
        title = [f"{kind}: {label_map.get(values[index], 'Unknown')}"
                 for kind, values in (("Label", truth), ("Pred", guess))
                 if values is not None and index < len(values)]
        if title:
            axis.set_title("  ".join(title), fontsize=8)
    if path is not None:
        fig.savefig(path, pad_inches=0, bbox_inches="tight", transparent=transparent, dpi=dpi)
    elif show:
        plt.show()
    plt.close(fig)
