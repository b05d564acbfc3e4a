"""VGG19 (`keras.applications.vgg19`): the model, its preprocessing and class decoding."""

from __future__ import annotations

from hocsau.applications import imagenet_utils
from hocsau.applications._vgg import DOC, build_vgg
from hocsau.applications.imagenet_utils import decode_predictions

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/"
WEIGHTS_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels.h5"
WEIGHTS_FILE_NO_TOP = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
WEIGHTS_PATH = BASE_WEIGHTS_PATH + WEIGHTS_FILE
WEIGHTS_PATH_NO_TOP = BASE_WEIGHTS_PATH + WEIGHTS_FILE_NO_TOP
# md5 of the two files, as Keras checks them.
WEIGHTS_HASHES = ("cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6")


def VGG19(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg19"):
    files = ((WEIGHTS_FILE, WEIGHTS_HASHES[0]), (WEIGHTS_FILE_NO_TOP, WEIGHTS_HASHES[1]))
    return build_vgg((2, 2, 4, 4, 4), BASE_WEIGHTS_PATH, files,
                     include_top=include_top, weights=weights, input_tensor=input_tensor,
                     input_shape=input_shape, pooling=pooling, classes=classes,
                     classifier_activation=classifier_activation, name=name)


VGG19.__doc__ = DOC.format(name="VGG19", module="vgg19")


def preprocess_input(x, data_format=None):
    """Caffe-style preprocessing of pixels in [0, 255]: RGB to BGR, then ImageNet's channel
    means subtracted; see `hocsau.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")



__all__ = ["VGG19", "decode_predictions", "preprocess_input"]
