"""skipgrams, make_sampling_table and TimeseriesGenerator, by hand and against Keras."""

import json

import numpy as np
import pytest
from keras.src.legacy.preprocessing import sequence as legacy

from hocsau.preprocessing import sequence
from hocsau.preprocessing.sequence import TimeseriesGenerator, make_sampling_table, skipgrams
from hocsau.utils.sequence_utils import pad_sequences


def test_pad_sequences_is_reexported():
    assert sequence.pad_sequences is pad_sequences


def test_sampling_table_formula():
    table = make_sampling_table(6, sampling_factor=1e-3)
    rank = np.array([1, 1, 2, 3, 4, 5], dtype=float)
    inv_freq = rank * (np.log(rank) + 0.577) + 0.5 - 1 / (12 * rank)
    np.testing.assert_allclose(table, np.minimum(1.0, np.sqrt(1e-3 * inv_freq)), rtol=1e-14)
    assert table.shape == (6,) and table.dtype == np.float64
    np.testing.assert_array_equal(make_sampling_table(1000), legacy.make_sampling_table(1000))
    big = make_sampling_table(10**6, sampling_factor=1e-2)
    assert big[0] == pytest.approx(np.sqrt(1e-2 * (1.077 - 1 / 12))) and big[-1] == 1.0


def test_skipgrams_positive_pairs():
    couples, labels = skipgrams([1, 2, 0, 3], 4, window_size=1, negative_samples=0.0,
                                shuffle=False)
    assert couples == [[1, 2], [2, 1]]
    assert labels == [1, 1]
    couples, _ = skipgrams([1, 2, 3], 4, window_size=2, negative_samples=0, shuffle=False)
    assert couples == [[1, 2], [1, 3], [2, 1], [2, 3], [3, 1], [3, 2]]


def test_skipgrams_negatives_and_categorical():
    seq = [1, 2, 3, 4, 5]
    couples, labels = skipgrams(seq, 10, window_size=1, negative_samples=2.0, seed=3)
    assert len(couples) == 24 and labels.count(1) == 8 and labels.count(0) == 16
    positives = {tuple(c) for c, label in zip(couples, labels, strict=True) if label == 1}
    assert positives == {(1, 2), (2, 1), (2, 3), (3, 2), (3, 4), (4, 3), (4, 5), (5, 4)}
    negatives = [c for c, label in zip(couples, labels, strict=True) if label == 0]
    assert all(c[0] in seq and 1 <= c[1] <= 9 for c in negatives)
    assert skipgrams(seq, 10, window_size=1, negative_samples=2.0, seed=3) == (couples, labels)
    _, one_hot = skipgrams(seq, 10, window_size=1, categorical=True, shuffle=False)
    assert one_hot == [[0, 1]] * 8 + [[1, 0]] * 8


def test_skipgrams_sampling_table_and_legacy_shapes():
    assert skipgrams([1, 2, 3], 4, sampling_table=np.zeros(4), seed=0) == ([], [])
    kept, _ = skipgrams([1, 2, 3], 4, sampling_table=np.ones(4), negative_samples=0, seed=0)
    assert len(kept) == 6
    # 2 * (18 + 17 + 16) = 102 positive pairs (id 0 skipped), then 51 negatives.
    ours = skipgrams(list(range(20)), 20, window_size=3, negative_samples=0.5, seed=1)
    theirs = legacy.skipgrams(list(range(20)), 20, window_size=3, negative_samples=0.5, seed=1)
    assert len(ours[0]) == len(theirs[0]) == 153
    assert sum(ours[1]) == sum(theirs[1]) == 102


def test_timeseries_generator_docstring_example():
    data = np.array([[i] for i in range(50)])
    gen = TimeseriesGenerator(data, data, length=10, sampling_rate=2, batch_size=2)
    assert len(gen) == 20
    x, y = gen[0]
    assert x.tolist() == [[[0], [2], [4], [6], [8]], [[1], [3], [5], [7], [9]]]
    assert y.tolist() == [[10], [11]]
    x, y = gen[19]
    assert x.shape == (2, 5, 1) and y.tolist() == [[48], [49]]


def test_timeseries_generator_stride_range_reverse():
    data, targets = np.arange(20), np.arange(100, 120)
    gen = TimeseriesGenerator(data, targets, length=3, stride=3, start_index=2, end_index=15,
                              reverse=True, batch_size=2)
    # Target rows 5, 8, 11, 14 in batches of two.
    assert len(gen) == 2
    x, y = gen[0]
    assert x.tolist() == [[4, 3, 2], [7, 6, 5]] and y.tolist() == [105, 108]
    x, y = gen[1]
    assert x.tolist() == [[10, 9, 8], [13, 12, 11]] and y.tolist() == [111, 114]
    last = TimeseriesGenerator(data, targets, length=4, batch_size=5)
    assert len(last) == 4 and last[3][1].tolist() == [119]


def test_timeseries_generator_shuffle_and_legacy():
    data = np.random.rand(30, 2)
    gen = TimeseriesGenerator(data, np.arange(30), length=5, shuffle=True, batch_size=8)
    x, y = gen[0]
    assert x.shape == (8, 5, 2) and y.min() >= 5 and y.max() <= 29
    np.testing.assert_array_equal(x[:, -1], data[y - 1])
    kwargs = dict(length=6, sampling_rate=2, stride=2, start_index=1, batch_size=3)
    ours = TimeseriesGenerator(data, data, **kwargs)
    theirs = legacy.TimeseriesGenerator(data, data, **kwargs)
    assert len(ours) == len(theirs) == 4
    for i in range(len(ours)):
        np.testing.assert_array_equal(ours[i][0], theirs[i][0])
        np.testing.assert_array_equal(ours[i][1], theirs[i][1])


def test_timeseries_generator_config_and_errors():
    gen = TimeseriesGenerator(np.arange(6), [0, 1, 2, 3, 4, 5], length=2, start_index=1,
                              batch_size=4)
    config = gen.get_config()
    assert config["data"] == "[0, 1, 2, 3, 4, 5]" and config["start_index"] == 1
    assert config["end_index"] == 5 and config["batch_size"] == 4
    payload = json.loads(gen.to_json())
    assert payload["class_name"] == "TimeseriesGenerator"
    rebuilt = TimeseriesGenerator(**{**payload["config"], "data": json.loads(config["data"]),
                                     "targets": json.loads(config["targets"])})
    assert len(rebuilt) == len(gen) == 1 and rebuilt[0][1].tolist() == [3, 4, 5]
    with pytest.raises(ValueError, match="Data length is 3 while target length is 2"):
        TimeseriesGenerator([1, 2, 3], [1, 2], length=1)
    with pytest.raises(ValueError, match=r"`start_index\+length=5 > end_index=3`"):
        TimeseriesGenerator(np.arange(4), np.arange(4), length=5)
    with pytest.raises(TypeError, match="Targets not JSON Serializable"):
        TimeseriesGenerator([1, 2], [object(), object()], length=1).get_config()
