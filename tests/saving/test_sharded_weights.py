"""Sharded weights (`max_shard_size`, `.weights.json`): round trips, exchange with Keras 3,
Keras's error messages, hostile indexes."""

import json
import os
import re

import h5py
import keras
import numpy as np
import pytest
from saving_models import build_models, make_data, predictions

import hocsau

KINDS = ["sequential", "functional", "subclassed"]
TINY = 1e-7  # GB: about 107 bytes, so each small layer gets its own shard


def _assert_same(first, second, x, tolerance=(1e-5, 1e-6)):
    """Equal predictions (by default within float32 rounding)."""
    rtol, atol = tolerance
    for a, b in zip(predictions(first, x), predictions(second, x), strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def _pair(lib, units=2):
    return lib.Sequential([lib.Input((3,)), lib.layers.Dense(4, name="a"),
                           lib.layers.Dense(units, name="b")])


@pytest.mark.parametrize("kind", KINDS)
def test_round_trip_in_several_shards(tmp_path, kind):
    x, _ = make_data()
    source, target = build_models(hocsau)[kind], build_models(hocsau)[kind]
    source.save_weights(tmp_path / "w.weights.json", max_shard_size=TINY)
    assert sorted(os.listdir(tmp_path)) == ["w.weights.json", "w_00000.weights.h5",
                                            "w_00001.weights.h5"]
    target.load_weights(tmp_path / "w.weights.json")
    _assert_same(source, target, x, tolerance=(0, 0))


@pytest.mark.parametrize("kind", KINDS)
def test_exchange_with_keras(tmp_path, kind):
    x, _ = make_data()
    ours, theirs = build_models(hocsau)[kind], build_models(keras)[kind]
    ours.save_weights(tmp_path / "h.weights.json", max_shard_size=TINY)
    theirs.load_weights(tmp_path / "h.weights.json")
    _assert_same(ours, theirs, x)
    back = build_models(keras)[kind]
    back.save_weights(tmp_path / "k.weights.json", max_shard_size=TINY)
    ours.load_weights(tmp_path / "k.weights.json")
    _assert_same(back, ours, x)


def test_index_and_shards_as_keras_writes_them(tmp_path):
    _pair(hocsau).save_weights(tmp_path / "h.weights.json", max_shard_size=5e-8)
    _pair(keras).save_weights(tmp_path / "k.weights.json", max_shard_size=5e-8)
    ours = (tmp_path / "h.weights.json").read_text().replace("h_0", "X_0")
    theirs = (tmp_path / "k.weights.json").read_text().replace("k_0", "X_0")
    assert ours == theirs
    assert json.loads(ours)["metadata"] == {"total_size": 4.0 * (3 * 4 + 4 + 4 * 2 + 2)}
    for name in json.loads(ours)["weight_map"]["/layers/dense/vars"]:
        with h5py.File(tmp_path / name.replace("X_", "h_")) as h, \
                h5py.File(tmp_path / name.replace("X_", "k_")) as k:
            assert sorted(h["layers/dense/vars"]) == sorted(k["layers/dense/vars"])


def test_weights_h5_path_is_renamed_with_keras_warning(tmp_path):
    message = (f"Saving sharded weights requires `*.json` as the extension. The original "
               f"path: {tmp_path}/w.weights.h5 will be renamed to {tmp_path}/w.weights.json.")
    with pytest.warns(UserWarning, match=r"\A" + re.escape(message) + r"\Z"):
        _pair(hocsau).save_weights(tmp_path / "w.weights.h5", max_shard_size=TINY)
    assert (tmp_path / "w.weights.json").exists()
    assert not (tmp_path / "w.weights.h5").exists()


def _message(call):
    with pytest.raises(ValueError) as info:
        call()
    return str(info.value)


def test_error_messages_equal_keras(tmp_path):
    bad = str(tmp_path / "w.h5")
    assert _message(lambda: _pair(hocsau).save_weights(bad, max_shard_size=1)) == \
        _message(lambda: _pair(keras).save_weights(bad, max_shard_size=1))
    big = str(tmp_path / "big.weights.json")
    assert _message(lambda: _pair(hocsau).save_weights(big, max_shard_size=1e-9)) == \
        _message(lambda: _pair(keras).save_weights(big, max_shard_size=1e-9))
    _pair(keras).save(tmp_path / "m.keras")
    skip = {"objects_to_skip": []}
    assert _message(lambda: _pair(hocsau).load_weights(tmp_path / "m.keras", **skip)) == \
        _message(lambda: _pair(keras).load_weights(tmp_path / "m.keras", **skip))


@pytest.mark.parametrize("suffix", ["weights.h5", "weights.json"])
def test_objects_to_skip_keeps_their_state(tmp_path, suffix):
    source, target = _pair(hocsau), _pair(hocsau)
    shard = {"max_shard_size": TINY} if suffix == "weights.json" else {}
    hocsau.saving.save_weights(source, tmp_path / f"w.{suffix}", **shard)
    kept = target.layers[1].get_weights()
    target.load_weights(tmp_path / f"w.{suffix}", objects_to_skip=[target.layers[1]])
    np.testing.assert_array_equal(target.layers[0].get_weights()[0],
                                  source.layers[0].get_weights()[0])
    np.testing.assert_array_equal(target.layers[1].get_weights()[0], kept[0])


def test_objects_to_skip_on_save_leaves_them_out(tmp_path):
    model = _pair(hocsau)
    hocsau.saving.save_weights(model, tmp_path / "w.weights.json", max_shard_size=TINY,
                               objects_to_skip=[model.layers[0]])
    index = json.loads((tmp_path / "w.weights.json").read_text())
    assert list(index["weight_map"]) == ["/layers/dense_1/vars"]


@pytest.mark.parametrize("shard", ["../w_00000.weights.h5", "/etc/passwd", "..",
                                   "sub/w_00000.weights.h5", 3])
def test_hostile_index_is_refused(tmp_path, shard):
    _pair(hocsau).save_weights(tmp_path / "w.weights.json", max_shard_size=TINY)
    index = json.loads((tmp_path / "w.weights.json").read_text())
    index["weight_map"]["/layers/dense/vars"] = [shard]
    (tmp_path / "w.weights.json").write_text(json.dumps(index))
    with pytest.raises(ValueError, match=r"w\.weights\.json.*must be plain file names"):
        _pair(hocsau).load_weights(tmp_path / "w.weights.json")


def test_shards_go_through_the_hdf5_checks(tmp_path):
    _pair(hocsau).save_weights(tmp_path / "w.weights.json", max_shard_size=TINY)
    with h5py.File(tmp_path / "w_00000.weights.h5", "a") as h5file:
        h5file["extra"] = h5py.ExternalLink("/etc/hostname", "/")
    with pytest.raises(ValueError, match=r"w_00000\.weights\.h5.*external link"):
        _pair(hocsau).load_weights(tmp_path / "w.weights.json")


def test_invalid_and_missing_index(tmp_path):
    (tmp_path / "w.weights.json").write_text('{"metadata": {}}')
    with pytest.raises(ValueError, match=r"w\.weights\.json' is not a sharded weights index"):
        _pair(hocsau).load_weights(tmp_path / "w.weights.json")
    with pytest.raises(FileNotFoundError, match="none.weights.json"):
        _pair(hocsau).load_weights(tmp_path / "none.weights.json")


def test_overwrite_false_refuses_an_existing_index(tmp_path):
    _pair(hocsau).save_weights(tmp_path / "w.weights.json", max_shard_size=TINY)
    with pytest.raises(FileExistsError, match="w.weights.json already exists"):
        hocsau.saving.save_weights(_pair(hocsau), tmp_path / "w.weights.json",
                                   overwrite=False, max_shard_size=TINY)
