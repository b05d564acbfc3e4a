"""The application constructors against Keras 3's: the weight file each asks `get_file` for
(name, URL, md5), their argument errors word for word, and each module's class decoding."""

import ast
import importlib
import inspect

import numpy as np
import pytest
from keras.src.applications import densenet as keras_densenet
from keras.src.applications import imagenet_utils as keras_utils
from keras.src.applications import inception_resnet_v2 as keras_irv2
from keras.src.applications import nasnet as keras_nasnet
from keras.src.applications import xception as keras_xception
from keras_pair_helpers import requested_file

import hocsau
from hocsau.applications import densenet, inception_resnet_v2, nasnet, xception

keras = pytest.importorskip("keras")


SMALL = {"include_top": False, "input_shape": (32, 32, 3)}


@pytest.mark.filterwarnings("ignore:`input_shape` is undefined or non-square")
@pytest.mark.parametrize(("name", "kwargs"), [
    ("VGG16", SMALL), ("VGG19", SMALL), ("ResNet50", {}), ("ResNet101", SMALL),
    ("ResNet152", SMALL), ("ResNet50V2", {}), ("ResNet101V2", SMALL), ("ResNet152V2", SMALL),
    ("MobileNet", {}), ("MobileNet", {"alpha": 0.25, "input_shape": (128, 128, 3)}),
    ("MobileNet", {"include_top": False, "alpha": 0.75}), ("MobileNetV2", {}),
    ("MobileNetV2", {"alpha": 0.35, "input_shape": (96, 96, 3)}), ("MobileNetV2", SMALL),
    ("MobileNetV3Small", {}), ("MobileNetV3Small", {"minimalistic": True, **SMALL}),
    ("MobileNetV3Large", {"alpha": 0.75}), ("MobileNetV3Large", SMALL), ("Xception", {}),
    ("DenseNet121", SMALL), ("InceptionV3", {"include_top": False, "input_shape": (75, 75, 3)}),
    ("ConvNeXtTiny", {})])
def test_imagenet_weight_files_are_keras(name, kwargs, monkeypatch):
    expected = requested_file(keras, name, monkeypatch, **kwargs)
    assert requested_file(hocsau, name, monkeypatch, **kwargs) == expected
    assert expected[1].startswith("https://storage.googleapis.com/tensorflow/keras-applications/")


def keras_strings(*modules) -> set:
    """Every string constant in the source of Keras's `modules`."""
    trees = (ast.parse(inspect.getsource(module)) for module in modules)
    return {node.value for tree in trees for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_weight_files_of_the_larger_models_are_keras():
    """The files the constructors not built above ask for: names and hashes that Keras's
    source spells out (building each pair only for this would be slow)."""
    files = [*xception.FAMILY.files, *inception_resnet_v2.FAMILY.files,
             *(entry for family in densenet.FAMILIES.values() for entry in family.files),
             *((name, md5) for entries in nasnet.WEIGHTS_FILES.values()
               for name, _, md5 in entries)]
    strings = keras_strings(keras_xception, keras_irv2, keras_densenet, keras_nasnet)
    assert len(files) == 14
    assert {text for entry in files for text in entry} <= strings


COMMON_ERRORS = [
    {"weights": "no/such/file.h5"}, {"classes": 10},
    {"include_top": False, "input_shape": (31, 64, 3)},
    {"include_top": False, "input_shape": (64, 64, 1)}, {"input_shape": (64, 64, 3)}]
ERRORS = [(name, kwargs) for name in (
    "VGG16", "ResNet50", "ResNet50V2", "MobileNet", "MobileNetV2", "Xception", "DenseNet121",
    "InceptionV3", "InceptionResNetV2", "ConvNeXtTiny", "NASNetLarge")
          for kwargs in COMMON_ERRORS] + [
    ("MobileNet", {"depth_multiplier": 2}), ("MobileNet", {"alpha": 0.3}),
    ("MobileNetV2", {"alpha": 0.3}),
    ("MobileNetV2", {"input_shape": (64, 64, 3), "input_tensor": (64, 48, 3),
                     "include_top": False}),
    ("MobileNetV3Small", {"weights": "no/such/file.h5"}), ("MobileNetV3Small", {"classes": 10}),
    ("MobileNetV3Small", {"alpha": 0.5}), ("MobileNetV3Large", {"minimalistic": True,
                                                                "alpha": 0.75}),
    ("MobileNetV3Large", {"input_shape": (16, 64, 3)}),
    ("MobileNetV3Large", {"input_shape": (64, 64, 3), "input_tensor": (64, 48, 3)}),
    ("NASNetLarge", {"include_top": False, "input_shape": (None, None, 3)})]


def error_message(library, name: str, kwargs: dict) -> str:
    given = dict(kwargs)
    if "input_tensor" in given:
        given["input_tensor"] = library.Input(given["input_tensor"])
    with pytest.raises(ValueError) as info:
        getattr(library.applications, name)(**given)
    return str(info.value)


@pytest.mark.parametrize(("name", "kwargs"), ERRORS)
def test_argument_errors_match_keras(name, kwargs):
    """Raised before any layer is built, with Keras's message."""
    expected = error_message(keras, name, kwargs)
    assert error_message(hocsau, name, kwargs) == expected
    assert len(expected) > 40


@pytest.mark.parametrize("name", ["DenseNet121", "ConvNeXtTiny", "NASNetLarge"])
def test_channels_first_refused_as_in_keras(name):
    keras.config.set_image_data_format("channels_first")
    hocsau.config.set_image_data_format("channels_first")
    try:
        expected = error_message(keras, name, {})
        assert error_message(hocsau, name, {}) == expected
    finally:
        keras.config.set_image_data_format("channels_last")
        hocsau.config.set_image_data_format("channels_last")
    assert "does not support the `channels_first` image data format" in expected


@pytest.mark.parametrize("name", ["VGG19", "ResNet152V2", "MobileNetV2", "MobileNetV3Small",
                                  "InceptionV3"])
def test_pretrained_classifier_activation(name):
    with pytest.raises(ValueError, match="Only `None` and `softmax` activations are allowed.*"
                                         "Received: classifier_activation=relu"):
        getattr(hocsau.applications, name)(classifier_activation="relu")


@pytest.mark.parametrize("module", [
    "vgg16", "vgg19", "resnet", "resnet50", "resnet_v2", "mobilenet", "mobilenet_v2",
    "mobilenet_v3", "xception", "densenet", "inception_v3", "inception_resnet_v2", "convnext",
    "nasnet"])
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
