"""`TerminateOnNaN` (graceful stop or `raise_error`) and `OrbaxCheckpoint` (JAX-only)."""

import numpy as np
import pytest

import hocsau
from hocsau import callbacks, layers


def _diverging():
    model = hocsau.Sequential([layers.Input((1,)), layers.Dense(1, kernel_initializer="ones")])
    model.compile(optimizer=hocsau.optimizers.SGD(1e30), loss="mse")
    return model


X = np.full((8, 1), 1e10, "float32")
Y = 3 * X


def test_stops_gracefully_by_default(capsys):
    history = _diverging().fit(X, Y, batch_size=1, epochs=3, verbose=0,
                               callbacks=[callbacks.TerminateOnNaN()])
    assert len(history.epoch) == 1
    assert "Invalid loss, terminating training" in capsys.readouterr().out


def test_raise_error_raises_at_once():
    ends = []
    tracker = callbacks.LambdaCallback(on_train_end=lambda logs: ends.append(1))
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch"):
        _diverging().fit(X, Y, batch_size=1, epochs=3, verbose=0,
                         callbacks=[callbacks.TerminateOnNaN(raise_error=True), tracker])
    assert ends == []


def test_orbax_checkpoint_names_the_torch_way():
    with pytest.raises(ImportError, match="ModelCheckpoint.*BackupAndRestore"):
        callbacks.OrbaxCheckpoint("ckpt")
