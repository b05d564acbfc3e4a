"""`Model.export`'s dispatch over formats, with Keras's names and errors."""

from __future__ import annotations

_FORMATS = ("tf_saved_model", "onnx", "openvino", "litert", "torch")
_TENSORFLOW_FORMATS = ("tf_saved_model", "litert")


def export_model(model, filepath, format: str = "tf_saved_model", verbose: bool | None = None,
                 input_signature=None, **kwargs) -> str:
    """Write `model` for inference in `format`; see `Model.export`."""
    if format not in _FORMATS:
        raise ValueError(f"Unrecognized format={format}. Supported formats are: "
                         f"{list(_FORMATS)}.")
    if format in _TENSORFLOW_FORMATS:
        raise ValueError(
            f"format='{format}' writes a TensorFlow artifact and needs TensorFlow, which "
            "hocsau (Keras on PyTorch) does not use. Export with format='onnx' (ONNX Runtime, "
            "TensorRT, browsers), format='openvino' (OpenVINO IR) or format='torch' (a "
            f"torch.export program, .pt2). Received: format='{format}'")
    if format == "onnx":
        from hocsau.export.onnx import export_onnx as exporter
    elif format == "openvino":
        from hocsau.export.openvino import export_openvino as exporter
    else:
        from hocsau.export.torch_program import export_torch as exporter
    return exporter(model, filepath, verbose=verbose, input_signature=input_signature, **kwargs)
