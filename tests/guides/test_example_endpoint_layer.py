"""keras.io example "Endpoint layer pattern" (keras-io examples/keras_recipes/
endpoint_layer_pattern.py, its Keras 3 version), adapted to 16 features and 32 rows (one default
batch, so fit's shuffling cannot change the numbers): a `LogisticEndpoint` layer taking the
targets and sample weights as call arguments and adding its loss with `self.add_loss`; a
functional model over a dict of three named inputs, compiled with an optimizer alone and fit
on a dict of float64 arrays; an inference model without targets sharing its weights; and the
same endpoint inside a subclassed `LogReg` model fit on the dict."""

import numpy as np
import pytest
from guide_helpers import assert_nested_close

import hocsau

FEATURES = 16
# Both libraries warn, as the example's own output shows, that a softmax over one logit is 1.
pytestmark = pytest.mark.filterwarnings("ignore:You are using a softmax over axis -1")


def define(keras):
    ops = keras.ops

    class LogisticEndpoint(keras.layers.Layer):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

        def call(self, logits, targets=None, sample_weight=None):
            if targets is not None:
                loss = self.loss_fn(targets, logits, sample_weight)
                self.add_loss(loss)
            return ops.softmax(logits)

    class LogReg(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)
            self.logistic_endpoint = LogisticEndpoint()

        def call(self, inputs):
            logits = self.dense(inputs["inputs"])
            preds = self.logistic_endpoint(
                logits=logits,
                targets=inputs["targets"],
                sample_weight=inputs["sample_weight"],
            )
            return preds

    return LogisticEndpoint, LogReg


def data(seed):
    rng = np.random.default_rng(seed)
    return {"inputs": rng.random((32, FEATURES)), "targets": rng.random((32, 1)),
            "sample_weight": rng.random((32, 1))}


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    LogisticEndpoint, LogReg = define(keras)
    inputs = keras.Input((FEATURES,), name="inputs")
    logits = keras.layers.Dense(1)(inputs)
    targets = keras.Input((1,), name="targets")
    sample_weight = keras.Input((1,), name="sample_weight")
    preds = LogisticEndpoint()(logits, targets, sample_weight)
    model = keras.Model([inputs, targets, sample_weight], preds)
    if weights is not None:
        model.set_weights(weights)
    initial = model.get_weights()
    model.compile(keras.optimizers.Adam(1e-3))
    history = model.fit(data(1), epochs=2, verbose=0)

    inputs = keras.Input((FEATURES,), name="inputs")
    logits = keras.layers.Dense(1)(inputs)
    preds = LogisticEndpoint()(logits, targets=None, sample_weight=None)
    inference_model = keras.Model(inputs, preds)
    inference_model.set_weights(model.get_weights())
    predictions = inference_model.predict(data(2)["inputs"], verbose=0)

    subclassed = LogReg()
    subclassed_data = data(3)
    subclassed(subclassed_data)
    subclassed.set_weights(initial)
    subclassed.compile(keras.optimizers.Adam(1e-3))
    subclassed_history = subclassed.fit(subclassed_data, epochs=2, verbose=0)
    return {"initial": initial, "history": history.history, "predictions": predictions,
            "trained": model.get_weights(), "subclassed": subclassed_history.history,
            "losses_after_call": len(inference_model.losses)}


def check(result):
    assert set(result["history"]) == {"loss"}
    assert len(result["history"]["loss"]) == 2
    assert result["history"]["loss"][1] != result["history"]["loss"][0]
    assert not np.allclose(result["trained"][0], result["initial"][0])
    np.testing.assert_allclose(result["predictions"], np.ones((32, 1)))
    assert set(result["subclassed"]) == {"loss"}
    assert result["losses_after_call"] == 0


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_training_as_keras(real_keras):
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    assert_nested_close(ours, theirs, rtol=1e-5, atol=1e-6)
