import numpy as np
import pytest

import hocsau as keras


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((20, 3)).astype("float32")
    return x, (x[:, :1] > 0).astype("float32")


def _model(outputs="single"):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((3,))
    if outputs == "single":
        model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(inputs))
        model.compile(keras.optimizers.SGD(0.5), "binary_crossentropy")
        return model
    heads = {"p": keras.layers.Dense(1, activation="sigmoid", name="p")(inputs),
             "v": keras.layers.Dense(2, name="v")(inputs)}
    model = keras.Model(inputs, heads)
    model.compile(keras.optimizers.SGD(0.5), {"p": "binary_crossentropy", "v": "mse"})
    return model


def test_keeps_predictions_of_the_chosen_epochs(capsys):
    x, y = _data()
    model = _model()
    logger = keras.callbacks.PredictionLogger(x[10:], y[10:], num_samples=3, every=2)
    model.fit(x, y, epochs=5, batch_size=20, verbose=0, callbacks=[logger])
    assert logger.epochs == [1, 3, 4]  # every second epoch, and the last
    assert sorted(logger.predictions) == [1, 3, 4]
    assert logger.predictions[4].shape == (3, 1)
    np.testing.assert_allclose(logger.predictions[4], model.predict(x[10:13], verbose=0),
                               rtol=1e-6)
    # Predictions move while training: the model learns the sign of x[:, 0].
    assert not np.allclose(logger.predictions[1], logger.predictions[4])
    assert capsys.readouterr().out == ""


def test_prints_a_table_and_handles_several_outputs(capsys):
    x, y = _data()
    model = _model("dict")
    targets = {"p": y, "v": x[:, :2]}
    logger = keras.callbacks.PredictionLogger(x, targets, num_samples=2, verbose=1,
                                              precision=2)
    model.fit(x, targets, epochs=2, verbose=0, callbacks=[logger])
    last = logger.predictions[1]
    assert set(last) == {"p", "v"} and last["p"].shape == (2, 1) and last["v"].shape == (2, 2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Predictions after epoch 1:" and len(lines) == 10
    p0 = np.array2string(last["p"][0], precision=2, suppress_small=True)
    assert lines[6] == f"  [p] #0  target {np.array2string(y[0])}  predicted {p0}"
    assert lines[9].startswith("  [v] #1  target [")


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="`every` must be a positive integer. Received: "
                                         "every=0"):
        keras.callbacks.PredictionLogger(np.zeros((2, 3)), every=0)
