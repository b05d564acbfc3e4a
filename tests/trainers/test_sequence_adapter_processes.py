"""PyDataset loading with `workers` and `use_multiprocessing`: same batches, in order, as one
process; errors, interrupts and epoch hooks handled; no worker process left behind."""

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures.process import BrokenProcessPool

import keras
import numpy as np
import pytest
import torch
from keras.src.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter

import hocsau
from hocsau import layers
from hocsau.preprocessing.image import ImageDataGenerator
from hocsau.preprocessing.sequence import TimeseriesGenerator
from hocsau.trainers.data_adapters import sequence_adapter
from hocsau.trainers.data_adapters.sequence_adapter import SequenceAdapter

X = np.random.default_rng(0).normal(size=(40, 3)).astype("float32")
Y = (X @ np.array([1.0, -2.0, 0.5], "float32")).reshape(-1, 1)
W = np.linspace(0.5, 1.5, 40).astype("float32")


class Rows(hocsau.utils.PyDataset):
    """Batches of 8 rows of X, Y, W; `epoch` (moved on by on_epoch_end) shifts x."""

    def __init__(self, fail_at=None, sleep_from=None, **kwargs):
        super().__init__(**kwargs)
        self.fail_at, self.sleep_from, self.epoch = fail_at, sleep_from, 0

    def __len__(self):
        return 5

    def __getitem__(self, index):
        if index == self.fail_at:
            raise ValueError(f"row block {index} cannot be read")
        if self.sleep_from is not None and index >= self.sleep_from:
            time.sleep(60)
        rows = slice(8 * index, 8 * index + 8)
        return X[rows] + self.epoch, Y[rows], W[rows]

    def on_epoch_end(self):
        self.epoch += 1


class Probe(hocsau.utils.PyDataset):
    """Where each batch was made: process id, thread, a random draw, and torch tensors."""

    def __len__(self):
        return 6

    def __getitem__(self, index):
        x = {"id": torch.tensor([[index]], dtype=torch.int64),
             "half": torch.full((1, 2), index / 3, dtype=torch.bfloat16),
             "where": np.array([[os.getpid(), threading.get_ident()]], dtype=np.int64),
             "draw": np.array([[np.random.random()]], dtype=np.float32)}
        return x, torch.tensor([[True]])


def _epoch(dataset, shuffle=False):
    return [tuple(part for part in batch) for batch in SequenceAdapter(dataset, shuffle=shuffle)]


def _linear():
    model = hocsau.Sequential([hocsau.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.mark.parametrize("workers, processes", [(2, True), (1, True), (3, False)])
def test_same_batches_in_the_same_order_as_in_one_process(workers, processes):
    expected = _epoch(Rows())
    got = _epoch(Rows(workers=workers, use_multiprocessing=processes, max_queue_size=2))
    assert len(got) == len(expected) == 5
    for ours, reference in zip(got, expected, strict=True):
        for a, b in zip(ours, reference, strict=True):
            assert a.dtype == b.dtype and a.shape == b.shape
            assert torch.equal(a, b)
    assert multiprocessing.active_children() == []


def test_batches_come_from_worker_processes_with_tensors_restored_exactly():
    batches = _epoch(Probe(workers=2, use_multiprocessing=True))
    ids = [x["id"].item() for x, _ in batches]
    assert ids == list(range(6))
    pids = {int(x["where"][0, 0]) for x, _ in batches[1:]}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2
    assert int(batches[0][0]["where"][0, 0]) == os.getpid()  # batch 0: before the pool starts
    half = torch.stack([x["half"] for x, _ in batches])
    assert half.dtype == torch.bfloat16
    assert torch.equal(half, torch.arange(6).div(3).to(torch.bfloat16).reshape(6, 1, 1)
                       .expand(6, 1, 2))
    assert all(y.dtype == torch.bool and y.item() for _, y in batches)


def test_threads_stay_threads_without_multiprocessing():
    batches = _epoch(Probe(workers=2))
    pids = {int(x["where"][0, 0]) for x, _ in batches}
    threads = {int(x["where"][0, 1]) for x, _ in batches}
    assert pids == {os.getpid()}
    assert threading.get_ident() not in threads


def test_workers_reseed_numpy_so_their_draws_differ():
    np.random.seed(5)
    draws = [x["draw"].item() for x, _ in _epoch(Probe(workers=2,
                                                                 use_multiprocessing=True))]
    # Forked without reseeding, each worker would repeat the draws following the parent's.
    parent_next = np.random.random()
    assert len(set(draws)) == 6 and np.float32(parent_next).item() not in draws[1:]


def test_at_most_max_queue_size_batches_requested_ahead():
    highest = multiprocessing.Value("i", -1)

    class Tracked(Rows):
        def __getitem__(self, index):
            with highest.get_lock():
                highest.value = max(highest.value, index)
            return super().__getitem__(index)

    seen = []
    for position, _ in enumerate(SequenceAdapter(Tracked(workers=2, use_multiprocessing=True,
                                                         max_queue_size=2))):
        time.sleep(0.02)  # give the workers time to run ahead if they could
        seen.append(highest.value - position)
    assert max(seen) == 2 and min(seen) >= 0


def test_on_epoch_end_runs_here_and_workers_see_it_next_epoch():
    dataset = Rows(workers=2, use_multiprocessing=True)
    adapter = SequenceAdapter(dataset)
    first, second = list(adapter), list(adapter)
    assert dataset.epoch == 2
    np.testing.assert_array_equal(first[3][0].numpy(), X[24:32])
    np.testing.assert_array_equal(second[3][0].numpy(), X[24:32] + 1)


def test_two_epochs_match_keras_process_workers():
    class KerasRows(keras.utils.PyDataset):
        __len__, __getitem__, on_epoch_end = Rows.__len__, Rows.__getitem__, Rows.on_epoch_end

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.fail_at, self.sleep_from, self.epoch = None, None, 0

    theirs = PyDatasetAdapter(KerasRows(workers=2, use_multiprocessing=True, max_queue_size=2))
    ours = SequenceAdapter(Rows(workers=2, use_multiprocessing=True, max_queue_size=2))
    for _ in range(2):
        theirs.on_epoch_begin()
        expected = list(theirs.get_numpy_iterator())
        theirs.on_epoch_end()
        got = list(ours)
        assert len(got) == len(expected) == 5
        for batch, reference in zip(got, expected, strict=True):
            for part, part_reference in zip(batch, reference, strict=True):
                np.testing.assert_array_equal(part.numpy(), part_reference)
    assert multiprocessing.active_children() == []


def test_fit_evaluate_predict_match_one_process():
    results = []
    for kwargs in ({}, {"workers": 2, "use_multiprocessing": True}):
        torch.manual_seed(0)
        model = _linear()
        history = model.fit(Rows(**kwargs), epochs=2, shuffle=False, verbose=0)
        loss = model.evaluate(Rows(**kwargs), verbose=0)
        results.append((history.history["loss"], loss, model.predict(Rows(**kwargs), verbose=0)))
        assert multiprocessing.active_children() == []
    (h1, l1, p1), (h2, l2, p2) = results
    np.testing.assert_allclose(h2, h1, rtol=1e-6)
    np.testing.assert_allclose(l2, l1, rtol=1e-6)
    assert p2.shape == (40, 1)
    np.testing.assert_allclose(p2, p1, rtol=1e-6)


def test_worker_error_reaches_fit_with_its_type_and_message():
    model = _linear()
    with pytest.raises(ValueError, match="row block 3 cannot be read"):
        model.fit(Rows(fail_at=3, workers=2, use_multiprocessing=True), verbose=0)
    assert multiprocessing.active_children() == []


def test_a_killed_worker_is_reported_not_waited_for():
    class Dies(Rows):
        def __getitem__(self, index):
            if index == 3:
                os.kill(os.getpid(), signal.SIGKILL)
            return super().__getitem__(index)

    with pytest.raises(BrokenProcessPool, match="loading batches of Dies ended abruptly"):
        list(SequenceAdapter(Dies(workers=2, use_multiprocessing=True)))
    assert multiprocessing.active_children() == []


def test_interrupt_during_fit_stops_the_workers():
    class Interrupt(hocsau.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                raise KeyboardInterrupt

    model = _linear()
    with pytest.raises(KeyboardInterrupt):
        model.fit(Rows(workers=2, use_multiprocessing=True), callbacks=[Interrupt()], verbose=0)
    assert multiprocessing.active_children() == []


def test_stopping_early_terminates_busy_workers():
    # Batches from 2 on take a minute: closing must terminate the workers, not wait for them.
    batches = iter(SequenceAdapter(Rows(sleep_from=2, workers=2, use_multiprocessing=True)))
    assert next(batches)[0].shape == (8, 3)
    assert next(batches)[0].shape == (8, 3)
    start = time.perf_counter()
    batches.close()
    assert multiprocessing.active_children() == []
    assert time.perf_counter() - start < 30  # a hang guard, not a speed check


@pytest.mark.filterwarnings("ignore:Your input ran out of data")  # the 3rd epoch, as Keras
def test_fit_with_fewer_steps_than_batches_leaves_no_workers():
    model = _linear()
    history = model.fit(Rows(workers=2, use_multiprocessing=True), steps_per_epoch=2, epochs=3,
                        verbose=0)
    assert len(history.history["loss"]) == 3
    assert multiprocessing.active_children() == []


def test_spawn_needs_a_picklable_dataset(monkeypatch):
    monkeypatch.setattr(sequence_adapter, "_start_method", lambda: "spawn")
    dataset = Rows(workers=2, use_multiprocessing=True)
    dataset.transform = lambda x: x
    with pytest.raises(TypeError, match=r"started with 'spawn', so it must be picklable, but "
                                        r"Rows is not.*Received: Rows \("):
        list(SequenceAdapter(dataset))
    assert multiprocessing.active_children() == []


def test_image_data_generator_flow_in_fit_with_processes():
    rng = np.random.default_rng(1)
    images = rng.uniform(0, 1, size=(20, 6, 6, 1)).astype("float32")
    labels = np.arange(20, dtype="float32")
    flow = ImageDataGenerator(rotation_range=30, horizontal_flip=True).flow(
        images, labels, batch_size=6, shuffle=True)
    flow.workers, flow.use_multiprocessing = 2, True  # flow() takes no loader options (Keras)
    # The shuffled order is drawn once, before the workers start: each image once per epoch.
    for _ in range(2):
        seen = np.concatenate([y.numpy() for _, y in SequenceAdapter(flow)])
        assert sorted(seen.tolist()) == list(range(20))
    model = hocsau.Sequential([hocsau.Input((6, 6, 1)), layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(flow, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()
    assert multiprocessing.active_children() == []


def test_spawned_workers_load_a_picklable_dataset(monkeypatch):
    # A library dataset, so that the spawned worker imports hocsau but not this test module.
    monkeypatch.setattr(sequence_adapter, "_start_method", lambda: "spawn")
    series = np.arange(12, dtype="float32")
    windows = TimeseriesGenerator(series, series, length=3, batch_size=4)
    windows.use_multiprocessing = True
    got = _epoch(windows)
    assert [x.tolist() for x, _ in got] == [
        [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]], [[4, 5, 6], [5, 6, 7], [6, 7, 8], [7, 8, 9]],
        [[8, 9, 10]]]
    assert torch.cat([y for _, y in got]).tolist() == list(range(3, 12))
    assert multiprocessing.active_children() == []
