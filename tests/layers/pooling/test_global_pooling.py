"""GlobalMax / GlobalAveragePooling 1D-3D: Keras parity (keepdims, data_format), the masked
1D average, shapes and errors."""

import itertools
import json

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

SPATIAL = {1: (5,), 2: (4, 3), 3: (3, 2, 4)}
CASES = list(itertools.product(["GlobalMaxPooling", "GlobalAveragePooling"], [1, 2, 3],
                               ["channels_last", "channels_first"], [False, True]))


@pytest.mark.parametrize("family,rank,data_format,keepdims", CASES)
def test_global_pooling_matches_keras(keras_parity, family, rank, data_format, keepdims):
    x = np.random.default_rng(rank).normal(size=(2, *SPATIAL[rank], 3)).astype("float32")
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1)
    _, _, out = keras_parity(f"{family}{rank}D",
                             {"data_format": data_format, "keepdims": keepdims}, x)
    channel_axis = -1 if data_format == "channels_last" else 1
    assert out.shape[channel_axis] == 3 and out.ndim == (rank + 2 if keepdims else 2)


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("family", ["GlobalMaxPooling", "GlobalAveragePooling"])
def test_run_layer_test(family, rank):
    run_layer_test(getattr(layers, f"{family}{rank}D"), {"keepdims": True},
                   input_shape=(2, *SPATIAL[rank], 3), expected_output_shape=(2,) + (1,) * rank
                   + (3,), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, run_training_check=True)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_masked_average_matches_keras(keras_parity, data_format):
    x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    mask = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1]], bool)
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1)
    _, _, out = keras_parity("GlobalAveragePooling1D", {"data_format": data_format}, x,
                             mask=mask)
    steps = x if data_format == "channels_last" else np.moveaxis(x, 1, -1)
    np.testing.assert_allclose(out[0], steps[0, [0, 1, 3]].mean(0), rtol=1e-6)


def test_mask_from_embedding_is_consumed():
    tokens = hocsau.Input(shape=(4,), dtype="int64")
    embedded = layers.Embedding(10, 2, mask_zero=True)(tokens)
    model = hocsau.Model(tokens, layers.GlobalAveragePooling1D()(embedded))
    ids = torch.tensor([[3, 5, 0, 0]])
    out = model(ids)
    table = model.layers[1].embeddings.detach()
    np.testing.assert_allclose(out.detach().numpy()[0], table[[3, 5]].mean(0).numpy(), rtol=1e-6)
    assert getattr(out, "_keras_mask", None) is None
    assert layers.GlobalAveragePooling1D().supports_masking
    assert not layers.GlobalMaxPooling1D().supports_masking


def test_aliases_and_config():
    assert layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D
    assert layers.GlobalMaxPool3D is layers.GlobalMaxPooling3D
    config = layers.GlobalMaxPool1D(keepdims=True, data_format="channels_first").get_config()
    assert (config["keepdims"], config["data_format"]) == (True, "channels_first")


def test_symbolic_shape_with_unknown_axes():
    out = layers.GlobalAveragePooling2D()(hocsau.Input(shape=(None, None, 7)))
    assert out.shape == (None, 7)


def test_errors():
    with pytest.raises(ValueError, match="Received: data_format=NHWC"):
        layers.GlobalMaxPooling2D(data_format="NHWC")
    with pytest.raises(ValueError, match='layer "gap" is incompatible.*expected ndim=5'):
        layers.GlobalAveragePooling3D(name="gap")(hocsau.Input(shape=(4, 4, 2)))


@pytest.mark.parametrize("name,kwargs", [
    ("MaxPooling1D", {"pool_size": 3, "strides": 1}),
    ("MaxPooling3D", {"padding": "same", "data_format": "channels_first"}),
    ("AveragePooling2D", {"pool_size": (2, 3), "strides": (1, 2), "padding": "same"}),
    ("GlobalAveragePooling1D", {"keepdims": True}),
    ("GlobalMaxPooling2D", {"data_format": "channels_first"}),
    ("GlobalAveragePooling3D", {}),
])
def test_keras_json_config_round_trips_exactly(name, kwargs):
    keras = pytest.importorskip("keras")
    theirs = json.loads(json.dumps(getattr(keras.layers, name)(**kwargs).get_config()))
    ours = getattr(layers, name).from_config(theirs)
    assert json.loads(json.dumps(ours.get_config())) == theirs
