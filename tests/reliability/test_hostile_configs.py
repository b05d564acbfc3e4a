"""Finding 1 and JSON depth: a `.keras` config cannot make hocsau read a local file in safe
mode (vocabulary / idf_weights paths), nor run code, nor crash the parser by nesting."""

import builtins
import json
import os

import numpy as np
import pytest
from hostile_files import config_of, dense_model, nested_json, rezip

import hocsau
from hocsau import layers, saving


@pytest.fixture
def secret(tmp_path):
    """A local file that no model file may read in safe mode."""
    path = tmp_path / "secret.txt"
    path.write_text("7\n8\n9\n")
    return path


@pytest.fixture
def opened(monkeypatch):
    """Every path `open` is called with while the test runs."""
    paths = []
    real_open = builtins.open

    def spy(file, *args, **kwargs):
        paths.append(os.fspath(file) if isinstance(file, (str, os.PathLike)) else file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    return paths


def _file_with_layer(tmp_path, layer, dtype, **config_changes):
    """A saved one-layer model whose layer config is then edited (no checksums, as an
    attacker would write it)."""
    path = tmp_path / "hostile.keras"
    hocsau.Sequential([hocsau.Input((1,), dtype=dtype), layer]).save(path)
    config = config_of(path)
    config["config"]["layers"][1]["config"].update(config_changes)
    rezip(path, **{"config.json": json.dumps(config)})
    return path


@pytest.mark.parametrize("layer, dtype", [
    (layers.StringLookup(vocabulary=["a"]), "string"),
    (layers.IntegerLookup(vocabulary=[1]), "int64"),
    (layers.TextVectorization(vocabulary=["a"]), "string"),
])
def test_vocabulary_path_is_refused_in_safe_mode(tmp_path, secret, opened, layer, dtype):
    path = _file_with_layer(tmp_path, layer, dtype, vocabulary=str(secret))
    with pytest.raises(ValueError) as caught:
        saving.load_model(path)
    message = str(caught.value)
    assert f"Layer '{layer.name}'" in message and str(secret) in message
    assert "`vocabulary`" in message and "safe_mode=False" in message
    assert "hostile.keras" in message
    assert str(secret) not in opened


def test_vocabulary_path_is_read_when_safe_mode_is_off(tmp_path, secret):
    """Keras's behaviour outside safe mode: the trusted file's vocabulary is used."""
    path = _file_with_layer(tmp_path, layers.IntegerLookup(vocabulary=[1]), "int64",
                            vocabulary=str(secret))
    model = saving.load_model(path, safe_mode=False)
    assert model.layers[0].get_vocabulary() == [-1, 7, 8, 9]


def test_idf_weights_path_is_refused_in_safe_mode(tmp_path, secret, opened):
    layer = layers.TextVectorization(output_mode="tf_idf", vocabulary=["a"], idf_weights=[1.0])
    path = _file_with_layer(tmp_path, layer, "string", idf_weights=str(secret))
    with pytest.raises(ValueError, match=r"argument `idf_weights`.*safe_mode=False"):
        saving.load_model(path)
    assert str(secret) not in opened


def test_deserialize_is_safe_by_default(secret):
    config = saving.serialize_keras_object(layers.StringLookup(vocabulary=["a"]))
    config["config"]["vocabulary"] = str(secret)
    with pytest.raises(TypeError, match="asks to read the local file"):  # Keras's wrapping
        saving.deserialize_keras_object(config)
    loaded = saving.deserialize_keras_object(config, safe_mode=False)
    assert loaded.get_vocabulary() == ["[UNK]", "7", "8", "9"]


def test_paths_given_in_code_are_read(secret):
    assert layers.StringLookup(vocabulary=str(secret)).get_vocabulary()[1:] == ["7", "8", "9"]


def test_lambda_payload_creates_no_marker(tmp_path):
    """A Lambda whose bytecode would write a marker file is refused before it can run."""
    marker = str(tmp_path / "marker")
    model = hocsau.Sequential([
        hocsau.Input((1,)),
        layers.Lambda(lambda t: (open(marker, "w").close(), t)[1]),  # noqa: SIM115
    ])
    path = tmp_path / "lam.keras"
    model.save(path)
    os.remove(marker)  # building the model ran the lambda once
    with pytest.raises(ValueError, match="safe_mode=False"):
        loaded = saving.load_model(path)
        loaded(np.ones((1, 1), "float32"))
    assert not os.path.exists(marker)


@pytest.mark.parametrize("entry", ["config.json", "metadata.json"])
def test_deeply_nested_json_is_a_clean_error(tmp_path, entry):
    path = tmp_path / "deep.keras"
    dense_model().save(path)
    rezip(path, **{entry: nested_json(100_000)})
    with pytest.raises(ValueError, match=f"deep.keras' has an invalid {entry}: it nests deeper"):
        saving.load_model(path)


def test_nesting_under_the_recursion_limit_is_refused_too(tmp_path):
    """Deep enough to parse, too deep to deserialize safely."""
    path = tmp_path / "deep.keras"
    dense_model().save(path)
    config = config_of(path)
    config["config"]["layers"][1]["config"]["activation"] = json.loads(nested_json(500))
    rezip(path, **{"config.json": json.dumps(config)})
    with pytest.raises(ValueError, match="nests deeper than 128 levels"):
        saving.load_model(path)


def test_deep_legacy_h5_config_is_a_clean_error(tmp_path):
    import h5py

    path = tmp_path / "deep.h5"
    dense_model().save(path)
    with h5py.File(path, "a") as h5file:
        h5file.attrs["model_config"] = nested_json(100_000)
    with pytest.raises(ValueError, match="deep.h5' has an invalid model_config: it nests"):
        saving.load_model(path)


def test_real_configs_are_far_from_the_depth_limit(tmp_path):
    from hocsau.saving import bounded_json

    inner = hocsau.Sequential([hocsau.Input((3,)), layers.Dense(2)])
    middle = hocsau.Model(inner.inputs[0], inner(inner.inputs[0]))
    x = hocsau.Input((3,))
    outer = hocsau.Model(x, layers.Dense(1)(middle(x)))
    path = tmp_path / "nested.keras"
    outer.save(path)
    assert bounded_json.depth(config_of(path)) < bounded_json.MAX_DEPTH // 3
    assert saving.load_model(path).count_params() == outer.count_params()
