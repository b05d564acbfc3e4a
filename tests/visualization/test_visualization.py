"""keras.visualization: masks equal Keras 3's; boxes drawn where they belong; galleries
written as PNG files (Agg backend)."""

import keras
import matplotlib
import numpy as np
import pytest

from hocsau import visualization

matplotlib.use("Agg")


def _images(n=2, size=32, value=40.0):
    return np.full((n, size, size, 3), value, "float32")


def _masks(n=2, size=32):
    rng = np.random.default_rng(0)
    masks = rng.integers(0, 3, (n, size, size, 1)).astype("int32")
    masks[:, :4] = -1
    return masks


@pytest.mark.parametrize("blend", [True, False])
@pytest.mark.parametrize("mapping", [None, {0: (255, 0, 0), 1: (0, 255, 0), 2: (0, 0, 255)}])
def test_draw_segmentation_masks_equals_keras(blend, mapping):
    images, masks = _images(), _masks()
    ours = visualization.draw_segmentation_masks(images, masks, num_classes=3,
                                                 color_mapping=mapping, blend=blend, alpha=0.6)
    theirs = keras.visualization.draw_segmentation_masks(images, masks, num_classes=3,
                                                         color_mapping=mapping, blend=blend,
                                                         alpha=0.6)
    np.testing.assert_allclose(ours, keras.ops.convert_to_numpy(theirs), atol=1e-4)
    if blend:
        assert ours.dtype == np.uint8
        np.testing.assert_array_equal(ours[:, :4], 40)  # ignore_index pixels untouched


def test_draw_segmentation_masks_errors_equal_keras():
    for images, masks in ((_images()[0], _masks()), (_images(), _masks().astype("float32"))):
        with pytest.raises((ValueError, TypeError)) as ours:
            visualization.draw_segmentation_masks(images, masks)
        with pytest.raises((ValueError, TypeError)) as theirs:
            keras.visualization.draw_segmentation_masks(images, masks)
        assert (type(ours.value), str(ours.value)) == (type(theirs.value), str(theirs.value))


def test_draw_bounding_boxes_outlines_boxes():
    boxes = {"boxes": np.array([[[4, 6, 20, 24], [0, 0, 8, 8]], [[2, 2, 10, 10], [0, 0, 0, 0]]],
                               "float32"),
             "labels": np.array([[1, -1], [0, -1]])}
    out = visualization.draw_bounding_boxes(_images(), boxes, "xyxy", color=(255, 0, 0),
                                            line_thickness=1)
    assert out.shape == (2, 32, 32, 3) and out.dtype == np.uint8
    assert (out[0, 6, 4:21] == [255, 0, 0]).all()    # top edge
    assert (out[0, 6:25, 20] == [255, 0, 0]).all()   # right edge
    np.testing.assert_array_equal(out[0, 12, 10], [40, 40, 40])     # inside untouched
    np.testing.assert_array_equal(out[0, 0, 0], [40, 40, 40])       # label -1 skipped
    rel = visualization.draw_bounding_boxes(_images(), {
        "boxes": boxes["boxes"] / 32.0, "labels": boxes["labels"]}, "rel_xyxy",
        color=(255, 0, 0), line_thickness=1)
    np.testing.assert_array_equal(rel, out)
    named = visualization.draw_bounding_boxes(
        _images(n=1, size=64), {"boxes": np.array([[[10, 40, 50, 60]]], "float32"),
                           "labels": np.array([[3]]), "confidences": np.array([[0.9]])},
        "xyxy", class_mapping={3: "cat"}, color=(0, 255, 0), line_thickness=1)
    assert (named[0, :38, :, 1] == 255).any()  # the label is written above the box
    with pytest.raises(ValueError, match="'boxes' and 'labels'"):
        visualization.draw_bounding_boxes(_images(), {"boxes": boxes["boxes"]}, "xyxy")


def test_galleries_write_png(tmp_path):
    images = np.random.default_rng(0).uniform(0, 255, (4, 16, 16, 3)).astype("float32")
    visualization.plot_image_gallery(images, y_true=[0, 1, 0, 1], y_pred=[0, 0, 1, 1],
                                     label_map={0: "cat", 1: "dog"}, path=tmp_path / "g.png")
    boxes = {"boxes": np.tile(np.array([[2, 2, 12, 12]], "float32"), (4, 1, 1)),
             "labels": np.zeros((4, 1), "int32")}
    visualization.plot_bounding_box_gallery(images, "xyxy", y_true=boxes, y_pred=boxes,
                                            legend=True, path=tmp_path / "b.png")
    visualization.plot_segmentation_mask_gallery(images, 3, y_true=_masks(4, 16),
                                                 y_pred=_masks(4, 16), path=tmp_path / "s.png")
    for name in ("g.png", "b.png", "s.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_gallery_errors_equal_keras(tmp_path):
    images = _images(4)
    for kwargs in ({"path": tmp_path / "x.png", "show": True}, {"y_true": [0, 1, 0, 1]}):
        with pytest.raises(ValueError) as ours:
            visualization.plot_image_gallery(images, **kwargs)
        with pytest.raises(ValueError) as theirs:
            keras.visualization.plot_image_gallery(images, **kwargs)
        assert str(ours.value) == str(theirs.value)
