"""`plot_history`: the training curves of a `fit`, train against validation, in one figure."""

from __future__ import annotations


def plot_history(history, metrics=None, path=None, show=None):
    """One panel per metric (loss first), each with the training curve and, when logged, the
    validation curve (`val_<name>`), over the epochs.

    Args:
        history: the `History` that `fit` returns, or its `.history` dict.
        metrics: names to plot (default: every non-validation key).
        path: save the figure there (PNG, ...) instead of showing it.
        show: show the figure (default: when no `path` is given).

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt

    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise ValueError("`history` must be the History returned by `fit` (or its `.history` "
                         f"dict) with logged values. Received: {history!r}")
    names = metrics or sorted((k for k in logs if not k.startswith("val_")),
                              key=lambda k: (k != "loss", k))
    missing = [name for name in names if name not in logs]
    if missing:
        raise ValueError(f"No logged values for {missing}. Logged: {sorted(logs)}")
    fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 3), squeeze=False)
    for axis, name in zip(axes[0], names, strict=True):
        epochs = range(1, len(logs[name]) + 1)
        axis.plot(epochs, logs[name], label=name)
        if f"val_{name}" in logs:
            axis.plot(epochs, logs[f"val_{name}"], label=f"val_{name}")
        axis.set_xlabel("epoch")
        axis.set_title(name)
        axis.legend()
    finish_figure(fig, path, show)
    return fig


def finish_figure(fig, path=None, show=None) -> None:
    """Lay out `fig`, save it to `path` if given, show it when asked (default: when not
    saved), and close it."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    if path is not None:
        fig.savefig(path)
    if show or (show is None and path is None):
        plt.show()
    plt.close(fig)
