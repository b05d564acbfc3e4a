"""EinsumDense, ReversibleEmbedding, RMSNormalization, SpectralNormalization and
GroupQueryAttention through `.keras` files, both ways with Keras 3."""

import keras
import numpy as np
import pytest

import hocsau


def _sequence_model(lib):
    L = lib.layers
    ids = lib.Input((5,), dtype="int32")
    table = L.ReversibleEmbedding(12, 6, tie_weights=False, logit_soft_cap=3.0, name="table")
    x = table(ids)
    x = L.RMSNormalization(epsilon=1e-3)(x)
    x = L.GroupQueryAttention(3, 4, 2, use_gate=True)(x, x, use_causal_mask=True)
    x = L.EinsumDense("abc,cde->abde", (None, 2, 3), bias_axes="de", activation="relu")(x)
    x = L.EinsumDense("...de,dec->...c", 6, bias_axes="c")(x)
    return lib.Model(ids, table(x, reverse=True))


def _spectral_model(lib):
    L = lib.layers
    return lib.Sequential([lib.Input((6, 6, 2)),
                           L.SpectralNormalization(L.Conv2D(3, 3), power_iterations=2),
                           L.Flatten(), L.SpectralNormalization(L.Dense(4)),
                           L.RMSNormalization(axis=[-1])])


BUILDERS = {"sequence": _sequence_model, "spectral": _spectral_model}


def _inputs(kind):
    rng = np.random.default_rng(0)
    if kind == "sequence":
        return rng.integers(0, 12, (3, 5)).astype("int32")
    return rng.normal(size=(3, 6, 6, 2)).astype("float32")


def _nonzero(model):
    """Distinct non-trivial weights, so a misplaced variable changes the outputs."""
    model.set_weights([w + 0.1 * np.sin(np.arange(w.size) + i).reshape(w.shape)
                       for i, w in enumerate(model.get_weights())])


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_keras_files_cross_both_ways(tmp_path, kind):
    x = _inputs(kind)
    ours = BUILDERS[kind](hocsau)
    _nonzero(ours)
    if kind == "spectral":  # a training step moves u and the kernels before saving
        ours.compile("sgd", "mse")
        ours.fit(x, np.zeros((3, 4)), epochs=1, verbose=0)
    expected = ours.predict(x, verbose=0)
    ours.save(tmp_path / "h.keras")
    again = hocsau.saving.load_model(tmp_path / "h.keras")
    np.testing.assert_array_equal(again.predict(x, verbose=0), expected)
    theirs = keras.saving.load_model(tmp_path / "h.keras")
    np.testing.assert_allclose(theirs.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    native = BUILDERS[kind](keras)
    _nonzero(native)
    native.save(tmp_path / "k.keras")
    loaded = hocsau.saving.load_model(tmp_path / "k.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), native.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    assert [w.shape for w in loaded.weights] == [tuple(w.shape) for w in native.weights]


def test_spectral_u_survives_the_file(tmp_path):
    model = _spectral_model(hocsau)
    layer = model.layers[0]
    model.save(tmp_path / "m.keras")
    theirs = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(theirs.layers[0].vector_u),
                                  layer.vector_u.detach().numpy())
