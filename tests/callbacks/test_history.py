"""`History`: Keras 3's logs, and tf.keras 2's "lr" key readable as an alias."""

import numpy as np
import pandas as pd
import pytest

import hocsau
from hocsau import callbacks, layers


def _fit(*extra):
    model = hocsau.Sequential([layers.Input((2,)), layers.Dense(1)])
    model.compile(optimizer=hocsau.optimizers.SGD(0.1), loss="mse")
    x = np.ones((8, 2), "float32")
    return model.fit(x, x[:, :1], epochs=3, verbose=0, callbacks=list(extra))


def test_lr_reads_learning_rate_without_a_new_column():
    history = _fit(callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1)))
    np.testing.assert_allclose(history.history["lr"], [0.1, 0.05, 0.1 / 3], rtol=1e-6)
    assert history.history["lr"] is history.history["learning_rate"]
    assert history.history.get("lr") == history.history["learning_rate"]
    assert sorted(history.history) == ["learning_rate", "loss"]
    assert "lr" not in history.history
    assert list(pd.DataFrame(history.history).columns) == ["loss", "learning_rate"]


def test_without_a_learning_rate_log_lr_is_missing():
    history = _fit()
    with pytest.raises(KeyError):
        history.history["lr"]
    assert history.history.get("lr", "absent") == "absent"


def test_reduce_lr_on_plateau_logs_are_readable_as_lr():
    history = _fit(callbacks.ReduceLROnPlateau(monitor="loss", patience=0, factor=0.5,
                                               min_delta=10.0))
    assert history.history["lr"] == history.history["learning_rate"]
    assert history.history["lr"][-1] < 0.1
