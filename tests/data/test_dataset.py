"""hocsau.data.Dataset: tf.data's transformations, cardinality, threads, caching and fit."""

import threading
import time

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.data import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset


def values(ds):
    return [np.asarray(e).tolist() for e in ds.as_numpy_iterator()]


def test_from_tensor_slices_keeps_structure_and_length():
    ds = Dataset.from_tensor_slices({"a": np.arange(4), "b": (np.ones((4, 2)), [1, 2, 3, 4])})
    first = next(iter(ds))
    assert len(ds) == 4 and first["a"] == 0 and first["b"][0].shape == (2,)
    assert first["b"][1] == 1
    with pytest.raises(ValueError, match="same first dimension"):
        Dataset.from_tensor_slices((np.ones(3), np.ones(4)))


def test_map_filter_batch_unbatch_take_skip_repeat_concatenate_zip():
    ds = Dataset.range(10)
    assert values(ds.map(lambda v: v * 2).filter(lambda v: v % 3 == 0)) == [0, 6, 12, 18]
    assert values(ds.batch(4)) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert len(ds.batch(4)) == 3 and len(ds.batch(4, drop_remainder=True)) == 2
    assert values(ds.batch(4).unbatch()) == list(range(10))
    assert values(ds.skip(7)) == [7, 8, 9] and values(ds.take(2)) == [0, 1]
    assert values(ds.take(3).repeat(2)) == [0, 1, 2, 0, 1, 2] and len(ds.repeat(3)) == 30
    assert values(ds.take(2).concatenate(Dataset.range(5, 7))) == [0, 1, 5, 6]
    pairs = list(Dataset.zip(ds.take(2), ds.skip(5)))
    assert [(int(a), int(b)) for a, b in pairs] == [(0, 5), (1, 6)]
    assert ds.repeat().cardinality() == INFINITE_CARDINALITY
    assert ds.filter(lambda v: True).cardinality() == UNKNOWN_CARDINALITY
    with pytest.raises(TypeError, match="length is unknown"):
        len(ds.filter(lambda v: True))


def test_shuffle_buffer_seed_and_reshuffling():
    ds = Dataset.range(50).shuffle(50, seed=3)
    first, second = values(ds), values(ds)
    assert sorted(first) == list(range(50)) and first != list(range(50)) and first != second
    assert values(Dataset.range(50).shuffle(50, seed=3)) == first  # same seed, same epochs
    fixed = Dataset.range(20).shuffle(20, seed=1, reshuffle_each_iteration=False)
    assert values(fixed) == values(fixed)
    local = values(Dataset.range(100).shuffle(2, seed=0))
    assert max(abs(v - i) for i, v in enumerate(local)) < 100  # small buffer: local moves
    with pytest.raises(ValueError, match="buffer_size=0"):
        Dataset.range(3).shuffle(0)


def test_parallel_map_keeps_order_and_overlaps():
    def slow(v):
        time.sleep(0.02)
        return v + 1

    start = time.perf_counter()
    out = values(Dataset.range(16).map(slow, num_parallel_calls=8))
    assert out == list(range(1, 17)) and time.perf_counter() - start < 16 * 0.02


def test_prefetch_yields_everything_and_passes_errors():
    assert values(Dataset.range(7).batch(2).prefetch(AUTOTUNE)) == [[0, 1], [2, 3], [4, 5], [6]]

    def broken():
        yield 1
        raise RuntimeError("source failed")

    with pytest.raises(RuntimeError, match="source failed"):
        list(Dataset.from_generator(broken).prefetch(2))


def test_cache_in_memory_and_in_a_file(tmp_path):
    calls = []
    ds = Dataset.range(4).map(lambda v: calls.append(1) or {"v": v, "pair": (v, -v)}).cache()
    assert values(Dataset.zip(ds, ds)) and len(calls) >= 4
    before = len(calls)
    list(ds)
    list(ds)
    assert len(calls) == before  # the mapped function ran on the first pass only
    path = str(tmp_path / "cache")
    source = Dataset.from_tensor_slices((np.arange(3), np.ones((3, 2)))).cache(path)
    list(source)
    reread = list(Dataset.from_generator(lambda: iter([])).cache(path))
    assert [int(a) for a, _ in reread] == [0, 1, 2] and reread[0][1].shape == (2,)


def test_from_generator_and_torch_tensors():
    ds = Dataset.from_generator(lambda: ((torch.full((2,), float(i)), i) for i in range(3)))
    batch = next(iter(ds.batch(3)))
    assert isinstance(batch[0], torch.Tensor) and batch[0].shape == (3, 2)
    with pytest.raises(TypeError, match="must be callable"):
        Dataset.from_generator([1, 2])


def test_fit_evaluate_predict_from_a_pipeline():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x.sum(1) > 0).astype("float32")[:, None]
    train = Dataset.from_tensor_slices((x, y)).shuffle(64, seed=0).batch(16).prefetch(AUTOTUNE)
    model = hocsau.Sequential([hocsau.Input((4,)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=hocsau.optimizers.Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(train, epochs=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.evaluate(train, verbose=0, return_dict=True)["accuracy"] > 0.8
    assert model.predict(Dataset.from_tensor_slices(x).batch(10), verbose=0).shape == (64, 1)
    augment = layers.RandomFlip("horizontal", seed=1)
    images = Dataset.from_tensor_slices(rng.random((4, 5, 5, 3), dtype=np.float32)).batch(2)
    assert next(iter(images.map(lambda b: augment(torch.as_tensor(b), training=True)))).shape \
        == (2, 5, 5, 3)


def test_autotune_runs_cheap_functions_inline_and_slow_ones_in_threads():
    assert values(Dataset.range(20).map(lambda v: v * 3, num_parallel_calls=AUTOTUNE)) == [
        3 * i for i in range(20)]

    def slow(v):
        time.sleep(0.01)
        return v

    start = time.perf_counter()
    assert values(Dataset.range(40).map(slow, num_parallel_calls=AUTOTUNE)) == list(range(40))
    assert time.perf_counter() - start < 40 * 0.01


def test_autotune_does_not_count_filling_a_shuffle_buffer_against_the_function():
    threads = set()

    def cheap(v):
        threads.add(threading.current_thread().name)
        return v + 1

    def slow_source():
        for i in range(300):
            time.sleep(1e-4)  # the buffer's first fill takes ~30 ms, far over the probe budget
            yield i

    source = Dataset.from_generator(slow_source, output_signature=None)
    out = values(source.shuffle(256, seed=1).map(cheap, num_parallel_calls=AUTOTUNE))
    assert sorted(out) == list(range(1, 301))
    assert threads == {threading.current_thread().name}  # stayed inline


def test_elements_are_tensors_as_tf_data_gives_them():
    images = np.random.default_rng(0).integers(0, 255, (5, 4, 4, 3)).astype("float32")
    ds = Dataset.from_tensor_slices((images, np.arange(5), [0.5] * 5)).batch(2)
    batch_images, labels, weights = next(iter(ds.take(1)))
    assert isinstance(batch_images, torch.Tensor) and batch_images.dtype == torch.float32
    # keras.io: plt.imshow(images[i].numpy().astype("uint8")); class_names[labels[i]]
    assert batch_images[1].numpy().astype("uint8").shape == (4, 4, 3)
    np.testing.assert_array_equal(batch_images[1].numpy(), images[1])
    assert ["cat", "dog"][labels[1]] == "dog" and int(labels[1]) == 1
    assert labels.dtype == torch.int64 and weights.dtype == torch.float32  # tf: Python float32
    assert [type(leaf) for leaf in next(ds.as_numpy_iterator())] == [np.ndarray] * 3
    assert Dataset.range(3).map(lambda v: v + 1).cardinality() == 3
    assert [v.dtype for v in Dataset.range(2)] == [torch.int64] * 2
    assert [v.dtype for v in Dataset.from_tensor_slices([1, 2])] == [torch.int32] * 2


def test_map_functions_see_tensors_and_their_results_become_tensors():
    source = np.arange(6, dtype="float32").reshape(3, 2)
    seen = []

    def scale(x):
        seen.append(type(x))
        x *= 10  # in place: tf.data hands each call its own tensor, never the source
        return x.numpy() + 1  # NumPy back: the element is a tensor again

    ds = Dataset.from_tensor_slices(source).map(scale)
    rows = list(ds)
    assert seen == [torch.Tensor] * 3 and all(isinstance(r, torch.Tensor) for r in rows)
    assert rows[1].tolist() == [21.0, 31.0] and source[1].tolist() == [2.0, 3.0]
    dense = layers.Dense(1, kernel_initializer="ones")
    out = next(iter(Dataset.from_tensor_slices((source, np.ones(3))).batch(3).map(
        lambda x, y: (dense(x), y))))
    assert out[0].shape == (3, 1) and out[0][2].item() == 9.0


def test_string_elements_read_as_tf_string_tensors(tmp_path):
    texts = ["the cat", "a dog", "café"]
    ds = Dataset.from_tensor_slices((texts, np.arange(3))).batch(2)
    text_batch, _ = next(iter(ds))
    # keras.io: print(text_batch.numpy()[i]); text_batch[i].numpy()
    assert text_batch.numpy()[1] == b"a dog" and text_batch[0].numpy() == b"the cat"
    assert len(text_batch) == 2 and text_batch.shape == (2,)
    assert [row.numpy() for row in ds.unbatch().map(lambda t, label: t)] == [
        t.encode() for t in texts]
    vectorizer = layers.TextVectorization(output_sequence_length=2)
    vectorizer.adapt(ds.map(lambda t, label: t))
    vectors = list(ds.map(lambda t, label: (vectorizer(t), label)))
    assert vectors[1][0].tolist() == [[vectorizer.get_vocabulary().index("café"), 0]]
    cached = ds.cache(str(tmp_path / "texts"))
    list(cached)
    again = list(Dataset.from_generator(lambda: iter([])).cache(str(tmp_path / "texts")))
    assert again[1][0].numpy().tolist() == [b"caf\xc3\xa9"]
    assert next(ds.as_numpy_iterator())[0].tolist() == [b"the cat", b"a dog"]


def test_pandas_columns_with_a_shuffled_index_slice_by_position_into_a_dict_model():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"age": [50.0, 60.0, 40.0, 30.0], "sex": [0, 1, 1, 0],
                          "target": [1, 0, 1, 0]}).sample(frac=1.0, random_state=3)
    labels = frame.pop("target")
    ds = Dataset.from_tensor_slices((dict(frame), labels)).batch(2)  # keras.io structured data
    features, targets = next(iter(ds))
    assert features["age"].tolist() == frame["age"].tolist()[:2]
    assert targets.tolist() == labels.tolist()[:2]
    inputs = {name: hocsau.Input((1,), name=name) for name in ("age", "sex")}
    merged = layers.Concatenate()(list(inputs.values()))
    model = hocsau.Model(inputs, layers.Dense(1, kernel_initializer="ones")(merged))
    assert model.predict(ds, verbose=0)[:, 0].tolist() == (frame["age"] + frame["sex"]).tolist()


def test_padded_batch_pads_each_array_to_the_batch_or_given_shape():
    from hocsau.data import Dataset

    rows = [np.arange(n, dtype="float32") + 1 for n in (2, 4, 1)]
    ds = Dataset.from_generator(lambda: ((row, len(row)) for row in rows))
    (values, lengths), (last, _) = list(ds.padded_batch(2))
    np.testing.assert_array_equal(values, [[1, 2, 0, 0], [1, 2, 3, 4]])
    assert lengths.tolist() == [2, 4] and last.shape == (1, 1)
    (values, _), = list(ds.padded_batch(3, padded_shapes=([5], []), padding_values=(-1.0, 0)))
    np.testing.assert_array_equal(values[2], [1, -1, -1, -1, -1])
    with pytest.raises(ValueError, match="does not fit the padded shape"):
        list(ds.padded_batch(3, padded_shapes=([3], [])))
    assert len(list(ds.padded_batch(2, drop_remainder=True))) == 1


def test_shard_takes_every_nth_element_as_tf_data():
    ds = Dataset.range(10)
    shards = [[int(v) for v in ds.shard(3, i)] for i in range(3)]
    assert shards == [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]
    assert [ds.shard(3, i).cardinality() for i in range(3)] == [4, 3, 3]
    assert Dataset.range(2).shard(4, 3).cardinality() == 0
    batches = [b.tolist() for b in Dataset.range(8).shard(2, 1).batch(2)]
    assert batches == [[1, 3], [5, 7]]
    with pytest.raises(ValueError, match="index"):
        ds.shard(2, 2)
    with pytest.raises(TypeError, match="num_shards"):
        ds.shard(2.0, 0)
