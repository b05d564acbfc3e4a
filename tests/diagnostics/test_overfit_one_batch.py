import numpy as np

import hocsau as keras
from hocsau.diagnostics import overfit_one_batch


def _data(classes=3, rows=16):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((rows, 5)).astype("float32")
    return x, rng.integers(0, classes, rows)


def _classifier(activation="softmax", loss="sparse_categorical_crossentropy", width=3):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(width, activation=activation)])
    model.compile(keras.optimizers.Adam(0.05), loss)
    return model


def test_correct_model_reaches_near_zero_loss(capsys):
    x, y = _data()
    model = _classifier()
    before = [w.copy() for w in model.get_weights()]
    result = overfit_one_batch(model, x, y, steps=100)
    assert result.ok and result.reached_floor and result.problems == []
    assert result.final_loss < 0.01
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    assert "reached its floor" in capsys.readouterr().out


def test_compiled_metrics_do_not_hide_the_loss():
    x, y = _data()
    model = _classifier()
    model.compile(keras.optimizers.Adam(0.05), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    result = overfit_one_batch(model, x, y, steps=100, verbose=0)
    assert result.ok and result.final_loss < 0.01
    for layer in model.layers:
        layer.trainable = False
    model.compile(keras.optimizers.Adam(0.05), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    frozen = overfit_one_batch(model, x, y, steps=20, verbose=0)
    assert len(frozen.losses) == 1 and np.isfinite(frozen.final_loss)


def test_frozen_layers_are_reported():
    x, y = _data()
    model = _classifier()
    for layer in model.layers:
        layer.trainable = False
    model.compile(keras.optimizers.Adam(0.05), "sparse_categorical_crossentropy")
    result = overfit_one_batch(model, x, y, steps=20, verbose=0)
    assert not result.reached_floor and not result.ok
    assert any("every layer is frozen" in p and "dense" in p for p in result.problems)


def test_softmax_with_binary_crossentropy_is_reported():
    rng = np.random.default_rng(1)
    x, _ = _data()
    y = rng.integers(0, 2, (16, 3)).astype("float32")  # multi-label targets
    result = overfit_one_batch(_classifier(loss="binary_crossentropy"), x, y, steps=100,
                               verbose=0)
    assert not result.reached_floor
    assert any("softmax" in p and "binary_crossentropy" in p for p in result.problems)


def test_labels_out_of_range_are_reported(capsys):
    x, y = _data(classes=5)
    y[0] = 4
    result = overfit_one_batch(_classifier(), x, y, steps=20)
    assert not result.ok
    assert any("labels out of range" in p and "[0, 2]" in p for p in result.problems)
    assert "Likely causes" in capsys.readouterr().out


def test_sigmoid_with_sparse_crossentropy_and_high_rate_are_reported():
    x, y = _data()
    model = _classifier(activation="sigmoid")
    result = overfit_one_batch(model, x, y, steps=5, verbose=0)
    assert any("sigmoid" in p for p in result.problems)
    regression = keras.Sequential([keras.Input((5,)), keras.layers.Dense(1)])
    regression.compile(keras.optimizers.SGD(10.0), "mse")
    result = overfit_one_batch(regression, x, y.astype("float32"), steps=30, verbose=0)
    assert any("lower learning rate" in p for p in result.problems)


def _two_headed(cls_activation, loss):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((5,))
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    outputs = {"cls": keras.layers.Dense(3, activation=cls_activation, name="cls")(hidden),
               "reg": keras.layers.Dense(1, name="reg")(hidden)}
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.Adam(0.05), loss, loss_weights={"reg": 0.5})
    return model


def test_several_outputs():
    x, labels = _data()
    y = {"cls": labels, "reg": x[:, :1] * 2.0}
    good = _two_headed("softmax", {"cls": "sparse_categorical_crossentropy", "reg": "mse"})
    result = overfit_one_batch(good, x, y, steps=150, verbose=0)
    assert result.ok and result.problems == [] and result.final_loss < 0.01
    bad = _two_headed("sigmoid", {"cls": "sparse_categorical_crossentropy", "reg": "mse"})
    result = overfit_one_batch(bad, x, {"cls": labels + 1, "reg": y["reg"]}, steps=5,
                               verbose=0)
    assert result.problems[:2] == [
        "output 'cls': activation/loss mismatch: the output uses sigmoid but the loss is "
        "sparse_categorical_crossentropy (use a softmax output)",
        "output 'cls': labels out of range: sparse_categorical_crossentropy needs integer "
        "labels in [0, 2] for an output of 3 units. Received labels in [1, 3]"]
