"""flow_from_dataframe against Keras's DataFrameIterator."""

import numpy as np
import pytest
from keras.src.legacy.preprocessing.image import ImageDataGenerator as KerasGenerator
from PIL import Image

from hocsau.preprocessing.image import DataFrameIterator, ImageDataGenerator

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("frame")
    rng = np.random.default_rng(3)
    names = []
    for i in range(8):
        name = f"img_{i}.{'png' if i % 2 else 'jpg'}"
        Image.fromarray(rng.integers(0, 255, size=(7, 9, 3)).astype("uint8")).save(root / name)
        names.append(name)
    frame = pd.DataFrame({
        "filename": names,
        "class": ["dog", "cat"] * 4,
        "tags": [["dog"], ["cat", "dog"], ["bird"], ["cat"]] * 2,
        "score": np.linspace(0, 1, 8),
        "size": np.arange(8),
        "weight": np.linspace(1, 2, 8),
    })
    return root, frame


def both(frame, directory, generator_kwargs=None, **kwargs):
    np.random.seed(0)
    theirs = KerasGenerator(**(generator_kwargs or {})).flow_from_dataframe(frame, directory,
                                                                            **kwargs)
    np.random.seed(0)
    ours = ImageDataGenerator(**(generator_kwargs or {})).flow_from_dataframe(frame, directory,
                                                                              **kwargs)
    return ours, theirs


def assert_same(a, b):
    if isinstance(b, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_same(x, y)
    else:
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("options", [
    dict(class_mode="categorical", weight_col="weight"),
    dict(class_mode="binary"),
    dict(class_mode="sparse", classes=["dog", "cat"]),
    dict(class_mode="categorical", y_col="tags"),
    dict(class_mode="categorical", y_col="tags", classes=["dog", "cat"]),
    dict(class_mode="raw", y_col="score"),
    dict(class_mode="raw", y_col=["score", "size"]),
    dict(class_mode="multi_output", y_col=["score", "size"]),
    dict(class_mode="input"),
    dict(class_mode=None, y_col=None, color_mode="grayscale"),
])
def test_batches_match_keras(files, options, capsys):
    directory, frame = files
    ours, theirs = both(frame, directory, target_size=(5, 6), batch_size=3, shuffle=False,
                        **options)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == out[1] and out[0].startswith(f"Found {theirs.samples} validated")
    assert isinstance(ours, DataFrameIterator) and len(ours) == len(theirs)
    assert ours.filenames == theirs.filenames
    assert getattr(ours, "class_indices", None) == getattr(theirs, "class_indices", None)
    for index in range(len(theirs)):
        assert_same(ours[index], theirs[index])


def test_invalid_files_subsets_and_seeded_augmentation(files):
    directory, frame = files
    broken = pd.concat([frame, pd.DataFrame({"filename": ["missing.png", "notes.txt"],
                                             "class": ["dog", "cat"]})], ignore_index=True)
    with pytest.warns(UserWarning, match='Found 2 invalid image filename'):
        ours = ImageDataGenerator().flow_from_dataframe(broken, directory, target_size=(4, 4))
    assert ours.samples == 8
    for subset, size in (("training", 6), ("validation", 2)):
        ours, theirs = both(frame, directory, {"validation_split": 0.25, "rotation_range": 30,
                                               "horizontal_flip": True},
                            subset=subset, target_size=(6, 6), batch_size=4, seed=2)
        assert ours.samples == theirs.samples == size and ours.classes == theirs.classes
        for index in range(len(theirs)):
            assert_same(ours[index], theirs[index])


def test_seed_notebook_prediction_and_preview_pattern(files):
    """The seed notebook predicts on an unlabelled frame, and previews with `.next()`."""
    directory, frame = files
    flow = {"batch_size": 4, "target_size": (8, 8)}
    generator = ImageDataGenerator(rescale=1 / 255.)
    pred = generator.flow_from_dataframe(frame[["filename"]], directory=directory, shuffle=False,
                                         y_col=None, class_mode=None, **flow)
    assert pred[0].shape == (4, 8, 8, 3) and pred[0].max() <= 1
    single = pd.DataFrame({"filename": "img_1.png", "class": "cat"}, index=[0])
    preview = ImageDataGenerator(rotation_range=20, zoom_range=0.2).flow_from_dataframe(
        single, directory=directory, **flow)
    images = [preview.next()[0].squeeze() for _ in range(2)]
    assert [i.shape for i in images] == [(8, 8, 3)] * 2


def test_bad_arguments(files):
    directory, frame = files
    generator = ImageDataGenerator()
    with pytest.raises(ValueError, match="Received: class_mode='ordinal'"):
        generator.flow_from_dataframe(frame, directory, class_mode="ordinal")
    with pytest.raises(TypeError, match="`y_col` must be a list. Received: y_col of type str"):
        generator.flow_from_dataframe(frame, directory, class_mode="multi_output")
    with pytest.raises(ValueError, match="there must be 2 classes. Received: 3 classes"):
        generator.flow_from_dataframe(frame, directory, class_mode="binary",
                                      classes=["a", "b", "c"])
    with pytest.raises(TypeError, match=r"values must be strings. Received: \['dog'\] of type"):
        generator.flow_from_dataframe(frame, directory, y_col="tags", class_mode="sparse")
    with pytest.raises(TypeError, match="must be numeric. Received: dtype "):
        generator.flow_from_dataframe(frame, directory, weight_col="class")
    with pytest.raises(TypeError, match="must be a pandas DataFrame. Received: dataframe of "
                                        "type list"):
        generator.flow_from_dataframe([["img_0.jpg", "dog"]], directory)
    with pytest.raises(TypeError, match="unexpected keyword argument. Received: shuffled=True"):
        generator.flow_from_dataframe(frame, directory, shuffled=True)
    with pytest.warns(DeprecationWarning, match='please use `class_mode="raw"`'):
        other = generator.flow_from_dataframe(frame, directory, y_col="score",
                                              class_mode="other")
    assert other.class_mode == "raw" and other.labels.shape == (8,)
