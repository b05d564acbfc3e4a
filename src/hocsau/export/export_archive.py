"""`ExportArchive`: several serving endpoints over tracked layers, written as one folder of
ONNX models (or torch.export programs), with named variable collections beside them.

Keras writes a TensorFlow SavedModel; the same calls here write

    <filepath>/<endpoint>.onnx         one per `add_endpoint` (or .pt2 with format="torch")
    <filepath>/<collection>.npz        one per `add_variable_collection`, keyed by path
    <filepath>/archive.json            endpoints (file, input and output names), collections
"""

from __future__ import annotations

import json
import os

import numpy as np
import torch

from hocsau.export import _capture, _signature
from hocsau.export.onnx import write_onnx
from hocsau.layers.layer import Layer

_FORMATS = {"onnx": ".onnx", "torch": ".pt2"}


class ExportArchive:
    """Collect endpoints (functions of tracked layers) and write them for serving.

    Example:

        archive = hocsau.export.ExportArchive()
        archive.track(model)
        archive.add_endpoint("serve", lambda x: model(x, training=False),
                             input_signature=[hocsau.InputSpec(shape=(None, 3),
                                                               dtype="float32")])
        archive.add_variable_collection("weights", model.weights)
        archive.write_out("path/to/folder")      # serve.onnx, weights.npz, archive.json
    """

    def __init__(self, format: str = "onnx"):
        if format not in _FORMATS:
            raise ValueError(f"Unsupported format: {format}. Supported formats are: "
                             f"{list(_FORMATS)} (TensorFlow's SavedModel needs TensorFlow).")
        self.format = format
        self._tracked: list[Layer] = []
        self._endpoints: dict[str, tuple] = {}
        self._collections: dict[str, list] = {}

    # --- what the archive holds -------------------------------------------------------------
    def track(self, resource) -> None:
        """Track a built layer or model: its weights become the endpoints' parameters."""
        if not isinstance(resource, Layer):
            raise ValueError("Invalid resource type. Expected a hocsau `Layer` or `Model`. "
                             f"Received object {resource} of type '{type(resource)}'.")
        if not resource.built:
            raise ValueError("The layer provided has not yet been built. It must be built "
                             "before export.")
        if not any(resource is t for t in self._tracked):
            self._tracked.append(resource)

    def add_endpoint(self, name: str, fn, input_signature=None, **kwargs):
        """Register `fn` (using tracked layers) as endpoint `name` for `input_signature`: a
        list with one `InputSpec` (or structure of them) per positional argument. `fn` is
        checked by running it once on sample inputs. Returns `fn`."""
        if name in self._endpoints:
            raise ValueError(f"Endpoint name '{name}' is already taken.")
        if kwargs:
            raise ValueError("'jax2tf_kwargs' and 'is_static' are only supported with the jax "
                             f"backend of Keras. Received: {sorted(kwargs)}")
        if input_signature is None:
            raise ValueError(f"Endpoint '{name}' needs an `input_signature` (the shape and "
                             "dtype of each argument of `fn`). Received: input_signature=None")
        if not self._tracked:
            raise ValueError(f"Endpoint '{name}': track the layers or models `fn` uses with "
                             "`track()` first. Received: no tracked resource")
        specs = _signature.standardize(input_signature)
        endpoint = _capture.Endpoint(fn, specs, self._tracked)
        endpoint.eval()
        with torch.no_grad():
            endpoint(*_signature.sample_inputs(endpoint, specs))
        self._endpoints[name] = (endpoint, specs)
        return fn

    def track_and_add_endpoint(self, name: str, resource, input_signature, **kwargs):
        """`track(resource)` and an endpoint calling it (in inference mode)."""
        self.track(resource)
        return self.add_endpoint(name, _capture.model_endpoint(resource), input_signature,
                                 **kwargs)

    def add_variable_collection(self, name: str, variables) -> None:
        """Save `variables` (a list, tuple or set of weights) under `name`."""
        if not isinstance(variables, (list, tuple, set)):
            raise ValueError("Expected `variables` to be a list/tuple/set. Received instead "
                             f"object of type '{type(variables)}'.")
        if not all(isinstance(v, torch.Tensor) for v in variables):
            raise ValueError("Expected all elements in `variables` to be hocsau Variables. "
                             f"Found instead the following types: "
                             f"{sorted({type(v).__name__ for v in variables})}")
        self._collections[name] = list(variables)

    @property
    def variables(self) -> list:
        return _unique(w for layer in self._tracked for w in layer.weights)

    @property
    def trainable_variables(self) -> list:
        return _unique(w for layer in self._tracked for w in layer.trainable_weights)

    @property
    def non_trainable_variables(self) -> list:
        return _unique(w for layer in self._tracked for w in layer.non_trainable_weights)

    # --- writing ----------------------------------------------------------------------------
    def write_out(self, filepath, options=None, verbose: bool = True) -> None:
        """Write every endpoint and collection into the folder `filepath`."""
        if options is not None:
            raise ValueError("`options` (TensorFlow's SaveOptions) has no meaning for an "
                             f"{self.format} archive. Received: options={options!r}")
        if not self._endpoints:
            raise ValueError("No endpoints have been set yet. Call add_endpoint().")
        folder = os.fspath(filepath)
        os.makedirs(folder, exist_ok=True)
        manifest = {"format": self.format, "endpoints": {}, "variable_collections": {}}
        for name, (endpoint, specs) in self._endpoints.items():
            manifest["endpoints"][name] = self._write_endpoint(folder, name, endpoint, specs)
        for name, variables in self._collections.items():
            arrays = {f"{index}:{getattr(v, 'path', index)}": v.detach().cpu().numpy()
                      for index, v in enumerate(variables)}
            np.savez(os.path.join(folder, f"{name}.npz"), **arrays)
            manifest["variable_collections"][name] = f"{name}.npz"
        with open(os.path.join(folder, "archive.json"), "w", encoding="utf-8") as file:
            json.dump(manifest, file, indent=2)
        if verbose:
            print(f"Saved artifact at '{folder}'. The following endpoints are available: "
                  f"{', '.join(self._endpoints)}")

    def _write_endpoint(self, folder: str, name: str, endpoint, specs: list) -> dict:
        names = _signature.input_names(specs)
        path = os.path.join(folder, name + _FORMATS[self.format])
        if self.format == "onnx":
            outputs = write_onnx(endpoint, specs, names, path, None)
        else:
            program = _capture.export_program(endpoint, specs, names, name)
            torch.export.save(program, path)
            outputs = _capture.output_names(None, len(program.graph_signature.user_outputs))
        return {"file": os.path.basename(path), "inputs": names, "outputs": outputs}


def _unique(weights) -> list:
    seen, result = set(), []
    for w in weights:
        if id(w) not in seen:
            seen.add(id(w))
            result.append(w)
    return result
