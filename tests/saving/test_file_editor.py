"""`KerasFileEditor` against Keras 3's: same weights read, same edits, files that load in
both libraries."""

import keras
import numpy as np
import pytest

import hocsau
from hocsau.saving import KerasFileEditor

X = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")


def _model(lib, units=2):
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(units, name="first"),
                            lib.layers.Dense(1, name="second")])
    return model


def _flat(tree, prefix=""):
    out = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}/{key}"))
        else:
            out[f"{prefix}/{key}"] = np.asarray(value)
    return out


@pytest.mark.parametrize("suffix", [".keras", ".weights.h5"])
def test_reads_the_weights_keras_reads(tmp_path, suffix, capsys):
    model = _model(hocsau)
    path = str(tmp_path / f"m{suffix}")
    model.save(path) if suffix == ".keras" else model.save_weights(path)
    ours, theirs = KerasFileEditor(path), keras.saving.KerasFileEditor(path)
    assert _flat(ours.weights_dict).keys() == _flat(theirs.weights_dict).keys()
    for key, value in _flat(theirs.weights_dict).items():
        np.testing.assert_array_equal(_flat(ours.weights_dict)[key], value)
    assert (ours.config is None) == (suffix == ".weights.h5")
    capsys.readouterr()
    ours.summary()
    printed = capsys.readouterr().out
    assert "Weights structure" in printed and "shape=(3, 2), dtype=float32" in printed


def test_edits_give_files_both_libraries_load(tmp_path):
    model = _model(hocsau)
    path = str(tmp_path / "m.keras")
    model.save(path)
    target = _model(hocsau, units=5)
    editor = KerasFileEditor(path)
    assert editor.compare(target)["status"] == "error"
    kernel = np.ones((3, 5), "float32")
    editor.delete_object("layers/dense")
    editor.add_object("layers/dense", {"0": kernel, "1": np.zeros(5, "float32")})
    editor.delete_weight("dense_1", "0")
    editor.add_weights("dense_1", {"0": np.full((5, 1), 2.0, "float32")})
    result = editor.compare(target)
    assert result == {"status": "success", "error_count": 0, "match_count": 4}
    editor.save(str(tmp_path / "edited.weights.h5"))
    target.load_weights(str(tmp_path / "edited.weights.h5"))
    np.testing.assert_allclose(target.predict(X, verbose=0), X.sum(1, keepdims=True) * 10,
                               rtol=1e-5)
    keras_target = _model(keras, units=5)
    keras_target.load_weights(str(tmp_path / "edited.weights.h5"))
    np.testing.assert_allclose(keras_target.get_weights()[0], kernel)


def test_rename_and_errors_as_keras(tmp_path):
    path = str(tmp_path / "m.weights.h5")
    _model(hocsau).save_weights(path)
    for editor in (KerasFileEditor(path), keras.saving.KerasFileEditor(path)):
        editor.rename_object("dense", "renamed")
        assert "renamed" in editor.weights_dict["layers"]
        with pytest.raises(ValueError, match="does not appear in the model"):
            editor.delete_object("missing")
        with pytest.raises(ValueError, match="should be a leaf name"):
            editor.rename_object("renamed", "a/b")
        with pytest.raises(ValueError, match="Argument `weights` should be a dict"):
            editor.add_object("layers/x", [1])
        with pytest.raises(ValueError, match="Path 'nowhere/x' not found"):
            editor.delete_object("nowhere/x")
        with pytest.raises(ValueError, match="expected a `.weights.h5` extension"):
            editor.save(str(tmp_path / "out.h5"))
    with pytest.raises(ValueError, match="Invalid filename"):
        KerasFileEditor(str(tmp_path / "m.h5"))


def test_an_edited_keras_file_stays_a_keras_model(tmp_path):
    model = _model(hocsau)
    model.save(tmp_path / "m.keras")
    editor = KerasFileEditor(tmp_path / "m.keras")
    editor.weights_dict["layers"]["dense_1"]["1"] = np.array([5.0], "float32")
    editor.save(tmp_path / "edited.keras")
    for loaded in (hocsau.saving.load_model(tmp_path / "edited.keras"),
                   keras.saving.load_model(tmp_path / "edited.keras")):
        np.testing.assert_allclose(np.asarray(loaded.get_weights()[3]), [5.0])
        np.testing.assert_allclose(np.asarray(loaded.get_weights()[0]), model.get_weights()[0])


def test_names_the_library_that_saved_the_file(tmp_path, capsys):
    ours, theirs = str(tmp_path / "ours.keras"), str(tmp_path / "theirs.keras")
    _model(hocsau).save(ours)
    _model(keras).save(theirs)
    capsys.readouterr()
    KerasFileEditor(ours)
    assert f"Saved with hocsau {hocsau.__version__} (Keras 3." in capsys.readouterr().out
    KerasFileEditor(theirs)
    assert f"Saved with Keras {keras.__version__} - date: " in capsys.readouterr().out
