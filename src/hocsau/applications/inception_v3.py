"""InceptionV3 (Szegedy et al., "Rethinking the Inception Architecture for Computer Vision",
CVPR 2016), layer for layer as `keras.applications.inception_v3`, so Keras's ImageNet weight
files load into it."""

from __future__ import annotations

from hocsau.applications import _application as app
from hocsau.applications._inception import STEM, branch, mixed
from hocsau.applications.imagenet_utils import decode_predictions
from hocsau.applications.inception_resnet_v2 import CLASSES_MESSAGE

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"

FAMILY = app.Family(
    default_size=299, min_size=75, base_url=BASE_WEIGHTS_PATH,
    files=app.tf_kernels_files("inception_v3", ("9a0d58056eeedaa3f26cb7ebd46da564",
                                                "bcbd6486424b2319ff4ef7d526e38f63")),
    messages=(app.weights_message(end="; Received: weights={weights}"), CLASSES_MESSAGE))
WEIGHTS_PATH, WEIGHTS_PATH_NO_TOP = (BASE_WEIGHTS_PATH + name for name, _ in FAMILY.files)


def _block_35(pool_filters: int) -> tuple:
    """mixed0-2 (35x35): 1x1, 5x5, double 3x3 and pooled branches."""
    return ([(64, 1)], [(48, 1), (64, 5)], [(64, 1), (96, 3), (96, 3)],
            ["avg", (pool_filters, 1)])


def _block_17(filters: int) -> tuple:
    """mixed4-7 (17x17): factorized 7x7 branches of `filters` inner channels."""
    c = filters
    return ([(192, 1)], [(c, 1), (c, (1, 7)), (192, (7, 1))],
            [(c, 1), (c, (7, 1)), (c, (1, 7)), (c, (7, 1)), (192, (1, 7))], ["avg", (192, 1)])


_REDUCE_35 = ([(384, 3, 2, "valid")], [(64, 1), (96, 3), (96, 3, 2, "valid")], ["max"])
_REDUCE_17 = ([(192, 1), (320, 3, 2, "valid")],
              [(192, 1), (192, (1, 7)), (192, (7, 1)), (192, 3, 2, "valid")], ["max"])


def _block_8(index: int) -> tuple:
    """mixed9-10 (8x8): branches split into 1x3 and 3x1 halves."""
    return ([(320, 1)], [(384, 1), ("split", 384, f"mixed9_{index}")],
            [(448, 1), (384, 3), ("split", 384, None)], ["avg", (192, 1)])


def _backbone(img_input):
    """Stem, then mixed0 to mixed10."""
    blocks = [_block_35(32), _block_35(64), _block_35(64), _REDUCE_35, _block_17(128),
              _block_17(160), _block_17(160), _block_17(192), _REDUCE_17, _block_8(0),
              _block_8(1)]
    x = branch(img_input, STEM)
    for index, branches in enumerate(blocks):
        x = mixed(x, branches, f"mixed{index}")
    return x


InceptionV3 = app.constructor("InceptionV3", FAMILY, _backbone, "inception_v3", {
    "paper": "Rethinking the Inception Architecture for Computer Vision, CVPR 2016",
    "module": "inception_v3", "preprocessing": "pixels scaled to [-1, 1]"})


preprocess_input = app.preprocessor("tf")


__all__ = ["InceptionV3", "decode_predictions", "preprocess_input"]
