"""`ExportArchive`: endpoints of tracked layers written as ONNX files (or torch.export
programs) with variable collections, run back in ONNX Runtime / torch."""

import json

import numpy as np
import pytest
import torch

import hocsau as keras
from hocsau import layers
from hocsau.export import ExportArchive

ort = pytest.importorskip("onnxruntime")


def small_model():
    inputs = keras.Input((3,), name="features")
    hidden = layers.Dense(4, activation="relu")(inputs)
    return keras.Model(inputs, layers.Dropout(0.5)(layers.Dense(2)(hidden)))


def test_two_endpoints_and_a_collection_to_onnx(tmp_path, capsys):
    model = small_model()
    archive = ExportArchive()
    archive.track(model)
    spec = [keras.InputSpec(shape=(None, 3), dtype="float32", name="x")]
    archive.add_endpoint("serve", lambda x: model(x, training=False), input_signature=spec)
    archive.add_endpoint("hidden", lambda x: model.layers[1](x), input_signature=spec)
    archive.add_variable_collection("weights", model.weights)
    archive.write_out(tmp_path / "archive")
    assert "endpoints are available: serve, hidden" in capsys.readouterr().out
    manifest = json.loads((tmp_path / "archive" / "archive.json").read_text())
    assert manifest["endpoints"]["serve"] == {"file": "serve.onnx", "inputs": ["x"],
                                              "outputs": ["output_0"]}
    x = np.random.default_rng(0).random((5, 3), dtype=np.float32)
    serve = ort.InferenceSession(str(tmp_path / "archive" / "serve.onnx"))
    np.testing.assert_allclose(serve.run(None, {"x": x})[0], model.predict(x, verbose=0),
                               atol=1e-6)
    hidden = ort.InferenceSession(str(tmp_path / "archive" / "hidden.onnx"))
    np.testing.assert_allclose(hidden.run(None, {"x": x[:1]})[0],
                               model.layers[1](torch.from_numpy(x[:1])).detach().numpy(),
                               atol=1e-6)
    saved = np.load(tmp_path / "archive" / "weights.npz", allow_pickle=False)
    assert list(saved) == [f"{i}:{w.path}" for i, w in enumerate(model.weights)]
    np.testing.assert_array_equal(saved[f"0:{model.weights[0].path}"], model.weights[0].numpy())
    assert len(archive.variables) == 4 and len(archive.trainable_variables) == 4


def test_torch_format_and_track_and_add_endpoint(tmp_path):
    model = small_model()
    archive = ExportArchive(format="torch")
    archive.track_and_add_endpoint(
        "serve", model, [keras.InputSpec(shape=(None, 3), dtype="float32")])
    archive.write_out(tmp_path / "programs", verbose=False)
    program = torch.export.load(str(tmp_path / "programs" / "serve.pt2"))
    x = torch.rand(6, 3)
    (out,) = program.module()(x)
    np.testing.assert_allclose(out.detach().numpy(), model.predict(x.numpy(), verbose=0),
                               atol=1e-6)


def test_archive_errors(tmp_path):
    spec = [keras.InputSpec(shape=(None, 2), dtype="float32")]
    archive = ExportArchive()
    with pytest.raises(ValueError, match="Unsupported format: saved_model"):
        ExportArchive(format="saved_model")
    with pytest.raises(ValueError, match="Expected a hocsau `Layer`"):
        archive.track(object())
    with pytest.raises(ValueError, match="has not yet been built"):
        archive.track(layers.Dense(2))
    with pytest.raises(ValueError, match="track the layers"):
        archive.add_endpoint("serve", lambda x: x, spec)
    archive.track(small_model())
    with pytest.raises(ValueError, match="needs an `input_signature`"):
        archive.add_endpoint("serve", lambda x: x)
    archive.add_endpoint("serve", lambda x: x * 2, spec)
    with pytest.raises(ValueError, match="Endpoint name 'serve' is already taken"):
        archive.add_endpoint("serve", lambda x: x, spec)
    with pytest.raises(ValueError, match="list/tuple/set"):
        archive.add_variable_collection("w", "kernel")
    with pytest.raises(ValueError, match="No endpoints"):
        ExportArchive().write_out(tmp_path / "empty")
