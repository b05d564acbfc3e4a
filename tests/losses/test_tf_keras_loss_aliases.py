"""tf.keras 2's loss and metric function names (`KLD`, `kullback_leibler_divergence`,
`logcosh`, ...), kept as hocsau extensions, with Keras 3's values."""

import keras
import numpy as np
import pytest

import hocsau

Y_TRUE = np.array([[0.2, 0.8], [0.6, 0.4]], "float32")
Y_PRED = np.array([[0.3, 0.7], [0.5, 0.5]], "float32")


@pytest.mark.parametrize("alias, keras_name", [
    ("kullback_leibler_divergence", "kl_divergence"), ("KLD", "kl_divergence"),
    ("kld", "kl_divergence"), ("MSE", "mean_squared_error"), ("MAE", "mean_absolute_error"),
    ("MAPE", "mean_absolute_percentage_error"), ("MSLE", "mean_squared_logarithmic_error"),
    ("logcosh", "log_cosh"),
])
def test_function_aliases_compute_keras_values(alias, keras_name):
    expected = keras.ops.convert_to_numpy(getattr(keras.losses, keras_name)(Y_TRUE, Y_PRED))
    for module in (hocsau.losses, hocsau.metrics):
        np.testing.assert_allclose(getattr(module, alias)(Y_TRUE, Y_PRED).numpy(), expected,
                                   rtol=1e-6)


def test_names_resolve_in_compile():
    assert hocsau.losses.get("kullback_leibler_divergence") is hocsau.losses.kl_divergence
    assert isinstance(hocsau.metrics.get("KLD"), hocsau.metrics.KLDivergence)
    assert isinstance(hocsau.metrics.get("logcosh"), hocsau.metrics.LogCoshError)
    model = hocsau.Sequential([hocsau.Input((2,)), hocsau.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="kullback_leibler_divergence", metrics=["kld"])
    logs = model.evaluate(Y_TRUE, Y_TRUE, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["kld"], rel=1e-5)
