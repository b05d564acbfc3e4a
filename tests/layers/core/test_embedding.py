"""Embedding against Keras 3: lookups, masks, config, weights; mask_zero feeding an LSTM."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

IDS = np.array([[0, 3, 7, 0], [9, 1, 0, 0]], dtype="int32")


def test_lookup_and_config_match_keras(keras_parity):
    ours, theirs, out = keras_parity("Embedding", {"input_dim": 10, "output_dim": 3}, IDS)
    assert out.shape == (2, 4, 3)
    assert ours.get_config()["embeddings_initializer"] == theirs.get_config()[
        "embeddings_initializer"]


def test_float_ids_are_cast():
    emb = layers.Embedding(10, 2)
    torch.testing.assert_close(emb(IDS.astype("float32")), emb(IDS))


@pytest.mark.parametrize("mask_zero", [False, True])
def test_mask(mask_zero):
    out = layers.Embedding(10, 2, mask_zero=mask_zero)(torch.as_tensor(IDS))
    mask = getattr(out, "_keras_mask", None)
    if mask_zero:
        assert mask.tolist() == (IDS != 0).tolist()
    else:
        assert mask is None


@pytest.mark.parametrize("ids", [IDS, IDS.tolist(), torch.as_tensor(IDS)])
def test_compute_mask_called_directly_matches_keras(ids):
    keras = pytest.importorskip("keras")
    theirs = keras.layers.Embedding(10, 2, mask_zero=True).compute_mask(ids)
    ours = layers.Embedding(10, 2, mask_zero=True).compute_mask(ids)
    assert isinstance(ours, torch.Tensor) and type(ours) is type(theirs)
    assert ours.dtype == theirs.dtype and ours.tolist() == theirs.tolist()


def test_masked_embedding_lstm_model_matches_keras():
    keras = pytest.importorskip("keras")

    def model(lib):
        inputs = lib.Input(shape=(4,), dtype="int32")
        x = lib.layers.Embedding(10, 3, mask_zero=True)(inputs)
        x = lib.layers.LSTM(2, return_sequences=True)(x)
        return lib.Model(inputs, lib.layers.LSTM(2)(x))

    theirs, ours = model(keras), model(hocsau)
    ours.set_weights(theirs.get_weights())
    expected = keras.ops.convert_to_numpy(theirs(IDS))
    np.testing.assert_allclose(ours(IDS).detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_weights_argument_and_input_length():
    table = np.arange(6, dtype="float32").reshape(3, 2)
    emb = layers.Embedding(3, 2, weights=[table], input_length=4)
    np.testing.assert_array_equal(emb(np.array([[2, 0]])).detach().numpy()[0], table[[2, 0]])


def test_symbolic_shape():
    emb = layers.Embedding(100, 8)
    assert emb(hocsau.Input(shape=(150,))).shape == (None, 150, 8)
    assert emb.count_params() == 800


def test_run_layer_test():
    run_layer_test(layers.Embedding, {"input_dim": 10, "output_dim": 4,
                                      "embeddings_regularizer": "l2"},
                   input_shape=(2, 3), input_dtype="int32", expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=1, expected_num_losses=1,
                   run_training_check=True)


@pytest.mark.parametrize("kwargs,message", [
    ({"input_dim": 0, "output_dim": 2}, "Received: input_dim=0"),
    ({"input_dim": 5, "output_dim": -1}, "Received: output_dim=-1"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.Embedding(**kwargs)


def test_out_of_vocabulary_indices_name_the_layer_and_the_range():
    layer = layers.Embedding(10, 4, name="tokens")
    for bad in (10, -1):
        with pytest.raises(ValueError, match=r"'tokens' has input_dim=10.*0 to 9.*Received: "
                                             rf"indices \[{bad}\]"):
            layer(np.array([[1, 2, bad]]))


def test_mixed_bfloat16_keeps_the_ids_exact():
    import hocsau

    hocsau.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        inputs = hocsau.Input((3,))
        embedding = hocsau.layers.Embedding(1000, 4)
        model = hocsau.Model(inputs, embedding(inputs))
        out = model.predict(np.array([[999, 257, 2]], "float32"), verbose=0)
    finally:
        hocsau.mixed_precision.set_global_policy(None)
    assert embedding.autocast is False
    rows = embedding.embeddings.numpy()[[999, 257, 2]]
    np.testing.assert_allclose(out[0], rows, rtol=1e-2)  # bfloat16 rows of the right ids
