"""ImageNet helpers shared by the applications (`keras.applications.imagenet_utils`).

`preprocess_input` brings pixels in [0, 255] to what a pretrained network was trained on;
`decode_predictions` names the top classes of a (samples, 1000) prediction, from the class
index Keras downloads; `obtain_input_shape` applies the input-size rules every model shares.
"""

from __future__ import annotations

import json
import os
import warnings

import numpy as np
import torch

from hocsau import activations, config, ops
from hocsau.utils.file_utils import get_file

CLASS_INDEX = None
CLASS_INDEX_PATH = (
    "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
)
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"

_CAFFE_MEAN = (103.939, 116.779, 123.68)  # BGR
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)
_MODES = ("caffe", "tf", "torch")
_DATA_FORMATS = ("channels_first", "channels_last")


def preprocess_input(x, data_format: str | None = None, mode: str = "caffe"):
    """Preprocesses a batch (4D) or one image (3D) of pixels in [0, 255].

    Args:
        x: A float NumPy array (changed in place, as in Keras; pass `np.copy(x)` to keep it),
            a tensor or a symbolic tensor, with 3 color channels.
        data_format: "channels_last" or "channels_first"; None means
            `hocsau.config.image_data_format()`.
        mode: "caffe" (RGB to BGR, then ImageNet channel means subtracted, no scaling),
            "tf" (scaled to [-1, 1]) or "torch" (scaled to [0, 1], then each channel
            standardized with ImageNet's mean and std).

    Returns:
        The preprocessed images, float32 (floatx) for integer inputs.

    Raises:
        ValueError: `mode` or `data_format` is unknown.
    """
    if mode not in _MODES:
        raise ValueError("Expected mode to be one of `caffe`, `tf` or `torch`. "
                         f"Received: mode={mode}")
    if data_format is None:
        data_format = config.image_data_format()
    elif data_format not in _DATA_FORMATS:
        raise ValueError("Expected data_format to be one of `channels_first` or "
                         f"`channels_last`. Received: data_format={data_format}")
    if isinstance(x, np.ndarray):
        return _preprocess_numpy(x, data_format, mode)
    return _preprocess_tensor(x, data_format, mode)


def _channel_axis(ndim: int, data_format: str) -> int:
    return (0 if ndim == 3 else 1) if data_format == "channels_first" else ndim - 1


def _channel_shape(ndim: int, axis: int) -> tuple:
    return tuple(3 if i == axis else 1 for i in range(ndim))


def _preprocess_numpy(x: np.ndarray, data_format: str, mode: str) -> np.ndarray:
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype(config.floatx(), copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    axis = _channel_axis(x.ndim, data_format)
    if mode == "caffe":
        x = np.flip(x, axis)  # a view: the input is still written over, as in Keras
        x -= np.reshape(_CAFFE_MEAN, _channel_shape(x.ndim, axis)).astype(x.dtype)
        return x
    x /= 255.0
    x -= np.reshape(_TORCH_MEAN, _channel_shape(x.ndim, axis)).astype(x.dtype)
    x /= np.reshape(_TORCH_STD, _channel_shape(x.ndim, axis)).astype(x.dtype)
    return x


def _preprocess_tensor(x, data_format: str, mode: str):
    if not getattr(type(x), "_is_symbolic", False):
        x = torch.as_tensor(x)
        if not x.is_floating_point():
            x = x.to(config.torch_dtype(config.floatx()))
    if mode == "tf":
        return x / 127.5 - 1.0
    ndim = len(x.shape)
    axis = _channel_axis(ndim, data_format)
    dtype = config.standardize_dtype(x.dtype)

    def constant(values):  # NumPy, so that symbolic tensors record it as a constant
        return np.reshape(values, _channel_shape(ndim, axis)).astype(dtype)

    if mode == "caffe":
        return ops.subtract(ops.flip(x, axis=axis), constant(_CAFFE_MEAN))
    x = ops.subtract(x / 255.0, constant(_TORCH_MEAN))
    return ops.divide(x, constant(_TORCH_STD))


def decode_predictions(preds, top: int = 5) -> list:
    """The `top` ImageNet classes of each prediction, best first.

    The class index (`imagenet_class_index.json`) is downloaded on first use into the
    cache's `models` folder, checked against Keras's md5 hash (from
    `$HOCSAU_APPLICATIONS_ORIGIN` instead of Keras's URL when that is set).

    Args:
        preds: A (samples, 1000) array or tensor of class scores.
        top: How many classes to return per sample.

    Returns:
        One list per sample of `(class_name, class_description, score)` tuples.

    Raises:
        ValueError: `preds` is not of shape (samples, 1000).
    """
    global CLASS_INDEX

    if len(preds.shape) != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array "
                         f"of shape (samples, 1000)). Received array with shape: {preds.shape}")
    if CLASS_INDEX is None:
        CLASS_INDEX = _load_class_index()
    results = []
    for pred in ops.convert_to_numpy(preds):
        best = pred.argsort()[-top:][::-1]
        result = [(*CLASS_INDEX[str(i)], pred[i]) for i in best]
        result.sort(key=lambda item: item[2], reverse=True)
        results.append(result)
    return results


def _load_class_index() -> dict:
    origin = os.environ.get("HOCSAU_APPLICATIONS_ORIGIN")
    origin = f"{origin.rstrip('/')}/imagenet_class_index.json" if origin else CLASS_INDEX_PATH
    path = get_file("imagenet_class_index.json", origin, cache_subdir="models",
                    file_hash=CLASS_INDEX_HASH)
    with open(path, encoding="utf8") as file:
        return json.load(file)


def obtain_input_shape(input_shape, default_size: int, min_size: int, data_format: str,
                       require_flatten: bool, weights=None) -> tuple:
    """The input shape a model is built for, checked against Keras's rules.

    Args:
        input_shape: None (the default shape) or a 3-tuple given by the user.
        default_size: The model's default image height and width.
        min_size: The smallest height and width the model accepts.
        data_format: "channels_last" or "channels_first".
        require_flatten: Whether a classifier follows (`include_top=True`): the shape must
            then be fully known, and with ImageNet weights equal to the default.
        weights: "imagenet" requires 3 channels; anything else allows any channel count.

    Returns:
        The shape without the batch axis (None for free height/width).

    Raises:
        ValueError: The shape breaks one of these rules.
    """
    default_shape = _default_shape(input_shape, default_size, data_format, weights)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, "
                             f"`input_shape` should be {default_shape}.  "
                             f"Received: input_shape={input_shape}")
        return default_shape
    if input_shape:
        _check_input_shape(input_shape, min_size, data_format, weights)
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if data_format == "channels_first" else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static `input_shape`. "
                         f"Received: input_shape={input_shape}")
    return input_shape


def _default_shape(input_shape, default_size: int, data_format: str, weights) -> tuple:
    """The default shape, keeping the channel count of a user shape unless ImageNet weights."""
    first = data_format == "channels_first"
    if weights == "imagenet" or not input_shape or len(input_shape) != 3:
        return (3, default_size, default_size) if first else (default_size, default_size, 3)
    channels = input_shape[0] if first else input_shape[-1]
    if channels not in {1, 3}:
        warnings.warn("This model usually expects 1 or 3 input channels. However, it was "
                      f"passed an input_shape with {channels} input channels.", stacklevel=3)
    return (channels, default_size, default_size) if first else (
        default_size, default_size, channels)


def _check_input_shape(input_shape, min_size: int, data_format: str, weights) -> None:
    if len(input_shape) != 3:
        raise ValueError("`input_shape` must be a tuple of three integers. "
                         f"Received: input_shape={input_shape}")
    first = data_format == "channels_first"
    channels = input_shape[0] if first else input_shape[-1]
    if channels != 3 and weights == "imagenet":
        raise ValueError(f"The input must have 3 channels; Received `input_shape={input_shape}`")
    sizes = input_shape[1:] if first else input_shape[:2]
    if any(size is not None and size < min_size for size in sizes):
        raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: "
                         f"input_shape={input_shape}")


def correct_pad(inputs, kernel_size) -> tuple:
    """The zero padding that makes a strided 'valid' convolution match TensorFlow's 'same'
    on even sizes: `((top, bottom), (left, right))` for a symbolic image tensor."""
    first = config.image_data_format() == "channels_first"
    height, width = inputs.shape[2:4] if first else inputs.shape[1:3]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if height is None else (1 - height % 2, 1 - width % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def validate_activation(classifier_activation, weights) -> None:
    """Pretrained weights allow only a softmax or linear (None) classifier.

    Raises:
        ValueError: Another activation is asked for with `weights` set.
    """
    if weights is None:
        return
    activation = activations.get(classifier_activation)
    if activation not in {activations.get("softmax"), activations.get(None)}:
        raise ValueError("Only `None` and `softmax` activations are allowed for the "
                         "`classifier_activation` argument when using pretrained weights, with "
                         "`include_top=True`; Received: "
                         f"classifier_activation={classifier_activation}")
