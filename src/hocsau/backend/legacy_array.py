"""tf.keras 2's `keras.backend` shape and layout functions (`K.reshape`, `K.int_shape`,
`K.permute_dimensions`, ...): a hocsau extension, with TensorFlow's semantics."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from hocsau import config, ops
from hocsau.ops._convert import tensor
from hocsau.ops.dispatch import op


def int_shape(x):
    """The static shape as a tuple of ints (None for unknown axes); None without a shape."""
    shape = getattr(x, "shape", None)
    return None if shape is None else tuple(None if d is None else int(d) for d in shape)


def ndim(x) -> int:
    """The rank of `x`."""
    return len(int_shape(x))


def dtype(x) -> str:
    """The dtype of `x` as a string ('float32')."""
    return config.standardize_dtype(x.dtype)


def is_sparse(tensor) -> bool:
    """Whether `tensor` is a sparse tensor."""
    return bool(getattr(tensor, "is_sparse", False))


def to_dense(tensor):
    """A sparse tensor made dense; others unchanged."""
    return tensor.to_dense() if is_sparse(tensor) else tensor


@op
def shape(x):
    """The dynamic shape as an int32 tensor (on the host, so its items can size a reshape)."""
    return torch.tensor(list(tensor(x).shape), dtype=torch.int32)


@op
def cast(x, dtype):
    """`x` converted to `dtype`."""
    return tensor(x, dtype)


def cast_to_floatx(x):
    """Tensors cast to `floatx()`; anything else becomes a NumPy array of that dtype."""
    if isinstance(x, torch.Tensor):
        return x.to(config.torch_dtype(config.floatx()))
    return np.asarray(x, dtype=config.floatx())


def _ints(values) -> list[int]:
    if isinstance(values, torch.Tensor):
        return [int(v) for v in values.reshape(-1).tolist()]
    return [int(v) for v in values]


@op
def reshape(x, shape):
    """`x` with a new shape (-1 inferred; entries may be `K.shape` items)."""
    return torch.reshape(tensor(x), _ints(shape))


@op
def permute_dimensions(x, pattern):
    """Axes reordered by `pattern` (a permutation of `range(ndim)`)."""
    return tensor(x).permute(*_ints(pattern))


@op
def transpose(x):
    """All axes reversed."""
    x = tensor(x)
    return x.permute(*reversed(range(x.dim())))


@op
def expand_dims(x, axis=-1):
    """A new axis of size 1 at `axis`."""
    return torch.unsqueeze(tensor(x), axis)


@op
def squeeze(x, axis):
    """`axis` (of size 1) removed."""
    x = tensor(x)
    if x.shape[axis] != 1:
        raise ValueError(f"Can not squeeze dim[{axis}], expected a dimension of 1, got "
                         f"{x.shape[axis]}. Received: x.shape={tuple(x.shape)}")
    return torch.squeeze(x, axis)


@op
def flatten(x):
    """All of `x` as one axis."""
    return torch.reshape(tensor(x), (-1,))


@op
def batch_flatten(x):
    """`x` as `(batch, everything else)`."""
    x = tensor(x)
    return torch.reshape(x, (x.shape[0], -1))


@op
def concatenate(tensors, axis=-1):
    """Tensors joined along `axis`."""
    return torch.cat([tensor(t) for t in tensors], dim=axis)


@op
def stack(x, axis=0):
    """Tensors stacked along a new `axis`."""
    return torch.stack([tensor(t) for t in x], dim=axis)


@op
def tile(x, n):
    """`x` repeated `n` times per axis (an int tiles the last... first axis, as tf.tile)."""
    n = [n] if isinstance(n, int) else _ints(n)
    return tensor(x).repeat(*n)


@op
def repeat(x, n):
    """A 2D `(batch, features)` tensor repeated into `(batch, n, features)`."""
    x = tensor(x)
    if x.dim() != 2:
        raise ValueError(f"Expected input `x` to have rank 2. Received: rank(x)={x.dim()}")
    return x.unsqueeze(1).expand(-1, n, -1).contiguous()


@op
def repeat_elements(x, rep, axis):
    """Each slice along `axis` repeated `rep` times (np.repeat)."""
    return torch.repeat_interleave(tensor(x), rep, dim=axis)


@op
def reverse(x, axes):
    """`x` reversed along `axes` (an int or a list)."""
    return torch.flip(tensor(x), [axes] if isinstance(axes, int) else list(axes))


@op
def gather(reference, indices):
    """Rows of `reference` (axis 0) at `indices`."""
    reference = tensor(reference)
    indices = tensor(indices).to(device=reference.device, dtype=torch.int64)
    return reference[indices]


@op
def one_hot(indices, num_classes):
    """One-hot float32 vectors of `num_classes` for integer `indices` (a new last axis)."""
    indices = tensor(indices).to(torch.int64)
    valid = (indices >= 0) & (indices < num_classes)
    encoded = F.one_hot(torch.where(valid, indices, 0), num_classes)
    return (encoded * valid.unsqueeze(-1)).to(torch.float32)


def arange(start, stop=None, step=1, dtype="int32"):
    """`range` as a tensor (a negative `start` without `stop` gives an empty one)."""
    if stop is None:
        start, stop = (0, 0) if start < 0 else (0, start)
    return torch.arange(start, stop, step, device=config.device()).to(config.torch_dtype(dtype))


@op
def temporal_padding(x, padding=(1, 1)):
    """Zeros added before / after the time axis of a 3D tensor."""
    if len(padding) != 2:
        raise ValueError("Expected `padding` to be a tuple of 2 integers. "
                         f"Received: padding={padding}")
    return F.pad(tensor(x), (0, 0, padding[0], padding[1]))


def _spatial_padding(x, padding, data_format, rank: int):
    if len(padding) != rank or any(len(p) != 2 for p in padding):
        raise ValueError(f"Expected `padding` to be a tuple of {rank} tuples of 2 integers. "
                         f"Received: padding={padding}")
    data_format = _data_format(data_format)
    pads = [int(v) for pair in reversed(padding) for v in pair]
    if data_format == "channels_last":
        pads = [0, 0] + pads
    return F.pad(tensor(x), pads)


def _data_format(data_format):
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Unknown data_format: {data_format}")
    return data_format


@op
def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """Zeros around the two spatial axes of a 4D tensor."""
    return _spatial_padding(x, padding, data_format, 2)


@op
def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    """Zeros around the three spatial axes of a 5D tensor."""
    return _spatial_padding(x, padding, data_format, 3)


@op
def resize_images(x, height_factor, width_factor, data_format, interpolation="nearest"):
    """Images scaled by integer factors (TensorFlow's `tf.image.resize` methods)."""
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Invalid `data_format` argument: {data_format}")
    x = tensor(x)
    rows = 2 if data_format == "channels_first" else 1
    size = (x.shape[rows] * height_factor, x.shape[rows + 1] * width_factor)
    return ops.image.resize(x, size, interpolation=interpolation, data_format=data_format)


@op
def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    """Volumes scaled by repeating each voxel along depth, height and width."""
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Invalid data_format: {data_format}")
    first = 2 if data_format == "channels_first" else 1
    x = tensor(x)
    for offset, factor in enumerate((depth_factor, height_factor, width_factor)):
        x = torch.repeat_interleave(x, factor, dim=first + offset)
    return x


__all__ = ["arange", "batch_flatten", "cast", "cast_to_floatx", "concatenate", "dtype",
           "expand_dims", "flatten", "gather", "int_shape", "is_sparse", "ndim", "one_hot",
           "permute_dimensions", "repeat", "repeat_elements", "reshape", "resize_images",
           "resize_volumes", "reverse", "shape", "spatial_2d_padding", "spatial_3d_padding",
           "squeeze", "stack", "temporal_padding", "tile", "to_dense", "transpose"]
