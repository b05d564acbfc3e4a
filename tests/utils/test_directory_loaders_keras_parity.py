"""The directory and timeseries loaders against TensorFlow's Keras (fixture recorded by
reference/make_directory_loader_reference.py with TensorFlow 2.21 / Keras 3.15).

Class names, file order, labels, batch shapes and dtypes match exactly; windows and texts
exactly; PNG / BMP / GIF pixels within 1e-4 (relative to 255) after every resize method.
JPEG pixels differ by up to a few levels: TensorFlow decodes with libjpeg's fast integer DCT,
Pillow with the accurate one. Shuffled cases compare what does not depend on tf.data's RNG.
"""

import importlib.util
import pathlib

import numpy as np
import pytest

from hocsau.utils import (
    image_dataset_from_directory,
    text_dataset_from_directory,
    timeseries_dataset_from_array,
)

REFERENCE = pathlib.Path(__file__).parent / "reference"
JPEG_LEVELS = 4.5


def _reference_module():
    spec = importlib.util.spec_from_file_location(
        "make_directory_loader_reference", REFERENCE / "make_directory_loader_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ref = _reference_module()
META = __import__("json").loads(ref.JSON_PATH.read_text())
ARRAYS = dict(np.load(ref.NPZ_PATH))


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    root = tmp_path_factory.mktemp("loaders")
    return ref.build_image_tree(root / "images"), ref.build_text_tree(root / "texts")


def _compare(prefix, name, result, root, kwargs):
    meta, arrays = ref.record(result, root, kwargs.get("shuffle", False))
    expected = META[f"{prefix}/{name}"]
    assert meta.keys() == expected.keys()
    for part, want in expected.items():
        got = meta[part]
        assert got["class_names"] == want["class_names"]
        if want["file_paths"] is not None:
            assert got["file_paths"] == want["file_paths"]
        assert (got["shapes"], got["dtypes"]) == (want["shapes"], want["dtypes"])
        assert got.get("sorted_labels") == want.get("sorted_labels")
    for key, want in ARRAYS.items():
        if key.startswith(f"{prefix}/{name}/"):
            part, column = key.split("/")[-2:]
            _compare_values(arrays[f"{part}/{column}"], want, column, meta[part])


def _compare_values(got, want, column, meta):
    assert got.dtype == want.dtype and got.shape == want.shape
    if column != "0" or got.dtype.kind == "U" or meta["file_paths"] is None:
        np.testing.assert_array_equal(got, want)
        return
    jpeg = np.array([p.lower().endswith((".jpg", ".jpeg")) for p in meta["file_paths"]])
    got, want = (a.reshape(len(jpeg), -1).astype("float64") for a in (got, want))
    np.testing.assert_allclose(got[~jpeg], want[~jpeg], rtol=1e-4, atol=255e-4)
    assert np.abs(got[jpeg] - want[jpeg]).max(initial=0) <= JPEG_LEVELS


@pytest.mark.parametrize("name, kwargs", ref.IMAGE_CASES, ids=[c[0] for c in ref.IMAGE_CASES])
def test_image_dataset_matches_keras(trees, name, kwargs):
    images, _ = trees
    count = len(META["image/no_labels_unbatched"]["all"]["file_paths"])
    result = image_dataset_from_directory(images, **ref.resolve(kwargs, count))
    _compare("image", name, result, images, kwargs)


@pytest.mark.parametrize("name, kwargs", ref.TEXT_CASES, ids=[c[0] for c in ref.TEXT_CASES])
def test_text_dataset_matches_keras(trees, name, kwargs):
    _, texts = trees
    _compare("text", name, text_dataset_from_directory(texts, **kwargs), texts, kwargs)


@pytest.mark.parametrize("name, kwargs", ref.TIMESERIES_CASES,
                         ids=[c[0] for c in ref.TIMESERIES_CASES])
def test_timeseries_dataset_matches_keras(name, kwargs):
    data, targets = ref.timeseries_arrays()
    result = timeseries_dataset_from_array(data, **{"targets": targets, **kwargs})
    _compare("timeseries", name, result, ".", kwargs)
