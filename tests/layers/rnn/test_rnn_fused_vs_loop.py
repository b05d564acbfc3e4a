"""The fused path and the step loop agree on outputs, states and gradients (masks, dropout)."""

import numpy as np
import pytest
import torch

from hocsau import layers


def _run(layer, x, mask, fused: bool, monkeypatch, training=False):
    monkeypatch.setattr(layer, "_fusable", lambda *args: fused)
    outputs = layer(x, mask=mask, training=training)
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    loss = sum((o * torch.linspace(-1, 1, o.shape[-1])).sum() for o in outputs)
    grads = torch.autograd.grad(loss, [x, *layer.trainable_weights])
    return [o.detach() for o in outputs], grads


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("name", ["SimpleRNN", "GRU", "LSTM"])
def test_masked_fused_equals_loop_with_gradients(name, go_backwards, monkeypatch, masks):
    x = torch.randn(3, 6, 4, requires_grad=True)
    mask = torch.as_tensor(masks["holes"])
    layer = getattr(layers, name)(3, return_sequences=True, go_backwards=go_backwards,
                                  return_state=True)
    fused = _run(layer, x, mask, True, monkeypatch)
    loop = _run(layer, x, mask, False, monkeypatch)
    for a, b in zip(fused[0] + list(fused[1]), loop[0] + list(loop[1]), strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["SimpleRNN", "GRU", "LSTM"])
def test_input_dropout_is_one_mask_per_sequence_in_both_paths(name, monkeypatch):
    x = torch.randn(4, 5, 6, requires_grad=True)
    fused_layer = getattr(layers, name)(3, dropout=0.5, seed=7, return_sequences=True)
    loop_layer = getattr(layers, name)(3, dropout=0.5, seed=7, return_sequences=True)
    fused_layer(x)
    loop_layer(x)
    loop_layer.set_weights(fused_layer.get_weights())
    fused = _run(fused_layer, x, None, True, monkeypatch, training=True)
    loop = _run(loop_layer, x, None, False, monkeypatch, training=True)
    np.testing.assert_allclose(fused[0][0].numpy(), loop[0][0].numpy(), rtol=1e-5, atol=1e-6)
    inference = fused_layer(x, training=False)
    assert not torch.allclose(inference, fused[0][0])


def test_recurrent_dropout_runs_the_loop_and_only_in_training():
    x = torch.randn(4, 5, 6)
    layer = layers.LSTM(3, recurrent_dropout=0.5, seed=3)
    assert not layer._fusable()
    first, second = layer(x, training=True), layer(x, training=True)
    assert not torch.allclose(first, second)  # a fresh mask per call
    torch.testing.assert_close(layer(x), layer(x, training=False))


def test_dropout_masks_are_reset_after_each_call():
    layer = layers.GRU(3, dropout=0.3, recurrent_dropout=0.3)
    layer(torch.randn(2, 4, 5), training=True)
    assert layer.cell._dropout_mask is None and layer.cell._recurrent_dropout_mask is None


def test_fused_training_keeps_keras_numerics_without_dropout(rnn_parity, sequences):
    keras = pytest.importorskip("keras")
    rnn_parity(keras.layers.LSTM(3, dropout=0.5), layers.LSTM(3, dropout=0.5), sequences)


@pytest.mark.parametrize("name", ["SimpleRNN", "GRU", "LSTM"])
def test_float64_fused_equals_loop_in_double_precision(name, monkeypatch):
    # The CPU fused kernels take float64: the fused path must not round through float32.
    x = torch.randn(2, 5, 4, dtype=torch.float64, requires_grad=True)
    layer = getattr(layers, name)(3, return_sequences=True, dtype="float64")
    fused = _run(layer, x, None, True, monkeypatch)
    loop = _run(layer, x, None, False, monkeypatch)
    assert fused[0][0].dtype == torch.float64
    for a, b in zip(fused[0] + list(fused[1]), loop[0] + list(loop[1]), strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-13)
