"""`.keras` files with a TextVectorization layer, exchanged with real Keras 3, and the asset
hooks (`save_assets` / `load_assets`) behind them.

Keras's TextVectorization needs TensorFlow, absent here, so its side is recorded in
tests/saving/reference/ (tensorflow 2.21, keras 3.15.1):
- keras_text_vectorization_{int,tf_idf}.keras and their outputs, written by Keras
  (make_text_vectorization_keras_file.py);
- hocsau_text_vectorization_{int,tf_idf}.keras, written by hocsau
  (make_text_vectorization_hocsau_file.py), and the outputs Keras gives after loading them
  (check_text_vectorization_in_keras.py, run by hand on 2026-12-05: same vocabulary, largest
  difference 0 for both files against hocsau's own outputs).
"""

import io
import json
import os
import zipfile

import h5py
import keras
import numpy as np
import pytest

import hocsau
from hocsau import layers, saving

REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference")
MODES = ["int", "tf_idf"]


def _reference(name: str):
    with open(os.path.join(REFERENCE, name), encoding="utf-8") as f:
        return json.load(f)


KERAS = _reference("keras_text_vectorization_outputs.json")


def _run(model, texts):
    """The vectorized texts and the model's outputs (a hocsau model takes no strings itself,
    so its layers run one after the other)."""
    vectorized = model.layers[0](np.array(texts)[:, None])
    x = vectorized
    for layer in model.layers[1:]:
        x = layer(x)
    return vectorized.cpu().numpy(), x.detach().cpu().numpy()


def _layout(path) -> dict:
    """A `.keras` file's structure: entry names, asset contents, and every HDF5 object with
    its shape and dtype (group names only; the `name` attributes hold generated names)."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assets = {n: archive.read(n) for n in names if n.startswith("assets/")}
        weights = archive.read("model.weights.h5")
    tree = {}
    with h5py.File(io.BytesIO(weights), "r") as h5file:
        h5file.visititems(lambda key, obj: tree.__setitem__(
            key, (obj.shape, obj.dtype.str) if isinstance(obj, h5py.Dataset)
            else sorted(obj.attrs)))
    return {"names": sorted(names), "assets": assets, "tree": tree}


def _hocsau_model(mode: str):
    """The models of make_text_vectorization_hocsau_file.py, built and adapted by hocsau."""
    if mode == "int":
        stack = [layers.TextVectorization(max_tokens=24, output_sequence_length=6),
                 layers.Embedding(24, 4), layers.GlobalAveragePooling1D(), layers.Dense(2)]
    else:
        stack = [layers.TextVectorization(max_tokens=16, output_mode="tf_idf"), layers.Dense(3)]
    stack[0].adapt(KERAS["corpus"])
    model = hocsau.Sequential(stack)
    _run(model, KERAS["corpus"])
    return model


@pytest.mark.parametrize("mode", MODES)
def test_keras_file_loads_in_hocsau(mode):
    model = saving.load_model(os.path.join(REFERENCE, f"keras_text_vectorization_{mode}.keras"))
    expected = KERAS[mode]
    assert model.layers[0].get_vocabulary() == expected["vocabulary"]
    vectorized, predicted = _run(model, KERAS["probes"])
    np.testing.assert_allclose(vectorized, expected["vectorized"], rtol=1e-6)
    np.testing.assert_allclose(predicted, expected["predicted"], rtol=1e-5, atol=1e-7)
    assert predicted.shape == (4, 2 if mode == "int" else 3)


@pytest.mark.parametrize("mode", MODES)
def test_hocsau_file_has_keras_layout(tmp_path, mode):
    model = _hocsau_model(mode)
    with pytest.warns(UserWarning, match="not yet been built"):
        model.save(tmp_path / "ours.keras")
    ours = _layout(tmp_path / "ours.keras")
    theirs = _layout(os.path.join(REFERENCE, f"keras_text_vectorization_{mode}.keras"))
    assert ours == theirs
    folder = "assets/layers/text_vectorization"
    assert set(ours["assets"]) == {f"{folder}/vocabulary.txt",
                                   f"{folder}/_lookup_layer/vocabulary.txt"}
    first_lines = "\n[UNK]\nthe\n" if mode == "int" else "[UNK]\nthe\n"
    assert ours["assets"][f"{folder}/vocabulary.txt"].decode("utf-8").startswith(first_lines)
    idf = "layers/text_vectorization/_lookup_layer/vars/idf_weights"
    assert (idf in ours["tree"]) == (mode == "tf_idf")


@pytest.mark.parametrize("mode", MODES)
def test_hocsau_file_gives_the_outputs_keras_gave(mode):
    """The committed hocsau file, loaded here, reproduces what Keras computed from it."""
    expected = _reference("hocsau_text_vectorization_keras_outputs.json")[mode]
    model = saving.load_model(os.path.join(REFERENCE, f"hocsau_text_vectorization_{mode}.keras"))
    assert model.layers[0].get_vocabulary() == expected["vocabulary"]
    vectorized, predicted = _run(model, KERAS["probes"])
    np.testing.assert_allclose(vectorized, expected["vectorized"], rtol=1e-6)
    np.testing.assert_allclose(predicted, expected["predicted"], rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("kwargs, texts", [
    ({"output_sequence_length": 5}, ["Hà Nội mưa", "mưa to"]),
    ({"output_mode": "tf_idf", "max_tokens": 9, "pad_to_max_tokens": True}, ["a b", "b c c"]),
    ({"output_mode": "count", "split": "character"}, ["ab\ncd", "a\u2028b"]),
])
def test_round_trip_in_hocsau(tmp_path, kwargs, texts):
    layer = layers.TextVectorization(**kwargs)
    layer.adapt(texts)
    model = hocsau.Sequential([layer])
    with pytest.warns(UserWarning, match="not yet been built"):
        model.save(tmp_path / "tv.keras")
    restored = saving.load_model(tmp_path / "tv.keras").layers[0]
    assert restored.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_array_equal(restored(texts + ["zz b"]).numpy(),
                                  layer(texts + ["zz b"]).numpy())
    with zipfile.ZipFile(tmp_path / "tv.keras") as archive:
        exact = [n for n in archive.namelist() if n.endswith("vocabulary.json")]
    # Only tokens a line-based file cannot hold need the exact copy beside vocabulary.txt.
    assert len(exact) == (2 if kwargs.get("split") == "character" else 0)


def test_given_vocabulary_stays_in_the_config(tmp_path):
    layer = layers.TextVectorization(vocabulary=["x", "y"])
    with pytest.warns(UserWarning, match="not yet been built"):
        hocsau.Sequential([layer]).save(tmp_path / "tv.keras")
    with zipfile.ZipFile(tmp_path / "tv.keras") as archive:
        assert not [n for n in archive.namelist() if n.startswith("assets/")]
    restored = saving.load_model(tmp_path / "tv.keras").layers[0]
    assert restored(["y x q"]).tolist() == [[3, 2, 1]]


def _noted_layer(base):
    """A layer class (hocsau's or Keras's) with asset hooks, and a plain helper attribute
    that has them too (hocsau visits it, as Keras visits a saveable attribute)."""

    class NotedLayer(base):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.text = ""

        def save_assets(self, dir_path):
            with open(os.path.join(dir_path, "note.txt"), "w") as f:
                f.write(self.text)

        def load_assets(self, dir_path):
            with open(os.path.join(dir_path, "note.txt")) as f:
                self.text = f.read()

        def call(self, x):
            return x

    return NotedLayer


class _Helper:
    def __init__(self):
        self.saved_in = None

    def save_assets(self, dir_path):
        self.saved_in = dir_path


def test_asset_hooks_get_keras_folders(tmp_path):
    ours = hocsau.Sequential([_noted_layer(layers.Layer)(name="noted")])
    ours.layers[0].text = "hello"
    ours.layers[0].helper = _Helper()
    theirs = keras.Sequential([_noted_layer(keras.layers.Layer)(name="noted")])
    with pytest.warns(UserWarning, match="not yet been built"):
        ours.save(tmp_path / "ours.keras")
    with pytest.warns(UserWarning, match="not yet been built"):
        theirs.save(tmp_path / "theirs.keras")
    names = [zipfile.ZipFile(tmp_path / f).namelist() for f in ("ours.keras", "theirs.keras")]
    assert names[0] == names[1]
    assert names[0][3:] == ["assets/layers/noted_layer/note.txt"]
    helper_folder = ours.layers[0].helper.saved_in
    assert helper_folder.replace(os.sep, "/").endswith("/layers/noted_layer/helper")
    with zipfile.ZipFile(tmp_path / "ours.keras") as archive, \
            h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r") as h5file:
        assert "layers/noted_layer/helper" not in h5file  # no variables hook: no vars group
    noted = {"NotedLayer": type(ours.layers[0])}
    fresh = saving.load_model(tmp_path / "theirs.keras", custom_objects=noted)
    assert fresh.layers[0].text == ""
    fresh.load_weights(tmp_path / "ours.keras")  # weights only: assets are not read
    assert fresh.layers[0].text == ""
    assert saving.load_model(tmp_path / "ours.keras", custom_objects=noted).layers[0].text == \
        "hello"


def test_asset_entry_escaping_the_folder_is_refused(tmp_path):
    source = os.path.join(REFERENCE, "keras_text_vectorization_tf_idf.keras")
    path = tmp_path / "evil.keras"
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(path, "w") as evil:
        for name in archive.namelist():
            evil.writestr(name, archive.read(name))
        evil.writestr("assets/../../outside.txt", b"x")
    with pytest.raises(ValueError, match="escapes the assets folder. Received: "
                                         "'assets/../../outside.txt'"):
        saving.load_model(path)
    assert not (tmp_path.parent / "outside.txt").exists()
