"""`MonitorCallback`: shared logic of callbacks that watch one logged quantity."""

from __future__ import annotations

import operator
import warnings

from hocsau.callbacks.callback import Callback

_MAXIMIZED = ("acc", "auc", "precision", "recall", "f1", "fbeta", "r2", "iou", "true_positives",
              "true_negatives", "cosine_similarity")


class MonitorCallback(Callback):
    """Watches `monitor` in the epoch logs; `mode` 'min', 'max' or 'auto' (from the name).

    A value improves on the best when it beats it by more than `min_delta`.
    """

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", baseline=None,
                 min_delta: float = 0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto "
                          "mode.", stacklevel=2)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self) -> None:
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            self.monitor_op = operator.gt if self._maximized() else operator.lt
        if self.monitor_op is operator.lt:
            self.min_delta = -abs(self.min_delta)

    def _maximized(self) -> bool:
        name = self.monitor.removeprefix("val_")
        if name == "loss" or name.endswith("_loss"):
            return False
        for metric in getattr(self.model, "metrics", []) or []:
            if getattr(metric, "name", None) == name and hasattr(metric, "_direction"):
                return metric._direction == "up"
        if any(token in name for token in _MAXIMIZED):
            return True
        if "error" in name or "loss" in name or "crossentropy" in name or name in ("mae", "mse"):
            return False
        raise ValueError(
            f"{type(self).__name__} callback received monitor={self.monitor}, but hocsau isn't "
            "able to automatically determine whether that metric should be maximized or "
            "minimized. Pass `mode='max'` in order to monitor based on the highest metric value, "
            "or pass `mode='min'` in order to use the lowest value.")

    def _is_improvement(self, current, reference) -> bool:
        if reference is None:
            return True
        return bool(self.monitor_op(current - self.min_delta, reference))
