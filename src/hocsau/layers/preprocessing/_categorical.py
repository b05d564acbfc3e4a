"""Shared pieces of the categorical preprocessing layers: turning integer ids into one-hot,
multi-hot or count vectors (Keras's `encode_categorical_inputs`), and bringing inputs that
live on the host (strings, lists, arrays) into numpy."""

from __future__ import annotations

import numpy as np
import torch

from hocsau import config

ENCODINGS = ("int", "one_hot", "multi_hot", "count")


def check_dense(sparse, name: str) -> None:
    """hocsau has no sparse tensors: `sparse=True` is refused up front."""
    if sparse:
        raise ValueError(f"`sparse=True` is not supported by `{name}`: it needs TensorFlow's "
                         f"sparse tensors, and hocsau returns dense tensors. Received: "
                         f"sparse={sparse}")


def encode(ids: torch.Tensor, output_mode: str, depth: int, dtype=None,
           count_weights: torch.Tensor | None = None) -> torch.Tensor:
    """Integer ids -> Keras's categorical encodings. `one_hot` adds an axis (replacing a
    last axis of 1); `multi_hot` and `count` reduce axis 1 of a batch (all of a 1-D input).
    Negative ids (masked tokens) contribute nothing."""
    dtype = config.torch_dtype(dtype)
    if output_mode == "int":
        return ids.to(dtype)
    if ids.dim() == 0:
        ids = ids.reshape(1)
    if output_mode == "one_hot":
        if ids.dim() > 1 and ids.shape[-1] == 1:
            ids = ids.squeeze(-1)
        return _one_hot(ids, depth, dtype)
    if count_weights is not None:
        dtype = count_weights.dtype
    if ids.dim() <= 2:
        rows = ids.reshape(1, -1) if ids.dim() == 1 else ids
        weights = torch.ones(rows.shape, dtype=dtype, device=ids.device) \
            if count_weights is None else count_weights.reshape(rows.shape).to(ids.device)
        weights = torch.where(rows >= 0, weights, torch.zeros_like(weights))
        out = torch.zeros(rows.shape[0], depth, dtype=dtype, device=ids.device)
        out.scatter_add_(1, rows.clamp(min=0).long(), weights)
        out = out.reshape(depth) if ids.dim() == 1 else out
    else:  # rank 3+: Keras reduces axis 1 of the one-hot tensor
        hot = _one_hot(ids, depth, dtype)
        if count_weights is not None:
            hot = hot * count_weights.unsqueeze(-1)
        out = hot.sum(dim=1)
    return out.clamp(max=1) if output_mode == "multi_hot" else out


def _one_hot(ids: torch.Tensor, depth: int, dtype: torch.dtype) -> torch.Tensor:
    ids = ids.long()
    hot = torch.nn.functional.one_hot(ids.clamp(min=0), depth).to(dtype)
    return hot * (ids >= 0).unsqueeze(-1).to(dtype)


def host_array(inputs, strings: bool, encoding: str = "utf-8") -> np.ndarray:
    """`inputs` (tensor, array, list, scalar) as a numpy array: `str` values when `strings`
    (bytes decoded with `encoding`), else int64."""
    if isinstance(inputs, torch.Tensor):
        inputs = inputs.detach().cpu().numpy()
    array = np.asarray(inputs)
    if not strings:
        return array.astype("int64") if array.dtype != np.int64 else array
    if array.dtype.kind == "U":
        return array
    flat = [v.decode(encoding) if isinstance(v, bytes) else str(v)
            for v in array.reshape(-1).tolist()]
    return np.array(flat, dtype=str).reshape(array.shape) if flat else \
        np.zeros(array.shape, dtype=str)


def ragged_rows(inputs) -> list | None:
    """The rows of a ragged batch, else None: a list of sequences of unequal lengths (what
    `tf.ragged.constant` takes) or a 1-D object array of sequences (a pandas column of
    lists)."""
    if isinstance(inputs, np.ndarray):
        if inputs.dtype != object or inputs.ndim != 1:
            return None
    elif not isinstance(inputs, (list, tuple)):
        return None
    if not len(inputs) or not all(isinstance(r, (list, tuple, np.ndarray)) for r in inputs):
        return None
    rows = [list(np.asarray(row, dtype=object).reshape(-1)) for row in inputs]
    if isinstance(inputs, np.ndarray) or len({len(row) for row in rows}) > 1:
        return rows
    return None


def pad_ragged(rows: list, ids: np.ndarray) -> np.ndarray:
    """The ids of the flattened `rows` back in rows, padded with -1 (which encodes to
    nothing) to the longest row."""
    lengths = [len(row) for row in rows]
    out = np.full((len(rows), max(max(lengths), 1)), -1, dtype="int64")
    out[np.arange(max(lengths, default=0)) < np.array(lengths)[:, None]] = ids
    return out


def is_string_array(value) -> bool:
    """A numpy array or list holding strings (as `str` or `bytes`)."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "US":
            return True
        return value.dtype == object and value.size > 0 and isinstance(
            value.flat[0], (str, bytes))
    if isinstance(value, (list, tuple)) and value:
        first = value[0]
        while isinstance(first, (list, tuple)) and first:
            first = first[0]
        return isinstance(first, (str, bytes))
    return isinstance(value, (str, bytes))


def to_output(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(array)).to(config.device())


def hash_keys(values: np.ndarray) -> tuple[list, np.ndarray]:
    """The bytes TensorFlow hashes for each distinct value (strings as UTF-8, numbers as
    their decimal int form, floats truncated first) and the map back to `values`' shape."""
    flat = values.reshape(-1)
    if flat.dtype.kind == "f":
        flat = flat.astype("int64")
    unique, inverse = np.unique(flat, return_inverse=True)
    keys = [v.encode("utf-8") if isinstance(v, str) else str(int(v)).encode()
            for v in unique.tolist()]
    return keys, inverse.reshape(values.shape)


def host_values(inputs, encoding: str = "utf-8") -> np.ndarray:
    """Strings (decoded to `str`) or numbers as a numpy array, whichever `inputs` holds."""
    if isinstance(inputs, torch.Tensor):
        return inputs.detach().cpu().numpy()
    return host_array(inputs, True, encoding) if is_string_array(inputs) else np.asarray(inputs)
