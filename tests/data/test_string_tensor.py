"""StringTensor: the string leaves of Dataset elements, read as tf string tensors are."""

import numpy as np
import torch

from hocsau.data.string_tensor import StringTensor
from hocsau.trainers.data_adapters.batch_utils import to_device


def test_bytes_numpy_indexing_len_shape_and_repr():
    texts = StringTensor([["ab", "ĉ"], ["d", "e"]])
    assert texts.shape == (2, 2) and len(texts) == 2 and texts.ndim == 2
    assert texts.numpy().dtype == object and texts.numpy()[0, 1] == "ĉ".encode()
    row = texts[0]
    assert isinstance(row, StringTensor) and row.numpy().tolist() == [b"ab", "ĉ".encode()]
    one = texts[1, 0]
    assert isinstance(one, StringTensor) and one.shape == () and one.numpy() == b"d"
    assert repr(one) == "<StringTensor: shape=(), dtype=string, numpy=b'd'>"
    assert str(one) == "StringTensor(b'd', shape=(), dtype=string)"
    assert texts.tolist() == [[b"ab", "ĉ".encode()], [b"d", b"e"]]


def test_numpy_and_the_model_adapters_read_it_as_an_array_of_bytes():
    texts = StringTensor(np.array([b"x", b"yz"]))
    plain = np.asarray(texts)
    assert type(plain) is np.ndarray and plain.tolist() == [b"x", b"yz"]
    assert np.expand_dims(texts, -1).shape == (2, 1)
    fed = to_device(texts)
    assert not isinstance(fed, torch.Tensor) and fed.tolist() == [b"x", b"yz"]
