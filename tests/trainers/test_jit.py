"""`compile(jit_compile=...)`: "auto" and False train eagerly (as Keras on torch); True hands
the step to torch.compile, or falls back to eager with one warning where it cannot run."""

import shutil

import numpy as np
import pytest
import torch

import hocsau
from hocsau.trainers.jit_step import compile_step


def _fit(jit_compile):
    hocsau.utils.set_random_seed(0)
    model = hocsau.Sequential([hocsau.Input((4,)), hocsau.layers.Dropout(0.25),
                               hocsau.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  jit_compile=jit_compile)
    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    y = np.arange(32) % 3
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    return model, history.history["loss"]


@pytest.mark.parametrize("jit_compile", ["auto", False])
def test_auto_and_false_train_eagerly(jit_compile):
    model, _ = _fit(jit_compile)
    assert model.jit_compile is False
    assert model.train_function == model.train_step


def test_without_a_cpp_compiler_the_step_runs_eagerly_after_one_warning():
    import torch._inductor.config as inductor_config

    with inductor_config.patch({"cpp.cxx": ("hocsau-no-such-compiler",)}), pytest.warns(
            UserWarning, match=r"`jit_compile=True` is ignored: torch.compile needs a C\+\+ "
                               r"compiler on the CPU") as caught:
        model, losses = _fit(True)
    assert len(caught) == 1
    assert model.train_function == model.train_step
    np.testing.assert_allclose(losses, _fit(False)[1], rtol=1e-6)


needs_compiler = pytest.mark.skipif(
    shutil.which("c++") is None and shutil.which("g++") is None, reason="needs a C++ compiler")


@needs_compiler
def test_with_a_compiler_the_step_is_handed_to_torch_compile():
    def step(batch):
        return batch

    model = hocsau.Sequential([hocsau.Input((4,)), hocsau.layers.Dense(3)])
    compiled = compile_step(model, step)
    assert compiled is not step
    assert compiled.compiled._torchdynamo_orig_callable is step


@needs_compiler
def test_compiled_fit_matches_eager_in_one_graph_compiled_once():
    """The first step runs eagerly (it builds the optimizer's slots); the rest replay one
    graph holding the forward pass, the gradients and the update: no break, no recompile."""
    counters = torch._dynamo.utils.counters
    torch._dynamo.reset()
    counters.clear()
    eager_model, eager_losses = _fit(False)
    model, losses = _fit(True)
    np.testing.assert_allclose(losses, eager_losses, rtol=1e-5)
    for compiled, eager in zip(model.get_weights(), eager_model.get_weights(), strict=True):
        np.testing.assert_allclose(compiled, eager, rtol=1e-5, atol=1e-6)
    model.fit(np.ones((8, 4), "float32"), np.arange(8) % 3, batch_size=8, verbose=0)  # a new fit
    assert dict(counters["graph_break"]) == {}
    assert counters["stats"]["unique_graphs"] == 1
    assert all(w.grad is None for w in model.trainable_weights)  # none left from step 1
    assert int(model.optimizer.iterations) == 9
    assert model.optimizer._host_iterations() == 9  # the host copy saw the compiled steps
