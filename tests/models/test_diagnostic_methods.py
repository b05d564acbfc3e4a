import numpy as np

import hocsau as keras
from hocsau import diagnostics


def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="tanh"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.05), "sparse_categorical_crossentropy")
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((32, 4)).astype("float32"), rng.integers(0, 3, 32)


def test_methods_give_the_functions_results(capsys):
    x, y = _data()
    model = _model()
    weights = [w.copy() for w in model.get_weights()]
    check = model.gradient_check(x[:4], y[:4], max_entries=4)
    expected = diagnostics.gradient_check(model, x[:4], y[:4], max_entries=4, verbose=0)
    assert check.passed and check.errors == expected.errors
    overfit = model.overfit_one_batch(x, y, steps=60, verbose=0)
    assert overfit.ok and overfit.final_loss < 0.05
    np.testing.assert_array_equal(
        overfit.losses, diagnostics.overfit_one_batch(model, x, y, steps=60, verbose=0).losses)
    finder = model.find_learning_rate(x, y, batch_size=8, num_steps=30, verbose=0)
    again = diagnostics.find_learning_rate(model, x, y, batch_size=8, num_steps=30, verbose=0)
    np.testing.assert_array_equal(finder.losses, again.losses)
    assert finder.suggestion == again.suggestion
    assert all(np.array_equal(a, b) for a, b in zip(weights, model.get_weights(), strict=True))
    assert capsys.readouterr().out.startswith("Gradient check: 4 weights, worst relative error")


def test_names_are_not_keras_model_attributes():
    import keras as real_keras

    for name in ("find_learning_rate", "overfit_one_batch", "gradient_check"):
        assert not hasattr(real_keras.Model, name)
        assert callable(getattr(keras.Model, name))
