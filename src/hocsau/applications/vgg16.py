"""VGG16 (`keras.applications.vgg16`): the model, its preprocessing and class decoding."""

from __future__ import annotations

from hocsau.applications import imagenet_utils
from hocsau.applications._vgg import DOC, build_vgg
from hocsau.applications.imagenet_utils import decode_predictions

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
WEIGHTS_FILE = "vgg16_weights_tf_dim_ordering_tf_kernels.h5"
WEIGHTS_FILE_NO_TOP = "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
WEIGHTS_PATH = BASE_WEIGHTS_PATH + WEIGHTS_FILE
WEIGHTS_PATH_NO_TOP = BASE_WEIGHTS_PATH + WEIGHTS_FILE_NO_TOP
# md5 of the two files, as Keras checks them.
WEIGHTS_HASHES = ("64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc")


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg16"):
    files = ((WEIGHTS_FILE, WEIGHTS_HASHES[0]), (WEIGHTS_FILE_NO_TOP, WEIGHTS_HASHES[1]))
    return build_vgg((2, 2, 3, 3, 3), BASE_WEIGHTS_PATH, files,
                     include_top=include_top, weights=weights, input_tensor=input_tensor,
                     input_shape=input_shape, pooling=pooling, classes=classes,
                     classifier_activation=classifier_activation, name=name)


VGG16.__doc__ = DOC.format(name="VGG16", module="vgg16")


def preprocess_input(x, data_format=None):
    """Caffe-style preprocessing of pixels in [0, 255]: RGB to BGR, then ImageNet's channel
    means subtracted; see `hocsau.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")



__all__ = ["VGG16", "decode_predictions", "preprocess_input"]
