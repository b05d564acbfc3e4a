"""BatchNormalization(renorm=True) and synchronized=True against Keras 3 (torch backend)."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing import run_layer_test

keras = pytest.importorskip("keras")
rng = np.random.default_rng(1)
CLIPPED = {"renorm": True, "renorm_clipping": {"rmax": 1.3, "rmin": 0.8, "dmax": 0.2},
           "renorm_momentum": 0.5, "momentum": 0.8}
RENORM_WEIGHTS = ["gamma", "beta", "moving_mean", "moving_variance", "moving_stddev",
                  "renorm_mean", "renorm_stddev"]


def pair(kwargs, x, ours_kwargs=None):
    """A Keras layer and ours built on `x`, sharing Keras's initial weights."""
    theirs = keras.layers.BatchNormalization(**kwargs)
    theirs(x)
    ours = layers.BatchNormalization(**(ours_kwargs or kwargs))
    ours(torch.from_numpy(x))
    for a, e in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, e, rtol=1e-6)  # initial values, stddevs included
    ours.set_weights(theirs.get_weights())
    return ours, theirs


def batches(shape, count=3):
    """Batches whose statistics drift, so that r and d leave 1 and 0 (and get clipped)."""
    return [(rng.normal(size=shape) * (2.5 + i) + 1.5 * i).astype("float32")
            for i in range(count)]


def assert_same_weights(ours, theirs, atol=1e-6):
    for a, e in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, e, rtol=1e-5, atol=atol)


@pytest.mark.parametrize("kwargs, shape", [
    ({"renorm": True}, (8, 3)),
    (CLIPPED, (8, 3)),
    ({**CLIPPED, "axis": 1, "center": False}, (4, 3, 2, 2)),
    ({"renorm": True, "scale": False, "renorm_clipping": {"dmax": 0.0}, "epsilon": 0.1}, (6, 4)),
    ({"renorm": True, "center": False, "scale": False, "renorm_momentum": 0.3,
      "moving_variance_initializer": {"class_name": "Constant", "config": {"value": 4.0}}},
     (6, 2, 4)),
])
def test_training_and_inference_outputs_and_weights_match_keras(kwargs, shape):
    data = batches(shape)
    ours, theirs = pair(kwargs, data[0])
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    for x in data:
        expected = keras.ops.convert_to_numpy(theirs(x, training=True))
        actual = ours(torch.from_numpy(x), training=True).detach().numpy()
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)
    assert_same_weights(ours, theirs)
    expected = keras.ops.convert_to_numpy(theirs(data[0], training=False))
    actual = ours(torch.from_numpy(data[0]), training=False).detach().numpy()
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)
    same = {"name": None, "axis": None}  # ours stores the axis made non-negative by build
    assert ours.get_config() | same == theirs.get_config() | same


def test_corrections_are_clipped_by_hand():
    bn = layers.BatchNormalization(renorm=True, renorm_clipping={"rmax": 1.5, "dmax": 0.25},
                                   renorm_momentum=0.0, momentum=0.0, epsilon=0.0)
    x = torch.tensor([[1.0], [5.0]])  # mean 3, stddev 2 against renorm statistics 0 and 1
    out = bn(x, training=True)
    # normalized (-1, 1), r = min(2, 1.5), d = min(3, 0.25): out = normalized * 1.5 + 0.25
    torch.testing.assert_close(out, torch.tensor([[-1.25], [1.75]]))
    np.testing.assert_allclose([w[0] for w in bn.get_weights()[2:]], [3, 4, 2, 3, 2])


def test_corrections_carry_no_gradient():
    bn = layers.BatchNormalization(renorm=True, center=False, scale=False)
    x = torch.tensor([[1.0], [5.0], [3.0]], requires_grad=True)
    bn(x, training=True).sum().backward()
    # Plain batch normalization sums to zero; so does (x_hat * r + d) when r, d are constants.
    torch.testing.assert_close(x.grad, torch.zeros(3, 1), atol=1e-6, rtol=0)


def build_model(lib, **bn_kwargs):
    model = lib.Sequential([lib.Input((5,)), lib.layers.Dense(4),
                            lib.layers.BatchNormalization(**bn_kwargs), lib.layers.Dense(1)])
    model.compile(optimizer=lib.optimizers.SGD(0.05), loss="mse")
    return model


@pytest.mark.parametrize("kwargs", [CLIPPED, {"renorm": True, "renorm_momentum": 0.9,
                                              "momentum": 0.9}])
def test_all_weights_match_keras_after_fit(kwargs):
    x = (rng.normal(size=(64, 5)) * 2 + 3).astype("float32")
    y = rng.normal(size=(64, 1)).astype("float32")
    theirs, ours = build_model(keras, **kwargs), build_model(hocsau, **kwargs)
    ours.set_weights(theirs.get_weights())
    theirs.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    ours.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    assert_same_weights(ours, theirs, atol=1e-5)
    assert len(ours.layers[1].non_trainable_weights) == 5
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-5)


def test_keras_files_cross_both_ways(tmp_path):
    x = (rng.normal(size=(32, 5)) * 2 + 3).astype("float32")
    y = rng.normal(size=(32, 1)).astype("float32")
    for lib, other in ((hocsau, keras), (keras, hocsau)):
        model = build_model(lib, **CLIPPED)
        model.fit(x, y, batch_size=8, epochs=1, verbose=0)
        path = tmp_path / f"{lib.__name__}.keras"
        model.save(path)
        loaded = other.saving.load_model(path)
        assert loaded.layers[1].get_config()["renorm_clipping"] == CLIPPED["renorm_clipping"]
        for a, e in zip(loaded.get_weights(), model.get_weights(), strict=True):
            np.testing.assert_array_equal(a, e)
        np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                                   rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kwargs", [{}, CLIPPED])
def test_synchronized_on_one_process_matches_keras_unsynchronized(kwargs):
    # Keras accepts synchronized=True only on TensorFlow, where one device changes nothing.
    data = batches((8, 3))
    ours, theirs = pair(kwargs, data[0], {**kwargs, "synchronized": True})
    for x in data:
        expected = keras.ops.convert_to_numpy(theirs(x, training=True))
        actual = ours(torch.from_numpy(x), training=True).detach().numpy()
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)
    assert_same_weights(ours, theirs)
    assert ours.get_config()["synchronized"] is True


def test_layer_test_config_and_errors():
    run_layer_test(layers.BatchNormalization, CLIPPED, input_shape=(4, 3),
                   expected_output_shape=(4, 3), expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=5, supports_masking=True,
                   run_training_check=True)
    bn = layers.BatchNormalization(renorm=True)
    bn(torch.ones(2, 3))
    assert [w.name for w in bn.weights] == RENORM_WEIGHTS
    assert bn.get_config()["renorm_clipping"] == {}
    assert layers.BatchNormalization().get_config()["renorm_clipping"] is None
    with pytest.raises(ValueError, match=r"accepts the keys .* Received: renorm_clipping="):
        layers.BatchNormalization(renorm=True, renorm_clipping={"rmax": 2, "max": 1})
    with pytest.raises(ValueError, match="rmax must be at least rmin. Received: rmax=1, rmin=2"):
        layers.BatchNormalization(renorm=True, renorm_clipping={"rmax": 1, "rmin": 2})
    with pytest.raises(ValueError, match="dmax must be non-negative. Received: dmax=-1"):
        layers.BatchNormalization(renorm=True, renorm_clipping={"dmax": -1})
