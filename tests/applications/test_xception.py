"""Xception against Keras 3: same layers, weights, outputs, feature extractor and
preprocessing."""

import keras_pair_helpers as helpers
import pytest
from keras.src.applications import xception as keras_xception

import hocsau
from hocsau.applications import xception

SIZE = 71  # Xception's smallest input


@pytest.fixture(scope="module")
def pair():
    return helpers.logits_pair("Xception", size=SIZE)


def test_layers_weights_and_summary_match_keras(pair):
    theirs, ours = pair
    helpers.assert_same_model(theirs, ours, "xception")
    assert [layer.name for layer in ours.layers][-2:] == ["avg_pool", "predictions"]


def test_classifier_outputs_match_keras(pair):
    theirs, ours = pair
    assert helpers.assert_same_outputs(theirs, ours, helpers.images(size=SIZE)).shape == (2, 10)


def test_feature_extractor_matches_keras(pair):
    ours = helpers.assert_features_match(pair[0], "block14_sepconv2_act", "Xception", "avg",
                                         size=SIZE)
    assert ours.layers[-1].name == "global_average_pooling2d"
    assert ours.output_shape == (None, 2048)


def test_preprocess_input_and_weight_urls_match_keras():
    helpers.assert_same_preprocessing(xception, keras_xception)
    assert xception.WEIGHTS_PATH == keras_xception.WEIGHTS_PATH
    assert xception.WEIGHTS_PATH_NO_TOP == keras_xception.WEIGHTS_PATH_NO_TOP
    assert hocsau.applications.Xception is xception.Xception
