"""`show_batch`: look at the data the model really receives (seed 004: decode and inspect an
input batch before training), as an image grid or as printed rows."""

from __future__ import annotations

import collections
import math

import numpy as np
import torch

from hocsau.diagnostics._state import num_rows, take_rows


def show_batch(data, y=None, num_samples: int = 16, path=None, class_names=None,
               show=None, verbose: int = 1) -> tuple:
    """Take the first `num_samples` examples of `data` and print a summary (shape, dtype,
    value range, mean and std of the inputs; label counts). A batch of images
    `(n, height, width, channels)` is drawn as a titled grid (saved to `path`, a PNG); any
    other data (tabular rows, sequences, text, lists / dicts of inputs) is printed row by row.

    Args:
        data: inputs (an array or tensor, or a list / dict of them), or a dataset yielding
            batches `x` or `(x, y)` (e.g. a `torch.utils.data.DataLoader`, a `PyDataset`);
            its first batch is shown.
        y: the targets, when `data` holds inputs only.
        num_samples: examples shown.
        path: where to save the image grid (images only).
        class_names: names of the integer classes, used in titles and rows.
        show: show the grid on screen (default: when no `path` is given).
        verbose: 1 prints the summary (and the rows).

    Returns:
        `(x, y)`: the examples shown, as NumPy arrays (or lists / dicts of them).
    """
    if num_samples < 1:
        raise ValueError(f"`num_samples` must be positive. Received: num_samples={num_samples}")
    x, y = _first_batch(data, y)
    count = min(num_samples, num_rows(x))
    x = _numpy(take_rows(x, slice(0, count)))
    y = None if y is None else _numpy(take_rows(y, slice(0, count)))
    labels = _labels(y, class_names)
    lines = [_summary(x, y, labels)]
    if isinstance(x, np.ndarray) and x.ndim == 4 and x.shape[-1] in (1, 3, 4):
        _grid(x, labels, path, show)
        lines[0] += f" -> {path}" if path is not None else ""
    else:
        lines += _rows(x, y if labels is None else labels)
    if verbose:
        print("\n".join(lines))
    return x, y


def _first_batch(data, y):
    if isinstance(data, (np.ndarray, torch.Tensor, dict, list)):
        return data, y
    batch = next(iter(data))
    if isinstance(batch, (tuple, list)) and len(batch) in (2, 3):  # (x, y[, sample_weight])
        return batch[0], batch[1]
    return batch, y


def _numpy(data):
    if isinstance(data, dict):
        return {key: _numpy(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_numpy(value) for value in data]
    if torch.is_tensor(data):
        return data.detach().cpu().numpy()
    return np.asarray(data)


def _labels(y, class_names) -> np.ndarray | None:
    """A class per example (one-hot rows decoded, named by `class_names`), or None when the
    targets are not classes."""
    if not isinstance(y, np.ndarray) or not len(y):
        return None
    if y.ndim == 2 and y.shape[1] > 1 and np.isin(y, (0, 1)).all() and (y.sum(1) == 1).all():
        y = y.argmax(axis=1)
    y = y.reshape(len(y)) if y.ndim == 2 and y.shape[1] == 1 else y
    if y.ndim != 1 or y.dtype.kind not in "iubf" or not (y == np.round(y)).all():
        return None
    return np.array([class_names[int(v)] if class_names is not None else int(v) for v in y])


def _summary(x, y, labels) -> str:
    parts = [f"show_batch: {_describe(x)}"]
    if labels is not None:
        counts = collections.Counter(labels.tolist())
        parts.append("labels " + ", ".join(f"{label}: {counts[label]}"
                                           for label in sorted(counts, key=str)))
    elif y is not None:
        parts.append(f"targets {_describe(y)}")
    return "; ".join(parts)


def _describe(x) -> str:
    if isinstance(x, dict):
        return ", ".join(f"{key}: {_describe(value)}" for key, value in x.items())
    if isinstance(x, list):
        return ", ".join(_describe(value) for value in x)
    text = f"{x.shape[0]} x {tuple(x.shape[1:])} {x.dtype}"
    if x.dtype.kind in "fiub" and x.size:
        text += (f" in [{x.min():.4g}, {x.max():.4g}], mean {x.mean():.4g}, "
                 f"std {x.std():.4g}")
    return text


def _rows(x, y) -> list[str]:
    lines = []
    for row in range(num_rows(x)):
        values = _row_text(take_rows(x, row))
        target = "" if y is None else f"  ->  {_row_text(take_rows(y, row))}"
        lines.append(f"  #{row}: {values}{target}")
    return lines


def _row_text(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}={_row_text(v)}" for key, v in value.items())
    if isinstance(value, list):
        return ", ".join(_row_text(v) for v in value)
    value = np.asarray(value)
    if value.dtype.kind in "OUS":
        text = repr(value.item() if value.ndim == 0 else value.tolist())
        return text if len(text) <= 80 else text[:77] + "..."
    return np.array2string(value, precision=3, threshold=12, edgeitems=4,
                           max_line_width=200, suppress_small=True)


def _grid(images: np.ndarray, labels, path, show) -> None:
    import matplotlib.pyplot as plt

    from hocsau.utils.plot_history import finish_figure
    from hocsau.visualization._images import to_uint8

    cols = math.ceil(math.sqrt(len(images)))
    rows = math.ceil(len(images) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2 * cols, 2 * rows), squeeze=False)
    pixels = to_uint8(images)
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index < len(images):
            image = pixels[index]
            axis.imshow(image[..., 0] if image.shape[-1] == 1 else image,
                        cmap="gray" if image.shape[-1] == 1 else None)
            if labels is not None:
                axis.set_title(str(labels[index]), fontsize=8)
    finish_figure(fig, path, show)
