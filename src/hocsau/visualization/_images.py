"""What the drawing and plotting functions share: checked, channels_last NumPy batches."""

from __future__ import annotations

import numpy as np
import torch

from hocsau import config


def batch_as_numpy(images, data_format=None, name: str = "images") -> np.ndarray:
    """A batch `(n, h, w, c)` as NumPy, moved from channels_first when that is the format."""
    array = images.detach().cpu().numpy() if torch.is_tensor(images) else np.asarray(images)
    if array.ndim != 4:
        raise ValueError(f"`{name}` must be batched 4D tensor. "
                         f"Received: {name}.shape={tuple(array.shape)}")
    if (data_format or config.image_data_format()) == "channels_first":
        array = array.transpose(0, 2, 3, 1)
    return array


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Floats in [0, 1] scaled to [0, 255] (others clipped there), as uint8."""
    if images.dtype.kind == "f" and images.size:
        images = np.clip(images, 0, 1) * 255 if images.max() <= 1.0 else np.clip(images, 0, 255)
    return images.astype("uint8")
