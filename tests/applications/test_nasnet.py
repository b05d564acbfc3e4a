"""NASNetMobile and NASNetLarge against Keras 3: same layers, weights, outputs and
preprocessing, full-size parameter counts, the weight files asked for; weights="imagenet"
through a local server.

Keras 3 refuses `NASNetMobile` on its torch backend, so its side is built by the generic
`NASNet` builder with NASNetMobile's arguments (what `NASNetMobile` calls elsewhere).
"""

import hashlib

import keras
import keras_pair_helpers as helpers
import pytest
from efficientnet_helpers import copy_weights, predict, randomize
from keras.src.applications import nasnet as keras_nasnet

import hocsau
from hocsau.applications import nasnet


def keras_nasnet_mobile(**kwargs):
    return keras_nasnet.NASNet(penultimate_filters=1056, num_blocks=4, stem_block_filters=32,
                               skip_reduction=False, filter_multiplier=2, default_size=224,
                               name="nasnet_mobile", **kwargs)


@pytest.fixture(scope="module")
def pair():
    kwargs = {"weights": None, "input_shape": (helpers.SIZE, helpers.SIZE, 3), "classes": 10,
              "classifier_activation": None}
    with helpers.zero_kernels():
        keras.backend.clear_session()
        theirs = keras_nasnet_mobile(**kwargs)
        hocsau.backend.clear_session()
        ours = hocsau.applications.NASNetMobile(**kwargs)
    randomize(theirs)
    copy_weights(theirs, ours)
    return theirs, ours


def test_layers_weights_and_summary_match_keras(pair):
    theirs, ours = pair
    helpers.assert_same_model(theirs, ours, "nasnet_mobile")
    assert [layer.name for layer in ours.layers][-2:] == ["global_average_pooling2d",
                                                          "predictions"]


def test_classifier_outputs_match_keras(pair):
    theirs, ours = pair
    assert helpers.assert_same_outputs(theirs, ours, helpers.images()).shape == (2, 10)


def test_nasnet_large_parameter_count_matches_keras():
    """Keras 3.15's (count_params(), trainable parameters) of NASNetLarge's classifier
    (Keras: NASNetMobile 5,326,716 / 5,289,978)."""
    model, *counts = helpers.full_size_counts("NASNetLarge")
    assert counts == [88_949_818, 88_753_150]
    assert model.name == "nasnet_large" and len(model.layers) == 1041


def test_preprocess_input_and_weight_urls_match_keras():
    helpers.assert_same_preprocessing(nasnet, keras_nasnet)
    for size in ("mobile", "large"):
        for (_, url_name, _), suffix in zip(nasnet.WEIGHTS_FILES[size], ("", "_NO_TOP"),
                                            strict=True):
            assert nasnet.BASE_WEIGHTS_PATH + url_name == getattr(
                keras_nasnet, f"NASNET_{size.upper()}_WEIGHT_PATH{suffix}")


def test_nasnet_mobile_weight_file_is_keras(monkeypatch):
    """(Without the top: the download test below, and the larger models' names and hashes in
    test_application_keras_rules.)"""
    monkeypatch.setattr(keras.applications, "NASNetMobile", keras_nasnet_mobile)
    expected = helpers.requested_file(keras, "NASNetMobile", monkeypatch)
    assert helpers.requested_file(hocsau, "NASNetMobile", monkeypatch) == expected
    assert expected[:2] == ("nasnet_mobile.h5", nasnet.NASNET_MOBILE_WEIGHT_PATH)


def test_imagenet_weights_download_and_load(pair, tmp_path, monkeypatch):
    """The file under Keras's URL name (served locally), md5 checked, cached under Keras's
    local name, loaded by layer name: the features of the Keras model that wrote it."""
    features = keras.Model(pair[0].input, pair[0].layers[-3].output)
    url_name, file_name = "NASNet-mobile-no-top.h5", "nasnet_mobile_no_top.h5"
    with helpers.served_weights(features, url_name, file_name, tmp_path, monkeypatch) as data:
        monkeypatch.setitem(nasnet.WEIGHTS_FILES, "mobile", (
            nasnet.WEIGHTS_FILES["mobile"][0],
            (file_name, url_name, hashlib.md5(data).hexdigest())))
        hocsau.backend.clear_session()
        with helpers.zero_kernels():
            ours = hocsau.applications.NASNetMobile(
                include_top=False, weights="imagenet", input_shape=(helpers.SIZE, helpers.SIZE, 3),
                pooling="max")
    x = helpers.images(seed=3)
    helpers.assert_close(predict(ours, x), predict(features, x).max(axis=(1, 2)))
    assert ours.layers[-1].name == "global_max_pooling2d" and ours.output_shape == (None, 1056)
