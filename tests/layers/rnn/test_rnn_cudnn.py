"""LSTM / GRU on torch's fused kernels (cuDNN on a GPU) with Keras's weights: no per-step
Python loop, Keras's `use_cudnn` argument, and (on CUDA) cuDNN's results equal the CPU's."""

import numpy as np
import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from hocsau import layers
from hocsau.layers.rnn import _fused


def _count_cell_calls(layer, monkeypatch) -> list:
    calls = []
    original = type(layer.cell).call
    monkeypatch.setattr(type(layer.cell), "call",
                        lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    return calls


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
@pytest.mark.parametrize("kwargs", [{}, {"go_backwards": True, "return_state": True},
                                    {"dropout": 0.3, "unroll": True, "use_bias": False}])
def test_fused_path_runs_no_python_step_loop(name, kwargs, monkeypatch):
    layer = getattr(layers, name)(4, return_sequences=True, **kwargs)
    x = torch.randn(3, 7, 5)
    mask = torch.tensor([[1] * 7, [1] * 4 + [0] * 3, [0, 1, 1, 0, 1, 1, 0]], dtype=torch.bool)
    layer(x)  # built
    calls = _count_cell_calls(layer, monkeypatch)
    layer(x, mask=mask, training=True)
    assert layer._fusable() and calls == []
    monkeypatch.setattr(layer, "_fusable", lambda: False)
    layer(x, mask=mask)
    assert len(calls) == 7  # the loop: one cell call per step


def test_use_cudnn_argument_as_keras():
    with pytest.raises(ValueError, match=r"Expected one of \{'auto', True, False\}. "
                                         "Received: use_cudnn=yes"):
        layers.LSTM(2, use_cudnn="yes")
    layer = layers.GRU(2, use_cudnn=True, reset_after=False)
    with pytest.raises(ValueError, match="use_cudnn=True was specified, but cuDNN is not "
                                         "supported for this layer configuration"):
        layer(torch.zeros(1, 3, 2))
    assert "use_cudnn" not in layers.LSTM(2, use_cudnn=False).get_config()  # as Keras


def test_use_cudnn_false_keeps_the_results():
    x = torch.randn(2, 5, 3)
    auto, off = layers.LSTM(4, use_cudnn="auto"), layers.LSTM(4, use_cudnn=False)
    auto(x)
    off(x)
    off.set_weights(auto.get_weights())
    torch.testing.assert_close(off(x), auto(x), rtol=0, atol=0)


def test_cudnn_switch_is_restored_and_other_flags_kept():
    torch.backends.cudnn.deterministic = True
    try:
        with _fused._without_cudnn(True):
            assert not torch.backends.cudnn.enabled and torch.backends.cudnn.deterministic
        assert torch.backends.cudnn.enabled
    finally:
        torch.backends.cudnn.deterministic = False


class _Ops(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.names = set()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.names.add(str(func))
        return func(*args, **(kwargs or {}))


def _outputs_and_grads(layer, x, mask):
    x = x.clone().requires_grad_(True)
    outputs = layer(x, mask=mask)
    loss = sum((o * torch.linspace(-1, 1, o.shape[-1], device=o.device)).sum() for o in outputs)
    grads = torch.autograd.grad(loss, [x, *layer.trainable_weights])
    return [t.detach().float().cpu().numpy() for t in (*outputs, *grads)]


@pytest.mark.cuda
@pytest.mark.parametrize("name", ["LSTM", "GRU"])
@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
@pytest.mark.parametrize("use_cudnn", ["auto", False])
def test_cuda_kernel_matches_cpu_with_keras_weights(name, dtype, use_cudnn, cuda_device):
    from hocsau import config

    x = torch.randn(3, 6, 5)
    mask = torch.tensor([[1] * 6, [1] * 3 + [0] * 3, [0, 1, 1, 0, 1, 0]], dtype=torch.bool)
    config.set_device("cpu")
    reference = getattr(layers, name)(4, return_sequences=True, return_state=True)
    expected = _outputs_and_grads(reference, x, mask)
    config.set_device(cuda_device)
    layer = getattr(layers, name)(4, return_sequences=True, return_state=True, dtype=dtype,
                                  use_cudnn=use_cudnn)
    layer(x.to(cuda_device))
    layer.set_weights(reference.get_weights())
    ops = _Ops()
    with ops:
        got = _outputs_and_grads(layer, x.to(cuda_device), mask.to(cuda_device))
    assert ("aten._cudnn_rnn.default" in ops.names) == (use_cudnn == "auto")
    tolerance = 1e-5 if dtype == "float32" else 3e-2
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_allclose(a, b, rtol=tolerance, atol=tolerance)
