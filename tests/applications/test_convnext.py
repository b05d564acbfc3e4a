"""ConvNeXt against Keras 3: same layers, weights, outputs and preprocessing, its LayerScale and
StochasticDepth layers, the stochastic depth schedule, full-size parameter counts;
weights="imagenet" (sha256-checked, named after the model) through a local server."""

import hashlib

import keras
import keras_pair_helpers as helpers
import numpy as np
import pytest
import torch
from efficientnet_helpers import copy_weights, predict, randomize
from keras.src.applications import convnext as keras_convnext

import hocsau
from hocsau.applications import convnext

SIZE = helpers.SIZE


@pytest.fixture(scope="module")
def pair():
    return helpers.logits_pair("ConvNeXtTiny")


def test_layers_weights_and_summary_match_keras(pair):
    theirs, ours = pair
    helpers.assert_same_model(theirs, ours, "convnext_tiny")
    assert [layer.name for layer in ours.layers][-3:] == [
        "convnext_tiny_head_gap", "convnext_tiny_head_layernorm", "convnext_tiny_head_dense"]
    assert ours.get_layer("convnext_tiny_stage_0_block_0_layer_scale").weights[0].path == (
        "convnext_tiny_stage_0_block_0_layer_scale/variable")


def test_classifier_outputs_match_keras(pair):
    theirs, ours = pair
    assert helpers.assert_same_outputs(theirs, ours, helpers.images()).shape == (2, 10)


# A small ConvNeXt through Keras's generic builder and ours: stochastic depth growing over
# the blocks, no layer scale, no Normalization for one channel, max pooling then layer
# normalization.
MINI = {"depths": [1, 2, 1, 1], "projection_dims": [8, 16, 24, 32]}
MINI_ARGS = {"include_top": False, "include_preprocessing": True, "weights": None,
             "input_tensor": None, "input_shape": (SIZE, SIZE, 1), "pooling": "max",
             "classes": 1000, "classifier_activation": "softmax", "name": "convnext_mini",
             "drop_path_rate": 0.4, "layer_scale_init_value": None}


@pytest.fixture(scope="module")
def mini():
    keras.backend.clear_session()
    theirs = keras_convnext.ConvNeXt(**MINI, **MINI_ARGS)
    hocsau.backend.clear_session()
    ours = convnext._convnext(MINI, "convnext_mini", **MINI_ARGS)
    randomize(theirs, 3)
    copy_weights(theirs, ours)
    return theirs, ours


def test_stochastic_depth_schedule_and_options_match_keras(mini):
    theirs, ours = mini
    assert helpers.summary_text(ours) == helpers.summary_text(theirs)
    rates = [layer.drop_path_rate for layer in ours.layers
             if isinstance(layer, convnext.StochasticDepth)]
    assert rates == pytest.approx([0.1, 0.2, 0.3, 0.4])
    x = helpers.images(seed=4)[..., :1]
    np.testing.assert_allclose(predict(ours, x), predict(theirs, x), rtol=1e-4, atol=1e-4)


def test_keras_files_exchange_with_keras(mini, tmp_path):
    """A `.keras` file of either library loads in the other (the nested Sequentials and
    StochasticDepth layers named by Keras's module), with the same outputs."""
    theirs, ours = mini
    x = helpers.images(seed=5)[..., :1]
    ours.save(tmp_path / "ours.keras")
    theirs.save(tmp_path / "theirs.keras")
    from_ours = keras.saving.load_model(tmp_path / "ours.keras")
    from_theirs = hocsau.saving.load_model(tmp_path / "theirs.keras")
    assert isinstance(from_theirs.get_layer("convnext_mini_stage_1_block_1_stochastic_depth"),
                      convnext.StochasticDepth)
    np.testing.assert_allclose(predict(from_ours, x), predict(ours, x), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(predict(from_theirs, x), predict(theirs, x), rtol=1e-4,
                               atol=1e-4)


def test_stochastic_depth_drops_whole_samples_in_training():
    layer = convnext.StochasticDepth(0.5)
    x = torch.ones(64, 2, 2, 3)
    torch.manual_seed(0)
    y = layer(x, training=True)
    per_sample = y.reshape(64, -1)
    assert torch.all(per_sample == per_sample[:, :1])  # one decision per sample
    assert set(per_sample[:, 0].tolist()) == {0.0, 2.0}  # dropped, or kept and rescaled
    assert torch.equal(layer(x), x)
    assert layer.get_config()["drop_path_rate"] == 0.5


def test_layer_scale_matches_keras():
    theirs, ours = keras_convnext.LayerScale(1e-6, 4), convnext.LayerScale(1e-6, 4)
    x = np.random.RandomState(0).normal(size=(2, 3, 4)).astype("float32")
    assert np.allclose(keras.ops.convert_to_numpy(theirs(x)),
                       ours(torch.as_tensor(x)).detach().numpy())
    gamma = np.arange(1, 5, dtype="float32")
    theirs.set_weights([gamma])
    ours.set_weights([gamma])
    np.testing.assert_allclose(ours(torch.as_tensor(x)).detach().numpy(),
                               keras.ops.convert_to_numpy(theirs(x)), rtol=1e-6)
    config = ours.get_config()
    assert (config["init_values"], config["projection_dim"]) == (1e-6, 4)
    restored = hocsau.saving.deserialize_keras_object(hocsau.saving.serialize_keras_object(ours))
    assert isinstance(restored, convnext.LayerScale) and restored.projection_dim == 4


def test_full_size_parameter_counts_and_configs_match_keras():
    """Keras 3.15's parameter count of ConvNeXtSmall (the deep table; every weight
    trainable), and Keras's five configurations (Keras: Tiny 28,589,128, Base 88,591,464,
    Large 197,767,336, XLarge 350,196,968)."""
    assert convnext.MODEL_CONFIGS == keras_convnext.MODEL_CONFIGS
    assert convnext.WEIGHTS_HASHES == keras_convnext.WEIGHTS_HASHES
    assert convnext.BASE_WEIGHTS_PATH == keras_convnext.BASE_WEIGHTS_PATH
    model, count, trainable = helpers.full_size_counts("ConvNeXtSmall")
    assert count == trainable == 50_223_688
    assert model.name == "convnext_small"


def test_preprocess_input_passes_through():
    x = helpers.images(seed=2)
    assert convnext.preprocess_input(x) is x
    assert keras_convnext.preprocess_input(x) is x


def test_imagenet_weights_download_and_load(tmp_path, monkeypatch):
    """The file named after the model, under Keras's URL (served locally), sha256 checked,
    cached, and loaded by layer name, nested stem and downsampling Sequentials included: the
    outputs of the Keras model that wrote it."""
    with helpers.zero_kernels():
        keras.backend.clear_session()
        theirs = keras.applications.ConvNeXtTiny(include_top=False, weights=None,
                                                 input_shape=(SIZE, SIZE, 3), pooling="avg")
    randomize(theirs, 5)
    name = "convnext_tiny_notop.h5"
    with helpers.served_weights(theirs, name, name, tmp_path, monkeypatch) as data:
        monkeypatch.setitem(convnext.WEIGHTS_HASHES, "convnext_tiny",
                            ("unused", hashlib.sha256(data).hexdigest()))
        hocsau.backend.clear_session()
        with helpers.zero_kernels():
            ours = hocsau.applications.ConvNeXtTiny(include_top=False, weights="imagenet",
                                                    input_shape=(SIZE, SIZE, 3), pooling="avg")
    x = helpers.images(seed=3)
    helpers.assert_close(predict(ours, x), predict(theirs, x))
    assert ours.layers[-1].name == "layer_normalization" and ours.output_shape == (None, 768)


def test_imagenet_weights_need_the_variant_in_the_name():
    def message(library):
        library.backend.clear_session()
        with helpers.zero_kernels(), pytest.raises(ValueError) as info:
            library.applications.ConvNeXtTiny(include_top=False, input_shape=(SIZE, SIZE, 3),
                                              name="tiny_net")
        return str(info.value)

    expected = message(keras)
    assert message(hocsau) == expected
    assert expected.startswith('Model name "tiny_net" does not match weights variant')
