"""DenseNet against Keras 3: same layers, weights, outputs, feature extractor, full-size
parameter counts and preprocessing; weights="imagenet" through a local server."""

import hashlib

import keras
import keras_pair_helpers as helpers
import pytest
from efficientnet_helpers import predict
from keras.src.applications import densenet as keras_densenet

import hocsau
from hocsau.applications import densenet


@pytest.fixture(scope="module")
def pair():
    return helpers.logits_pair("DenseNet121")


def test_layers_weights_and_summary_match_keras(pair):
    theirs, ours = pair
    helpers.assert_same_model(theirs, ours, "densenet121")
    assert [layer.name for layer in ours.layers][-3:] == ["relu", "avg_pool", "predictions"]


def test_classifier_outputs_match_keras(pair):
    theirs, ours = pair
    assert helpers.assert_same_outputs(theirs, ours, helpers.images()).shape == (2, 10)


def test_feature_extractor_matches_keras(pair):
    ours = helpers.assert_features_match(pair[0], "relu", "DenseNet121", "max")
    assert ours.layers[-1].name == "max_pool"
    assert ours.output_shape == (None, 1024)


def test_full_size_parameter_counts_match_keras():
    """Keras 3.15's (count_params(), trainable parameters) of DenseNet201's ImageNet classifier
    (the deepest table; Keras: DenseNet169 14,307,880 / 14,149,480)."""
    model, *counts = helpers.full_size_counts("DenseNet201")
    assert counts == [20_242_984, 20_013_928]
    assert model.name == "densenet201" and len(model.layers) == 709


def test_preprocess_input_and_weight_urls_match_keras():
    helpers.assert_same_preprocessing(densenet, keras_densenet)
    for depth in (121, 169, 201):
        top, notop = (densenet.BASE_WEIGHTS_PATH + file_name
                      for file_name, _ in densenet.FAMILIES[depth].files)
        assert top == getattr(keras_densenet, f"DENSENET{depth}_WEIGHT_PATH")
        assert notop == getattr(keras_densenet, f"DENSENET{depth}_WEIGHT_PATH_NO_TOP")


def test_imagenet_weights_download_and_load(pair, tmp_path, monkeypatch):
    """Keras's file name under its URL (served locally), md5 checked, cached, loaded by
    layer name: the features of the Keras model that wrote the file."""
    features = keras.Model(pair[0].input, pair[0].get_layer("relu").output)
    name = "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5"
    with helpers.served_weights(features, name, name, tmp_path, monkeypatch) as data:
        family = densenet.FAMILIES[121]
        monkeypatch.setattr(family, "files", (family.files[0],
                                              (name, hashlib.md5(data).hexdigest())))
        with helpers.zero_kernels():
            ours = hocsau.applications.DenseNet121(include_top=False, weights="imagenet",
                                                   input_shape=(32, 32, 3), pooling="avg")
    x = helpers.images(seed=3)
    helpers.assert_close(predict(ours, x), predict(features, x).mean(axis=(1, 2)))
    assert ours.layers[-1].name == "avg_pool" and ours.output_shape == (None, 1024)
