"""What each of W processes reads, checked in one process by passing (rank, world) directly
(the agreeing collectives are identities there): 3 processes, uneven counts."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import hocsau as keras
from hocsau.distribution.data_sharding import shard_source
from hocsau.trainers.data_adapters import get_data_adapter

WORLD = 3


def _shares(make_adapter, training):
    """Per rank: the list of (first value of the local batch or None, loss scale, owners)."""
    shares = []
    for rank in range(WORLD):
        keras.utils.set_random_seed(0)  # every process starts from the same random state
        pieces = shard_source(make_adapter(), rank, WORLD, training, split_batches=False)
        shares.append([(None if local is None else float(keras.tree.flatten(local)[0][0, 0]),
                        scale, owners) for local, scale, owners in pieces])
    return shares


def test_array_rows_are_the_global_batch_split_in_the_shared_order():
    x = np.arange(50, dtype="float32").reshape(50, 1)  # batches of 16: 16, 16, 16, 2 rows
    make = lambda: get_data_adapter(x, x, batch_size=16, shuffle=True)  # noqa: E731
    keras.utils.set_random_seed(0)
    reference = [batch[0][:, 0].tolist() for batch in make()]
    for rank in range(WORLD):
        keras.utils.set_random_seed(0)
        pieces = list(shard_source(make(), rank, WORLD, True, split_batches=False))
        assert [owners for _, _, owners in pieces] == [(0, 1, 2)] * 3 + [(0, 1)]
        for (local, scale, _), rows in zip(pieces, reference, strict=True):
            expected = np.array_split(np.array(rows), WORLD)[rank]
            if not len(expected):
                assert local is None  # training then stops with a clear error
                continue
            np.testing.assert_array_equal(local[0][:, 0].numpy(), expected)
            assert scale == pytest.approx(len(expected) * WORLD / len(rows))


class _Indexed(keras.utils.PyDataset):
    def __len__(self):
        return 13

    def __getitem__(self, index):
        return np.full((2, 1), float(index)), np.zeros((2, 1))


def _loader():
    return torch.utils.data.DataLoader(torch.arange(26.0).reshape(26, 1) // 2, batch_size=2)


def _stream():
    return ((np.full((2, 1), float(index)),) for index in range(13))


@pytest.mark.parametrize("make", [_Indexed, _loader, lambda: keras.data.Dataset.range(
    13).map(lambda i: keras.ops.cast(keras.ops.full((2, 1), i), "float32"))],
                         ids=["pydataset", "dataloader", "dataset"])
def test_sized_sources_give_every_process_every_third_batch_in_equal_counts(make):
    with pytest.warns(UserWarning, match="13 batches per epoch do not split evenly over 3 "
                                         "processes; each trains on 4 of them and the last 1"):
        shares = _shares(lambda: get_data_adapter(make()), training=True)
    for rank, share in enumerate(shares):
        assert [value for value, _, _ in share] == [float(i) for i in range(rank, 12, WORLD)]
        assert {(scale, owners) for _, scale, owners in share} == {(1.0, (rank,))}


def test_evaluation_reads_every_batch_and_names_its_owner():
    shares = _shares(lambda: get_data_adapter(_Indexed()), training=False)
    for rank, share in enumerate(shares):
        assert [owners for _, _, owners in share] == [(i % WORLD,) for i in range(13)]
        assert [value for value, _, _ in share] == [
            float(i) if i % WORLD == rank else None for i in range(13)]


def test_a_generator_of_unknown_length_is_read_round_robin():
    # One process stands for all: the step-by-step agreement sees only its own batches.
    shares = _shares(lambda: get_data_adapter(_stream()), training=True)
    assert [[value for value, _, _ in share] for share in shares] == [
        [0.0, 3.0, 6.0, 9.0, 12.0], [1.0, 4.0, 7.0, 10.0], [2.0, 5.0, 8.0, 11.0]]
