"""InceptionV3 and InceptionResNetV2 against Keras 3: same layers, weights, outputs, feature
extractor, preprocessing, and Inception-ResNet pieces."""

import keras
import keras_pair_helpers as helpers
import numpy as np
import pytest
import torch
from keras.src.applications import inception_resnet_v2 as keras_irv2
from keras.src.applications import inception_v3 as keras_v3

import hocsau
from hocsau.applications import inception_resnet_v2, inception_v3

SIZE = 75  # the smallest input of both
NAMES = {"InceptionV3": "inception_v3", "InceptionResNetV2": "inception_resnet_v2"}


@pytest.fixture(scope="module")
def pairs():
    return {name: helpers.logits_pair(name, seed, size=SIZE) for seed, name in enumerate(NAMES)}


@pytest.mark.parametrize("name", NAMES)
def test_layers_weights_and_summary_match_keras(pairs, name):
    theirs, ours = pairs[name]
    helpers.assert_same_model(theirs, ours, NAMES[name])
    assert [layer.name for layer in ours.layers][-2:] == ["avg_pool", "predictions"]


@pytest.mark.parametrize("name", NAMES)
def test_classifier_outputs_match_keras(pairs, name):
    theirs, ours = pairs[name]
    assert helpers.assert_same_outputs(theirs, ours, helpers.images(size=SIZE)).shape == (2, 10)


def test_feature_extractor_matches_keras(pairs):
    ours = helpers.assert_features_match(pairs["InceptionV3"][0], "mixed10", "InceptionV3",
                                         "max", size=SIZE)
    assert ours.layers[-1].name == "global_max_pooling2d"
    assert ours.output_shape == (None, 2048)


def test_preprocess_input_and_weight_urls_match_keras():
    helpers.assert_same_preprocessing(inception_v3, keras_v3)
    helpers.assert_same_preprocessing(inception_resnet_v2, keras_irv2)
    assert inception_v3.WEIGHTS_PATH == keras_v3.WEIGHTS_PATH
    assert inception_v3.WEIGHTS_PATH_NO_TOP == keras_v3.WEIGHTS_PATH_NO_TOP
    assert inception_resnet_v2.BASE_WEIGHT_URL == keras_irv2.BASE_WEIGHT_URL


def test_custom_scale_layer_matches_keras():
    x, y = np.random.RandomState(0).normal(size=(2, 2, 3, 4)).astype("float32")
    theirs = keras_irv2.CustomScaleLayer(0.17)
    ours = inception_resnet_v2.CustomScaleLayer(0.17)
    expected = keras.ops.convert_to_numpy(theirs([x, y]))
    np.testing.assert_allclose(ours([torch.as_tensor(x), torch.as_tensor(y)]).numpy(), expected,
                               rtol=1e-6)
    assert ours.get_config() == theirs.get_config() | {"name": ours.name}
    config = hocsau.saving.serialize_keras_object(ours)
    assert config["module"] == "keras.src.applications.inception_resnet_v2"
    assert hocsau.saving.deserialize_keras_object(config).scale == 0.17


def test_unknown_block_type_message_matches_keras():
    def message(library, module):
        with pytest.raises(ValueError) as info:
            module.inception_resnet_block(library.Input((8, 8, 4)), 0.1, "block9", 1)
        return str(info.value)

    assert message(hocsau, inception_resnet_v2) == message(keras, keras_irv2)
