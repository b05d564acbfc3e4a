"""ImageDataGenerator.flow over arrays against Keras's NumpyArrayIterator; fit on it."""

import numpy as np
import pytest
from keras.src.legacy.preprocessing.image import ImageDataGenerator as KerasGenerator

import hocsau
from hocsau import layers
from hocsau.preprocessing.image import ImageDataGenerator, NumpyArrayIterator
from hocsau.utils import PyDataset

RNG = np.random.default_rng(2)
X = RNG.uniform(0, 255, size=(10, 6, 5, 3)).astype("float32")
Y = np.arange(10) % 2
W = np.linspace(0.1, 1.0, 10)
AUGMENT = dict(rotation_range=20, zoom_range=0.2, width_shift_range=0.1, horizontal_flip=True,
               rescale=1 / 255)


def batches(iterator, count):
    return [iterator[i] for i in range(count)]


def assert_batches_equal(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        for part_a, part_b in zip(a, b, strict=True):
            np.testing.assert_allclose(part_a, part_b, rtol=1e-6, atol=1e-6)


def test_is_a_pydataset_with_keras_lengths_and_order():
    flow = ImageDataGenerator().flow(X, Y, batch_size=4, shuffle=False)
    assert isinstance(flow, PyDataset) and isinstance(flow, NumpyArrayIterator)
    assert len(flow) == 3 and flow.n == 10
    shapes = [flow[i][0].shape for i in range(3)]
    assert shapes == [(4, 6, 5, 3), (4, 6, 5, 3), (2, 6, 5, 3)]
    np.testing.assert_array_equal(flow[1][0], X[4:8])
    assert flow[-1][1].tolist() == Y[8:].tolist()
    with pytest.raises(ValueError, match="has length 3. Received: idx=3"):
        flow[3]


def test_seeded_augmented_batches_match_keras():
    np.random.seed(0)
    theirs = KerasGenerator(**AUGMENT).flow(X, Y, batch_size=4, seed=7, sample_weight=W)
    expected = batches(theirs, 3)
    theirs.on_epoch_end()
    expected += batches(theirs, 3)
    np.random.seed(0)
    ours = ImageDataGenerator(**AUGMENT).flow(X, Y, batch_size=4, seed=7, sample_weight=W)
    got = batches(ours, 3)
    ours.on_epoch_end()
    got += batches(ours, 3)
    assert_batches_equal(got, expected)
    assert [len(b) for b in got] == [3] * 6  # (x, y, sample_weight)
    first = np.concatenate([b[1] for b in got[:3]])
    second = np.concatenate([b[1] for b in got[3:]])
    assert sorted(first.tolist()) == sorted(Y.tolist()) and first.tolist() != second.tolist()


def test_next_cycles_epochs_like_keras():
    np.random.seed(1)
    theirs = KerasGenerator(horizontal_flip=True).flow(X, batch_size=4, seed=3)
    expected = [next(theirs) for _ in range(5)]
    np.random.seed(1)
    ours = ImageDataGenerator(horizontal_flip=True).flow(X, batch_size=4, seed=3)
    got = [ours.next() for _ in range(4)] + [next(iter(ours))]
    assert [b.shape[0] for b in got] == [4, 4, 2, 4, 4]
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_array_equal(a, b)


def test_extra_inputs_and_subsets_match_keras():
    extra = np.arange(10.0)[:, None]
    y = np.array([0, 1] * 5)
    for subset, size in (("training", 7), ("validation", 3)):
        theirs = KerasGenerator(validation_split=0.3).flow((X, extra), y, batch_size=5,
                                                           shuffle=False, subset=subset)
        ours = ImageDataGenerator(validation_split=0.3).flow((X, extra), y, batch_size=5,
                                                             shuffle=False, subset=subset)
        assert ours.n == theirs.n == size
        (x_ours, extra_ours), y_ours = ours[0]
        (x_theirs, extra_theirs), y_theirs = theirs[0]
        np.testing.assert_array_equal(x_ours, x_theirs)
        np.testing.assert_array_equal(extra_ours, extra_theirs)
        np.testing.assert_array_equal(y_ours, y_theirs)


def test_save_to_dir_writes_the_batch(tmp_path):
    flow = ImageDataGenerator().flow(X, batch_size=3, shuffle=False, save_to_dir=tmp_path,
                                     save_prefix="aug", save_format="png")
    flow[0]
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 3 and [n.split("_")[:2] for n in names] == [["aug", "0"], ["aug", "1"],
                                                                      ["aug", "2"]]


def test_flow_errors_name_the_argument():
    generator = ImageDataGenerator(validation_split=0.5)
    with pytest.raises(ValueError, match=r"rank 4 .*Received: x with shape \(6, 5, 3\)"):
        generator.flow(X[0])
    with pytest.raises(ValueError, match=r"`y` should have the same length. Received:"):
        generator.flow(X, Y[:3])
    with pytest.raises(ValueError, match=r"`sample_weight` should have the same length"):
        generator.flow(X, Y, sample_weight=W[:2])
    with pytest.raises(ValueError, match="different number of classes .*Received:"):
        generator.flow(X, np.sort(Y), subset="training")
    assert generator.flow(X, np.sort(Y), subset="training", ignore_class_split=True).n == 5
    with pytest.raises(ValueError, match="Received: subset='test'"):
        generator.flow(X, Y, subset="test")
    with pytest.raises(ValueError, match=r"validation_split`. Received: subset='training'"):
        ImageDataGenerator().flow(X, Y, subset="training")
    with pytest.raises(ValueError, match="Received: batch_size=0"):
        generator.flow(X, Y, batch_size=0)
    with pytest.warns(UserWarning, match=r"\(2 channels\)"):
        generator.flow(X[..., :2])


def test_model_fits_one_epoch_on_flow():
    model = hocsau.Sequential([hocsau.Input((6, 5, 3)), layers.Conv2D(4, 3, activation="relu"),
                               layers.Flatten(), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    flow = ImageDataGenerator(**AUGMENT).flow(X, Y.astype("float32"), batch_size=4, seed=0)
    history = model.fit(flow, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and flow.total_batches_seen == 6
    assert np.isfinite(history.history["loss"]).all()
    assert 0 <= history.history["accuracy"][-1] <= 1
