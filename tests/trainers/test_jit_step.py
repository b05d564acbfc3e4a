"""`jit_compile=True`: CUDA graphs ("reduce-overhead") on a GPU where shapes are static."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.trainers import jit_step
from hocsau.trainers.jit_step import compile_options


def test_mode_by_device_and_shapes():
    assert compile_options(torch.device("cuda:0"), [(None, 8), (None, 3, 4)]) == {
        "mode": "reduce-overhead", "dynamic": False}
    default = {"options": {"fallback_random": True}}
    assert compile_options("cuda", [(None, None)]) == default  # variable-length sequences
    assert compile_options("cuda", None) == default  # a subclassed model: shapes unknown
    assert compile_options("cpu", [(None, 8)]) == default


def _model(optimizer="adam", jit_compile=False):
    model = hocsau.Sequential([layers.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"],
                  jit_compile=jit_compile)
    return model


def test_cuda_graph_step_warms_up_eagerly_then_replays(monkeypatch):
    """The GPU branch, run on the CPU: torch.compile and the step marker are recorded."""
    compiled_with, marks = [], []

    def fake_compile(step, **options):
        compiled_with.append(options)
        return lambda *args: ("compiled", step(*args))

    monkeypatch.setattr(torch, "compile", fake_compile)
    monkeypatch.setattr(jit_step, "_device_of", lambda model: torch.device("cuda"))
    monkeypatch.setattr(torch.compiler, "cudagraph_mark_step_begin", lambda: marks.append(1))
    model = _model()
    step = jit_step.compile_step(model, model.train_step)
    batch = (torch.rand(5, 4), torch.tensor([0, 1, 2, 1, 0]))
    first = step(batch)
    assert compiled_with == [{"mode": "reduce-overhead", "dynamic": False}] and marks == []
    assert isinstance(first, dict)  # the eager warm-up step
    state = model.optimizer.variables + [v for m in model.metrics for v in m.variables]
    assert len(state) > 4 and all(hasattr(t, "_dynamo_static_input_type") for t in state)
    second = step(batch)
    assert second[0] == "compiled" and marks == [1]


def test_default_mode_on_cpu(monkeypatch):
    compiled_with = []
    monkeypatch.setattr(torch, "compile",
                        lambda step, **options: compiled_with.append(options) or step)
    model = _model("sgd", jit_compile=True)
    assert model._make_train_function().compiled == model.train_step and compiled_with == [
        {"options": {"fallback_random": True}}]


@pytest.mark.cuda
def test_cuda_graph_fit_matches_eager(cuda_device):
    x = np.random.rand(40, 4).astype("float32")
    y = np.random.randint(0, 3, 40)
    # SGD: compiled kernels round differently, and Adam's first steps would magnify that.
    eager, graphed = _model("sgd"), _model("sgd", jit_compile=True)
    graphed.set_weights(eager.get_weights())
    history = [m.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
               for m in (eager, graphed)]
    np.testing.assert_allclose(history[1]["loss"], history[0]["loss"], rtol=1e-5)
    np.testing.assert_allclose(history[1]["accuracy"], history[0]["accuracy"])
    for a, b in zip(graphed.get_weights(), eager.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert int(graphed.optimizer.iterations) == 10
