"""Host -> device copies of batches: pinned and non-blocking towards a GPU, untouched on CPU."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.trainers.data_adapters import batch_utils
from hocsau.trainers.data_adapters.batch_utils import to_device


@pytest.fixture
def transfers(monkeypatch):
    """Records pin_memory() and .to() calls; both leave the tensor where it is, so the GPU
    branch runs on a machine without one."""
    calls = []
    monkeypatch.setattr(torch.Tensor, "is_pinned", lambda self: False)
    monkeypatch.setattr(torch.Tensor, "pin_memory",
                        lambda self: calls.append(("pin", tuple(self.shape))) or self)
    monkeypatch.setattr(torch.Tensor, "to", lambda self, *args, **kwargs: calls.append(
        ("to", str(args[0]) if args else None, kwargs.get("non_blocking"))) or self)
    return calls


def test_batches_bound_for_a_gpu_are_pinned_then_copied_asynchronously(transfers):
    batch = {"a": np.zeros((4, 3), "float32"), "b": [np.ones(4, "int64")]}
    to_device(batch, torch.device("cuda:1"))
    assert transfers == [("pin", (4, 3)), ("to", "cuda:1", True),
                         ("pin", (4,)), ("to", "cuda:1", True)]


def test_whole_datasets_and_cpu_runs_are_never_pinned(transfers, monkeypatch):
    monkeypatch.setattr(batch_utils, "_PIN_LIMIT_BYTES", 100)
    to_device(np.zeros((26,), "float32"), "cuda")  # 104 bytes: copied once, unpinned
    to_device(np.zeros((4, 3), "float32"), "cpu")
    to_device(torch.zeros(2), torch.device("cpu"))
    assert transfers == [("to", "cuda", True), ("to", "cpu", True), ("to", "cpu", True)]


@pytest.mark.cuda
def test_cuda_batches_from_a_generator(cuda_device):
    x = np.random.rand(64, 5).astype("float32")
    y = np.random.rand(64, 1).astype("float32")
    batch = to_device((x[:8], y[:8]), cuda_device)
    assert batch[0].device.type == "cuda"
    np.testing.assert_array_equal(batch[0].cpu().numpy(), x[:8])
    model = hocsau.Sequential([layers.Input((5,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(((x[i:i + 8], y[i:i + 8]) for i in range(0, 64, 8)), epochs=1, verbose=0)
    expected = x @ model.layers[0].kernel.detach().cpu().numpy() + \
        model.layers[0].bias.detach().cpu().numpy()
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
