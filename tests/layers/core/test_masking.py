"""Masking against Keras 3: zeroed steps, the mask it attaches, and RNNs honouring it."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

X = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]],
              [[0.0, 0.0], [5.0, 5.0], [5.0, 5.0]]], dtype="float32")


@pytest.mark.parametrize("mask_value", [0.0, 5.0])
def test_output_matches_keras(keras_parity, mask_value):
    keras_parity("Masking", {"mask_value": mask_value}, X)


def test_mask_marks_padded_steps():
    out = layers.Masking()(torch.as_tensor(X))
    assert out._keras_mask.tolist() == [[True, False, True], [False, True, True]]


def test_masked_gru_model_matches_keras():
    keras = pytest.importorskip("keras")

    def model(lib):
        inputs = lib.Input(shape=(3, 2))
        x = lib.layers.Masking()(inputs)
        return lib.Model(inputs, lib.layers.GRU(2, return_sequences=True)(x))

    theirs, ours = model(keras), model(hocsau)
    ours.set_weights(theirs.get_weights())
    expected = keras.ops.convert_to_numpy(theirs(X))
    np.testing.assert_allclose(ours(X).detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_run_layer_test():
    run_layer_test(layers.Masking, {"mask_value": 1.0}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0,
                   supports_masking=True)
