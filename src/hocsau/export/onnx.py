"""`format="onnx"`: a model's inference call as an ONNX file, through torch.export and
torch.onnx's dynamo exporter (ONNX Runtime, TensorRT, OpenVINO, browsers read it)."""

from __future__ import annotations

import os

import torch

from hocsau.export import _capture, _signature


def export_onnx(model, filepath, verbose: bool | None = None, input_signature=None,
                opset_version: int | None = None, **kwargs) -> str:
    """Write `model`'s forward pass (inference mode) as an ONNX model.

    Inputs are named as the model's `Input`s, outputs as its output layers; axes that are
    None in the signature (the batch axis, sequence lengths) stay dynamic where the model's
    computation allows it (an LSTM / GRU does, a SimpleRNN unrolls over time and does not).

    Args:
        model: a built hocsau model (functional, Sequential or subclassed).
        filepath: where to write the `.onnx` file.
        verbose: print a line when done (default True); True also prints torch's steps.
        input_signature: Keras's form: a list with one entry per positional argument of the
            model's call, each an `InputSpec` (or a list / dict of them). Default: the model's
            inputs, with the batch axis dynamic.
        opset_version: the ONNX opset (default: torch's).
    """
    endpoint, specs, names = prepare(model, input_signature, kwargs)
    write_onnx(endpoint, specs, names, filepath, model, opset_version, verbose is True)
    if verbose is None or verbose:
        print(f"Saved artifact at '{os.fspath(filepath)}'.")
    return os.fspath(filepath)


def write_onnx(endpoint, specs: list, names: list[str], filepath, owner,
               opset_version: int | None = None, verbose: bool = False) -> list[str]:
    """Trace `endpoint` over `specs` into an ONNX file; the outputs are named after the
    `owner` model's output layers where it has them. Returns the output names."""
    endpoint.eval()
    sample = _signature.sample_inputs(endpoint, specs)
    outputs = _capture.output_names(owner, len(endpoint(*sample)))
    with _capture.quiet(verbose), _capture.rnn_while_loops():
        try:
            onnx_program = torch.onnx.export(
                endpoint, sample, dynamo=True, input_names=names, output_names=outputs,
                dynamic_shapes=_signature.dynamic_shapes(specs), opset_version=opset_version,
                verbose=verbose, optimize=True)
        except Exception as error:
            raise _capture.translate_errors(error, getattr(owner, "name", "endpoint"),
                                            names) from error
    _name_dynamic_axes(onnx_program.model.graph, _signature.dim_names(specs, names))
    onnx_program.save(os.fspath(filepath))
    return outputs


def prepare(model, input_signature, kwargs: dict, fn=None, resources=None):
    """(endpoint module, specs, input names) for `fn` (default: the model's inference call)
    over `input_signature` (default: the model's)."""
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments for export: {sorted(kwargs)}. "
                         f"Received: {kwargs}")
    specs = (_signature.model_signature(model) if input_signature is None
             else _signature.standardize(input_signature, model))
    names = _signature.input_names(specs, model)
    endpoint = _capture.Endpoint(fn or _capture.model_endpoint(model), specs,
                                 resources if resources is not None else [model])
    return endpoint, specs, names


def _name_dynamic_axes(graph, dim_names: list[dict]) -> None:
    """Give the graph inputs' dynamic axes Keras's names ("batch", "<input>_dim<axis>") in
    place of torch's symbols, in the inputs and outputs that carry them."""
    import onnx_ir as ir

    renamed = {}
    for value, axes in zip(graph.inputs, dim_names, strict=False):
        for axis, name in axes.items():
            old = value.shape[axis]
            if isinstance(old, ir.SymbolicDim) and old.value is not None:
                renamed[old.value] = name
    for value in [*graph.inputs, *graph.outputs]:
        if value.shape is not None:
            value.shape = ir.Shape([ir.SymbolicDim(renamed.get(d.value, d.value))
                                    if isinstance(d, ir.SymbolicDim) else d
                                    for d in value.shape])
