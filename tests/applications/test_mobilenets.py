"""MobileNet, MobileNetV2 and MobileNetV3 against Keras 3: same layers, weights, outputs,
preprocessing, width variants and input-size rules; MobileNetV2's weights="imagenet" through
a local server."""

import numpy as np
import pytest
from efficientnet_helpers import predict
from h5py import File
from keras.src.applications import mobilenet as keras_mobilenet
from keras.src.applications import mobilenet_v2 as keras_mobilenet_v2
from keras.src.legacy.saving import legacy_h5_format
from keras_pair_helpers import (
    SIZE,
    assert_features_match,
    assert_same_model,
    assert_same_outputs,
    images,
    logits_pair,
    zero_kernels,
)

import hocsau
from hocsau.applications import mobilenet, mobilenet_v2, mobilenet_v3
from local_http import serve

keras = pytest.importorskip("keras")

NAMES = {"MobileNet": "mobilenet_1.00_32", "MobileNetV2": "mobilenetv2_1.00_32",
         "MobileNetV3Small": "MobileNetV3Small", "MobileNetV3Large": "MobileNetV3Large"}


@pytest.fixture(scope="module")
def pairs():
    return {name: logits_pair(name, seed) for seed, name in enumerate(NAMES)}


@pytest.mark.parametrize("name", NAMES)
def test_layers_weights_and_summary_match_keras(pairs, name):
    theirs, ours = pairs[name]
    assert_same_model(theirs, ours, NAMES[name])
    assert ours.layers[-1].name == "predictions" and ours.output_shape == (None, 10)


@pytest.mark.parametrize("name", NAMES)
def test_classifier_outputs_match_keras(pairs, name):
    theirs, ours = pairs[name]
    assert assert_same_outputs(theirs, ours, images()).shape == (2, 10)


@pytest.mark.parametrize(("name", "last", "pooling", "pool_name"), [
    ("MobileNet", "conv_pw_13_relu", "max", "global_max_pooling2d"),
    ("MobileNetV3Large", "activation_19", "avg", "avg_pool")])
def test_feature_extractor_matches_keras(pairs, name, last, pooling, pool_name):
    ours = assert_features_match(pairs[name][0], last, name, pooling)
    assert ours.layers[-1].name == pool_name


@pytest.mark.parametrize(("name", "kwargs"), [
    ("MobileNet", {"alpha": 0.5, "depth_multiplier": 2}), ("MobileNetV2", {"alpha": 1.4}),
    ("MobileNetV3Small", {"minimalistic": True, "include_preprocessing": False}),
    ("MobileNetV3Large", {"alpha": 1.25, "dropout_rate": 0.0})])
def test_width_variants_match_keras(name, kwargs):
    """Widths, depth multipliers and the minimalistic blocks: Keras's layers and counts."""
    with zero_kernels():
        theirs = getattr(keras.applications, name)(weights=None, input_shape=(SIZE, SIZE, 3),
                                                   **kwargs)
        ours = getattr(hocsau.applications, name)(weights=None, input_shape=(SIZE, SIZE, 3),
                                                  **kwargs)
    assert [la.name for la in ours.layers if la.weights] == [
        la.name for la in theirs.layers if la.weights]
    assert ours.count_params() == theirs.count_params()
    assert ours.name == theirs.name


@pytest.mark.parametrize(("name", "kwargs"), [
    ("MobileNet", {"input_shape": (128, 128, 3)}),
    ("MobileNet", {"include_top": False, "input_shape": (64, 80, 3)}),
    ("MobileNetV2", {"input_tensor": (96, 96, 3)}),
    ("MobileNetV2", {"include_top": False, "input_tensor": (64, 64, 3),
                     "input_shape": (None, 64, 3)}),
    ("MobileNetV3Small", {"input_tensor": (64, 48, 3)}),
    ("MobileNetV3Large", {"include_top": False})])
def test_input_sizes_and_names_match_keras(name, kwargs):
    """The default size follows a square input of a size with weights; names say it."""
    def build(library):
        given = dict(kwargs)
        if "input_tensor" in given:
            given["input_tensor"] = library.Input(given["input_tensor"])
        with zero_kernels():
            return getattr(library.applications, name)(weights=None, **given)

    theirs, ours = build(keras), build(hocsau)
    assert (ours.name, ours.input_shape, ours.output_shape) == (
        theirs.name, theirs.input_shape, theirs.output_shape)


@pytest.mark.parametrize(("ours", "theirs"), [(mobilenet, keras_mobilenet),
                                              (mobilenet_v2, keras_mobilenet_v2)])
def test_preprocess_input_matches_keras(ours, theirs):
    x = images(seed=2)
    np.testing.assert_allclose(ours.preprocess_input(x.copy()),
                               theirs.preprocess_input(x.copy()), rtol=1e-6, atol=1e-6)
    assert ours.preprocess_input(np.full((1, 1, 3), 255.0, "float32")).max() == 1.0


def test_mobilenet_v3_preprocess_input_passes_through():
    x = images(seed=2)
    assert mobilenet_v3.preprocess_input(x) is x
    assert mobilenet_v3.preprocess_input(x, data_format="channels_last") is x


def test_imagenet_weights_download_for_another_size(pairs, tmp_path, monkeypatch):
    """MobileNetV2 has no weights for 32x32: Keras's warning, then its 224 file (no md5 is
    published for it), served locally, cached and loaded by layer name."""
    monkeypatch.setenv("HOCSAU_HOME", str(tmp_path / "home"))
    theirs = pairs["MobileNetV2"][0]
    features = keras.Model(theirs.input, theirs.get_layer("out_relu").output)
    file_name = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"
    with File(tmp_path / file_name, "w") as file:
        legacy_h5_format.save_weights_to_hdf5_group(file, features)
    data = (tmp_path / file_name).read_bytes()
    with serve({file_name: data}) as server, zero_kernels(), pytest.warns(
            UserWarning, match=r"or `rows` is not in \[96, 128, 160, 192, 224\]\. Weights for "
            r"input shape \(224, 224\) will be loaded as the default\."):
        monkeypatch.setenv("HOCSAU_APPLICATIONS_ORIGIN", server.url)
        ours = mobilenet_v2.MobileNetV2(include_top=False, input_shape=(SIZE, SIZE, 3))
    assert server.requests == [file_name]
    assert (tmp_path / "home" / "models" / file_name).read_bytes() == data
    assert ours.name == "mobilenetv2_1.00_224"
    x = images(seed=3)
    expected = predict(features, x)
    np.testing.assert_allclose(predict(ours, x), expected, rtol=1e-4,
                               atol=1e-4 * float(np.abs(expected).max()))
