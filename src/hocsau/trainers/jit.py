"""`compile(jit_compile=True)`: the train step handed to `torch.compile`, or run eagerly with
one warning where torch.compile cannot work (on the CPU its inductor backend needs a C++
compiler). `jit_compile="auto"` means eager, as in Keras's torch backend."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import torch

from hocsau import config


def compiled_step(step: Callable) -> Callable:
    """`torch.compile(step)`, else `step` itself after a one-line warning saying why."""
    reason = _why_not_compilable(config.device())
    if reason is not None:
        warnings.warn(f"`jit_compile=True` is ignored: {reason}. The train step runs eagerly.",
                      stacklevel=3)
        return step
    with warnings.catch_warnings():  # torch's own modules, imported on first use, use it
        warnings.filterwarnings("ignore", message="`torch.jit.script_method` is deprecated",
                                category=DeprecationWarning)
        return torch.compile(step)


def _why_not_compilable(device) -> str | None:
    if torch.device(device).type != "cpu":
        return None
    try:
        from torch._inductor.cpp_builder import get_cpp_compiler

        get_cpp_compiler()
    except (ImportError, RuntimeError) as error:  # InvalidCxxCompiler is a RuntimeError
        return f"torch.compile needs a C++ compiler on the CPU ({error})"
    return None
