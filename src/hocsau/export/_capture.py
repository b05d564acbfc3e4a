"""What every exporter shares: an endpoint as a torch module over flat tensors, traced by
torch.export with the signature's dynamic axes, and torch's errors turned into Keras's."""

from __future__ import annotations

import contextlib
import logging
import re
import warnings

import torch
from torch import nn

from hocsau.export import _signature
from hocsau.models.symbolic import flatten, is_symbolic

# Messages torch's exporters print about their own internals while tracing a model.
_QUIET_WARNINGS = (r".*LeafSpec.*", r".*_check_is_size.*", r".*not properly registered.*",
                   r".*while it is in training mode.*", r".*were assigned during export.*",
                   r".*\.grad attribute of a Tensor that is not a leaf.*",
                   r".*will not be used, since it shares the same shape constraints.*")
_QUIET_LOGGERS = ("torch.onnx", "onnxscript", "torch.export", "torch._export")


class Endpoint(nn.Module):
    """`fn(*args)` as a module taking one tensor per flat input and returning a flat tuple.

    The `resources` (the tracked layers) are submodules, so torch.export lifts their weights
    as the program's parameters rather than copying them in as constants.
    """

    def __init__(self, fn, structure: list, resources: list) -> None:
        super().__init__()
        self.resources = nn.ModuleList(resources)
        self._fn = fn
        self._structure = structure

    def forward(self, *flat_inputs):
        args = _signature.pack(self._structure, list(flat_inputs))
        return tuple(flatten(self._fn(*args)))


def model_endpoint(model) -> callable:
    """The inference call a model is exported with (dropout and noise off, as `predict`)."""
    def call(*args):
        return model(*args, training=False)

    return call


def output_names(model, count: int) -> list[str]:
    """The names of the layers making a graph model's outputs (made unique), else
    `output_<i>`."""
    outputs = getattr(model, "outputs", None) or []
    names = [t._keras_history[0].name for t in outputs if is_symbolic(t)]
    if len(names) != count:
        names = [f"output_{i}" for i in range(count)]
    unique, used = [], set()
    for index, name in enumerate(names):
        while name in used:
            name = f"{name}_{index}"
        used.add(name)
        unique.append(name)
    return unique


@contextlib.contextmanager
def quiet(verbose: bool):
    """Silence torch's tracing chatter (warnings and log lines) unless `verbose`."""
    with warnings.catch_warnings():
        for message in _QUIET_WARNINGS:
            warnings.filterwarnings("ignore", message=message)
        loggers = [logging.getLogger(name) for name in _QUIET_LOGGERS]
        levels = [logger.level for logger in loggers]
        if not verbose:
            for logger in loggers:
                logger.setLevel(logging.ERROR)
        try:
            yield
        finally:
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)


def translate_errors(error: Exception, model_name: str, names: list[str]) -> Exception:
    """A torch.export failure caused by a dynamic axis that the model fixes, as a ValueError
    naming the input and axis; other errors keep their type, with a note naming the model."""
    text = str(error)
    fixed = [(f"input '{names[int(i)]}' axis {axis}", size) for size, i, axis in re.findall(
        r"inferred a static shape of (\d+) for dimension \w+\['\w+'\]\[(\d+)\]"
        r"\.shape\[(\d+)\]", text)]
    fixed += [("the batch axis", size) for size in re.findall(
        r"marked batch as dynamic but your code specialized it to be a constant \((\d+)\)",
        text)]
    if not fixed:
        error.add_note(f"(while exporting model '{model_name}')")
        return error
    return ValueError(
        f"Model '{model_name}' cannot be exported with a dynamic size on "
        f"{', '.join(dict.fromkeys(where for where, _ in fixed))}: its computation fixes "
        "that size (for example a layer unrolled over time: SimpleRNN, an RNN with "
        "`unroll=True` or recurrent dropout; a stateful RNN fixes the batch). Pass "
        "`input_signature` with that size given, e.g. `InputSpec(shape=(None, 20), "
        f"dtype=...)`. Received: sizes traced {sorted({int(size) for _, size in fixed})}")


def export_program(endpoint: Endpoint, specs: list, names: list[str], model_name: str,
                   **kwargs) -> torch.export.ExportedProgram:
    """torch.export's program for `endpoint` (non-strict, LSTM / GRU kept dynamic in time)."""
    endpoint.eval()
    with quiet(False), rnn_while_loops():
        try:
            return torch.export.export(endpoint, _signature.sample_inputs(endpoint, specs),
                                       dynamic_shapes=_signature.dynamic_shapes(specs),
                                       strict=False, **kwargs)
        except Exception as error:
            raise translate_errors(error, model_name, names) from error


@contextlib.contextmanager
def rnn_while_loops():
    """torch's while-loop decompositions of LSTM / GRU (what its ONNX exporter uses), so a
    sequence axis can stay dynamic; a no-op on torch builds without them."""
    try:
        from torch.export import _patches
    except ImportError:
        yield
        return
    with _patches.register_lstm_while_loop_decomposition(), \
            _patches.register_gru_while_loop_decomposition():
        yield
