"""Shape manipulation, joining, splitting and indexing, numpy-named."""

from __future__ import annotations

import numpy as np
import torch

from hocsau import config
from hocsau.ops._convert import canonical_axis, shape_tuple, tensor, tensors
from hocsau.ops.dispatch import op


def _strings(x) -> np.ndarray | None:
    """`x` when it is a numpy array of strings (what string tensors are here), else None:
    shape ops rearrange those with numpy, as Keras's TensorFlow backend rearranges tf.string
    tensors (e.g. `ops.expand_dims` before a StringLookup)."""
    if isinstance(x, np.ndarray) and x.dtype.kind in "USO":
        return x
    return None


@op
def reshape(x, newshape) -> torch.Tensor:
    """`x` with shape `newshape` (one entry may be -1)."""
    if (strings := _strings(x)) is not None:
        return np.reshape(strings, shape_tuple(newshape))
    return torch.reshape(tensor(x), shape_tuple(newshape))


@op
def ravel(x) -> torch.Tensor:
    """`x` flattened to one dimension."""
    return torch.ravel(tensor(x))


@op
def transpose(x, axes=None) -> torch.Tensor:
    """`x` with its axes permuted (reversed when `axes` is None)."""
    x = tensor(x)
    return x.permute(*(axes if axes is not None else reversed(range(x.ndim))))


@op
def moveaxis(x, source, destination) -> torch.Tensor:
    """`x` with axes `source` moved to positions `destination`."""
    return torch.movedim(tensor(x), source, destination)


@op
def swapaxes(x, axis1, axis2) -> torch.Tensor:
    """`x` with two axes interchanged."""
    return torch.swapaxes(tensor(x), axis1, axis2)


@op
def expand_dims(x, axis) -> torch.Tensor:
    """`x` with new axes of size 1 inserted at `axis` (an int or a tuple)."""
    if (strings := _strings(x)) is not None:
        return np.expand_dims(strings, tuple(axis) if isinstance(axis, list) else axis)
    x = tensor(x)
    positions = axis if isinstance(axis, (list, tuple)) else (axis,)
    ndim = x.ndim + len(positions)
    shape = list(x.shape)
    for position in sorted(canonical_axis(a, ndim) for a in positions):
        shape.insert(position, 1)
    return x.reshape(shape)


@op
def squeeze(x, axis=None) -> torch.Tensor:
    """`x` without its size-1 axes (only those in `axis` when given)."""
    if (strings := _strings(x)) is not None:
        return np.squeeze(strings, tuple(axis) if isinstance(axis, list) else axis)
    x = tensor(x)
    if axis is None:
        return torch.squeeze(x)
    dims = axis if isinstance(axis, (list, tuple)) else (axis,)
    dims = tuple(canonical_axis(a, x.ndim) for a in dims)
    for dim in dims:
        if x.shape[dim] != 1:
            raise ValueError(f"Cannot squeeze axis {dim}: its size is {x.shape[dim]}, not 1. "
                             f"Received: x.shape={tuple(x.shape)}, axis={axis}")
    return torch.squeeze(x, dim=dims)


@op
def broadcast_to(x, shape) -> torch.Tensor:
    """`x` broadcast to `shape` (a view, no copy)."""
    return torch.broadcast_to(tensor(x), shape_tuple(shape))


@op
def concatenate(xs, axis=0) -> torch.Tensor:
    """The tensors `xs` joined along an existing axis (flattened first when `axis` is None)."""
    xs = tensors(*xs)
    if axis is None:
        return torch.cat([x.reshape(-1) for x in xs])
    return torch.cat(xs, dim=axis)


@op
def stack(x, axis=0) -> torch.Tensor:
    """The tensors in `x` joined along a new axis."""
    return torch.stack(tensors(*x), dim=axis)


@op
def hstack(xs) -> torch.Tensor:
    """Join along axis 1 (axis 0 for 1-D tensors)."""
    return torch.hstack(tensors(*xs))


@op
def vstack(xs) -> torch.Tensor:
    """Join along axis 0, 1-D tensors as rows."""
    return torch.vstack(tensors(*xs))


@op
def dstack(xs) -> torch.Tensor:
    """Join along axis 2, lower-rank tensors promoted to 3-D first."""
    return torch.dstack(tensors(*xs))


@op
def append(x1, x2, axis=None) -> torch.Tensor:
    """`x2` appended to `x1` along `axis` (both flattened when None)."""
    return concatenate([x1, x2], axis=axis)


def _split(x: torch.Tensor, indices_or_sections, axis: int, even: bool) -> list[torch.Tensor]:
    size = x.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        sections = int(indices_or_sections)
        if even and size % sections:
            raise ValueError(f"Cannot split axis {axis} of size {size} into {sections} equal "
                             f"sections. Received: indices_or_sections={sections}")
        base, extra = divmod(size, sections)
        cuts = np.cumsum([base + 1] * extra + [base] * (sections - extra))[:-1].tolist()
    else:
        cuts = [int(i) for i in indices_or_sections]
    bounds = [0] + [min(max(c + size if c < 0 else c, 0), size) for c in cuts] + [size]
    return [x.narrow(axis, start, max(stop - start, 0))
            for start, stop in zip(bounds, bounds[1:], strict=False)]


@op
def split(x, indices_or_sections, axis=0) -> list[torch.Tensor]:
    """`x` split along `axis` into equal sections, or at the given indices."""
    x = tensor(x)
    return _split(x, indices_or_sections, canonical_axis(axis, x.ndim), even=True)


@op
def array_split(x, indices_or_sections, axis=0) -> list[torch.Tensor]:
    """Like `split`, allowing sections of unequal size (the first ones one larger)."""
    x = tensor(x)
    return _split(x, indices_or_sections, canonical_axis(axis, x.ndim), even=False)


@op
def hsplit(x, indices_or_sections) -> list[torch.Tensor]:
    """`split` along axis 1 (axis 0 for 1-D tensors)."""
    x = tensor(x)
    return _split(x, indices_or_sections, 1 if x.ndim > 1 else 0, even=True)


@op
def vsplit(x, indices_or_sections) -> list[torch.Tensor]:
    """`split` along axis 0."""
    return _split(tensor(x), indices_or_sections, 0, even=True)


@op
def dsplit(x, indices_or_sections) -> list[torch.Tensor]:
    """`split` along axis 2."""
    return _split(tensor(x), indices_or_sections, 2, even=True)


@op
def tile(x, repeats) -> torch.Tensor:
    """`x` repeated `repeats` times along each axis."""
    return torch.tile(tensor(x), shape_tuple(repeats))


@op
def repeat(x, repeats, axis=None) -> torch.Tensor:
    """Each element repeated `repeats` times along `axis` (of the flattened tensor if None)."""
    x = tensor(x)
    if not isinstance(repeats, int):
        repeats = tensor(repeats, device=x.device).long()
    return torch.repeat_interleave(x, repeats, dim=axis)


@op
def flip(x, axis=None) -> torch.Tensor:
    """`x` with the order of elements reversed along `axis` (all axes when None)."""
    x = tensor(x)
    dims = range(x.ndim) if axis is None else (axis if isinstance(axis, (list, tuple)) else [axis])
    return torch.flip(x, dims=tuple(dims))


@op
def fliplr(x) -> torch.Tensor:
    """`x` reversed along axis 1."""
    return torch.fliplr(tensor(x))


@op
def flipud(x) -> torch.Tensor:
    """`x` reversed along axis 0."""
    return torch.flipud(tensor(x))


@op
def roll(x, shift, axis=None) -> torch.Tensor:
    """`x` rotated by `shift` positions along `axis` (of the flattened tensor when None)."""
    x = tensor(x)
    if axis is None:
        return torch.roll(x.reshape(-1), shift).reshape(x.shape)
    return torch.roll(x, shift, dims=axis)


@op
def rot90(array, k=1, axes=(0, 1)) -> torch.Tensor:
    """`array` rotated by 90 degrees `k` times in the plane of `axes`."""
    array = tensor(array)
    if array.ndim < 2:
        raise ValueError(f"rot90 needs a tensor of at least 2 dimensions. "
                         f"Received: array.ndim={array.ndim}")
    if len(axes) != 2 or axes[0] % array.ndim == axes[1] % array.ndim:
        raise ValueError(f"`axes` must name two different axes. Received: axes={axes}")
    return torch.rot90(array, k, dims=list(axes))


_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def fold_index(index: torch.Tensor, size: int, mode: str) -> torch.Tensor:
    """Map positions outside `[0, size)` back inside, as numpy's pad modes do.

    'edge' repeats the border, 'wrap' tiles, 'reflect' mirrors about the border element,
    'symmetric' mirrors and repeats the border element.
    """
    if mode == "edge":
        return index.clamp(0, size - 1)
    if mode == "wrap":
        return index % size
    if mode == "reflect":
        if size == 1:
            return torch.zeros_like(index)
        folded = index % (2 * size - 2)
        return torch.where(folded < size, folded, 2 * size - 2 - folded)
    folded = index % (2 * size)
    return torch.where(folded < size, folded, 2 * size - 1 - folded)


@op
def pad(x, pad_width, mode="constant", constant_values=None) -> torch.Tensor:
    """`x` padded by `pad_width` ((before, after) per axis, or one pair / int for all).

    Args:
        mode: 'constant', 'edge', 'reflect', 'symmetric' or 'wrap', as in numpy.
        constant_values: the fill value for 'constant' (0 by default).
    """
    x = tensor(x)
    if mode not in _PAD_MODES:
        raise ValueError(f"`mode` must be one of {_PAD_MODES}. Received: mode={mode!r}")
    if constant_values is not None and mode != "constant":
        raise ValueError("Argument `constant_values` can only be provided when "
                         f"`mode == 'constant'`. Received: mode={mode!r}")
    widths = np.asarray(pad_width, dtype=np.int64)
    if widths.ndim == 0:
        widths = np.stack([widths, widths])
    widths = np.broadcast_to(widths.reshape(-1, 2), (x.ndim, 2))
    if mode == "constant":
        flat = [int(w) for pair in widths[::-1] for w in pair]
        return torch.nn.functional.pad(x, flat, value=constant_values or 0)
    for axis, (before, after) in enumerate(widths.tolist()):
        if before or after:
            positions = torch.arange(-before, x.shape[axis] + after, device=x.device)
            source = fold_index(positions, x.shape[axis], mode)
            x = torch.index_select(x, axis, source)
    return x


def _wrapped_indices(indices, size: int, device) -> torch.Tensor:
    indices = tensor(indices, device=device).long()
    return torch.where(indices < 0, indices + size, indices)


@op
def take(x, indices, axis=None) -> torch.Tensor:
    """Elements of `x` at `indices` along `axis` (of the flattened tensor when None)."""
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = canonical_axis(axis, x.ndim)
    indices = _wrapped_indices(indices, x.shape[axis], x.device)
    picked = torch.index_select(x, axis, indices.reshape(-1))
    return picked.reshape(x.shape[:axis] + indices.shape + x.shape[axis + 1:])


@op
def take_along_axis(x, indices, axis=None) -> torch.Tensor:
    """Elements of `x` at `indices`, matched position by position along `axis`."""
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    indices = _wrapped_indices(indices, x.shape[axis], x.device)
    return torch.take_along_dim(x, indices, dim=axis)


@op
def get_item(x, key) -> torch.Tensor:
    """`x[key]`."""
    return tensor(x)[key]


@op
def view(x, dtype=None) -> torch.Tensor:
    """The bytes of `x` reinterpreted as `dtype`."""
    x = tensor(x)
    return x if dtype is None else x.view(config.torch_dtype(dtype))


def ndim(x) -> int:
    """The number of dimensions of `x`."""
    return len(x.shape) if hasattr(x, "shape") else np.ndim(x)


@op
def size(x) -> torch.Tensor:
    """The number of elements of `x`, as a scalar tensor."""
    return torch.tensor(tensor(x).numel())
