"""Export for inference: `Model.export` (ONNX, OpenVINO, torch.export programs) and
`ExportArchive` for several endpoints."""
