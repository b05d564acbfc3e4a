"""Host -> device copies of batches: pinned and non-blocking towards a GPU, untouched on CPU."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
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


def test_large_datasets_and_cpu_runs_are_never_pinned(transfers, monkeypatch):
    from hocsau.trainers.data_adapters import array_adapter

    monkeypatch.setattr(array_adapter, "array_homes",
                        lambda data, device: (torch.device("cuda"), None, False))
    array_adapter.ArrayAdapter({"a": np.zeros((6, 2), "float32")}, np.zeros(6))
    to_device(np.zeros((4, 3), "float32"), "cpu")
    to_device(torch.zeros(2), torch.device("cpu"))
    assert transfers == [("to", "cuda", True), ("to", "cuda", True), ("to", "cpu", True),
                         ("to", "cpu", True)]


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


def test_arrays_stay_on_the_host_only_when_they_would_crowd_the_gpu(monkeypatch):
    from hocsau.trainers.data_adapters import placement
    from hocsau.trainers.data_adapters.placement import array_homes

    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device: (4000, 8000))
    monkeypatch.setattr(placement, "_PIN_LIMIT_BYTES", 500)
    small = (np.zeros((10, 25), "float32"), None, None)  # 1000 bytes: a quarter of free
    large = (np.zeros((10, 25), "float32"), torch.zeros(1, dtype=torch.int8), None)
    tiny = [np.zeros(100, "float32")]
    assert array_homes(small, "cuda") == (torch.device("cuda"), None, False)
    assert array_homes(tiny, "cuda") == (torch.device("cuda"), None, True)  # pinned copy
    assert array_homes(large, "cuda:1") == (torch.device("cpu"), torch.device("cuda:1"), False)
    assert array_homes(large, "cpu") == (torch.device("cpu"), None, False)


def test_host_kept_arrays_are_copied_batch_by_batch(monkeypatch):
    from hocsau.trainers.data_adapters import array_adapter

    # "meta" stands for the GPU: the copies are real .to() calls that need no device.
    monkeypatch.setattr(array_adapter, "array_homes",
                        lambda data, device: (torch.device("cpu"), torch.device("meta"), False))
    x, y = np.arange(20, dtype="float32").reshape(10, 2), np.arange(10)
    adapter = array_adapter.ArrayAdapter(x, y, batch_size=4, shuffle=True)
    assert adapter._data[0].device.type == "cpu"
    batches = list(adapter)
    assert [b[0].shape[0] for b in batches] == [4, 4, 2]
    assert all(t.device.type == "meta" for b in batches for t in b)


@pytest.mark.cuda
def test_cuda_generator_batches_copy_without_syncs(cuda_device):
    """Pinned, non-blocking copies: the steps after the first pass the sync debug mode."""
    x = np.random.rand(64, 5).astype("float32")
    y = np.random.rand(64, 1).astype("float32")
    model = hocsau.Sequential([layers.Input((5,)), layers.Dense(1)])
    model.compile("adam", "mse")

    def batches():
        for i in range(0, 64, 8):
            if i == 8:
                torch.cuda.set_sync_debug_mode("error")
            yield x[i:i + 8], y[i:i + 8]
        torch.cuda.set_sync_debug_mode("default")

    try:
        model.fit(batches(), epochs=1, verbose=0)
    finally:
        torch.cuda.set_sync_debug_mode("default")
    assert int(model.optimizer.iterations) == 8


@pytest.mark.cuda
def test_cuda_fit_from_host_kept_arrays_matches_device_arrays(cuda_device, monkeypatch):
    from hocsau.trainers.data_adapters import placement

    x = np.random.rand(48, 5).astype("float32")
    y = np.random.rand(48, 1).astype("float32")
    runs = []
    for share in (0.25, 0.0):  # 0: every array is "too large", so it stays on the host
        monkeypatch.setattr(placement, "_GPU_SHARE", share)
        torch.manual_seed(1)
        model = hocsau.Sequential([layers.Input((5,)), layers.Dense(1)])
        model.compile("adam", "mse")
        runs.append(model.fit(x, y, batch_size=8, epochs=2, shuffle=False,
                              verbose=0).history["loss"])
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-6)
