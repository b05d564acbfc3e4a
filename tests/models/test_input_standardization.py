"""Inputs of functional and Sequential models standardized as Keras 3 does: each input cast to
its Input's dtype, its rank adjusted by a trailing axis of 1, dicts matched by name. The same
program on both libraries (same weights) gives the same numbers, warnings and errors."""

import warnings

import keras
import numpy as np
import pytest

import hocsau

LIBS = [hocsau, keras]


def _lstm(lib):
    inputs = lib.Input((4, 2))
    model = lib.Model(inputs, lib.layers.Dense(1)(lib.layers.LSTM(3)(inputs)))
    rng = np.random.default_rng(1)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    return model


def _structured(lib):
    """keras.io's structured-data model: one `Input((1,))` per column, concatenated."""
    columns = {name: lib.Input((1,), name=name) for name in ("age", "sex", "thal")}
    features = lib.layers.Concatenate()(list(columns.values()))
    model = lib.Model(columns, lib.layers.Dense(1, kernel_initializer="ones")(features))
    model.compile(lib.optimizers.SGD(0.01), "mse")
    return model


@pytest.mark.parametrize("dtype", ["bool", "int64", "float64", "uint8"])
def test_non_float32_data_is_cast_to_the_input_dtype(dtype):
    x = (np.random.default_rng(0).random((5, 4, 2)) * 3).astype(dtype)
    y = np.ones((5, 1), "float32")
    results = []
    for lib in LIBS:
        model = _lstm(lib)
        model.compile(lib.optimizers.SGD(0.1), "mse")
        called = model(x).detach().numpy()
        predicted = model.predict(x, verbose=0)
        model.fit(x, y, batch_size=5, epochs=2, shuffle=False, verbose=0)
        results.append((called, predicted, model.evaluate(x, y, verbose=0)))
    ours, theirs = results
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_integer_input_receives_float_data_as_integers():
    outputs = []
    for lib in LIBS:
        ids = lib.Input((3,), dtype="int32")
        model = lib.Model(ids, lib.layers.Embedding(5, 2, embeddings_initializer="ones")(ids) * 1)
        outputs.append(model.predict(np.array([[1.9, 0.0, 4.2]]), verbose=0))
    np.testing.assert_allclose(*outputs)


def test_dict_of_rank_one_columns_in_any_order_as_keras_structured_data():
    columns = {"thal": np.array([1.0, 2.0]), "age": np.array([50.0, 60.0]),
               "sex": np.array([0.0, 1.0])}
    target = np.array([[1.0], [0.0]], "float32")
    results = []
    for lib in LIBS:
        model = _structured(lib)
        one = model.predict({k: v[:1] for k, v in columns.items()}, verbose=0)
        model.fit(columns, target, batch_size=2, epochs=2, verbose=0)
        results.append((one, model.predict(columns, verbose=0), model.get_weights()[0]))
    ours, theirs = results
    assert ours[0].shape == (1, 1)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5)


def test_trailing_axis_of_one_is_squeezed_as_keras_does():
    outputs = []
    for lib in LIBS:
        inputs = lib.Input((3,))
        model = lib.Model(inputs, lib.layers.Dense(2, kernel_initializer="ones")(inputs))
        outputs.append(model.predict(np.ones((2, 3, 1)), verbose=0))
    assert outputs[0].shape == (2, 2)
    np.testing.assert_allclose(*outputs)


def test_sequential_with_an_input_standardizes_like_its_functional_form():
    outputs = []
    for lib in LIBS:
        model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(2, kernel_initializer="ones")])
        outputs.append(model.predict(np.array([[True, False, True]]), verbose=0))
    np.testing.assert_allclose(*outputs)


def _call(lib, model_fn, data):
    """The call's output (numpy), the warnings it gave and the error it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            output, error = np.asarray(model_fn(lib)(data)), None
        except ValueError as raised:
            output, error = None, str(raised)
    messages = [str(w.message) for w in caught if "doesn't match" in str(w.message)]
    return output, messages, error


def _pair(lib):
    a, b = lib.Input((1,), name="a"), lib.Input((1,), name="b")
    return a, b, lib.layers.Concatenate()([a, b * 10])


def _dict_model(lib):
    a, b, out = _pair(lib)
    return lib.Model({"a": a, "b": b}, out)


def _list_model(lib):
    a, b, out = _pair(lib)
    return lib.Model([a, b], out)


def _single(lib):
    a = lib.Input((1,), name="a")
    return lib.Model(a, a * 2)


ONE, TWO = np.ones((2, 1), "float32"), np.full((2, 1), 2.0, "float32")


@pytest.mark.parametrize("model_fn, data", [
    (_dict_model, {"b": TWO, "a": ONE}),
    (_dict_model, {"a": ONE, "b": TWO, "c": ONE}),
    (_dict_model, [ONE, TWO]),
    (_list_model, {"b": TWO, "a": ONE, "extra": ONE}),
    (_list_model, (ONE, TWO)),
    (_single, [ONE]),
    (_dict_model, {"a": ONE}),
    (_list_model, {"a": ONE}),
    (_list_model, [ONE, None]),
], ids=["dict-any-order", "dict-extra-key", "dict-model-list", "list-model-dict",
        "tuple-for-list", "single-in-list", "dict-missing", "list-dict-missing", "none-input"])
def test_structures_matched_warned_and_refused_as_keras(model_fn, data):
    ours, theirs = (_call(lib, model_fn, data) for lib in LIBS)
    if theirs[0] is None:
        assert ours[0] is None
    else:
        np.testing.assert_allclose(ours[0], theirs[0])
    assert ours[1] == [m.replace("torch.Size(", "").replace("]))", "])") for m in theirs[1]]
    assert (ours[2] is None) == (theirs[2] is None)
    if theirs[2] is not None:
        assert ours[2] in theirs[2]


@pytest.mark.parametrize("shape", [(2, 3, 2), (2,)])
def test_a_rank_keras_cannot_adjust_is_an_error_naming_the_input(shape):
    inputs = hocsau.Input((3,), name="features")
    model = hocsau.Model(inputs, hocsau.layers.Dense(1)(inputs))
    with pytest.raises(ValueError, match=r"Invalid input shape for input 'features': expected "
                       r"shape \(None, 3\), but the input has the incompatible shape"):
        model(np.ones(shape))


def test_rank_one_string_features_get_their_trailing_axis():
    # keras.io structured data: string columns arrive as (batch,) for Input((1,)).
    inputs = hocsau.Input((1,), dtype="string", name="thal")
    lookup = hocsau.layers.StringLookup(vocabulary=["fixed", "normal"], output_mode="one_hot")
    model = hocsau.Model(inputs, lookup(inputs))
    flat = model.predict({"thal": np.array(["normal", "fixed", "other"])}, verbose=0)
    column = model.predict({"thal": np.array([["normal"], ["fixed"], ["other"]])}, verbose=0)
    np.testing.assert_array_equal(flat, column)
    assert flat.shape == (3, 3)
