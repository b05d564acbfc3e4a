"""`Model.export`: ONNX (run in ONNX Runtime) and OpenVINO IR (run in OpenVINO) against
`predict`, at two batch sizes, for a convnet, a masked recurrent text model and a functional
model with two inputs and two outputs."""

from pathlib import Path

import numpy as np
import pytest

import hocsau as keras
from hocsau import layers

ort = pytest.importorskip("onnxruntime")
try:
    import openvino
except ImportError:  # the OpenVINO checks are skipped
    openvino = None


def convnet():
    """Sequential; both data formats, BatchNormalization with trained statistics."""
    model = keras.Sequential([
        keras.Input((12, 12, 3), name="image"),
        layers.Conv2D(4, 3, padding="same", activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(2),
        layers.Permute((3, 1, 2)),
        layers.Conv2D(5, 3, data_format="channels_first"),
        layers.GlobalAveragePooling2D(data_format="channels_first"),
        layers.Dropout(0.5),
        layers.Dense(3, activation="softmax", name="probabilities"),
    ])
    model.compile("adam", "sparse_categorical_crossentropy")
    rng = np.random.default_rng(1)
    model.fit(rng.random((8, 12, 12, 3), dtype=np.float32), rng.integers(0, 3, 8), epochs=1,
              verbose=0)
    return model


def text_model():
    """Embedding(mask_zero=True) -> Bidirectional(LSTM) -> GRU: masks, dynamic length."""
    tokens = keras.Input((None,), dtype="int32", name="tokens")
    x = layers.Embedding(40, 6, mask_zero=True)(tokens)
    x = layers.Bidirectional(layers.LSTM(5, return_sequences=True))(x)
    x = layers.GRU(4)(x)
    return keras.Model(tokens, layers.Dense(1, activation="sigmoid", name="spam")(x))


def two_in_two_out():
    numbers = keras.Input((6,), name="numbers")
    sequence = keras.Input((5, 4), name="sequence")
    attended = layers.MultiHeadAttention(2, 3)(sequence, sequence)
    pooled = layers.GlobalAveragePooling1D()(layers.LayerNormalization()(attended))
    merged = layers.Concatenate()([layers.Dense(8, activation="relu")(numbers), pooled])
    score = layers.Dense(1, activation="sigmoid", name="score")(merged)
    label = layers.Dense(3, activation="softmax", name="label")(merged)
    return keras.Model([numbers, sequence], [score, label])


def token_batch(rng, batch, steps):
    ids = rng.integers(1, 40, (batch, steps)).astype("int32")
    ids[0, : steps // 2] = 0  # padded in front
    ids[-1, steps - 2:] = 0   # and behind
    return ids


def run_openvino(model, feeds):
    # float32 arithmetic: the CPU plugin would otherwise pick bf16 where the CPU has it.
    compiled = openvino.Core().compile_model(model if not isinstance(model, (str, Path)) else
                                             str(model), "CPU",
                                             {"INFERENCE_PRECISION_HINT": "f32"})
    result = compiled(feeds)
    return [result[output] for output in compiled.outputs]


def run_onnx(path, feeds):
    session = ort.InferenceSession(str(path))
    return session, session.run(None, feeds)


def test_convnet_to_onnx_matches_predict(tmp_path):
    model = convnet()
    model.export(tmp_path / "convnet.onnx", format="onnx", verbose=False)
    rng = np.random.default_rng(2)
    for batch in (1, 7):
        x = rng.random((batch, 12, 12, 3), dtype=np.float32)
        session, (out,) = run_onnx(tmp_path / "convnet.onnx", {"image": x})
        np.testing.assert_allclose(out, model.predict(x, verbose=0), atol=1e-5)
    assert [(i.name, i.shape) for i in session.get_inputs()] == [("image", ["batch", 12, 12, 3])]
    assert [(o.name, o.shape) for o in session.get_outputs()] == [("probabilities", ["batch", 3])]


def test_masked_rnn_text_model_to_onnx_with_dynamic_length(tmp_path, capsys):
    """ONNX Runtime, and OpenVINO on the same ONNX file (what format="openvino" converts;
    that path itself is run on the other models, sparing a second slow RNN trace)."""
    model = text_model()
    model.export(tmp_path / "spam.onnx", format="onnx")
    assert capsys.readouterr().out == f"Saved artifact at '{tmp_path / 'spam.onnx'}'.\n"
    rng = np.random.default_rng(3)
    for batch, steps in ((1, 6), (5, 13)):
        ids = token_batch(rng, batch, steps)
        session, (out,) = run_onnx(tmp_path / "spam.onnx", {"tokens": ids})
        expected = model.predict(ids, verbose=0)
        np.testing.assert_allclose(out, expected, atol=1e-5)
        if openvino is not None:
            (out,) = run_openvino(openvino.convert_model(str(tmp_path / "spam.onnx")),
                                  {"tokens": ids})
            np.testing.assert_allclose(out, expected, atol=1e-5)
    assert session.get_inputs()[0].shape == ["batch", "tokens_dim1"]


def test_two_inputs_two_outputs_to_onnx(tmp_path):
    model = two_in_two_out()
    model.export(tmp_path / "two.onnx", format="onnx", verbose=False)
    rng = np.random.default_rng(4)
    for batch in (1, 6):
        numbers = rng.random((batch, 6), dtype=np.float32)
        sequence = rng.random((batch, 5, 4), dtype=np.float32)
        session, (score, label) = run_onnx(tmp_path / "two.onnx",
                                           {"numbers": numbers, "sequence": sequence})
        expected = model.predict([numbers, sequence], verbose=0)
        np.testing.assert_allclose(score, expected[0], atol=1e-5)
        np.testing.assert_allclose(label, expected[1], atol=1e-5)
    assert [o.name for o in session.get_outputs()] == ["score", "label"]


def test_preprocessing_layers_to_onnx(tmp_path):
    """Preprocessing layers that are tensor ops export with the model (random ones as the
    identity, as in inference)."""
    norm = layers.Normalization()
    norm.adapt(np.random.default_rng(7).random((20, 8, 8, 3), dtype=np.float32))
    model = keras.Sequential([
        keras.Input((8, 8, 3), name="pixels"), layers.Rescaling(1 / 255.0), norm,
        layers.RandomFlip(), layers.CenterCrop(6, 6), layers.Resizing(4, 4),
        layers.Flatten(), layers.Dense(2)])
    model.export(tmp_path / "pre.onnx", format="onnx", verbose=False)
    x = np.random.default_rng(8).random((3, 8, 8, 3), dtype=np.float32) * 255
    _, (out,) = run_onnx(tmp_path / "pre.onnx", {"pixels": x})
    np.testing.assert_allclose(out, model.predict(x, verbose=0), atol=1e-5)


class _PositionShift(layers.Layer):
    """Adds each step's index, read as a Python int: the step count becomes a constant."""

    def call(self, x):
        import torch

        return x + torch.arange(int(x.shape[1]), dtype=x.dtype, device=x.device)[:, None]


def test_axis_the_model_fixes_is_named_in_the_error(tmp_path):
    inputs = keras.Input((None, 2), name="series")
    model = keras.Model(inputs, _PositionShift()(inputs))
    with pytest.raises(ValueError, match=r"dynamic size on input 'series' axis 1.*"
                                         r"Pass `input_signature`"):
        model.export(tmp_path / "m.onnx", format="onnx", verbose=False)
    model.export(tmp_path / "m.onnx", format="onnx", verbose=False,
                 input_signature=[keras.layers.InputSpec(shape=(None, 4, 2), dtype="float32")])
    x = np.ones((3, 4, 2), np.float32)
    _, (out,) = run_onnx(tmp_path / "m.onnx", {"series": x})
    np.testing.assert_allclose(out, model.predict(x, verbose=0))


def test_formats_and_arguments_are_checked(tmp_path):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    with pytest.raises(ValueError, match=r"needs TensorFlow.*format='onnx'.*format='openvino'"
                                         r".*Received: format='tf_saved_model'"):
        model.export(tmp_path / "saved")
    with pytest.raises(ValueError, match=r"needs TensorFlow.*Received: format='litert'"):
        model.export(tmp_path / "m.tflite", format="litert")
    with pytest.raises(ValueError, match=r"Unrecognized format=keras. Supported formats are"):
        model.export(tmp_path / "m", format="keras")
    with pytest.raises(ValueError, match="filepath to end with '.xml'"):
        model.export(tmp_path / "m.onnx", format="openvino")
    with pytest.raises(ValueError, match=r"Unrecognized keyword arguments.*\['strict'\]"):
        model.export(tmp_path / "m.onnx", format="onnx", strict=True)
    with pytest.raises(ValueError, match="has not yet been built"):
        keras.Sequential([layers.Dense(2)]).export(tmp_path / "m.onnx", format="onnx")


@pytest.mark.skipif(openvino is None, reason="openvino is not installed")
def test_convnet_and_two_in_two_out_to_openvino(tmp_path):
    rng = np.random.default_rng(5)
    model = convnet()
    model.export(str(tmp_path / "convnet.xml"), format="openvino", verbose=False)
    assert (tmp_path / "convnet.bin").exists()
    for batch in (1, 4):
        x = rng.random((batch, 12, 12, 3), dtype=np.float32)
        (out,) = run_openvino(tmp_path / "convnet.xml", {"image": x})
        np.testing.assert_allclose(out, model.predict(x, verbose=0), atol=1e-5)
    model = two_in_two_out()
    model.export(str(tmp_path / "two.xml"), format="openvino", verbose=False)
    for batch in (1, 3):
        feeds = {"numbers": rng.random((batch, 6), dtype=np.float32),
                 "sequence": rng.random((batch, 5, 4), dtype=np.float32)}
        score, label = run_openvino(tmp_path / "two.xml", feeds)
        expected = model.predict([feeds["numbers"], feeds["sequence"]], verbose=0)
        np.testing.assert_allclose(score, expected[0], atol=1e-5)
        np.testing.assert_allclose(label, expected[1], atol=1e-5)
