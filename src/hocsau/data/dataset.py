"""`Dataset`: a lazy input pipeline with tf.data's API, for fit / evaluate / predict.

A dataset is a recipe: every iteration runs it again from its source, so `shuffle` reshuffles
each epoch (with a seed, a different but reproducible order each time) and `map` functions run
as elements are drawn. Elements are torch tensors (strings: `StringTensor`s, NumPy arrays of
bytes with tf's `.numpy()`), nested in tuples and dicts (`(x, y)` pairs for fit), as tf.data's
are tensors: `images[0].numpy()`, `text_batch.numpy()[0]` read as in keras.io's examples;
`as_numpy_iterator()` gives NumPy. `prefetch` and `map(num_parallel_calls=...)` use background
threads, so loading and augmentation overlap the training step.

    ds = Dataset.from_tensor_slices((x, y)).shuffle(1000, seed=0).map(augment,
             num_parallel_calls=AUTOTUNE).batch(32).prefetch(AUTOTUNE)
    model.fit(ds, epochs=5)
"""

from __future__ import annotations

import concurrent.futures
import itertools
import json
import os
import queue
import threading
import time

import numpy as np
import torch

from hocsau.data import _structure

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2


class Dataset:
    """An iterable pipeline; build one with `from_tensor_slices`, `from_generator`, `range`."""

    def __init__(self, make_iterator, cardinality: int = UNKNOWN_CARDINALITY):
        self._make_iterator = make_iterator
        self._cardinality = cardinality

    # --- sources ------------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors) -> Dataset:
        """One element per row of the arrays (their first axis), structure kept."""
        tensors = _structure.map_leaves(_structure.as_raw, tensors)
        count = _structure.length(tensors)

        def rows():
            for i in range(count):
                yield _structure.map_leaves(lambda leaf, i=i: leaf[i], tensors)

        return Dataset(rows, count)

    @staticmethod
    def from_tensors(tensors) -> Dataset:
        """A dataset of one element: `tensors`."""
        element = _structure.map_leaves(_structure.as_raw, tensors)
        return Dataset(lambda: iter([element]), 1)

    @staticmethod
    def from_generator(generator, output_signature=None, output_types=None,
                       output_shapes=None, args=None) -> Dataset:
        """The elements `generator(*args)` yields, drawn anew each iteration."""
        if not callable(generator):
            raise TypeError("`generator` must be callable (a function returning an iterator). "
                            f"Received: generator={generator!r}")
        return Dataset(lambda: (_structure.map_leaves(_structure.as_raw, element)
                                for element in generator(*(args or ()))))

    @staticmethod
    def range(*args) -> Dataset:
        values = range(*args)
        return Dataset(lambda: (np.int64(v) for v in values), len(values))

    @staticmethod
    def zip(*datasets) -> Dataset:
        """Elements side by side, as long as the shortest dataset."""
        if len(datasets) == 1 and isinstance(datasets[0], (tuple, list)):
            datasets = tuple(datasets[0])
        known = [d._cardinality for d in datasets]
        finite = [c for c in known if c >= 0]
        cardinality = min(finite) if finite else (
            INFINITE_CARDINALITY if all(c == INFINITE_CARDINALITY for c in known)
            else UNKNOWN_CARDINALITY)
        return Dataset(lambda: zip(*(d._raw() for d in datasets), strict=False), cardinality)

    # --- transformations ----------------------------------------------------------------------
    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None) -> Dataset:
        """`map_func(*element)` for tuples (else `map_func(element)`), in order; with
        `num_parallel_calls` in that many worker threads (AUTOTUNE: threads when the function
        is slow enough to gain from them)."""
        call = _caller(map_func, observed=True)
        if num_parallel_calls == AUTOTUNE:
            return Dataset(lambda: _autotuned_map(call, self._raw()), self._cardinality)
        workers = num_parallel_calls or 1
        if workers <= 1:
            return Dataset(lambda: map(call, self._raw()), self._cardinality)
        return Dataset(lambda: _parallel_map(call, self._raw(), workers), self._cardinality)

    def filter(self, predicate, name=None) -> Dataset:
        call = _caller(predicate, observed=True)
        return Dataset(lambda: (e for e in self._raw() if bool(call(e))))

    def shuffle(self, buffer_size: int, seed=None, reshuffle_each_iteration=True,
                name=None) -> Dataset:
        """tf.data's buffered shuffle: each element is drawn at random from the next
        `buffer_size` ones. A seed makes the sequence of epochs reproducible."""
        if buffer_size is None or (buffer_size <= 0 and buffer_size != AUTOTUNE):
            raise ValueError(f"`buffer_size` must be positive. Received: buffer_size={buffer_size}")
        base = np.random.SeedSequence(seed).generate_state(1)[0] if seed is not None else None
        epochs = itertools.count()

        def shuffled():
            epoch = next(epochs) if reshuffle_each_iteration else 0
            rng = np.random.default_rng(None if base is None else (int(base), epoch))
            return _buffered_shuffle(self._raw(), buffer_size, rng)

        return Dataset(shuffled, self._cardinality)

    def batch(self, batch_size: int, drop_remainder: bool = False, num_parallel_calls=None,
              deterministic=None, name=None) -> Dataset:
        """Consecutive elements stacked along a new first axis."""
        return self._batched(batch_size, drop_remainder,
                             lambda chunk: _structure.zip_leaves(_structure.stack, chunk))

    def _batched(self, batch_size, drop_remainder: bool, combine) -> Dataset:
        """Lists of `batch_size` consecutive elements, each made one by `combine(list)`."""
        if not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"`batch_size` must be a positive integer. Received: "
                             f"batch_size={batch_size}")

        def batches():
            iterator = self._raw()
            while True:
                chunk = list(itertools.islice(iterator, batch_size))
                if not chunk or (drop_remainder and len(chunk) < batch_size):
                    return
                yield combine(chunk)

        count = self._cardinality
        if count >= 0:
            count = count // batch_size if drop_remainder else -(-count // batch_size)
        return Dataset(batches, count)

    def padded_batch(self, batch_size: int, padded_shapes=None, padding_values=None,
                     drop_remainder: bool = False, name=None) -> Dataset:
        """Batches of elements whose arrays may differ in shape, each padded at the end of
        every axis (as tf.data): to `padded_shapes` (a shape per array, as a list, in the
        element's structure; None, or None in an axis, means the batch's largest) with
        `padding_values` (one number for all arrays or one per array; default 0)."""
        def spec(structure, default, count: int) -> list:
            if structure is None or np.isscalar(structure):
                return [default if structure is None else structure] * count
            return _structure.leaves(structure)

        def pad(chunk):
            count = len(_structure.leaves(chunk[0]))
            specs = iter(list(zip(spec(padded_shapes, None, count),
                                  spec(padding_values, 0, count), strict=True)))
            return _structure.zip_leaves(lambda values: _structure.pad_stack(values, *next(specs)),
                                         chunk)

        return self._batched(batch_size, drop_remainder, pad)

    def unbatch(self, name=None) -> Dataset:
        def rows():
            for element in self._raw():
                for i in range(_structure.length(element)):
                    yield _structure.map_leaves(lambda leaf, i=i: leaf[i], element)

        return Dataset(rows)

    def prefetch(self, buffer_size, name=None) -> Dataset:
        """A background thread keeps up to `buffer_size` elements ready (AUTOTUNE: 2); with
        CUDA, batches of tensors are pinned so the copy to the GPU can overlap."""
        size = 2 if buffer_size in (None, AUTOTUNE) else max(int(buffer_size), 1)
        return Dataset(lambda: _prefetch(self._raw(), size), self._cardinality)

    def cache(self, filename: str = "", name=None) -> Dataset:
        """Keep the elements after the first full pass: in memory, or in an `.npz` file
        (numpy leaves, no pickling) that later datasets with the same file name reuse."""
        return Dataset(_Cache(self, filename), self._cardinality)

    def repeat(self, count=None, name=None) -> Dataset:
        times = itertools.count() if count is None or count < 0 else range(count)

        def repeated():
            for _ in times if not isinstance(times, range) else range(len(times)):
                yield from self._raw()

        cardinality = INFINITE_CARDINALITY if count is None or count < 0 else (
            self._cardinality * count if self._cardinality >= 0 else self._cardinality)
        return Dataset(repeated, cardinality)

    def take(self, count: int, name=None) -> Dataset:
        cardinality = count if self._cardinality < 0 and self._cardinality != \
            UNKNOWN_CARDINALITY else min(count, self._cardinality)
        if self._cardinality == UNKNOWN_CARDINALITY:
            cardinality = UNKNOWN_CARDINALITY
        return Dataset(lambda: itertools.islice(self._raw(), count), cardinality)

    def skip(self, count: int, name=None) -> Dataset:
        cardinality = max(self._cardinality - count, 0) if self._cardinality >= 0 \
            else self._cardinality
        return Dataset(lambda: itertools.islice(self._raw(), count, None), cardinality)

    def shard(self, num_shards: int, index: int, name=None) -> Dataset:
        """Every `num_shards`-th element starting at `index` (tf.data's `shard`: one worker's
        part of the data, e.g. `ds.shard(distribution.num_processes(),
        distribution.process_id())`)."""
        for argument, value in (("num_shards", num_shards), ("index", index)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"`{argument}` must be an integer. Received: "
                                f"{argument}={value!r}")
        if num_shards < 1 or not 0 <= index < num_shards:
            raise ValueError("`num_shards` must be positive and `index` in [0, num_shards). "
                             f"Received: num_shards={num_shards}, index={index}")
        cardinality = max(-(-(self._cardinality - index) // num_shards), 0) \
            if self._cardinality >= 0 else self._cardinality
        return Dataset(lambda: itertools.islice(self._raw(), index, None, num_shards),
                       cardinality)

    def concatenate(self, dataset, name=None) -> Dataset:
        a, b = self._cardinality, dataset._cardinality
        cardinality = a + b if a >= 0 and b >= 0 else (
            INFINITE_CARDINALITY if INFINITE_CARDINALITY in (a, b) else UNKNOWN_CARDINALITY)
        return Dataset(lambda: itertools.chain(self._raw(), dataset._raw()), cardinality)

    # --- reading ------------------------------------------------------------------------------
    def __iter__(self):
        """The elements, tensors as tf.data gives them."""
        return map(_structure.as_tensors, self._raw())

    def _raw(self):
        """The elements as the stages pass them on: leaves may still be NumPy (rows, batches
        stacked on the host), turned into tensors only where the elements are observed (by
        iteration, a `map` or `filter` function, `prefetch`'s thread), so per-row work stays
        as cheap as NumPy indexing."""
        return iter(self._make_iterator())

    def as_numpy_iterator(self):
        """The elements with NumPy leaves (strings as `bytes`, arrays of them as objects)."""
        return (_structure.map_leaves(_to_numpy, e) for e in self)

    def cardinality(self) -> int:
        """The number of elements, or INFINITE_CARDINALITY (-1) / UNKNOWN_CARDINALITY (-2)."""
        return self._cardinality

    def __len__(self) -> int:
        if self._cardinality == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if self._cardinality == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return self._cardinality

    def __bool__(self) -> bool:
        return True


def _caller(fn, observed: bool = False):
    """`fn(*element)` for tuples, else `fn(element)`; `observed`: the function sees tensors
    and what it returns is carried on as an element."""
    def call(element):
        if observed:
            element = _structure.as_tensors(element)
        result = fn(*element) if isinstance(element, tuple) else fn(element)
        return _structure.map_leaves(_structure.as_raw, result) if observed else result

    return call


def _to_numpy(leaf):
    if isinstance(leaf, torch.Tensor):
        return leaf.detach().cpu().numpy()
    return leaf.numpy() if hasattr(leaf, "numpy") else leaf


def _parallel_map(call, iterator, workers: int):
    """Ordered map over worker threads, keeping at most `2 * workers` calls in flight."""
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        pending = [pool.submit(call, e) for e in itertools.islice(iterator, 2 * workers)]
        while pending:
            result = pending.pop(0).result()
            for element in itertools.islice(iterator, 1):
                pending.append(pool.submit(call, element))
            yield result


def _autotuned_map(call, iterator, probe: int = 8):
    """AUTOTUNE: time the first calls; functions cheaper than a thread hand-off (which holds
    the GIL anyway) run inline, slower ones (image decoding, augmentation) in worker threads."""
    elements = list(itertools.islice(iterator, probe))  # not timed: a shuffle buffer fills here
    start = time.perf_counter()
    first = [call(e) for e in elements]
    yield from first
    if first and (time.perf_counter() - start) / len(first) < _INLINE_SECONDS:
        yield from map(call, iterator)
    else:
        yield from _parallel_map(call, iterator, os.cpu_count() or 1)


_INLINE_SECONDS = 2e-4


def _buffered_shuffle(iterator, buffer_size: int, rng):
    buffer = list(itertools.islice(iterator, buffer_size if buffer_size > 0 else 10000))
    for element in iterator:
        index = int(rng.integers(len(buffer)))
        yield buffer[index]
        buffer[index] = element
    order = rng.permutation(len(buffer))
    for index in order:
        yield buffer[index]


_END = object()


def _prefetch(iterator, size: int):
    ready: queue.Queue = queue.Queue(maxsize=size)
    stop = threading.Event()

    def fill():
        try:
            for element in iterator:
                element = _structure.as_tensors(element)  # here, off the training thread
                if torch.cuda.is_available():
                    element = _structure.map_leaves(_pinned, element)
                while not stop.is_set():
                    try:
                        ready.put(element, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(_END)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer
            ready.put(error)

    thread = threading.Thread(target=fill, daemon=True)
    thread.start()
    try:
        while (element := ready.get()) is not _END:
            if isinstance(element, BaseException):
                raise element
            yield element
    finally:
        stop.set()


def _pinned(leaf):
    return leaf.pin_memory() if isinstance(leaf, torch.Tensor) and not leaf.is_cuda else leaf


class _Cache:
    """Yields from the source the first time (recording), then from the recording."""

    def __init__(self, source: Dataset, filename: str):
        self.source, self.filename = source, filename
        self.elements = None

    def __call__(self):
        if self.elements is None and self.filename and os.path.exists(self._path()):
            self.elements = _read_cache(self._path())
        if self.elements is not None:
            return iter(self.elements)
        return self._record()

    def _path(self) -> str:
        return self.filename if self.filename.endswith(".npz") else self.filename + ".npz"

    def _record(self):
        recorded = []
        for element in self.source._raw():
            recorded.append(element)
            yield element
        self.elements = recorded
        if self.filename:
            _write_cache(self._path(), recorded)


def _write_cache(path: str, elements: list) -> None:
    """Every leaf as an array `<element>_<leaf>`, plus the nesting as JSON; written atomically."""
    if not elements:
        return
    arrays = {"structure": np.array(json.dumps(_shape_of(elements[0])))}
    for i, element in enumerate(elements):
        for j, leaf in enumerate(_structure.leaves(element)):
            array = np.asarray(_to_numpy(leaf))
            arrays[f"{i}_{j}"] = array.astype("S") if array.dtype == object else array
    temporary = path + ".partial"
    with open(temporary, "wb") as f:
        np.savez(f, **arrays)
    os.replace(temporary, path)


def _read_cache(path: str) -> list:
    with open(path, "rb") as f, np.load(f, allow_pickle=False) as stored:
        template = json.loads(str(stored["structure"]))
        rows: dict = {}
        for key in stored.files:
            if key != "structure":
                i, j = (int(part) for part in key.split("_"))
                rows.setdefault(i, {})[j] = stored[key]
    return [_rebuild(template, iter(rows[i][j] for j in sorted(rows[i]))) for i in sorted(rows)]


def _shape_of(element):
    """The nesting of an element as JSON: null for a leaf, {"tuple": [...]}, {"dict": {...}}."""
    if isinstance(element, tuple):
        return {"tuple": [_shape_of(e) for e in element]}
    if isinstance(element, dict):
        return {"dict": {k: _shape_of(v) for k, v in element.items()}}
    return None


def _rebuild(shape, values):
    if shape is None:
        return next(values)
    kind, inner = next(iter(shape.items()))
    if kind == "dict":
        return {k: _rebuild(v, values) for k, v in inner.items()}
    return tuple(_rebuild(v, values) for v in inner)
