"""Helpers of the recurrent-layer tests: the same layer in Keras 3 and hocsau."""

import numpy as np
import pytest
import torch


def _numpy(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    import keras

    return keras.ops.convert_to_numpy(value)


def _flat(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


@pytest.fixture(autouse=True)
def one_thread():
    """These tiny recurrent kernels run fastest on one thread, and stall on busy shared cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def rnn_parity():
    """`check(theirs, ours, x, **call_kwargs)`: build both layers on `x`, copy Keras's weights
    into ours, assert every output equal (rtol 1e-5) and equal config keys; returns ours's
    outputs as numpy arrays."""
    keras = pytest.importorskip("keras")

    def convert(kwargs, to_torch):
        out = {}
        for key, value in kwargs.items():
            if isinstance(value, list):
                out[key] = [torch.as_tensor(v) if to_torch else keras.ops.convert_to_tensor(v)
                            for v in value]
            elif isinstance(value, np.ndarray):
                out[key] = torch.as_tensor(value) if to_torch else keras.ops.convert_to_tensor(
                    value)
            else:
                out[key] = value
        return out

    def check(theirs, ours, x, **call_kwargs):
        expected = _flat(theirs(x, **convert(call_kwargs, False)))
        ours(torch.as_tensor(x), **convert(call_kwargs, True))
        ours.set_weights(theirs.get_weights())
        actual = _flat(ours(torch.as_tensor(x), **convert(call_kwargs, True)))
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected, strict=True):
            np.testing.assert_allclose(_numpy(a), _numpy(e), rtol=1e-5, atol=1e-6)
        assert set(ours.get_config()) == set(theirs.get_config())
        return [_numpy(a) for a in actual]

    return check


@pytest.fixture
def sequences():
    return np.random.default_rng(0).normal(size=(3, 6, 4)).astype("float32")


@pytest.fixture
def masks():
    """Right-padded, left-padded, with holes, and one row fully masked."""
    return {
        "right": np.array([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1], [1, 0, 0, 0, 0, 0]], bool),
        "left": np.array([[0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 1]], bool),
        "holes": np.array([[1, 0, 1, 1, 0, 1], [0, 0, 0, 0, 0, 0], [0, 1, 1, 0, 1, 0]], bool),
    }
