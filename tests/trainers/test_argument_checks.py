"""`fit` / `evaluate` / `predict` accept every value Keras accepts (NumPy integers, booleans for
`verbose`, "batch" shuffling, lists of epochs to validate after, ...); the refusals are in
tests/reliability/test_bad_inputs.py. Also: finite generators without `steps`, class weights
for unnamed classes, and generators read ahead by one batch."""

import numpy as np
import pytest
from keras.src.trainers.data_adapters.data_adapter_utils import class_weight_to_sample_weights

import hocsau as keras
from hocsau import layers
from hocsau.trainers.argument_checks import check_fit_arguments
from hocsau.trainers.data_adapters.batch_utils import class_weights_to_sample_weights
from hocsau.trainers.data_adapters.generator_adapter import GeneratorAdapter

X = np.linspace(-1, 1, 36, dtype="float32").reshape(12, 3)
Y = X @ np.array([[1.0], [-1.0], [0.5]], "float32")


def model():
    keras.utils.set_random_seed(1)
    m = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    return m


FIT_DEFAULTS = dict(batch_size=None, epochs=1, verbose="auto", validation_split=0.0,
                    validation_data=None, shuffle=True, class_weight=None, initial_epoch=0,
                    steps_per_epoch=None, validation_steps=None, validation_batch_size=None,
                    validation_freq=1)


@pytest.mark.parametrize("arguments", [
    dict(batch_size=np.int64(4), epochs=np.int32(2), steps_per_epoch=np.int64(3)),
    dict(verbose=True), dict(verbose=False), dict(verbose=2), dict(verbose=np.int64(0)),
    dict(shuffle="batch"), dict(shuffle=np.bool_(False)),
    dict(validation_freq=[1, 3]), dict(validation_freq=range(1, 4, 2)),
    dict(validation_freq=np.int64(2)),
    dict(validation_split=0), dict(validation_split=np.float32(0.25)),
    dict(epochs=0), dict(epochs=3, initial_epoch=3),
    dict(class_weight={np.int64(0): np.float32(2.0), 3: 1}),
    dict(validation_data=(X, Y), validation_steps=2, validation_batch_size=4),
    dict(validation_data=[X, Y, np.ones(12)]),
])
def test_values_keras_accepts_pass_the_checks(arguments):
    check_fit_arguments(model(), X, Y, None, **{**FIT_DEFAULTS, **arguments})


def test_numpy_integer_arguments_train_as_python_ints():
    ours, theirs = model(), model()
    a = ours.fit(X, Y, batch_size=np.int64(4), epochs=np.int64(2), shuffle=False,
                 verbose=0).history["loss"]
    b = theirs.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(a, b, rtol=1e-6)


def _batches():
    for start in range(0, 12, 4):
        yield X[start:start + 4], Y[start:start + 4]


def test_finite_generators_need_no_steps_and_lose_no_batch():
    m = model()
    expected_loss = m.evaluate(X, Y, batch_size=4, verbose=0)
    assert m.evaluate(_batches(), verbose=0) == pytest.approx(expected_loss, rel=1e-6)
    predicted = m.predict(((x,) for x, _ in _batches()), verbose=0)
    np.testing.assert_allclose(predicted, m.predict(X, verbose=0), rtol=1e-6)
    history = m.fit(_batches(), epochs=1, verbose=0).history
    reference = model()
    reference.fit(X, Y, batch_size=4, shuffle=False, epochs=1, verbose=0)
    for ours, theirs in zip(m.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    assert len(history["loss"]) == 1


def test_a_generator_adapter_keeps_the_batch_it_read_ahead():
    batches = list(GeneratorAdapter(_batches()))
    assert len(batches) == 3
    np.testing.assert_array_equal(batches[0][0].cpu().numpy(), X[:4])
    np.testing.assert_array_equal(batches[2][1].cpu().numpy(), Y[8:])


@pytest.mark.parametrize("y", [np.array([0, 1, 2, 5, 1, -1]),
                               np.array([[0.0], [2.0], [1.2], [7.0]]),
                               np.eye(4, dtype="float32")[[0, 3, 2, 1]]])
def test_classes_missing_from_class_weight_weigh_one_as_in_keras(y):
    class_weight = {0: 0.5, 1: 2.0}
    ours = class_weights_to_sample_weights(keras.ops.convert_to_tensor(y), class_weight)
    np.testing.assert_allclose(ours.cpu().numpy(), class_weight_to_sample_weights(
        y, class_weight), rtol=1e-6)


def test_class_weight_missing_a_class_trains_as_in_keras():
    import keras as reference_keras

    y = np.arange(12) % 3
    results = []
    for library in (keras, reference_keras):
        library.utils.set_random_seed(2)
        m = library.Sequential([library.Input((3,)), library.layers.Dense(3,
                                                                            activation="softmax")])
        m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        m.build((None, 3))
        m.set_weights([np.full((3, 3), 0.1, "float32") * np.arange(3), np.zeros(3, "float32")])
        results.append(m.fit(X, y, class_weight={0: 1.0, 1: 4.0}, batch_size=12, epochs=2,
                             shuffle=False, verbose=0).history["loss"])
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5)


def test_class_weight_with_sample_weight_is_refused_as_in_keras():
    import keras as reference_keras

    for library in (keras, reference_keras):
        m = library.Sequential([library.Input((3,)), library.layers.Dense(1)])
        m.compile(optimizer="sgd", loss="mse")
        with pytest.raises(ValueError, match="class_weight.*sample_weight"):
            m.fit(X, Y, sample_weight=np.ones(12), class_weight={0: 1.0}, verbose=0)


def test_bfloat16_outputs_predict_as_float32_arrays():
    m = keras.Sequential([keras.Input((3,)), layers.Dense(2, dtype="bfloat16")])
    out = m.predict(X, batch_size=5, verbose=0)
    assert out.dtype == np.float32 and out.shape == (12, 2)
    np.testing.assert_allclose(out, keras.ops.convert_to_numpy(m(X)), rtol=0)
