"""No host syncs per step: fit / evaluate / predict steps never read a tensor back.

On the CPU a recorder catches, device-independently, every call that would make the host wait
for a GPU: tensor -> Python number (`.item()`, `bool()`, `float()`, a tensor `if`), `.tolist()`,
`.numpy()`, `.cpu()`, the ops whose output size depends on values (`nonzero`, boolean
indexing, `masked_select`), tensors made from host data (`torch.tensor(0, device="cuda")`
copies from the host and waits) and new tensors without a device (made on the CPU). On CUDA,
`torch.cuda.set_sync_debug_mode("error")` does the same check in the driver's terms. Both
watch the steps after a warm-up one (the first step builds the optimizer and caches; epoch
ends read the logs, as Keras does).
"""

import traceback

import numpy as np
import pytest
import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

import hocsau
from hocsau import layers

_SYNC_OPS = {"aten._local_scalar_dense.default", "aten.nonzero.default",
             "aten.masked_select.default", "aten.is_nonzero.default", "aten.equal.default"}
_SYNC_METHODS = {"item", "tolist", "numpy", "cpu"}
_HOST_DATA = {"tensor", "as_tensor"}
_FACTORIES = {"zeros", "ones", "full", "empty", "arange", "linspace", "eye", "rand", "randn",
              "randint", "randperm", "scalar_tensor"}


class _Methods(TorchFunctionMode):
    def __init__(self, record):
        super().__init__()
        self.record = record

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in _SYNC_METHODS:
            self.record(f"Tensor.{name}")
        elif name in _HOST_DATA and args and not isinstance(args[0], torch.Tensor):
            self.record(f"torch.{name}")  # on a GPU: a blocking copy of host data
        elif name in _FACTORIES and "device" not in (kwargs or {}):
            self.record(f"torch.{name} without device")  # made on the CPU, then copied
        return func(*args, **(kwargs or {}))


class _Ops(TorchDispatchMode):
    def __init__(self, record):
        super().__init__()
        self.record = record

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = str(func)
        if name in _SYNC_OPS or (name.startswith("aten.index") and _bool_index(args)):
            self.record(name)
        return func(*args, **(kwargs or {}))


def _bool_index(args) -> bool:
    indices = args[1] if len(args) > 1 and isinstance(args[1], (list, tuple)) else ()
    return any(isinstance(i, torch.Tensor) and i.dtype == torch.bool for i in indices)


class HostSyncRecorder:
    """Records (call, where) for each syncing call while entered."""

    def __init__(self):
        self.calls = []
        self.entered = 0
        self._modes = []

    def _record(self, name):
        where = [f for f in traceback.extract_stack() if "/hocsau/" in f.filename]
        self.calls.append((name, f"{where[-1].filename}:{where[-1].lineno}" if where else "?"))

    def __enter__(self):
        self.entered += 1
        self._modes = [_Methods(self._record), _Ops(self._record)]
        for mode in self._modes:
            mode.__enter__()
        return self

    def __exit__(self, *exc):
        for mode in reversed(self._modes):
            mode.__exit__(*exc)


def watch_steps(model, step_name: str, steps: int, begin, end) -> None:
    """Wrap the model's step so `begin()` runs before step 1 and `end()` after the last
    step: the batches in between (iterator, callbacks included) are watched."""
    step = getattr(model, "train_function" if step_name == "train" else f"{step_name}_step")
    calls = [0]

    def watched(*args, **kwargs):
        if calls[0] == 1:
            begin()
        result = step(*args, **kwargs)
        calls[0] += 1
        if calls[0] == steps:
            end()
        return result

    setattr(model, "train_function" if step_name == "train" else f"{step_name}_step", watched)


def _mlp():
    model = hocsau.Sequential([layers.Input((8,)), layers.Dense(16, activation="relu"),
                               layers.Dropout(0.2), layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model, np.random.rand(96, 8).astype("float32"), np.random.randint(0, 3, 96)


def _conv():
    model = hocsau.Sequential([
        layers.Input((8, 8, 1)), layers.Conv2D(4, 3, activation="relu"),
        layers.BatchNormalization(), layers.MaxPooling2D(), layers.Flatten(),
        layers.Dense(3, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy", "auc"])
    y = np.eye(3, dtype="float32")[np.random.randint(0, 3, 96)]
    return model, np.random.rand(96, 8, 8, 1).astype("float32"), y


def _masked_lstm():
    model = hocsau.Sequential([layers.Input((10,)), layers.Embedding(50, 8, mask_zero=True),
                               layers.LSTM(8), layers.Dense(1, activation="sigmoid")])
    model.compile("rmsprop", "binary_crossentropy", metrics=["accuracy", "precision"])
    x = np.random.randint(1, 50, (96, 10))
    x[:, 7:] = 0
    return model, x, np.random.randint(0, 2, (96, 1)).astype("float32")


def _ema_clipped_logits():
    model = hocsau.Sequential([layers.Input((5,)), layers.Dense(3)])
    model.compile(hocsau.optimizers.Adam(use_ema=True, global_clipnorm=1.0),
                  hocsau.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
                  metrics=["categorical_accuracy"])
    y = np.eye(3, dtype="float32")[np.random.randint(0, 3, 96)]
    return model, np.random.rand(96, 5).astype("float32"), y


def _seeded_random():
    """Seeded random layers read their seed state, kept on the host as in Keras: a host
    read the CPU recorder cannot tell from a device one, so only the CUDA test runs it."""
    model = hocsau.Sequential([
        layers.Input((6, 6, 2)), layers.RandomFlip(seed=1), layers.Conv2D(3, 3),
        layers.SpatialDropout2D(0.2, seed=2), layers.GaussianNoise(0.1, seed=3),
        layers.Flatten(), layers.Dropout(0.3, seed=4), layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model, np.random.rand(96, 6, 6, 2).astype("float32"), np.random.randint(0, 2, 96)


def _mixed_float16():
    hocsau.mixed_precision.set_global_policy("mixed_float16")
    try:
        return _mlp()  # compile wraps Adam in a LossScaleOptimizer
    finally:
        hocsau.mixed_precision.set_global_policy(None)


def _run_watched(model, x, y, begin, end, **fit_kwargs):
    steps = len(x) // 16
    watch_steps(model, "train", steps, begin, end)
    model.fit(x, y, batch_size=16, epochs=1, **fit_kwargs)
    watch_steps(model, "test", steps, begin, end)
    model.evaluate(x, y, batch_size=16, verbose=0)
    watch_steps(model, "predict", steps, begin, end)
    model.predict(x, batch_size=16, verbose=0)


@pytest.mark.parametrize("build", [_mlp, _conv, _masked_lstm, _ema_clipped_logits,
                                   _mixed_float16])
def test_steps_never_read_tensors_back(build):
    model, x, y = build()
    model.train_function = model._make_train_function()
    recorder = HostSyncRecorder()
    _run_watched(model, x, y, recorder.__enter__, lambda: recorder.__exit__(None, None, None),
                 verbose=2, sample_weight=np.random.rand(len(x)).astype("float32"))
    assert recorder.entered == 3 and recorder.calls == []
    if build is _mixed_float16:
        assert isinstance(model.optimizer, hocsau.optimizers.LossScaleOptimizer)


_OPTIMIZERS = {
    "SGD": {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01, "clipvalue": 0.5},
    "RMSprop": {"momentum": 0.9, "centered": True}, "Adam": {"amsgrad": True, "clipnorm": 1.0},
    "AdamW": {}, "Adamax": {}, "Adagrad": {}, "Adadelta": {}, "Adafactor": {},
    "Ftrl": {"l1_regularization_strength": 0.01}, "Lamb": {}, "Lion": {}, "Nadam": {},
    "Muon": {}, "ScheduleFreeAdamW": {},
}


@pytest.mark.parametrize("name", sorted(_OPTIMIZERS))
def test_every_optimizer_steps_without_reading_tensors_back(name):
    model = hocsau.Sequential([layers.Input((6,)), layers.Dense(8), layers.Dense(1)])
    model.compile(getattr(hocsau.optimizers, name)(**_OPTIMIZERS[name]), "mse")
    model.train_function = model._make_train_function()
    recorder = HostSyncRecorder()
    watch_steps(model, "train", 4, recorder.__enter__,
                lambda: recorder.__exit__(None, None, None))
    model.fit(np.random.rand(64, 6).astype("float32"), np.random.rand(64, 1).astype("float32"),
              batch_size=16, verbose=0)
    assert recorder.entered == 1 and recorder.calls == []


def test_recorder_catches_the_usual_syncs():
    recorder = HostSyncRecorder()
    t = torch.tensor([1.0, -2.0])
    with recorder:
        t.sum().item()
        if t.max() > 0:
            float(t[0])
        t[t > 0]
        t.tolist()
        torch.as_tensor(t) + torch.tensor(1.0) + torch.zeros(2, device=t.device)
        torch.arange(2)
    assert [name for name, _ in recorder.calls] == [
        "Tensor.item", "aten._local_scalar_dense.default", "aten._local_scalar_dense.default",
        "aten._local_scalar_dense.default", "aten.index.Tensor", "Tensor.tolist",
        "torch.tensor", "torch.arange without device"]


@pytest.mark.cuda
@pytest.mark.parametrize("build", [_mlp, _conv, _masked_lstm, _ema_clipped_logits,
                                   _seeded_random, _mixed_float16])
def test_cuda_steps_pass_sync_debug_mode_error(build, cuda_device):
    model, x, y = build()
    model.train_function = model._make_train_function()
    try:
        _run_watched(model, x, y, lambda: torch.cuda.set_sync_debug_mode("error"),
                     lambda: torch.cuda.set_sync_debug_mode("default"), verbose=0,
                     validation_data=(x[:32], y[:32]))
    finally:
        torch.cuda.set_sync_debug_mode("default")
    assert model.weights[0].device.type == "cuda"
    assert model.optimizer.variables[0].device.type == "cuda"
