"""timeseries_dataset_from_array: Keras's documented windows and targets, hand computed."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.utils import timeseries_dataset_from_array


def test_windows_and_targets_of_the_keras_docs_example():
    # Keras's docstring: sequence_length=10, sampling_rate=2 -> [0 2 4 ... 18], target data[10]
    data = np.arange(100)
    ds = timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10,
                                       sampling_rate=2, batch_size=4)
    windows, targets = next(iter(ds))
    assert windows[0].tolist() == list(range(0, 20, 2)) and targets[0] == 10
    assert windows[1].tolist() == list(range(1, 21, 2)) and targets[1] == 11
    assert sum(len(batch[0]) for batch in ds) == 90 - 9 * 2


def test_stride_start_end_and_unbatched():
    data = np.arange(20).reshape(10, 2)
    ds = timeseries_dataset_from_array(data, None, sequence_length=3, sequence_stride=2,
                                       start_index=1, end_index=9, batch_size=None)
    assert len(ds) == 3
    windows = list(ds)
    assert windows[0].tolist() == [[2, 3], [4, 5], [6, 7]]
    assert windows[2].tolist() == [[10, 11], [12, 13], [14, 15]]


def test_shuffle_is_seeded_reshuffles_each_epoch_and_keeps_every_window():
    data = np.arange(30)
    a = timeseries_dataset_from_array(data, data, sequence_length=5, shuffle=True, seed=1,
                                      batch_size=8)
    b = timeseries_dataset_from_array(data, data, sequence_length=5, shuffle=True, seed=1,
                                      batch_size=8)
    firsts = np.concatenate([w[:, 0] for w, _ in a]).tolist()
    assert firsts == np.concatenate([w[:, 0] for w, _ in b]).tolist()
    assert sorted(firsts) == list(range(26)) and firsts != sorted(firsts)
    for windows, targets in a:
        assert (windows[:, 0] == targets).all()
    second = np.concatenate([w[:, 0] for w, _ in b]).tolist()
    assert second != firsts and sorted(second) == sorted(firsts)


def test_chains_and_unbatches_like_tf_data():
    data = np.arange(40, dtype="float32")
    ds = timeseries_dataset_from_array(data, data, sequence_length=4, batch_size=10)
    assert isinstance(ds, hocsau.data.Dataset) and ds.cardinality() == 4
    rows = list(ds.unbatch().take(3))
    assert [w.tolist() for w, _ in rows] == [[0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5]]
    scaled = ds.map(lambda w, t: (w / 10, t)).cache().prefetch(hocsau.data.AUTOTUNE)
    windows, targets = next(iter(scaled))
    assert windows.shape == (10, 4) and windows[1, 3] == pytest.approx(0.4)
    assert targets.dtype == torch.float32 and targets[:3].tolist() == [0, 1, 2]


def test_fits_a_recurrent_model():
    series = np.sin(np.arange(200) / 5).astype("float32")[:, None]
    ds = timeseries_dataset_from_array(series[:-8], series[8:], sequence_length=8, batch_size=32)
    model = hocsau.Sequential([hocsau.Input((8, 1)), layers.LSTM(4), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    assert len(model.fit(ds, epochs=2, verbose=0).history["loss"]) == 2


@pytest.mark.parametrize("kwargs, message", [
    ({"sequence_length": 0}, "sequence_length=0"),
    ({"sampling_rate": 0}, "sampling_rate=0"),
    ({"sequence_stride": 50}, "sequence_stride=50"),
    ({"start_index": 20}, "start_index=20"),
    ({"start_index": 5, "end_index": 3}, "end_index=3"),
    ({"targets": np.arange(5)}, "same number of time steps"),
])
def test_argument_errors(kwargs, message):
    arguments = {"targets": None, "sequence_length": 3, **kwargs}
    with pytest.raises(ValueError, match=message):
        timeseries_dataset_from_array(np.arange(10), **arguments)
