"""image_dataset_from_directory over generated PNG / JPEG folders: Keras's class order, labels,
batch shapes and splits."""

import numpy as np
import pytest
import torch
from PIL import Image

import hocsau
from hocsau import layers
from hocsau.utils import image_dataset_from_directory


@pytest.fixture
def folder(tmp_path):
    rng = np.random.default_rng(0)
    for index, name in enumerate(["zebra", "apple", "mango"]):  # created unsorted
        (tmp_path / name).mkdir()
        for i in range(5):
            pixels = rng.integers(0, 60, size=(10 + i, 12, 3)).astype("uint8")
            pixels[..., index] = 250  # the class is the bright channel
            extension = "png" if i % 2 else "jpg"
            Image.fromarray(pixels).save(tmp_path / name / f"{name}_{i}.{extension}")
    (tmp_path / "apple" / "notes.txt").write_text("not an image")
    return tmp_path


def all_batches(dataset):
    return [tuple(np.asarray(part) for part in batch) for batch in dataset]


def test_classes_sorted_labels_and_shapes(folder, capsys):
    ds = image_dataset_from_directory(folder, image_size=(8, 8), batch_size=4, shuffle=False)
    assert capsys.readouterr().out.strip() == "Found 15 files belonging to 3 classes."
    assert ds.class_names == ["apple", "mango", "zebra"]
    batches = all_batches(ds)
    assert [b[0].shape for b in batches] == [(4, 8, 8, 3)] * 3 + [(3, 8, 8, 3)]
    labels = np.concatenate([b[1] for b in batches])
    assert labels.dtype == np.int32 and labels.tolist() == [0] * 5 + [1] * 5 + [2] * 5
    images = np.concatenate([b[0] for b in batches])
    assert images.dtype == np.float32 and 0 <= images.min() and images.max() <= 255
    # apple's files were bright in channel 1, mango's in 2, zebra's in 0
    assert images.mean(axis=(1, 2)).argmax(axis=1).tolist() == [1] * 5 + [2] * 5 + [0] * 5


def test_label_modes_and_color_modes(folder):
    (images, onehot), = all_batches(image_dataset_from_directory(
        folder, label_mode="categorical", image_size=(6, 6), batch_size=32, shuffle=False,
        color_mode="grayscale", verbose=False))
    assert images.shape == (15, 6, 6, 1)
    assert onehot.dtype == np.float32 and onehot.argmax(1).tolist() == [0] * 5 + [1] * 5 + [2] * 5
    only_images = image_dataset_from_directory(folder, label_mode=None, image_size=(6, 6),
                                               color_mode="rgba", verbose=False)
    assert only_images.class_names is None and next(iter(only_images)).shape == (15, 6, 6, 4)
    single = image_dataset_from_directory(folder, batch_size=None, image_size=(5, 5),
                                          shuffle=False, verbose=False)
    image, label = next(iter(single))
    assert len(single) == 15 and image.shape == (5, 5, 3) and label.shape == ()


def test_shuffle_is_seeded_and_reshuffles_each_epoch(folder):
    def labels(ds):
        return np.concatenate([b[1] for b in all_batches(ds)]).tolist()

    a = image_dataset_from_directory(folder, image_size=(4, 4), batch_size=4, seed=3,
                                     verbose=False)
    b = image_dataset_from_directory(folder, image_size=(4, 4), batch_size=4, seed=3,
                                     verbose=False)
    assert a.file_paths == b.file_paths
    first, second = labels(a), labels(a)
    assert sorted(first) == sorted(second) == [0] * 5 + [1] * 5 + [2] * 5
    assert first != second  # a new order each epoch, as tf.data's reshuffle_each_iteration
    assert [labels(b), labels(b)] == [first, second]  # the same sequence of epochs


def test_validation_split_subsets(folder, capsys):
    train, val = image_dataset_from_directory(folder, image_size=(4, 4), batch_size=4, seed=1,
                                              validation_split=0.2, subset="both")
    out = capsys.readouterr().out
    assert "Using 12 files for training." in out and "Using 3 files for validation." in out
    assert not set(train.file_paths) & set(val.file_paths)
    assert len(train.file_paths) + len(val.file_paths) == 15
    only_val = image_dataset_from_directory(folder, image_size=(4, 4), seed=1, verbose=False,
                                            validation_split=0.2, subset="validation")
    assert only_val.file_paths == val.file_paths


def test_binary_labels_and_fit(tmp_path, folder):
    import shutil

    shutil.rmtree(folder / "zebra")
    ds = image_dataset_from_directory(folder, label_mode="binary", image_size=(8, 8),
                                      batch_size=4, seed=0, verbose=False)
    _, labels = all_batches(ds)[0]
    assert labels.shape == (4, 1) and labels.dtype == np.float32
    model = hocsau.Sequential([hocsau.Input((8, 8, 3)), layers.Rescaling(1 / 255),
                               layers.Flatten(), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(ds, verbose=0).shape == (10, 1)


@pytest.mark.parametrize("kwargs, message", [
    ({"label_mode": "sparse"}, "label_mode=sparse"),
    ({"color_mode": "cmyk"}, "color_mode=cmyk"),
    ({"validation_split": 0.2, "subset": "training"}, "must provide a `seed`"),
    ({"validation_split": 1.5, "subset": "training", "seed": 1}, "between 0 and 1"),
    ({"subset": "training"}, "`validation_split` must be set"),
    ({"label_mode": "binary"}, "exactly 2 class_names"),
    ({"interpolation": "cubic"}, "interpolation=cubic"),
    ({"crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}, "Only one of"),
    ({"labels": [0, 1], "class_names": ["apple"]}, "only pass `class_names`"),
    ({"labels": [0, 1]}, "len\\(labels\\) is 2"),
    ({"image_size": (1, 2, 3)}, "image_size=\\(1, 2, 3\\)"),
])
def test_argument_errors(folder, kwargs, message):
    with pytest.raises(ValueError, match=message):
        image_dataset_from_directory(folder, verbose=False, **kwargs)


def test_missing_directory_is_named(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        image_dataset_from_directory(tmp_path / "nowhere")


def test_returns_a_dataset_that_chains_like_tf_data(folder):
    ds = image_dataset_from_directory(folder, image_size=(8, 8), batch_size=4, shuffle=False,
                                      verbose=False)
    assert isinstance(ds, hocsau.data.Dataset) and ds.cardinality() == 4
    assert [p.split("/")[-2:] for p in ds.file_paths[:2]] == [["apple", "apple_0.jpg"],
                                                             ["apple", "apple_1.png"]]
    for images, labels in ds.take(1):
        assert images.shape == (4, 8, 8, 3) and labels.tolist() == [0, 0, 0, 0]
    scaled = ds.map(lambda x, y: (x / 255.0, y)).cache().prefetch(hocsau.data.AUTOTUNE)
    first = [x for x, _ in scaled]
    assert [x.shape[0] for x in first] == [4, 4, 4, 3] and max(x.max() for x in first) <= 1
    again = [x for x, _ in scaled]  # from the cache
    np.testing.assert_array_equal(np.concatenate(again), np.concatenate(first))
    rows = list(ds.unbatch())
    assert len(rows) == 15 and rows[0][0].shape == (8, 8, 3) and rows[14][1] == 2
    np.testing.assert_allclose(rows[4][0] / 255.0, first[1][0], rtol=1e-6)


def test_images_are_decoded_as_batches_are_drawn(folder, monkeypatch):
    from hocsau.utils import _tf_image

    decoded = []
    original = _tf_image.load_image
    monkeypatch.setattr(_tf_image, "load_image",
                        lambda path, *args: decoded.append(path) or original(path, *args))
    ds = image_dataset_from_directory(folder, image_size=(4, 4), batch_size=2, shuffle=False,
                                      verbose=False)
    assert decoded == []
    next(iter(ds.take(1)))
    assert 2 <= len(decoded) < 15  # the first batch and what the prefetch ran ahead for


def test_fit_evaluate_predict_directly_on_split_datasets(folder):
    train, val = image_dataset_from_directory(folder, image_size=(8, 8), batch_size=4, seed=2,
                                              validation_split=0.2, subset="both",
                                              label_mode="categorical", verbose=False)
    assert train.class_names == val.class_names == ["apple", "mango", "zebra"]
    model = hocsau.Sequential([hocsau.Input((8, 8, 3)), layers.Rescaling(1 / 255),
                               layers.GlobalAveragePooling2D(),
                               layers.Dense(3, activation="softmax")])
    model.compile(optimizer=hocsau.optimizers.Adam(0.1), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(train.prefetch(hocsau.data.AUTOTUNE), validation_data=val, epochs=8,
                        verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    loss, accuracy = model.evaluate(val, verbose=0)
    assert accuracy == 1.0  # each class is bright in its own channel
    probabilities = model.predict(val, verbose=0)
    labels = np.concatenate([y for _, y in val])
    assert probabilities.shape == (3, 3)
    assert probabilities.argmax(1).tolist() == labels.argmax(1).tolist()


def test_tensorflow_resize_methods_and_options(folder):
    kwargs = {"image_size": (6, 6), "batch_size": 16, "shuffle": False, "verbose": False}
    nearest, _ = next(iter(image_dataset_from_directory(folder, interpolation="nearest",
                                                        **kwargs)))
    assert nearest.dtype == torch.uint8  # tf.image.resize keeps the dtype for "nearest"
    for option in ({"interpolation": "area"}, {"interpolation": "lanczos3"},
                   {"crop_to_aspect_ratio": True}, {"pad_to_aspect_ratio": True}):
        images, _ = next(iter(image_dataset_from_directory(folder, **kwargs, **option)))
        assert images.dtype == torch.float32 and images.shape == (15, 6, 6, 3), option
    first = image_dataset_from_directory(folder, data_format="channels_first", **kwargs)
    assert next(iter(first))[0].shape == (15, 3, 6, 6)
