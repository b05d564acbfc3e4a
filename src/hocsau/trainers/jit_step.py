"""`jit_compile=True`: how a step is handed to `torch.compile`, per device; where torch.compile
cannot work (on the CPU its inductor backend needs a C++ compiler) the step runs eagerly after
one warning. `jit_compile="auto"` means eager, as in Keras's torch backend.

    CUDA and static input shapes -> mode="reduce-overhead": CUDA graphs replay the step's
                                    kernels with one launch (the per-kernel launch cost is what
                                    small models spend their step on); dynamic=False
    otherwise                    -> torch.compile's default mode, with eager's random ops
                                    (dropout draws the masks an eager step would draw)

The first step runs eagerly: it builds the optimizer's slots and the metrics' states, so the
compiled graph finds them and updates them in place instead of creating them (which would
recompile it). Under CUDA graphs they are then marked as static addresses (a graph that
updates a tensor in place must find it at the same address on each replay; the weights,
module parameters, are static already), and each step begins with
`cudagraph_mark_step_begin()`, so a step's outputs (the logs) stay valid until the next step
starts. Compiled steps run under `trace_autograd_ops`, so the gradients `train_step` takes
with `torch.autograd.grad` belong to the same graph as the forward pass and the update.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import torch

from hocsau.models.symbolic import flatten


def compile_options(device: torch.device, input_shapes: list | None) -> dict:
    """torch.compile's keyword arguments for a step on `device` whose inputs have these
    shapes (batch dimension first; None where unknown, `input_shapes` None when unknown)."""
    static = input_shapes is not None and all(
        None not in tuple(shape)[1:] for shape in input_shapes)
    if torch.device(device).type == "cuda" and static:
        return {"mode": "reduce-overhead", "dynamic": False}
    return {"options": {"fallback_random": True}}


def compile_step(model, step: Callable) -> Callable:
    """`step` compiled for the model's device (see the module docstring), else `step` itself
    after a one-line warning saying why."""
    device = _device_of(model)
    reason = _why_not_compilable(device)
    if reason is not None:
        warnings.warn(f"`jit_compile=True` is ignored: {reason}. The train step runs eagerly.",
                      stacklevel=3)
        return step
    options = compile_options(device, _input_shapes(model))
    with warnings.catch_warnings():  # torch's own modules, imported on first use, use it
        warnings.filterwarnings("ignore", message="`torch.jit.script_method` is deprecated",
                                category=DeprecationWarning)
        compiled = torch.compile(step, **options)
    return _warm_then_compiled(model, step, compiled,
                               graphed=options.get("mode") == "reduce-overhead")


def _warm_then_compiled(model, step: Callable, compiled: Callable, graphed: bool) -> Callable:
    """`step` on the first call, `compiled` from then on (see the module docstring)."""
    warmed = []

    def compiled_step(*args, **kwargs):
        if not warmed:  # builds the state the compiled step then updates in place
            result = step(*args, **kwargs)
            for variable in model.trainable_weights:  # compiled steps leave `.grad` unset
                variable.grad = None
            if graphed:
                _mark_static_state(model)
            warmed.append(True)
            return result
        if graphed:
            torch.compiler.cudagraph_mark_step_begin()
        model._training_cache()  # filled here: filling it in the graph would recompile it
        with torch._dynamo.config.patch(trace_autograd_ops=True):  # see `train_step`
            return compiled(*args, **kwargs)

    compiled_step.compiled = compiled
    return compiled_step


def _why_not_compilable(device) -> str | None:
    if torch.device(device).type != "cpu":
        return None
    try:
        from torch._inductor.cpp_builder import get_cpp_compiler

        get_cpp_compiler()
    except (ImportError, RuntimeError) as error:  # InvalidCxxCompiler is a RuntimeError
        return f"torch.compile needs a C++ compiler on the CPU ({error})"
    return None


def _device_of(model) -> torch.device:
    from hocsau import config

    weights = model.weights
    return weights[0].device if weights else config.device()


def _input_shapes(model) -> list | None:
    inputs = getattr(model, "inputs", None)
    if not inputs:
        return None
    return [tuple(t.shape) for t in flatten(inputs)]


def _mark_static_state(model) -> None:
    optimizer = getattr(model, "optimizer", None)
    state = list(optimizer.variables) if optimizer is not None else []
    for metric in model.metrics:
        state.extend(metric.variables)
    for tensor in state:
        if isinstance(tensor, torch.Tensor):
            torch._dynamo.mark_static_address(tensor)
