import matplotlib
import numpy as np
import pytest
import torch

from hocsau.diagnostics import show_batch

matplotlib.use("Agg")


def test_images_are_drawn_to_a_png(tmp_path, capsys):
    images = np.linspace(0, 1, 10 * 6 * 6 * 3, dtype="float32").reshape(10, 6, 6, 3)
    labels = np.array([0, 1, 2, 1, 0, 1, 2, 2, 1, 0])
    path = tmp_path / "batch.png"
    x, y = show_batch(images, labels, num_samples=6, path=path, class_names=["a", "b", "c"])
    assert x.shape == (6, 6, 6, 3) and list(y) == [0, 1, 2, 1, 0, 1]
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    lo, hi = images[:6].min(), images[:6].max()
    assert capsys.readouterr().out == (
        f"show_batch: 6 x (6, 6, 3) float32 in [{lo:.4g}, {hi:.4g}], mean "
        f"{images[:6].mean():.4g}, std {images[:6].std():.4g}; labels a: 2, b: 3, c: 1 "
        f"-> {path}\n")


def test_tabular_rows_from_a_data_loader(capsys):
    features = torch.arange(12, dtype=torch.float32).reshape(6, 2)
    one_hot = torch.nn.functional.one_hot(torch.tensor([2, 0, 1, 2, 0, 1]), 3)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(features, one_hot),
                                         batch_size=4)
    x, y = show_batch(loader, num_samples=2)
    assert x.tolist() == [[0.0, 1.0], [2.0, 3.0]] and y.shape == (2, 3)
    assert capsys.readouterr().out.splitlines() == [
        "show_batch: 2 x (2,) float32 in [0, 3], mean 1.5, std 1.118; labels 0: 1, 2: 1",
        "  #0: [0. 1.]  ->  2",
        "  #1: [2. 3.]  ->  0"]


def test_text_and_regression_targets(capsys):
    show_batch(np.array(["a fine film", "dull"]), np.array([1, 0]), class_names=["neg", "pos"])
    show_batch(np.array([[1.5], [-2.0]]), np.array([[0.25], [0.5]]))
    assert capsys.readouterr().out.splitlines() == [
        "show_batch: 2 x () <U11; labels neg: 1, pos: 1",
        "  #0: 'a fine film'  ->  'pos'",
        "  #1: 'dull'  ->  'neg'",
        "show_batch: 2 x (1,) float64 in [-2, 1.5], mean -0.25, std 1.75; targets 2 x (1,) "
        "float64 in [0.25, 0.5], mean 0.375, std 0.125",
        "  #0: [1.5]  ->  [0.25]",
        "  #1: [-2.]  ->  [0.5]"]


def test_rejects_a_non_positive_count():
    with pytest.raises(ValueError, match="`num_samples` must be positive. Received: "
                                         "num_samples=0"):
        show_batch(np.zeros((2, 2)), num_samples=0)
