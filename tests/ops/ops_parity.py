"""Shared inputs and comparisons for the ops tests (numpy and Keras 3 are the references)."""

from __future__ import annotations

import warnings

import numpy as np
import torch

RNG = np.random.default_rng(1234)
F = RNG.normal(size=(3, 4)).astype("float32")
F3 = RNG.normal(size=(2, 3, 4)).astype("float32")
POS = (np.abs(F) + 0.1).astype("float32")
UNIT = np.clip(F / 3, -0.9, 0.9).astype("float32")
I = np.array([[1, -2, 3, 0], [4, 5, -6, 7], [0, 1, 2, 3]], "int32")
B = I > 1
V = np.array([1.0, 2.0, 3.0], "float32")
SQ = (RNG.normal(size=(3, 3)) + 3 * np.eye(3)).astype("float32")
SPD = (SQ @ SQ.T).astype("float32")
NANF = F.copy()
NANF[0, 1] = np.nan
NANF[2, 2] = np.nan


def _holds_arrays(value) -> bool:
    if isinstance(value, (torch.Tensor, np.ndarray)):
        return True
    return isinstance(value, (tuple, list)) and any(_holds_arrays(v) for v in value)


def to_numpy(value):
    """Tensors (possibly nested in tuples / lists) as numpy arrays; number lists as one array."""
    if isinstance(value, (tuple, list)) and _holds_arrays(value):
        return [to_numpy(v) for v in value]
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def assert_close(actual, expected, rtol=1e-5, atol=1e-6):
    """Same structure, shapes and values (NaN equal to NaN)."""
    actual, expected = to_numpy(actual), to_numpy(expected)
    if isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected)
        for a, e in zip(actual, expected, strict=True):
            assert_close(a, e, rtol, atol)
        return
    assert actual.shape == np.shape(expected), (actual.shape, np.shape(expected))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)


def keras_result(name: str, *args, module: str | None = None, **kwargs):
    from keras import ops

    source = getattr(ops, module) if module else ops
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras's own deprecation noise is not under test
        return getattr(source, name)(*args, **kwargs)


def assert_like_keras(result, name: str, *args, rtol=1e-5, atol=1e-6, module=None, **kwargs):
    """Values, shapes and (for single tensors) dtype equal to `keras.ops.<name>`."""
    expected = keras_result(name, *args, module=module, **kwargs)
    assert_close(result, expected, rtol, atol)
    if isinstance(result, torch.Tensor):
        assert result.dtype == expected.dtype
