"""CompileLoss over several outputs: which per-output losses are logged, how they average over
a partial last batch, and targets given only for the outputs that have a loss — against
Keras 3 (torch backend) with the same weights."""

import keras as keras3
import numpy as np
import pytest

import hocsau


def _model(keras, loss, weights=None):
    inputs = keras.Input((3,))
    first = keras.layers.Dense(2, name="first")(inputs)
    second = keras.layers.Dense(1, name="second")(inputs)
    model = keras.Model(inputs, [first, second])
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer="sgd", loss=loss)
    return model


def _data():
    rng = np.random.default_rng(0)
    # 11 samples: batches of 4, 4 and 3. (Keras reads a bare target batch of 2 rows as one
    # target per output, so a last batch of 2 would compare Keras's quirk.)
    return (rng.normal(size=(11, 3)).astype("float32"), rng.normal(size=(11, 2)).astype("float32"),
            rng.normal(size=(11, 1)).astype("float32"))


def _both(loss, targets):
    """evaluate() logs of Keras and hocsau (batches of 4: the last one holds 3 samples)."""
    x, y_first, y_second = _data()
    y = targets(y_first, y_second)
    theirs = _model(keras3, loss)
    ours = _model(hocsau, loss, theirs.get_weights())
    return (ours.evaluate(x, y, batch_size=4, verbose=0, return_dict=True),
            theirs.evaluate(x, y, batch_size=4, verbose=0, return_dict=True))


@pytest.mark.parametrize("loss,targets", [
    (["mse", None], lambda a, b: a),
    ([None, "mae"], lambda a, b: b),
    (["mse", None], lambda a, b: [a]),
])
def test_targets_for_the_outputs_with_a_loss_only(loss, targets):
    """`loss=[fn, None]` with `y` for the first output alone: no per-output entries, and the
    target goes to the output that has the loss wherever it sits."""
    ours, theirs = _both(loss, targets)
    assert set(ours) == set(theirs) == {"loss"}
    np.testing.assert_allclose(ours["loss"], theirs["loss"], rtol=1e-6)


def test_per_output_losses_average_over_samples():
    """Each "<output>_loss" is weighted by its batch's size, like the total loss, so a partial
    last batch counts for its samples."""
    ours, theirs = _both(["mse", "mae"], lambda a, b: [a, b])
    assert set(ours) == set(theirs) == {"loss", "first_loss", "second_loss"}
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-6, err_msg=key)
    np.testing.assert_allclose(ours["first_loss"] + ours["second_loss"], ours["loss"], rtol=1e-6)
