"""The VGG, ResNet and MobileNet constructors against Keras 3's: the weight file each asks
`get_file` for (name, URL, md5), and their argument errors, word for word."""

import importlib

import numpy as np
import pytest
from keras.src.applications import imagenet_utils as keras_utils
from keras.src.utils import file_utils as keras_file_utils
from keras_pair_helpers import zero_kernels

import hocsau
from hocsau.applications import _application

keras = pytest.importorskip("keras")


class Requested(Exception):
    """Stops a constructor at its download, with what it asked for."""


def requested_file(library, name: str, monkeypatch, **kwargs):
    """(file name, URL, md5) the model asks for with weights="imagenet"."""
    def fake_get_file(fname, origin, cache_subdir="datadir", file_hash=None, **unused):
        assert cache_subdir == "models"
        raise Requested(fname, origin, file_hash)

    monkeypatch.setattr(keras_file_utils, "get_file", fake_get_file)
    monkeypatch.setattr(_application, "get_file", fake_get_file)
    monkeypatch.delenv("HOCSAU_APPLICATIONS_ORIGIN", raising=False)
    with zero_kernels(), pytest.raises(Requested) as info:
        getattr(library.applications, name)(weights="imagenet", **kwargs)
    return info.value.args


SMALL = {"include_top": False, "input_shape": (32, 32, 3)}


@pytest.mark.filterwarnings("ignore:`input_shape` is undefined or non-square")
@pytest.mark.parametrize(("name", "kwargs"), [
    ("VGG16", SMALL), ("VGG19", SMALL), ("ResNet50", {}), ("ResNet101", SMALL),
    ("ResNet152", SMALL), ("ResNet50V2", {}), ("ResNet101V2", SMALL), ("ResNet152V2", SMALL),
    ("MobileNet", {}), ("MobileNet", {"alpha": 0.25, "input_shape": (128, 128, 3)}),
    ("MobileNet", {"include_top": False, "alpha": 0.75}), ("MobileNetV2", {}),
    ("MobileNetV2", {"alpha": 0.35, "input_shape": (96, 96, 3)}), ("MobileNetV2", SMALL),
    ("MobileNetV3Small", {}), ("MobileNetV3Small", {"minimalistic": True, **SMALL}),
    ("MobileNetV3Large", {"alpha": 0.75}), ("MobileNetV3Large", SMALL)])
def test_imagenet_weight_files_are_keras(name, kwargs, monkeypatch):
    expected = requested_file(keras, name, monkeypatch, **kwargs)
    assert requested_file(hocsau, name, monkeypatch, **kwargs) == expected
    assert expected[1].startswith("https://storage.googleapis.com/tensorflow/keras-applications/")


COMMON_ERRORS = [
    {"weights": "no/such/file.h5"}, {"classes": 10},
    {"include_top": False, "input_shape": (31, 64, 3)},
    {"include_top": False, "input_shape": (64, 64, 1)}, {"input_shape": (64, 64, 3)}]
ERRORS = [(name, kwargs) for name in ("VGG16", "ResNet50", "ResNet50V2", "MobileNet",
                                      "MobileNetV2") for kwargs in COMMON_ERRORS] + [
    ("MobileNet", {"depth_multiplier": 2}), ("MobileNet", {"alpha": 0.3}),
    ("MobileNetV2", {"alpha": 0.3}),
    ("MobileNetV2", {"input_shape": (64, 64, 3), "input_tensor": (64, 48, 3),
                     "include_top": False}),
    ("MobileNetV3Small", {"weights": "no/such/file.h5"}), ("MobileNetV3Small", {"classes": 10}),
    ("MobileNetV3Small", {"alpha": 0.5}), ("MobileNetV3Large", {"minimalistic": True,
                                                                "alpha": 0.75}),
    ("MobileNetV3Large", {"input_shape": (16, 64, 3)}),
    ("MobileNetV3Large", {"input_shape": (64, 64, 3), "input_tensor": (64, 48, 3)})]


@pytest.mark.parametrize(("name", "kwargs"), ERRORS)
def test_argument_errors_match_keras(name, kwargs):
    """Raised before any layer is built, with Keras's message."""
    def message(library):
        given = dict(kwargs)
        if "input_tensor" in given:
            given["input_tensor"] = library.Input(given["input_tensor"])
        with pytest.raises(ValueError) as info:
            getattr(library.applications, name)(**given)
        return str(info.value)

    expected = message(keras)
    assert message(hocsau) == expected
    assert len(expected) > 40


@pytest.mark.parametrize("name", ["VGG19", "ResNet152V2", "MobileNetV2", "MobileNetV3Small"])
def test_pretrained_classifier_activation(name):
    with pytest.raises(ValueError, match="Only `None` and `softmax` activations are allowed.*"
                                         "Received: classifier_activation=relu"):
        getattr(hocsau.applications, name)(classifier_activation="relu")


@pytest.mark.parametrize("module", ["vgg16", "vgg19", "resnet", "resnet50", "resnet_v2",
                                    "mobilenet", "mobilenet_v2", "mobilenet_v3"])
def test_decode_predictions_matches_keras(module, monkeypatch):
    """Through the shared class index (set here, so nothing is downloaded)."""
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    monkeypatch.setattr(hocsau.applications.imagenet_utils, "CLASS_INDEX", index)
    monkeypatch.setattr(keras_utils, "CLASS_INDEX", index)
    preds = np.random.RandomState(1).dirichlet(np.ones(1000), size=2).astype("float32")
    expected = importlib.import_module(f"keras.applications.{module}").decode_predictions(
        preds, top=3)
    assert getattr(hocsau.applications, module).decode_predictions(preds, top=3) == expected
    assert expected[1][0][0] == f"n{int(preds[1].argmax()):08d}"
