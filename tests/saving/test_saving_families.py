"""Layer families through `.keras` files, both ways with Keras 3: the weights layout is
generic over sublayers (RNN cells, Bidirectional's two layers) and every layer's variables."""

import keras
import numpy as np
import pytest

import hocsau


def _recurrent(lib):
    L = lib.layers
    return lib.Sequential([lib.Input((5,), dtype="int32"), L.Embedding(10, 4, mask_zero=True),
                           L.Bidirectional(L.GRU(3, return_sequences=True)), L.LSTM(2),
                           L.Dense(1)])


def _reshaping_and_pooling(lib):
    L = lib.layers
    return lib.Sequential([lib.Input((6, 2)), L.Permute((2, 1)), L.Reshape((3, 4)),
                           L.MaxPooling1D(2, padding="same"), L.Flatten(), L.PReLU(),
                           L.RepeatVector(2), L.GlobalAveragePooling1D(), L.Dense(3)])


def _vision(lib):
    L = lib.layers
    return lib.Sequential([
        lib.Input((8, 8, 3)), L.Rescaling(0.5), L.Conv2D(4, 3, padding="same"),
        L.BatchNormalization(), L.DepthwiseConv2D(3, depth_multiplier=2),
        L.GroupNormalization(groups=2), L.SeparableConv2D(4, 2, padding="same"),
        L.LayerNormalization(), L.Conv2DTranspose(3, 3, strides=2), L.ZeroPadding2D(1),
        L.AveragePooling2D(2), L.SpatialDropout2D(0.2), L.GaussianNoise(0.1),
        L.UpSampling2D(2), L.Cropping2D(1), L.GlobalMaxPooling2D(), L.UnitNormalization(),
        L.Dense(2)])


def _attention_and_merging(lib):
    L = lib.layers
    a, b = lib.Input((4, 6)), lib.Input((5, 6))
    attended = L.MultiHeadAttention(2, 3)(a, b)
    dotted = L.Attention(use_scale=True)([a, b])
    added = L.AdditiveAttention()([a, b])
    merged = L.concatenate([L.add([attended, dotted]), L.multiply([dotted, added]),
                            L.average([a, added]), L.maximum([a, dotted])])
    per_step = L.TimeDistributed(L.Dense(3))(merged)
    pooled = L.Flatten()(per_step)
    return lib.Model([a, b], L.Dense(1)(L.Dot(axes=1)([pooled, pooled])))


BUILDERS = {"recurrent": _recurrent, "reshaping_and_pooling": _reshaping_and_pooling,
            "vision": _vision, "attention_and_merging": _attention_and_merging}


def _inputs(kind):
    rng = np.random.default_rng(0)
    if kind == "recurrent":
        return rng.integers(0, 10, (3, 5)).astype("int32")
    if kind == "vision":
        return rng.normal(size=(3, 8, 8, 3)).astype("float32")
    if kind == "attention_and_merging":
        return [rng.normal(size=(3, 4, 6)).astype("float32"),
                rng.normal(size=(3, 5, 6)).astype("float32")]
    return rng.normal(size=(3, 6, 2)).astype("float32")


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_family_through_keras_files(tmp_path, kind):
    x = _inputs(kind)
    ours = BUILDERS[kind](hocsau)
    ours.save(tmp_path / "h.keras")
    again = hocsau.saving.load_model(tmp_path / "h.keras")
    np.testing.assert_array_equal(again.predict(x, verbose=0), ours.predict(x, verbose=0))
    theirs = keras.saving.load_model(tmp_path / "h.keras")
    # float32 rounding: the two libraries order some sums differently (rtol as every parity test)
    np.testing.assert_allclose(theirs.predict(x, verbose=0), ours.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    native = BUILDERS[kind](keras)
    native.save(tmp_path / "k.keras")
    loaded = hocsau.saving.load_model(tmp_path / "k.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), native.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
