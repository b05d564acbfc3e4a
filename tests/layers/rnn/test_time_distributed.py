"""TimeDistributed against Keras 3: folded steps, masks, BatchNormalization per step, configs."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing import run_layer_test

keras = pytest.importorskip("keras")


def parity(make_ours, make_theirs, x, **call_kwargs):
    theirs = keras.layers.TimeDistributed(make_theirs())
    expected = keras.ops.convert_to_numpy(theirs(x, **call_kwargs))
    ours = layers.TimeDistributed(make_ours())
    ours(torch.from_numpy(x), **call_kwargs)
    ours.set_weights(theirs.get_weights())
    actual = ours(torch.from_numpy(x), **call_kwargs).detach().numpy()
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)
    return ours, theirs


def test_dense_over_time_matches_keras():
    x = np.random.default_rng(0).normal(size=(3, 5, 4)).astype("float32")
    ours, _ = parity(lambda: layers.Dense(6, activation="tanh"),
                     lambda: keras.layers.Dense(6, activation="tanh"), x)
    assert [tuple(w.shape) for w in ours.weights] == [(4, 6), (6,)]


def test_image_layers_over_video_frames_match_keras():
    x = np.random.default_rng(1).normal(size=(2, 3, 6, 6, 2)).astype("float32")
    parity(lambda: layers.MaxPooling2D(2), lambda: keras.layers.MaxPooling2D(2), x)
    parity(layers.Flatten, keras.layers.Flatten, x)
    if hasattr(layers, "Conv2D"):
        parity(lambda: layers.Conv2D(4, 3, padding="same"),
               lambda: keras.layers.Conv2D(4, 3, padding="same"), x)


def test_batch_normalization_steps_separately_in_training():
    if not hasattr(layers, "BatchNormalization"):
        pytest.skip("BatchNormalization is not in this checkout yet")
    x = np.random.default_rng(2).normal(size=(4, 3, 5)) * np.array([1, 5, 20])[None, :, None]
    parity(layers.BatchNormalization, keras.layers.BatchNormalization, x.astype("float32"),
           training=True)


def test_mask_passes_through_and_reaches_inner_layers():
    x = torch.ones(2, 4, 3)
    x._keras_mask = torch.tensor([[True, True, False, False], [True, False, False, False]])
    out = layers.TimeDistributed(layers.Dense(2))(x)
    assert torch.equal(out._keras_mask, x._keras_mask)
    inp = hocsau.Input((4,))
    seq = layers.Embedding(10, 3, mask_zero=True)(inp)
    model = hocsau.Model(inp, layers.LSTM(2)(layers.TimeDistributed(layers.Dense(3))(seq)))
    ids = np.array([[1, 2, 0, 0]])
    np.testing.assert_allclose(model.predict(ids, verbose=0),
                               model.predict(ids[:, :2], verbose=0), rtol=1e-6)


def test_symbolic_shape_config_round_trip_and_layer_test():
    assert layers.TimeDistributed(layers.Dense(4))(hocsau.Input((5, 3))).shape == (None, 5, 4)
    run_layer_test(layers.TimeDistributed, {"layer": layers.Dense(2)}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 2), expected_num_trainable_weights=2,
                   supports_masking=True, run_training_check=True)
    config = layers.TimeDistributed(layers.Dense(2)).get_config()
    assert set(config) == set(keras.layers.TimeDistributed(keras.layers.Dense(2)).get_config())


def test_errors_name_what_was_expected():
    with pytest.raises(ValueError, match="with a `hocsau.layers.Layer` instance"):
        layers.TimeDistributed(torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        layers.TimeDistributed(layers.Dense(2))(hocsau.Input((3,)))
    with pytest.raises(ValueError, match="first two axes must be"):
        layers.TimeDistributed(layers.Dense(2))(torch.ones(2, 3, 4), mask=torch.ones(2, 4).bool())
