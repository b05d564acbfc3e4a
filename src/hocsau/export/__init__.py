"""Export for inference: `Model.export` (ONNX, OpenVINO IR, torch.export programs) and
`ExportArchive` for several endpoints. A hocsau model is also a plain `torch.nn.Module`:
`torch.export.export(model, (x,))` and `torch.onnx.export` take it directly."""

from hocsau.export.export_archive import ExportArchive

__all__ = ["ExportArchive"]
