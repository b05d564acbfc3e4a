"""`MaxNumBoundingBoxes` against Keras 3: padding, truncation, config and `.keras` files."""

import keras
import numpy as np
import pytest

from hocsau import layers


def _data(n=3, batched=True):
    rng = np.random.default_rng(0)
    boxes = rng.integers(0, 100, (2, n, 4)).astype("float32")
    labels = rng.integers(0, 5, (2, n))
    images = rng.integers(0, 255, (2, 8, 8, 3)).astype("float32")
    if not batched:
        boxes, labels, images = boxes[0], labels[0], images[0]
    return {"images": images, "bounding_boxes": {"boxes": boxes, "labels": labels}}


@pytest.mark.parametrize("max_number", [2, 3, 5])
def test_pads_and_truncates_like_keras(max_number):
    data = _data()
    ours = layers.MaxNumBoundingBoxes(max_number, fill_value=-7, bounding_box_format="xyxy")(data)
    theirs = keras.layers.MaxNumBoundingBoxes(max_number, fill_value=-7,
                                             bounding_box_format="xyxy")(_data())
    for key in ("boxes", "labels"):
        np.testing.assert_array_equal(
            np.asarray(ours["bounding_boxes"][key]),
            keras.ops.convert_to_numpy(theirs["bounding_boxes"][key]))
    assert ours["bounding_boxes"]["boxes"].shape == (2, max_number, 4)
    np.testing.assert_array_equal(np.asarray(ours["images"]), data["images"])


def test_single_image_and_plain_images():
    out = layers.MaxNumBoundingBoxes(4, bounding_box_format="xyxy")(_data(batched=False))
    assert tuple(out["bounding_boxes"]["boxes"].shape) == (4, 4)
    np.testing.assert_array_equal(np.asarray(out["bounding_boxes"]["labels"])[3:], [-1])
    images = np.zeros((1, 4, 4, 3), "float32")
    assert np.asarray(layers.MaxNumBoundingBoxes(2)(images)).shape == (1, 4, 4, 3)


def test_output_shape_and_config():
    layer = layers.MaxNumBoundingBoxes(6, fill_value=0, bounding_box_format="yxyx")
    shape = layer.compute_output_shape({"images": (None, 8, 8, 3), "bounding_boxes": {
        "boxes": (None, 3, 4), "labels": (None, 3)}})
    assert shape["bounding_boxes"] == {"boxes": (None, 6, 4), "labels": (None, 6)}
    restored = keras.layers.MaxNumBoundingBoxes.from_config(layer.get_config())
    assert (restored.max_number, restored.fill_value, restored.bounding_box_format) == (
        6, 0, "yxyx")
    with pytest.raises(ValueError, match="didn't specify a bounding box format"):
        layers.MaxNumBoundingBoxes(2)(_data())
    mine = layers.MaxNumBoundingBoxes.from_config(
        keras.layers.MaxNumBoundingBoxes(6, name="m").get_config())
    assert (mine.max_number, mine.name) == (6, "m")
    with pytest.raises(KeyError, match="unsupported keys"):
        layer.compute_output_shape({"bounding_boxes": {"boxes": (3, 4), "scores": (3,)}})
