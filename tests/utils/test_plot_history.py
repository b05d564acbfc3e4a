"""`utils.plot_history`: one figure with train and validation curves per metric."""

import matplotlib
import numpy as np
import pytest

import hocsau
from hocsau import layers, utils

matplotlib.use("Agg")


def test_plots_train_and_validation_curves(tmp_path):
    model = hocsau.Sequential([hocsau.Input((3,)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).random((32, 3)).astype("float32")
    history = model.fit(x, (x[:, 0] > 0.5).astype("float32"), epochs=3, validation_split=0.25,
                        verbose=0)
    figure = utils.plot_history(history, path=tmp_path / "h.png")
    assert (tmp_path / "h.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    titles = [axis.get_title() for axis in figure.axes]
    assert titles == ["loss", "accuracy"]
    assert [line.get_label() for line in figure.axes[0].lines] == ["loss", "val_loss"]
    assert list(figure.axes[0].lines[0].get_xdata()) == [1, 2, 3]
    with pytest.raises(ValueError, match="No logged values"):
        utils.plot_history(history.history, metrics=["auc"], path=tmp_path / "x.png")
