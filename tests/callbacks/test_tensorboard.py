"""TensorBoard: event files read back with tensorboard's own reader."""

import numpy as np
import pytest

import hocsau as keras
from hocsau import callbacks, layers

event_accumulator = pytest.importorskip(
    "tensorboard.backend.event_processing.event_accumulator")


def read(folder):
    accumulator = event_accumulator.EventAccumulator(str(folder), size_guidance={
        event_accumulator.SCALARS: 0, event_accumulator.HISTOGRAMS: 0})
    accumulator.Reload()
    return accumulator


def fit(tmp_path, epochs=3, **kwargs):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, name="hidden"),
                              layers.Dense(1, name="out")], name="net")
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4)).astype("float32")
    history = model.fit(x, x[:, :1], epochs=epochs, batch_size=10, validation_split=0.25,
                        verbose=0, callbacks=[callbacks.TensorBoard(tmp_path, **kwargs)])
    return history.history


def test_epoch_scalars_match_history(tmp_path):
    history = fit(tmp_path)
    train, validation = read(tmp_path / "train"), read(tmp_path / "validation")
    assert {"epoch_loss", "epoch_mae", "epoch_learning_rate"} <= set(train.Tags()["scalars"])
    assert [e.step for e in train.Scalars("epoch_loss")] == [0, 1, 2]
    np.testing.assert_allclose([e.value for e in train.Scalars("epoch_loss")], history["loss"],
                               rtol=1e-6)
    np.testing.assert_allclose([e.value for e in validation.Scalars("epoch_loss")],
                               history["val_loss"], rtol=1e-6)
    np.testing.assert_allclose([e.value for e in train.Scalars("epoch_learning_rate")],
                               [0.05] * 3, rtol=1e-6)
    # evaluation after each epoch, stepped by the optimizer's iterations (3 batches an epoch)
    assert [e.step for e in validation.Scalars("evaluation_loss_vs_iterations")] == [3, 6, 9]


def test_batch_scalars_every_update_freq_batches(tmp_path):
    fit(tmp_path, epochs=2, update_freq=2)
    train = read(tmp_path / "train")
    assert [e.step for e in train.Scalars("batch_loss")] == [2, 4, 6]


def test_histograms_and_images_every_histogram_freq_epochs(tmp_path):
    fit(tmp_path, epochs=3, histogram_freq=2, write_images=True)
    train = read(tmp_path / "train")
    # Tagged by the weights' paths, as Keras does ("net/" is the Sequential's scope).
    assert set(train.Tags()["histograms"]) == {"net/hidden/kernel/histogram",
                                               "net/hidden/bias/histogram",
                                               "net/out/kernel/histogram",
                                               "net/out/bias/histogram"}
    assert [e.step for e in train.Histograms("net/hidden/kernel/histogram")] == [0, 2]
    assert train.Histograms("net/hidden/kernel/histogram")[0].histogram_value.num == 12
    assert "net/hidden/kernel/image" in train.Tags()["images"]


def test_graph_is_written(tmp_path):
    fit(tmp_path, epochs=1)
    assert read(tmp_path / "train").Tags()["graph"] is True


@pytest.mark.parametrize("kwargs, message", [
    ({"profile_batch": 2}, "profile_batch=2"),
    ({"update_freq": "sometimes"}, "update_freq=sometimes"),
    ({"histogram_freq": -1}, "histogram_freq=-1"),
    ({"embeddings_freq": 1}, "embeddings_freq=1"),
])
def test_argument_errors(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        callbacks.TensorBoard(tmp_path, **kwargs)
