"""`format="openvino"`: an OpenVINO IR (`.xml` graph and `.bin` weights), converted by
OpenVINO from the ONNX model that `export_onnx` writes."""

from __future__ import annotations

import os
import tempfile

from hocsau.export.onnx import export_onnx


def export_openvino(model, filepath, verbose: bool | None = None, input_signature=None,
                    **kwargs) -> str:
    """Write `model`'s forward pass (inference mode) as OpenVINO IR, `filepath` ending in
    `.xml` (the weights go to the `.bin` beside it). Inputs, outputs and dynamic axes are
    those of `export_onnx`; the `openvino` package must be installed."""
    filepath = os.fspath(filepath)
    if not filepath.endswith(".xml"):
        raise ValueError("The OpenVINO export requires the filepath to end with '.xml'. "
                         f"Got: filepath={filepath}")
    try:
        import openvino as ov
    except ImportError as error:
        raise ImportError("format='openvino' needs the `openvino` package: "
                          "`pip install openvino`.") from error
    with tempfile.TemporaryDirectory() as folder:
        onnx_path = os.path.join(folder, "model.onnx")
        export_onnx(model, onnx_path, verbose=bool(verbose), input_signature=input_signature,
                    **kwargs)
        ov.save_model(ov.convert_model(onnx_path), filepath, compress_to_fp16=False)
    if verbose is None or verbose:
        print(f"Saved OpenVINO IR at '{filepath}'.")
    return filepath
