"""hocsau.callbacks.TqdmCallback: tqdm.keras.TqdmCallback's bars, without `import keras`."""

import io
import sys

import numpy as np
import pytest

import hocsau
from hocsau.callbacks import TqdmCallback

pytest.importorskip("tqdm")
from tqdm import tqdm  # noqa: E402


def _fit(callback, epochs=3, verbose=0):
    x = np.random.RandomState(0).rand(20, 3).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = hocsau.Sequential([hocsau.Input((3,)), hocsau.layers.Dense(1)])
    model.compile(optimizer=hocsau.optimizers.SGD(0.1), loss="mse")
    return model.fit(x, y, epochs=epochs, batch_size=8, verbose=verbose, callbacks=[callback])


@pytest.mark.parametrize("verbose", [0, 1, 2])
def test_bars_count_epochs_and_batches(verbose):
    out = io.StringIO()
    callback = TqdmCallback(verbose=verbose, tqdm_class=tqdm, file=out, mininterval=0)
    history = _fit(callback)
    text = out.getvalue()
    assert callback.epoch_bar.n == 3 and callback.epoch_bar.total == 3
    assert "3/3 [" in text and f"loss={history.history['loss'][-1]:.3g}" in text
    if verbose:
        assert callback.batch_bar.n == 3 and callback.batch_bar.total == 3  # 20 samples / 8
        assert "batch/s" in text
    else:
        assert callback.batch_bar is None and "batch/s" not in text


def test_verbose_two_keeps_a_batch_bar_per_epoch():
    out = io.StringIO()
    _fit(TqdmCallback(verbose=2, tqdm_class=tqdm, file=out, mininterval=0), epochs=2)
    final_lines = [line for line in out.getvalue().split("\r") if line.startswith("100%")]
    assert sum("batch/s" in line for line in final_lines) >= 2


def test_data_size_and_batch_size_give_the_batch_total_before_fit():
    callback = TqdmCallback(epochs=5, data_size=20, batch_size=8, tqdm_class=tqdm,
                            file=io.StringIO())
    assert callback.batches == 3 and callback.batch_bar.total == 3
    assert callback.epoch_bar.total == 5


def test_verbose_zero_adds_no_batch_hook():
    callback = TqdmCallback(verbose=0, tqdm_class=tqdm, file=io.StringIO())
    assert "on_train_batch_end" not in vars(callback)


def test_rejects_unknown_verbosity():
    with pytest.raises(ValueError, match=r"`verbose` must be one of \(0, 1, 2\). Received: "
                                         r"verbose=3"):
        TqdmCallback(verbose=3, tqdm_class=tqdm, file=io.StringIO())


def test_missing_tqdm_names_pip_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with pytest.raises(ImportError, match="pip install tqdm"):
        TqdmCallback()
