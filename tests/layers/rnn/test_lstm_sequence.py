"""The whole-sequence CPU LSTM (`_lstm_sequence`) equals torch's kernel, the step loop and
Keras 3: outputs, states and the gradients of inputs, states and weights."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.layers.rnn import _lstm_sequence, _lstm_steps


def _arguments(dtype, bias=True, batch=5, steps=9, features=3, units=4):
    generator = torch.Generator().manual_seed(0)
    shapes = [(batch, steps, features), (batch, units), (batch, units), (4 * units, features),
              (4 * units, units)] + [(4 * units,)] * (2 if bias else 0)
    return [(torch.randn(s, generator=generator, dtype=dtype) * 0.5).requires_grad_()
            for s in shapes]


def _torch_kernel(x, h0, c0, *weights):
    outputs, h, c = torch._VF.lstm(x, (h0[None], c0[None]), list(weights), len(weights) == 4,
                                   1, 0.0, True, False, True)
    return outputs, h[0], c[0]


def _sequence_kernel(x, h0, c0, *weights):
    outputs, (h, c) = _lstm_sequence.lstm(x, [h0, c0], list(weights))
    return outputs, h, c


@pytest.fixture
def everywhere(monkeypatch):
    """The sequence kernel for any batch size and number of units."""
    monkeypatch.setattr(_lstm_sequence, "MIN_BATCH", 1)
    monkeypatch.setattr(_lstm_sequence, "MIN_CELLS", 1)
    monkeypatch.setattr(_lstm_sequence, "MAX_UNITS", 10**6)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("dtype, tolerance", [(torch.float32, 1e-5), (torch.float64, 1e-12)])
@pytest.mark.parametrize("used", [(0,), (1,), (2,), (0, 1, 2)])
def test_equals_torch_kernel_with_gradients(dtype, tolerance, bias, used):
    arguments = _arguments(dtype, bias)
    ours, theirs = _sequence_kernel(*arguments), _torch_kernel(*arguments)
    weights = [torch.linspace(-1, 1, r.numel(), dtype=dtype).view(r.shape) for r in theirs]
    for a, b in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a, b, rtol=tolerance, atol=tolerance)
    grads = [torch.autograd.grad(sum((r[k] * weights[k]).sum() for k in used), arguments)
             for r in (ours, theirs)]
    for a, b in zip(*grads, strict=True):
        torch.testing.assert_close(a, b, rtol=tolerance, atol=tolerance)


def test_float64_gradients_pass_gradcheck():
    arguments = _arguments(torch.float64, batch=2, steps=4, features=2, units=3)
    assert torch.autograd.gradcheck(_lstm_sequence.SequenceLSTM.apply, arguments)


def test_picked_for_large_training_batches_only():
    x = torch.zeros(128, 3, 4)
    assert _lstm_sequence.suits(x, 64) and _lstm_sequence.suits(x.double(), 256)
    assert not _lstm_sequence.suits(x[:64], 64)  # oneDNN's kernel wins on small batches
    assert not _lstm_sequence.suits(x, 16)  # and on tiny layers
    assert not _lstm_sequence.suits(x, 512)
    assert not _lstm_sequence.suits(x.half(), 64)
    assert not _lstm_sequence.suits(x.to("meta"), 64)  # symbolic building keeps torch's
    with torch.no_grad():
        assert not _lstm_sequence.suits(x, 64)  # inference keeps torch's kernel


def _outputs_and_gradients(layer, x, mask, fused):
    layer._fusable = lambda: fused
    outputs = layer(x, mask=mask)
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    loss = sum((o * torch.linspace(-1, 1, o.shape[-1])).sum() for o in outputs)
    return [o.detach() for o in outputs], torch.autograd.grad(loss, [x, *layer.trainable_weights])


@pytest.mark.parametrize("mask_name", [None, "holes", "left"])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_layer_equals_step_loop(everywhere, masks, mask_name, go_backwards, return_sequences):
    x = torch.randn(3, 6, 4, requires_grad=True)
    mask = None if mask_name is None else torch.as_tensor(masks[mask_name])
    layer = layers.LSTM(3, return_sequences=return_sequences, return_state=True,
                        go_backwards=go_backwards)
    fused = _outputs_and_gradients(layer, x, mask, True)
    loop = _outputs_and_gradients(layer, x, mask, False)
    for a, b in zip(fused[0] + list(fused[1]), loop[0] + list(loop[1]), strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kwargs", [{}, {"return_sequences": True, "return_state": True},
                                    {"go_backwards": True, "use_bias": False}])
def test_layer_keeps_keras_numerics(everywhere, rnn_parity, sequences, kwargs):
    keras = pytest.importorskip("keras")
    rnn_parity(keras.layers.LSTM(5, **kwargs), layers.LSTM(5, **kwargs), sequences)


def test_stateful_layer_carries_states(everywhere):
    x = torch.randn(2, 8, 3)
    stateful = layers.LSTM(4, stateful=True)
    plain = layers.LSTM(4, return_state=True)
    stateful(x[:, :4])
    plain(x)
    plain.set_weights(stateful.get_weights())
    stateful.reset_states()
    stateful(x[:, :4])
    torch.testing.assert_close(stateful(x[:, 4:]), plain(x)[0], rtol=1e-5, atol=1e-6)


def test_training_matches_torch_kernel(monkeypatch):
    """One epoch of the spam-sized model (batches of 128) lands on the same weights either way."""
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 50, size=(256, 12)), rng.integers(0, 2, size=(256, 1))
    weights = []
    for min_batch in (1, 10**9):
        monkeypatch.setattr(_lstm_sequence, "MIN_BATCH", min_batch)
        monkeypatch.setattr(_lstm_sequence, "MIN_CELLS", 1)
        hocsau.utils.set_random_seed(1)
        model = hocsau.Sequential([layers.Input((12,)), layers.Embedding(50, 8),
                                   layers.LSTM(16), layers.Dense(1, activation="sigmoid")])
        model.compile("adam", "binary_crossentropy")
        model.fit(x, y, batch_size=128, epochs=2, verbose=0, shuffle=False)
        weights.append(model.get_weights())
    for a, b in zip(*weights, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_step_loops_leave_the_thread_count_as_it_was():
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        outputs, _ = _lstm_sequence.lstm(*_arguments(torch.float32)[:1], [
            torch.zeros(5, 4), torch.zeros(5, 4)], _arguments(torch.float32)[3:])
        outputs.sum().backward()
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(threads)


@pytest.fixture
def threads():
    """Sets torch's intra-op thread count for a test; puts the old one back."""
    before = torch.get_num_threads()
    yield torch.set_num_threads
    torch.set_num_threads(before)


def _results_and_gradients(arguments):
    results = _sequence_kernel(*arguments)
    weights = [torch.linspace(-1, 1, r.numel()).view(r.shape) for r in results]
    loss = sum((r * w).sum() for r, w in zip(results, weights, strict=False))
    return [r.detach() for r in results] + list(torch.autograd.grad(loss, arguments))


@pytest.mark.parametrize("count", [2, 3])
def test_batch_slices_on_threads_equal_one_loop(monkeypatch, threads, count):
    """With n threads the step loops run on n slices of the batch at once (here 7 rows as
    2 + 2 + 3), to the same results and gradients as one loop over the whole batch."""
    monkeypatch.setattr(_lstm_sequence, "MIN_PART", 2)
    arguments = _arguments(torch.float64, batch=7, steps=6)
    threads(1)
    whole = _results_and_gradients(arguments)
    threads(count)
    sliced = _results_and_gradients(arguments)
    assert torch.get_num_threads() == count
    for a, b in zip(whole, sliced, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
    theirs = _torch_kernel(*arguments)
    for a, b in zip(sliced[:3], theirs, strict=True):
        torch.testing.assert_close(a, b.detach(), rtol=1e-12, atol=1e-12)


def test_python_step_loops_equal_the_compiled_ones(monkeypatch, threads):
    """Where TorchScript is missing the same loops run in Python, one slice after another."""
    assert isinstance(_lstm_steps.compiled("forward_parts"), torch.jit.ScriptFunction)
    monkeypatch.setattr(_lstm_sequence, "MIN_PART", 2)
    threads(2)
    arguments = _arguments(torch.float64, batch=6, steps=5)
    compiled = _results_and_gradients(arguments)
    monkeypatch.setattr(_lstm_steps, "_COMPILED", {"forward_parts": _lstm_steps.forward_parts,
                                                   "backward_parts": _lstm_steps.backward_parts})
    python = _results_and_gradients(arguments)
    for a, b in zip(compiled, python, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


def test_torchscript_failure_falls_back_to_python(monkeypatch):
    def refuse(fn):
        raise RuntimeError("no TorchScript here")

    monkeypatch.setattr(_lstm_steps, "_COMPILED", {})
    monkeypatch.setattr(torch.jit, "script", refuse)
    assert _lstm_steps.compiled("backward_parts") is _lstm_steps.backward_parts
