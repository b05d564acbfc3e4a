import numpy as np
import pytest
import torch
from ops_parity import F, I, assert_close

from hocsau import ops


@pytest.mark.parametrize("value,dtype", [
    (3, torch.int32), (2**40, torch.int64), (1.5, torch.float32), (True, torch.bool),
    ([1, 2], torch.int32), ([1.0, 2], torch.float32), ([], torch.float32),
    (np.arange(3), torch.int64), (np.ones(2), torch.float64), (np.float64(2.0), torch.float32),
    (np.ones(2, "uint32"), torch.int64), (1 + 2j, torch.complex64),
])
def test_convert_to_tensor_dtype_rules_like_keras(value, dtype):
    out = ops.convert_to_tensor(value)
    assert out.dtype == dtype
    assert_close(out, np.asarray(value))


def test_convert_to_tensor_of_strings_feeds_text_layers():
    """Strings, as TensorFlow's backend converts them, become a numpy `str` array (bytes
    decoded) that TextVectorization reads like the original list."""
    from hocsau import layers

    converted = ops.convert_to_tensor([["the cat sat", b"on the mat"]])
    assert isinstance(converted, np.ndarray) and converted.dtype.kind == "U"
    assert converted.tolist() == [["the cat sat", "on the mat"]]
    assert ops.convert_to_tensor(np.array(["x"], dtype=object), dtype="string").tolist() == ["x"]
    vectorizer = layers.TextVectorization(vocabulary=["the", "cat", "mat"])
    np.testing.assert_array_equal(vectorizer(ops.convert_to_tensor([["the cat sat"]])).numpy(),
                                  [[2, 3, 1]])


def test_convert_to_tensor_passthrough_and_errors():
    t = torch.ones(2)
    assert ops.convert_to_tensor(t) is t
    assert ops.convert_to_tensor(t, "float64").dtype == torch.float64
    assert ops.convert_to_tensor([torch.ones(2), torch.zeros(2)]).shape == (2, 2)
    assert ops.convert_to_tensor(np.arange(4)[::-1]).tolist() == [3, 2, 1, 0]
    with pytest.raises(ValueError, match="sparse=True"):
        ops.convert_to_tensor([1], sparse=True)


def test_convert_to_numpy_queries_and_cast():
    x = torch.ones(2, dtype=torch.bfloat16, requires_grad=True)
    assert ops.convert_to_numpy(x).dtype == np.float32
    assert ops.convert_to_numpy([torch.ones(2), torch.zeros(2)]).shape == (2, 2)
    assert ops.shape(F) == (3, 4) and ops.shape(torch.ones(2, 1)) == (2, 1)
    assert ops.dtype(I) == "int32" and ops.dtype(torch.ones(1)) == "float32"
    assert ops.is_tensor(torch.ones(1)) and not ops.is_tensor(F)
    assert ops.cast(F, "int32").dtype == torch.int32
    assert ops.cast([1.7, -1.7], "int32").tolist() == [1, -1]


def test_saturate_cast_clips_instead_of_wrapping():
    assert ops.saturate_cast(np.array([300, -5, 20], "int32"), "uint8").tolist() == [255, 0, 20]
    assert ops.saturate_cast(np.array([1e10, -1e10, np.inf], "float32"), "int32").tolist() == [
        2147483520, -2147483648, 2147483520]
    assert ops.saturate_cast(np.array([1e6], "float64"), "float16").item() == 65504.0


def test_scatter_accumulates_duplicates():
    indices = np.array([[0, 1], [2, 3], [0, 1]])
    out = ops.scatter(indices, np.array([1.0, 2.0, 3.0], "float32"), (3, 4))
    expected = np.zeros((3, 4), "float32")
    expected[0, 1], expected[2, 3] = 4.0, 2.0
    assert_close(out, expected)
    rows = ops.scatter(np.array([[1]]), np.ones((1, 4), "float32"), (2, 4))
    assert rows.tolist() == [[0.0] * 4, [1.0] * 4]


@pytest.mark.parametrize("reduction,expected", [
    (None, [9.0, 2.0]), ("add", [4.0 + 9.0 + 3.0, 2.0]), ("max", [9.0, 2.0]),
    ("min", [3.0, 2.0]), ("mul", [4.0 * 9.0 * 3.0, 2.0]),
])
def test_scatter_update_reductions(reduction, expected):
    inputs = np.array([[4.0, 2.0]], "float32")
    indices = np.array([[0, 0], [0, 0]])
    updates = np.array([9.0, 3.0], "float32")
    if reduction is None:
        indices, updates = indices[:1], updates[:1]
    out = ops.scatter_update(inputs, indices, updates, reduction=reduction)
    assert out[0].tolist() == expected
    assert inputs[0, 0] == 4.0  # the input is not modified


def test_scatter_update_rows_and_bad_reduction():
    out = ops.scatter_update(F, np.array([[1]]), np.ones((1, 4), "float32"))
    assert out[1].tolist() == [1.0] * 4 and out[0].tolist() == F[0].tolist()
    with pytest.raises(ValueError, match="reduction"):
        ops.scatter_update(F, np.array([[1]]), np.ones((1, 4)), reduction="mean")


def test_slice_and_slice_update():
    assert_close(ops.slice(F, (1, 1), (2, 2)), F[1:3, 1:3])
    assert_close(ops.slice(F, torch.tensor([0, 2]), [3, 1]), F[:, 2:3])
    out = ops.slice_update(F, (1, 2), np.zeros((2, 2), "float32"))
    expected = F.copy()
    expected[1:3, 2:4] = 0
    assert_close(out, expected)


def test_unstack_and_stop_gradient():
    assert [t.tolist() for t in ops.unstack(I, axis=1)] == [list(c) for c in I.T]
    with pytest.raises(ValueError, match="num"):
        ops.unstack(I, num=5)
    x = torch.tensor([2.0], requires_grad=True)
    (x * ops.stop_gradient(x)).sum().backward()
    assert x.grad.item() == 2.0


def test_custom_gradient_replaces_the_backward_pass():
    @ops.custom_gradient
    def log1pexp(x):
        e = torch.exp(x)

        def grad(*args, upstream=None):
            return upstream * (1.0 - 1.0 / (1 + e))

        return torch.log(1 + e), grad

    x = torch.tensor([100.0, 0.0], requires_grad=True)
    log1pexp(x).sum().backward()
    assert x.grad.tolist() == [1.0, 0.5]
    assert log1pexp.__name__ == "log1pexp"


def test_new_tensors_follow_a_meta_device_context():
    with torch.device("meta"):
        assert ops.zeros((2, 3)).device.type == "meta"
        assert ops.arange(4).device.type == "meta"
        assert ops.convert_to_tensor([1.0, 2.0]).device.type == "meta"
        assert ops.add(torch.empty(3), [1.0, 2.0, 3.0]).shape == (3,)
    assert ops.zeros(2).device.type == "cpu"


def test_python_scalars_are_filled_on_the_device_with_torch_tensor_rules(monkeypatch):
    from hocsau.ops import _convert

    copies = []
    original = torch.tensor
    monkeypatch.setattr(torch, "tensor", lambda *a, **k: copies.append(a) or original(*a, **k))
    assert _convert.tensor(3).dtype == torch.int32 and _convert.tensor(2**40).dtype == torch.int64
    assert float(_convert.tensor(2.5)) == 2.5 and bool(_convert.tensor(True))
    assert int(_convert.tensor(3.7, dtype="int32")) == 3
    assert copies == []  # no host tensor to copy (a wait for the GPU on CUDA)
    assert torch.isinf(_convert.tensor(1e40, dtype="float32"))  # beyond float32: inf, as torch
    with pytest.raises(RuntimeError, match="overflow"):
        _convert.tensor(300, dtype="uint8")
