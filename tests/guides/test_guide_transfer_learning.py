"""keras.io guide "Transfer learning & fine-tuning" (keras-team/keras
guides/transfer_learning.py), adapted with a small convolutional base (with BatchNormalization)
standing in for Xception's ImageNet weights: the three weight lists and `trainable`, frozen
layers unchanged by fit, `trainable` set recursively, the frozen base called with
`training=False` under a new head (augmentation and Rescaling in front), then fine-tuning the
unfrozen base with a low learning rate.

The guide says the base's BatchNormalization stays in inference mode while fine-tuning because
it was called with `training=False`; Keras 3 passes the outer `training` flag through the
functional graph instead, so the moving statistics do move during fine-tuning. hocsau does as
Keras 3 does, and the test checks that behaviour."""

import warnings

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau


def weight_facts(keras):
    layers = keras.layers
    dense = layers.Dense(3)
    dense.build((None, 4))
    batch_norm = layers.BatchNormalization()
    batch_norm.build((None, 4))
    counts = lambda layer: (len(layer.weights), len(layer.trainable_weights),  # noqa: E731
                            len(layer.non_trainable_weights))
    facts = {"dense": counts(dense), "batch_norm": counts(batch_norm)}
    dense.trainable = False
    facts["frozen_dense"] = counts(dense)
    inner = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(3, activation="relu"),
                              layers.Dense(3, activation="relu")])
    model = keras.Sequential([keras.Input(shape=(3,)), inner,
                              layers.Dense(3, activation="sigmoid")])
    model.trainable = False
    facts["recursive"] = (inner.trainable, inner.layers[0].trainable, len(model.trainable_weights))
    layer1 = layers.Dense(3, activation="relu")
    layer2 = layers.Dense(3, activation="sigmoid")
    model = keras.Sequential([keras.Input(shape=(3,)), layer1, layer2])
    layer1.trainable = False
    initial = layer1.get_weights()
    model.compile(optimizer="adam", loss="mean_squared_error")
    rng = np.random.default_rng(0)
    model.fit(rng.random((2, 3)), rng.random((2, 3)), verbose=0)
    facts["frozen_unchanged"] = all(np.array_equal(a, b)
                                    for a, b in zip(initial, layer1.get_weights(), strict=True))
    return facts


def make_base(keras):
    """The "pre-trained" base: conv, batch norm, pooling (no top)."""
    layers = keras.layers
    inputs = keras.Input(shape=(16, 16, 3))
    x = layers.Conv2D(8, 3, name="conv_1")(inputs)
    x = layers.BatchNormalization(name="bn_1")(x)
    x = layers.Activation("relu")(x)
    x = layers.Conv2D(8, 3, name="conv_2")(x)
    x = layers.BatchNormalization(name="bn_2")(x)
    return keras.Model(inputs, layers.Activation("relu")(x), name="base")


def make_model(keras, base, stochastic):
    layers = keras.layers
    inputs = keras.Input(shape=(16, 16, 3))
    x = inputs
    if stochastic:
        x = keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)],
                             name="augmentation")(x)
    x = layers.Rescaling(scale=1 / 127.5, offset=-1)(x)
    x = base(x, training=False)
    x = layers.GlobalAveragePooling2D()(x)
    if stochastic:
        x = layers.Dropout(0.2)(x)
    return keras.Model(inputs, layers.Dense(1, name="head")(x))


def data():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (32, 16, 16, 3)).astype("float32")
    return x, (x[..., 0].mean(axis=(1, 2)) > 127.5).astype("float32")[:, None]


def program(keras, weights=None, stochastic=True):
    keras.utils.set_random_seed(0)
    base = make_base(keras)
    model = make_model(keras, base, stochastic)
    if weights is not None:
        set_layer_weights(base, weights["base"])
        model.get_layer("head").set_weights(weights["head"])
    initial = {"base": layer_weights(base), "head": model.get_layer("head").get_weights()}
    base.trainable = False
    x, y = data()
    model.compile(optimizer=keras.optimizers.Adam(),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy()])
    trainable_frozen = len(model.trainable_weights)
    frozen_history = model.fit(x, y, epochs=2, batch_size=16, verbose=0, shuffle=False)
    after_frozen = layer_weights(base)
    base.trainable = True
    model.compile(optimizer=keras.optimizers.Adam(1e-5),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy()])
    trainable_tuned = len(model.trainable_weights)
    tuned_history = model.fit(x, y, epochs=1, batch_size=16, verbose=0, shuffle=False)
    return {"facts": weight_facts(keras), "initial": initial, "after_frozen": after_frozen,
            "after_tuning": layer_weights(base), "trainable": (trainable_frozen,
                                                              trainable_tuned),
            "frozen_history": frozen_history.history, "tuned_history": tuned_history.history,
            "prediction": model.predict(x[:4], verbose=0)}


def check(result):
    facts = result["facts"]
    assert facts["dense"] == (2, 2, 0) and facts["batch_norm"] == (4, 2, 2)
    assert facts["frozen_dense"] == (2, 0, 2)
    assert facts["recursive"] == (False, False, 0)
    assert facts["frozen_unchanged"]
    assert result["trainable"] == (2, 2 + 4 + 4)
    assert_nested_close(result["after_frozen"], result["initial"]["base"], rtol=0, atol=0)
    tuned, before = result["after_tuning"], result["after_frozen"]
    for name in ("bn_1", "bn_2"):  # gamma trains; fit's training=True reaches the base
        assert not np.array_equal(tuned[name][0], before[name][0])
        assert not np.array_equal(tuned[name][2], before[name][2])
    assert not np.array_equal(tuned["conv_1"][0], before["conv_1"][0])
    assert set(result["frozen_history"]) == {"loss", "binary_accuracy"}


def frozen_fit_program(keras):
    """The guide's frozen model, trained anyway: fit still reports the loss, the weights stay
    as they are, and Keras warns that nothing is trainable."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
    model.trainable = False
    model.compile(optimizer="adam", loss="mean_squared_error")
    initial = model.get_weights()
    rng = np.random.default_rng(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(rng.random((8, 3)), rng.random((8, 2)), epochs=2, verbose=0)
    return {"losses": history.history["loss"], "initial": initial,
            "final": model.get_weights(), "warnings": {str(w.message) for w in caught}}


def check_frozen_fit(result):
    assert len(result["losses"]) == 2
    np.testing.assert_allclose(result["losses"][0], result["losses"][1], rtol=1e-6)
    assert_nested_close(result["final"], result["initial"], rtol=0, atol=0)
    assert "The model does not have any trainable weights." in result["warnings"]


def test_frozen_fit_program_on_keras(real_keras):
    check_frozen_fit(frozen_fit_program(real_keras))


def test_frozen_fit_program_on_hocsau():
    check_frozen_fit(frozen_fit_program(hocsau))


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_training_as_keras(real_keras):
    """Without random augmentation and dropout (the libraries draw different random numbers),
    the same weights train to the same weights and moving statistics."""
    theirs = program(real_keras, stochastic=False)
    ours = program(hocsau, weights=theirs["initial"], stochastic=False)
    assert_nested_close(ours["facts"], theirs["facts"])
    for key in ("frozen_history", "tuned_history", "after_tuning", "prediction"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-4, atol=1e-5, path=key)
