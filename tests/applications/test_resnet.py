"""ResNet (v1) and ResNetV2 against Keras 3: same layers, weights, outputs and preprocessing;
weights="imagenet" through a local server."""

import hashlib

import h5py
import numpy as np
import pytest
from efficientnet_helpers import predict
from keras.src.applications import resnet as keras_resnet
from keras.src.applications import resnet_v2 as keras_resnet_v2
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
from hocsau.applications import resnet, resnet50, resnet_v2
from local_http import serve

keras = pytest.importorskip("keras")

NAMES = ["ResNet50", "ResNet50V2"]


@pytest.fixture(scope="module")
def pairs():
    return {name: logits_pair(name, seed) for seed, name in enumerate(NAMES)}


@pytest.mark.parametrize("name", NAMES)
def test_layers_weights_and_summary_match_keras(pairs, name):
    theirs, ours = pairs[name]
    assert_same_model(theirs, ours, name.lower())
    assert [layer.name for layer in ours.layers][-2:] == ["avg_pool", "predictions"]


@pytest.mark.parametrize("name", NAMES)
def test_classifier_outputs_match_keras(pairs, name):
    theirs, ours = pairs[name]
    assert assert_same_outputs(theirs, ours, images()).shape == (2, 10)


def test_feature_extractor_matches_keras(pairs):
    """(ResNet50's include_top=False is checked by the ImageNet weights test below.)"""
    ours = assert_features_match(pairs["ResNet50V2"][0], "post_relu", "ResNet50V2", "max")
    assert ours.layers[-1].name == "max_pool"
    assert ours.output_shape == (None, 2048)


# Keras 3.15's (count_params(), trainable parameters) of the default ImageNet classifiers: one
# model per depth table, to keep the suite fast (Keras: ResNet101 44,707,176 / 44,601,832;
# ResNet152V2 60,380,648 / 60,236,904).
FULL_SIZE = {"ResNet152": (60_419_944, 60_268_520), "ResNet101V2": (44_675_560, 44_577_896)}


@pytest.mark.parametrize("name", sorted(FULL_SIZE))
def test_full_size_parameter_counts_match_keras(name):
    with zero_kernels():
        model = getattr(hocsau.applications, name)(weights=None)
    trainable = sum(w.numel() for w in model.trainable_weights)
    assert (model.count_params(), trainable) == FULL_SIZE[name]
    assert model.name == name.lower() and model.output_shape == (None, 1000)


@pytest.mark.parametrize(("ours", "theirs"), [(resnet, keras_resnet), (resnet50, keras_resnet),
                                              (resnet_v2, keras_resnet_v2)])
def test_preprocess_input_matches_keras(ours, theirs):
    x = images(seed=2)
    np.testing.assert_allclose(ours.preprocess_input(x.copy()),
                               theirs.preprocess_input(x.copy()), rtol=1e-6, atol=1e-4)


def test_resnet50_module_is_resnet():
    assert resnet50.ResNet50 is resnet.ResNet50 is hocsau.applications.ResNet50
    assert resnet.WEIGHTS_HASHES == keras_resnet.WEIGHTS_HASHES
    assert resnet.BASE_WEIGHTS_PATH == keras_resnet.BASE_WEIGHTS_PATH


def test_imagenet_weights_download_and_load(pairs, tmp_path, monkeypatch):
    """Keras's file name under its URL (served locally), md5 checked, cached, loaded by
    layer name: the features of the Keras model that wrote the file."""
    monkeypatch.setenv("HOCSAU_HOME", str(tmp_path / "home"))
    theirs = pairs["ResNet50"][0]
    features = keras.Model(theirs.input, theirs.get_layer("conv5_block3_out").output)
    file_name = "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
    with h5py.File(tmp_path / file_name, "w") as file:
        legacy_h5_format.save_weights_to_hdf5_group(file, features)
    data = (tmp_path / file_name).read_bytes()
    monkeypatch.setitem(resnet.WEIGHTS_HASHES, "resnet50",
                        (resnet.WEIGHTS_HASHES["resnet50"][0], hashlib.md5(data).hexdigest()))
    with serve({file_name: data}) as server, zero_kernels():
        monkeypatch.setenv("HOCSAU_APPLICATIONS_ORIGIN", server.url)
        ours = hocsau.applications.ResNet50(include_top=False, weights="imagenet",
                                            input_shape=(SIZE, SIZE, 3), pooling="avg")
    assert server.requests == [file_name]
    assert (tmp_path / "home" / "models" / file_name).read_bytes() == data
    x = images(seed=3)
    expected = predict(features, x).mean(axis=(1, 2))
    assert expected.shape == (2, 2048) and ours.layers[-1].name == "avg_pool"
    np.testing.assert_allclose(predict(ours, x), expected, rtol=1e-4,
                               atol=1e-4 * float(np.abs(expected).max()))
