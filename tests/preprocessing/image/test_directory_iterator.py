"""flow_from_directory over generated PNG / JPEG folders against Keras's DirectoryIterator."""

import numpy as np
import pytest
from keras.src.legacy.preprocessing.image import ImageDataGenerator as KerasGenerator
from PIL import Image

import hocsau
from hocsau import layers
from hocsau.preprocessing.image import DirectoryIterator, ImageDataGenerator


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(0)
    for index, name in enumerate(["zebra", "apple", "mango"]):  # created unsorted
        (root / name / "nested").mkdir(parents=True)
        for i in range(5):
            pixels = rng.integers(0, 60, size=(10 + i, 12, 3)).astype("uint8")
            pixels[..., index] = 250
            extension = "png" if i % 2 else "jpg"
            where = root / name / "nested" if i == 4 else root / name
            Image.fromarray(pixels).save(where / f"{name}_{i}.{extension}")
    (root / "apple" / "notes.txt").write_text("not an image")
    return root


def both(folder, generator_kwargs=None, **kwargs):
    """(ours, Keras's) iterators over `folder`, Keras's built under the same global seed."""
    np.random.seed(0)
    theirs = KerasGenerator(**(generator_kwargs or {})).flow_from_directory(folder, **kwargs)
    np.random.seed(0)
    ours = ImageDataGenerator(**(generator_kwargs or {})).flow_from_directory(folder, **kwargs)
    return ours, theirs


def assert_same_batches(ours, theirs, count=None):
    for index in range(count or len(theirs)):
        expected, got = theirs[index], ours[index]
        expected = expected if isinstance(expected, tuple) else (expected,)
        got = got if isinstance(got, tuple) else (got,)
        assert len(got) == len(expected)
        for a, b in zip(got, expected, strict=True):
            assert a.shape == b.shape and a.dtype == b.dtype
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-5)


def test_index_matches_keras(folder, capsys):
    ours, theirs = both(folder, target_size=(8, 8), batch_size=4, shuffle=False)
    assert capsys.readouterr().out.splitlines() == ["Found 15 images belonging to 3 classes."] * 2
    assert isinstance(ours, DirectoryIterator) and isinstance(ours, hocsau.utils.PyDataset)
    assert ours.class_indices == theirs.class_indices == {"apple": 0, "mango": 1, "zebra": 2}
    assert ours.filenames == theirs.filenames and ours.filepaths == theirs.filepaths
    assert ours.classes.dtype == np.int32 and ours.classes.tolist() == theirs.classes.tolist()
    assert ours.samples == 15 and len(ours) == len(theirs) == 4
    assert ours.image_shape == theirs.image_shape == (8, 8, 3)


@pytest.mark.parametrize("class_mode", ["categorical", "binary", "sparse", "input", None])
def test_labels_of_each_class_mode_match_keras(folder, class_mode):
    classes = ["apple", "mango"] if class_mode == "binary" else None
    ours, theirs = both(folder, target_size=(6, 7), batch_size=4, shuffle=False,
                        class_mode=class_mode, classes=classes)
    assert_same_batches(ours, theirs)


@pytest.mark.parametrize("options", [
    dict(color_mode="grayscale", target_size=(9, 5)),
    dict(color_mode="rgba", target_size=(5, 5), interpolation="bilinear"),
    dict(target_size=(4, 8), keep_aspect_ratio=True, interpolation="bicubic"),
])
def test_color_modes_and_resizing_match_keras(folder, options):
    ours, theirs = both(folder, batch_size=16, shuffle=False, **options)
    assert_same_batches(ours, theirs)
    assert ours[0][0].shape == (15,) + ours.image_shape


def test_seeded_shuffled_augmentation_matches_keras(folder):
    augment = dict(rescale=1 / 255, rotation_range=20, shear_range=0.2, zoom_range=0.2,
                   width_shift_range=0.1, height_shift_range=0.1, horizontal_flip=True)
    ours, theirs = both(folder, augment, target_size=(8, 8), batch_size=4, seed=5)
    assert_same_batches(ours, theirs)
    np.random.seed(9)  # the next epoch's order comes from the global state, as in Keras
    ours.on_epoch_end()
    np.random.seed(9)
    theirs.on_epoch_end()
    assert ours.index_array.tolist() == theirs.index_array.tolist()
    assert_same_batches(ours, theirs, count=2)


def test_subsets_match_keras(folder):
    for subset, size in (("training", 12), ("validation", 3)):
        ours, theirs = both(folder, {"validation_split": 0.25}, target_size=(4, 4),
                            shuffle=False, subset=subset)
        assert ours.samples == theirs.samples == size
        assert ours.filenames == theirs.filenames
        assert ours.classes.tolist() == theirs.classes.tolist()


def test_channels_first_matches_keras(folder):
    ours, theirs = both(folder, {"data_format": "channels_first", "vertical_flip": True},
                        target_size=(5, 6), batch_size=8, seed=1)
    assert ours.image_shape == (3, 5, 6)
    assert_same_batches(ours, theirs)


def test_bad_arguments(folder):
    generator = ImageDataGenerator()
    cases = [
        (dict(class_mode="multiclass"), "Received: class_mode='multiclass'"),
        (dict(color_mode="cmyk"), "Received: color_mode='cmyk'"),
        (dict(target_size=224), "Received: target_size=224"),
        (dict(interpolation="linear"), "Received: interpolation='linear'"),
        (dict(subset="validation"), "Received: subset='validation' with validation_split=0.0"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            generator.flow_from_directory(folder, **kwargs)
    with pytest.raises(ValueError, match="existing folder. Received: directory="):
        generator.flow_from_directory(folder / "missing")


def test_fit_with_validation_data_like_the_tutorial(folder, capsys):
    """The seed notebook's pattern: rescaled train / test iterators, steps from len()."""
    train = ImageDataGenerator(rescale=1 / 255, rotation_range=20, horizontal_flip=True,
                               validation_split=0.2).flow_from_directory(
        directory=folder, batch_size=4, target_size=(8, 8), class_mode="categorical",
        subset="training", seed=1)
    test = ImageDataGenerator(rescale=1 / 255, validation_split=0.2).flow_from_directory(
        directory=folder, batch_size=4, target_size=(8, 8), class_mode="categorical",
        subset="validation", shuffle=False)
    assert capsys.readouterr().out.splitlines() == ["Found 12 images belonging to 3 classes.",
                                                    "Found 3 images belonging to 3 classes."]
    images, labels = train.next()
    assert images.shape == (4, 8, 8, 3) and 0 <= images.min() and images.max() <= 1
    assert labels.shape == (4, 3) and labels.sum(axis=1).tolist() == [1.0] * 4
    model = hocsau.Sequential([hocsau.Input((8, 8, 3)), layers.Conv2D(4, 3, activation="relu"),
                               layers.GlobalAveragePooling2D(),
                               layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(train, steps_per_epoch=len(train), validation_data=test,
                        validation_steps=len(test), epochs=1, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert np.isfinite(history.history["val_loss"][0])
    assert model.predict(test, verbose=0).shape == (3, 3)
