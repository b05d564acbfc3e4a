"""`.weights.h5`: hocsau round trips, exchange with Keras 3, mismatches."""

import keras
import numpy as np
import pytest
import torch
from saving_models import build_models, make_data, predictions

import hocsau
from hocsau import layers

KINDS = ["sequential", "functional", "subclassed"]


@pytest.mark.parametrize("kind", KINDS)
def test_round_trip(tmp_path, kind):
    x, _ = make_data()
    source, target = build_models(hocsau)[kind], build_models(hocsau)[kind]
    source.save_weights(tmp_path / "w.weights.h5")
    target.load_weights(tmp_path / "w.weights.h5")
    for a, b in zip(predictions(source, x), predictions(target, x), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kind", KINDS)
def test_exchange_with_keras(tmp_path, kind):
    x, _ = make_data()
    ours, theirs = build_models(hocsau)[kind], build_models(keras)[kind]
    ours.save_weights(tmp_path / "h.weights.h5")
    theirs.load_weights(tmp_path / "h.weights.h5")
    for a, b in zip(predictions(ours, x), predictions(theirs, x), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)  # float32 rounding
    back = build_models(keras)[kind]
    back.save_weights(tmp_path / "k.weights.h5")
    ours.load_weights(tmp_path / "k.weights.h5")
    for a, b in zip(predictions(back, x), predictions(ours, x), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)  # float32 rounding


def _pair(units):
    return hocsau.Sequential([hocsau.Input((3,)), layers.Dense(4), layers.Dense(units)])


def test_shape_mismatch_names_layer_and_shapes(tmp_path):
    _pair(2).save_weights(tmp_path / "w.weights.h5")
    with pytest.raises(ValueError, match=r"w.weights.h5.*Layer 'dense_\d+' weight 'kernel' has "
                                         r"shape \(4, 5\), but the saved value at "
                                         r"'layers/dense_1/vars' has shape \(4, 2\)"):
        _pair(5).load_weights(tmp_path / "w.weights.h5")


def test_skip_mismatch_loads_the_rest(tmp_path):
    source, target = _pair(2), _pair(5)
    source.save_weights(tmp_path / "w.weights.h5")
    before = target.layers[1].get_weights()
    with pytest.warns(UserWarning, match="Skipping loading weights for layer"):
        target.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)
    np.testing.assert_array_equal(target.layers[0].get_weights()[0],
                                  source.layers[0].get_weights()[0])
    np.testing.assert_array_equal(target.layers[1].get_weights()[0], before[0])


def test_missing_layer_weights(tmp_path):
    hocsau.Sequential([hocsau.Input((3,)), layers.Dense(4)]).save_weights(
        tmp_path / "w.weights.h5")
    with pytest.raises(ValueError, match=r"Layer 'dense_\d+' expected 2 variables, but "
                                         r"received 0 variables during loading"):
        _pair(2).load_weights(tmp_path / "w.weights.h5")


def test_file_name_checks(tmp_path):
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        _pair(2).save_weights(tmp_path / "w.h5x")
    (tmp_path / "bad.weights.h5").write_bytes(b"\x89HDF-not-really")
    with pytest.raises(ValueError, match="bad.weights.h5.*not a valid HDF5 file"):
        _pair(2).load_weights(tmp_path / "bad.weights.h5")
    with pytest.raises(ValueError, match="Invalid keyword arguments: {'by_name': True}"):
        _pair(2).load_weights(tmp_path / "bad.weights.h5", by_name=True)
    with pytest.raises(FileNotFoundError, match="none.weights.h5"):
        _pair(2).load_weights(tmp_path / "none.weights.h5")


def test_optimizer_variables_saved(tmp_path):
    x, y = make_data()
    model = _pair(2)
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, verbose=0)
    model.save_weights(tmp_path / "w.weights.h5")
    fresh = _pair(2)
    fresh.compile(optimizer="adam", loss="mse")
    fresh.load_weights(tmp_path / "w.weights.h5")
    assert int(fresh.optimizer.iterations) == 1
    assert len(fresh.optimizer.variables) == len(model.optimizer.variables) == 10


def test_optimizer_state_absent_or_different(tmp_path):
    x, y = make_data()
    _pair(2).save_weights(tmp_path / "plain.weights.h5")
    compiled = _pair(2)
    compiled.compile(optimizer="adam", loss="mse")
    compiled.fit(x, y, verbose=0)
    compiled.load_weights(tmp_path / "plain.weights.h5")  # no optimizer group: weights only
    assert int(compiled.optimizer.iterations) == 1
    compiled.save_weights(tmp_path / "adam.weights.h5")
    other = _pair(2)
    other.compile(optimizer="sgd", loss="mse")
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer 'sgd"):
        other.load_weights(tmp_path / "adam.weights.h5")
    np.testing.assert_array_equal(other.get_weights()[0], compiled.get_weights()[0])


class _WithTorchModule(hocsau.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lin = torch.nn.Linear(3, 2)
        self.head = layers.Dense(1)

    def call(self, x, training=None):
        return self.head(self.lin(x))


def test_plain_torch_modules_saved_by_state_dict_keys(tmp_path):
    import h5py

    x, _ = make_data()
    source, target = _WithTorchModule(), _WithTorchModule()
    source(x)
    target(x)
    source.save_weights(tmp_path / "t.weights.h5")
    with h5py.File(tmp_path / "t.weights.h5") as f:
        assert sorted(f["layers/torch_module_wrapper/vars"]) == ["bias", "weight"]
    target.load_weights(tmp_path / "t.weights.h5")
    np.testing.assert_array_equal(predictions(source, x)[0], predictions(target, x)[0])
