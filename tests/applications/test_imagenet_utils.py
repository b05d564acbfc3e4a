"""imagenet_utils against Keras 3: preprocessing modes, class decoding, input-shape rules."""

import hashlib
import json
import re

import numpy as np
import pytest
import torch
from keras.src.applications import imagenet_utils as keras_utils

import hocsau
from hocsau.applications import efficientnet, efficientnet_v2, imagenet_utils
from local_http import serve

keras = pytest.importorskip("keras")

MODES = ["caffe", "tf", "torch"]
FORMATS = ["channels_last", "channels_first"]


def pixels(shape, seed=0):
    return np.random.RandomState(seed).uniform(0, 255, shape).astype("float32")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("data_format", "shape"), [
    ("channels_last", (2, 5, 4, 3)), ("channels_last", (5, 4, 3)),
    ("channels_first", (2, 3, 5, 4)), ("channels_first", (3, 5, 4))])
def test_preprocess_numpy_matches_keras(mode, data_format, shape):
    theirs, ours = pixels(shape), pixels(shape)
    expected = keras_utils.preprocess_input(theirs, data_format=data_format, mode=mode)
    result = imagenet_utils.preprocess_input(ours, data_format=data_format, mode=mode)
    np.testing.assert_allclose(result, expected, rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-5)  # written over the same way
    assert result.dtype == np.float32


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("data_format", FORMATS)
def test_preprocess_tensor_matches_keras(mode, data_format):
    shape = (2, 5, 4, 3) if data_format == "channels_last" else (2, 3, 5, 4)
    expected = keras_utils.preprocess_input(torch.tensor(pixels(shape)),
                                            data_format=data_format, mode=mode)
    source = torch.tensor(pixels(shape))
    result = imagenet_utils.preprocess_input(source, data_format=data_format, mode=mode)
    torch.testing.assert_close(result, expected, rtol=1e-6, atol=1e-5)
    assert torch.equal(source, torch.tensor(pixels(shape)))  # tensors are not changed


def test_integer_images_become_float32():
    images = np.arange(2 * 2 * 2 * 3).reshape(2, 2, 2, 3).astype(np.uint8)
    result = imagenet_utils.preprocess_input(images, mode="tf")
    assert result.dtype == np.float32
    assert result[0, 0, 0, 0] == -1.0
    tensor = imagenet_utils.preprocess_input(torch.tensor(images), mode="tf")
    assert tensor.dtype == torch.float32 and float(tensor[0, 0, 0, 1]) == pytest.approx(
        1 / 127.5 - 1)


@pytest.mark.parametrize("mode", MODES)
def test_preprocess_symbolic_inside_a_model(mode):
    inputs = hocsau.Input((5, 4, 3))
    model = hocsau.Model(inputs, imagenet_utils.preprocess_input(inputs, mode=mode))
    expected = keras_utils.preprocess_input(pixels((2, 5, 4, 3)), mode=mode)
    result = model(torch.tensor(pixels((2, 5, 4, 3)))).detach().numpy()
    np.testing.assert_allclose(result, expected, rtol=1e-6, atol=1e-5)


def test_preprocess_argument_errors():
    with pytest.raises(ValueError, match=re.escape(
            "Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode=bgr")):
        imagenet_utils.preprocess_input(pixels((1, 2, 2, 3)), mode="bgr")
    with pytest.raises(ValueError, match=re.escape(
            "one of `channels_first` or `channels_last`. Received: data_format=nhwc")):
        imagenet_utils.preprocess_input(pixels((1, 2, 2, 3)), data_format="nhwc")


def test_efficientnet_preprocess_input_passes_through():
    images = pixels((1, 4, 4, 3))
    assert efficientnet.preprocess_input(images) is images
    assert efficientnet_v2.preprocess_input(images, data_format="channels_last") is images


CLASS_INDEX = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}


@pytest.fixture
def class_index(home, monkeypatch):
    """Serves a stand-in class index on 127.0.0.1, expected under its own md5 hash."""
    data = json.dumps(CLASS_INDEX).encode()
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_HASH", hashlib.md5(data).hexdigest())
    monkeypatch.setattr(keras_utils, "CLASS_INDEX", CLASS_INDEX)
    with serve({"imagenet_class_index.json": data}) as server:
        monkeypatch.setenv("HOCSAU_APPLICATIONS_ORIGIN", server.url)
        yield server


@pytest.mark.parametrize("decode", [imagenet_utils.decode_predictions,
                                    efficientnet.decode_predictions,
                                    efficientnet_v2.decode_predictions])
def test_decode_predictions_matches_keras(class_index, home, decode):
    preds = np.random.RandomState(1).dirichlet(np.ones(1000), size=2).astype("float32")
    expected = keras_utils.decode_predictions(preds, top=3)
    assert decode(preds, top=3) == expected
    assert decode(torch.tensor(preds), top=3) == expected
    assert expected[0][0][0] == f"n{int(preds[0].argmax()):08d}"
    assert class_index.requests == ["imagenet_class_index.json"]  # downloaded once, then kept
    assert (home / "models" / "imagenet_class_index.json").is_file()


def test_decode_predictions_shape_error():
    with pytest.raises(ValueError, match=re.escape(
            "(i.e. a 2D array of shape (samples, 1000)). Received array with shape: (2, 10)")):
        imagenet_utils.decode_predictions(np.zeros((2, 10)))


def test_class_index_comes_from_keras_url():
    assert imagenet_utils.CLASS_INDEX_PATH == keras_utils.CLASS_INDEX_PATH


SHAPE_CASES = [
    (None, "channels_last", True, "imagenet"), (None, "channels_last", False, None),
    (None, "channels_first", False, "imagenet"), (None, "channels_first", True, None),
    ((224, 224, 3), "channels_last", True, "imagenet"), ((64, 48, 3), "channels_last", False, None),
    ((3, 64, 48), "channels_first", False, "imagenet"), ((96, 96, 1), "channels_last", True, None),
    ((None, None, 3), "channels_last", False, "imagenet"),
    ((64, 64, 3), "channels_last", True, "imagenet"), ((64, 64, 1), "channels_last", False,
                                                       "imagenet"),
    ((16, 64, 3), "channels_last", False, None), ((3, 64, 31), "channels_first", False, None),
    ((64, 64), "channels_last", False, None), ((None, None, 3), "channels_last", True, None),
]


@pytest.mark.parametrize(("input_shape", "data_format", "require_flatten", "weights"),
                         SHAPE_CASES)
def test_obtain_input_shape_matches_keras(input_shape, data_format, require_flatten, weights):
    def run(function):
        try:
            return function(input_shape, 224, 32, data_format, require_flatten, weights), None
        except ValueError as error:
            return None, str(error)

    expected, keras_error = run(keras_utils.obtain_input_shape)
    result, error = run(imagenet_utils.obtain_input_shape)
    assert result == expected
    assert (error is None) == (keras_error is None)
    if error is not None:
        assert error.startswith(keras_error.split("Received")[0].rstrip())


def test_unusual_channel_count_warns():
    with pytest.warns(UserWarning, match="passed an input_shape with 5 input channels"):
        shape = imagenet_utils.obtain_input_shape((64, 64, 5), 224, 32, "channels_last", False)
    assert shape == (64, 64, 5)


@pytest.mark.parametrize("size", [(33, 32), (32, 33), (None, None)])
@pytest.mark.parametrize("kernel_size", [3, 5, (3, 5)])
def test_correct_pad_matches_keras(size, kernel_size):
    expected = keras_utils.correct_pad(keras.Input((*size, 3)), kernel_size)
    assert imagenet_utils.correct_pad(hocsau.Input((*size, 3)), kernel_size) == expected


def test_classifier_activation_with_pretrained_weights():
    imagenet_utils.validate_activation("softmax", "imagenet")
    imagenet_utils.validate_activation(None, "imagenet")
    imagenet_utils.validate_activation("relu", None)
    with pytest.raises(ValueError, match="Only `None` and `softmax` activations are allowed.*"
                                         "Received: classifier_activation=relu"):
        imagenet_utils.validate_activation("relu", "imagenet")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"weights": "no/such/file.h5"}, "The `weights` argument should be either `None` (random "
     "initialization), `imagenet` (pre-training on ImageNet), or the path to the weights file "
     "to be loaded. Received: weights=no/such/file.h5"),
    ({"classes": 10}, 'If using `weights="imagenet"` with `include_top` as true, `classes` '
     "should be 1000. Received: classes=10"),
    ({"classifier_activation": "relu"}, "Only `None` and `softmax` activations are allowed"),
    ({"input_shape": (64, 64, 3)}, "When setting `include_top=True` and loading `imagenet` "
     "weights, `input_shape` should be ("),
    ({"include_top": False, "input_shape": (31, 64, 3)}, "Input size must be at least 32x32; "
     "Received: input_shape=(31, 64, 3)"),
    ({"include_top": False, "input_shape": (64, 64, 1)}, "The input must have 3 channels"),
    ({"weights": None, "input_tensor": np.zeros((1, 32, 32, 3))},
     "Argument `input_tensor` must be a KerasTensor. Received invalid type"),
])
@pytest.mark.parametrize("name", ["EfficientNetB3", "EfficientNetV2S"])
def test_model_argument_errors(name, kwargs, message):
    """Checked before any layer is built (so these are cheap even for large models)."""
    with pytest.raises(ValueError, match=re.escape(message)):
        getattr(hocsau.applications, name)(**kwargs)
