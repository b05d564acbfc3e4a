"""Small array helpers from `keras.utils`: `to_categorical` and `normalize`.

NumPy in, NumPy out (float64, as Keras); a torch tensor in gives a torch tensor out.
"""

from __future__ import annotations

import numpy as np
import torch

from hocsau import config


def to_categorical(x, num_classes: int | None = None):
    """One-hot encodes class indices; the class axis is added last.

    An input whose last axis has size 1 (e.g. `(n, 1)` labels) loses that axis first, so
    `(n, 1)` becomes `(n, num_classes)`.

    Args:
        x: integer class indices, from 0 to `num_classes - 1` (array-like or torch tensor).
        num_classes: number of classes; `None` (or 0) infers `max(x) + 1`.

    Returns:
        A float64 NumPy array, or a `floatx()` torch tensor (negative indices give all-zero
        rows there) when `x` is a tensor.

    Example:
        >>> to_categorical([0, 2], num_classes=3)
        array([[1., 0., 0.],
               [0., 0., 1.]])
    """
    if isinstance(x, torch.Tensor):
        x = x.long()
        if x.ndim > 1 and x.shape[-1] == 1:
            x = x.squeeze(-1)
        num_classes = num_classes or int(x.max()) + 1
        encoded = torch.nn.functional.one_hot(x.clamp(min=0), num_classes)
        encoded = encoded * (x >= 0).unsqueeze(-1)
        return encoded.to(config.torch_dtype(config.floatx()))
    x = np.array(x, dtype="int64")
    shape = x.shape[:-1] if x.ndim > 1 and x.shape[-1] == 1 else x.shape
    x = x.reshape(-1)
    num_classes = num_classes or int(np.max(x)) + 1
    if x.size and x.max() >= num_classes:
        raise ValueError(f"`to_categorical` got class index {int(x.max())}, but "
                         f"num_classes={num_classes}: class indices should be 0 to "
                         f"{num_classes - 1}. Received: x with values up to {int(x.max())}")
    encoded = np.zeros((x.shape[0], num_classes))
    encoded[np.arange(x.shape[0]), x] = 1
    return encoded.reshape(shape + (num_classes,))


def normalize(x, axis: int | None = -1, order: int = 2):
    """Divides `x` by its `order`-norm along `axis`; all-zero slices stay zero.

    Args:
        x: a NumPy array (NumPy result) or anything else torch accepts (torch result).
        axis: the axis the norm runs over.
        order: the norm's order (2 for L2).

    Returns:
        The normalized copy. As in Keras, a NumPy input keeps the reduced axis as size 1
        even for 1-D input (`[3., 4.]` gives `[[0.6, 0.8]]`); a tensor input divides by
        `max(norm, epsilon())`.
    """
    if isinstance(x, np.ndarray):
        norm = np.atleast_1d(np.linalg.norm(x, order, axis))
        norm[norm == 0] = 1
        return x / np.expand_dims(norm, -1 if axis is None else axis)
    return _normalize_tensor(torch.as_tensor(x), axis, order)


def _normalize_tensor(x: torch.Tensor, axis: int | None, order: int) -> torch.Tensor:
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    if not x.is_floating_point():
        x = x.to(config.torch_dtype(config.floatx()))
    if x.ndim == 0:
        x = x.unsqueeze(0)
    if order == 2:
        # x * rsqrt(sum(x^2)), capped at 1/epsilon, as Keras computes its L2 case.
        inv_norm = torch.rsqrt(torch.sum(x * x, dim=axis, keepdim=True))
        return x * torch.clamp(inv_norm, max=1.0 / config.epsilon())
    norm = torch.linalg.norm(x, ord=order, dim=axis, keepdim=True)
    return x / torch.clamp(norm, min=config.epsilon())
