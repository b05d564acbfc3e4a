"""VGG16 and VGG19 against Keras 3: same layers, weights, outputs and preprocessing."""

import numpy as np
import pytest
import torch
from keras.src.applications import vgg16 as keras_vgg16
from keras.src.applications import vgg19 as keras_vgg19
from keras_pair_helpers import (
    assert_features_match,
    assert_same_model,
    assert_same_outputs,
    images,
    logits_pair,
    zero_kernels,
)

import hocsau
from hocsau.applications import vgg16, vgg19

NAMES = ["VGG16", "VGG19"]


@pytest.fixture(scope="module")
def pairs():
    return {name: logits_pair(name, seed) for seed, name in enumerate(NAMES)}


@pytest.mark.parametrize("name", NAMES)
def test_layers_weights_and_summary_match_keras(pairs, name):
    theirs, ours = pairs[name]
    assert_same_model(theirs, ours, name.lower())
    assert [layer.name for layer in ours.layers][-4:] == ["flatten", "fc1", "fc2", "predictions"]
    assert ours.output_shape == (None, 10)


@pytest.mark.parametrize("name", NAMES)
def test_classifier_outputs_match_keras(pairs, name):
    theirs, ours = pairs[name]
    assert assert_same_outputs(theirs, ours, images()).shape == (2, 10)


@pytest.mark.parametrize(("name", "pooling"), [("VGG16", None), ("VGG19", "max")])
def test_feature_extractor_matches_keras(pairs, name, pooling):
    ours = assert_features_match(pairs[name][0], "block5_pool", name, pooling)
    assert ours.output_shape == {None: (None, 1, 1, 512), "max": (None, 512)}[pooling]
    assert ours.layers[-1].name == {None: "block5_pool", "max": "global_max_pooling2d"}[pooling]


def test_full_size_parameter_count_matches_keras():
    """Keras 3.15's count_params() of the default 224x224 classifier (VGG19's top is the
    same code; its 143,667,240 are left out to keep the suite fast)."""
    with zero_kernels():
        model = hocsau.applications.VGG16(weights=None)
    assert model.count_params() == 138_357_544
    assert model.input_shape == (None, 224, 224, 3) and model.output_shape == (None, 1000)


@pytest.mark.parametrize(("ours", "theirs"), [(vgg16, keras_vgg16), (vgg19, keras_vgg19)])
def test_preprocess_input_matches_keras(ours, theirs):
    x = images(seed=2)
    np.testing.assert_allclose(ours.preprocess_input(x.copy()),
                               theirs.preprocess_input(x.copy()), rtol=1e-6, atol=1e-4)
    channels_first = torch.tensor(x).permute(0, 3, 1, 2).contiguous()
    expected = theirs.preprocess_input(channels_first.clone(), data_format="channels_first")
    torch.testing.assert_close(ours.preprocess_input(channels_first,
                                                     data_format="channels_first"), expected)
    assert ours.preprocess_input(np.zeros((1, 1, 3), "float32"))[0, 0, 0] == pytest.approx(-103.939)
