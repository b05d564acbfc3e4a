"""`utils.bounding_boxes` against Keras 3's functions on the same boxes."""

import itertools

import keras
import numpy as np
import pytest

from hocsau.utils import bounding_boxes as ours

theirs = keras.utils.bounding_boxes
FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy", "rel_yxyx",
           "rel_xywh", "rel_center_xywh")


def _boxes(shape=(2, 5), seed=0):
    rng = np.random.default_rng(seed)
    low = rng.uniform(0, 60, shape + (2,))
    return np.concatenate([low, low + rng.uniform(1, 40, shape + (2,))], -1).astype("float32")


def _close(a, b, **kw):
    np.testing.assert_allclose(np.asarray(a), keras.ops.convert_to_numpy(b),
                               rtol=kw.get("rtol", 1e-5), atol=kw.get("atol", 1e-5))


@pytest.mark.parametrize("source,target", list(itertools.product(FORMATS, FORMATS)))
def test_convert_format(source, target):
    boxes = _boxes()
    if source.startswith("rel_"):
        boxes = boxes / 100.0
    _close(ours.convert_format(boxes, source, target, height=80, width=120),
           theirs.convert_format(boxes, source, target, height=80, width=120))


def test_convert_format_dict_and_errors():
    data = {"boxes": _boxes((3,)), "labels": np.arange(3)}
    out = ours.convert_format(dict(data), "xyxy", "xywh")
    _close(out["boxes"], theirs.convert_format(dict(data), "xyxy", "xywh")["boxes"])
    for args in (("xyxy", "rel_xyxy"), ("xyxy", "nope")):
        with pytest.raises(ValueError) as mine:
            ours.convert_format(_boxes(), *args)
        with pytest.raises(ValueError) as ref:
            theirs.convert_format(_boxes(), *args)
        assert str(mine.value) == str(ref.value)


@pytest.mark.parametrize("fmt", ["xyxy", "rel_xyxy"])
def test_clip_to_image_size(fmt):
    boxes = np.array([[-10, -20, 150, 160], [50, 40, 70, 80], [130, 10, 140, 20]], "float32")
    if fmt == "rel_xyxy":
        boxes = boxes / 100.0
    data = {"boxes": boxes, "labels": np.array([0, 1, 2])}
    mine = ours.clip_to_image_size(data, height=100, width=120, bounding_box_format=fmt)
    ref = theirs.clip_to_image_size(dict(data), height=100, width=120,
                                    bounding_box_format=fmt)
    _close(mine["boxes"], ref["boxes"])
    np.testing.assert_array_equal(np.asarray(mine["labels"]),
                                  keras.ops.convert_to_numpy(ref["labels"]))


def test_crop_and_pad():
    boxes = np.array([[10, 20, 50, 60], [70, 80, 100, 120]], "float32")
    _close(ours.crop(boxes, top=10, left=20, height=40, width=30),
           theirs.crop(boxes, top=10, left=20, height=40, width=30))
    _close(ours.pad(boxes, top=5, left=7), theirs.pad(boxes, top=5, left=7))
    with pytest.raises(ValueError, match="bounding_box_format='yxyx'"):
        ours.crop(boxes, 0, 0, 10, 10, bounding_box_format="yxyx")


def test_affine_transform():
    boxes = _boxes((2, 4))
    params = dict(angle=np.array([15.0, -30.0], "float32"),
                  translate_x=np.array([0.1, -0.2], "float32"),
                  translate_y=np.array([0.0, 0.05], "float32"),
                  scale=np.array([1.2, 0.8], "float32"),
                  shear_x=np.array([5.0, 0.0], "float32"),
                  shear_y=np.array([0.0, -10.0], "float32"), height=100, width=120)
    _close(ours.affine_transform(boxes, **params),
           theirs.affine_transform(boxes, **{k: keras.ops.convert_to_tensor(v)
                                             if isinstance(v, np.ndarray) else v
                                             for k, v in params.items()}), atol=1e-3)


@pytest.mark.parametrize("variance", [None, [0.1, 0.1, 0.2, 0.2]])
@pytest.mark.parametrize("encoding", ["center_yxhw", "center_xywh"])
def test_encode_decode_deltas(variance, encoding):
    anchors, boxes = _boxes((6,), seed=1), _boxes((2, 6), seed=2)
    mine = ours.encode_box_to_deltas(anchors, boxes, "xyxy", "xyxy", encoding, variance)
    ref = theirs.encode_box_to_deltas(anchors, boxes, "xyxy", "xyxy", encoding, variance)
    _close(mine, ref)
    back = ours.decode_deltas_to_boxes(anchors, np.asarray(mine), "xyxy", "xywh", encoding,
                                       variance)
    _close(back, theirs.decode_deltas_to_boxes(anchors, ref, "xyxy", "xywh", encoding,
                                               variance), atol=1e-4)
    _close(back, theirs.convert_format(boxes, "xyxy", "xywh"), atol=1e-3)
    levels = ours.decode_deltas_to_boxes({"p3": anchors}, {"p3": np.asarray(mine)}, "xyxy",
                                         "xyxy", encoding, variance)
    _close(levels["p3"], boxes, atol=1e-3)


@pytest.mark.parametrize("shapes", [((4,), (3,)), ((2, 4), (2, 3)), ((2, 4), (3,)),
                                    ((4,), (2, 3))])
@pytest.mark.parametrize("masking", [False, True])
def test_compute_iou(shapes, masking):
    a, b = _boxes(shapes[0], 3), _boxes(shapes[1], 4)
    a[..., 0, :] = -1.0  # a padding box
    mine = ours.compute_iou(a, b, "xyxy", use_masking=masking)
    if masking and len(shapes[0]) != len(shapes[1]):  # Keras 3.15 fails on these ranks
        plain = np.asarray(ours.compute_iou(a, b, "xyxy"))
        np.testing.assert_array_equal(np.asarray(mine)[..., 0, :], -1.0)
        np.testing.assert_array_equal(np.asarray(mine)[..., 1:, :], plain[..., 1:, :])
    else:
        _close(mine, theirs.compute_iou(a, b, "xyxy", use_masking=masking))
    rel = ours.compute_iou(a / 100, b / 100, "rel_yxyx", image_shape=(100, 100, 3))
    _close(rel, theirs.compute_iou(a / 100, b / 100, "rel_yxyx", image_shape=(100, 100, 3)))


def test_compute_ciou():
    a, b = _boxes((2, 5), 5), _boxes((2, 5), 6)
    for fmt in ("xyxy", "xywh"):
        _close(ours.compute_ciou(a, b, fmt), theirs.compute_ciou(a, b, fmt))
    same = ours.compute_ciou(a, a, "xyxy")
    np.testing.assert_allclose(np.asarray(same), 1.0, atol=1e-5)
