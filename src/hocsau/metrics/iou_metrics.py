"""Intersection-over-union metrics for segmentation, from a running confusion matrix."""

from __future__ import annotations

import warnings

import torch

from hocsau import config
from hocsau.metrics import _utils
from hocsau.metrics.metric import Metric
from hocsau.saving.serialization import keras_class


class _IoUBase(Metric):
    """Accumulates a (num_classes, num_classes) confusion matrix: rows are labels, columns
    predictions. Class ids outside [0, num_classes), and `ignore_class`, are left out."""

    _direction = "up"

    def __init__(self, num_classes: int, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1):
        # Integer counts by default, so that the matrix stays exact.
        super().__init__(name=name, dtype=dtype or "int32")
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self._add_zeros("total_confusion_matrix", (num_classes, num_classes))

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = self._class_ids(y_true, self.sparse_y_true)
        y_pred = self._class_ids(y_pred, self.sparse_y_pred)
        if sample_weight is None:
            sample_weight = 1
        elif "float" in str(getattr(sample_weight, "dtype", "")) and "int" in self.dtype:
            warnings.warn("You are passing weight as `float`, but dtype is `int`. This may "
                          "result in an incorrect weight due to type casting Consider using "
                          "integer weights.", stacklevel=2)
        weight = self._tensor(sample_weight, self.dtype).reshape(-1).broadcast_to(y_true.shape)
        keep = (y_true >= 0) & (y_true < self.num_classes)
        keep &= (y_pred >= 0) & (y_pred < self.num_classes)
        if self.ignore_class is not None:
            keep &= y_true != self.ignore_class
        cells = torch.where(keep, y_true * self.num_classes + y_pred, 0).long()
        weight = torch.where(keep, weight, 0).to(self.total_cm.dtype)
        self.total_cm.view(-1).scatter_add_(0, cells, weight)

    def _class_ids(self, x, sparse: bool) -> torch.Tensor:
        """Class ids as a flat tensor of the metric's dtype (argmax of one-hot inputs)."""
        x = self._tensor(x)
        if not sparse:
            x = _utils.argmax(x, dim=self.axis)
        return x.to(config.torch_dtype(self.dtype)).reshape(-1)


@keras_class("keras.metrics")
class IoU(_IoUBase):
    """The intersection over union, tp / (tp + fp + fn), averaged over the target classes.

    Classes that appear neither in labels nor in predictions are left out of the average.

    Args:
        num_classes: the number of classes.
        target_class_ids: the classes whose IoU is averaged.
        name: the metric's name.
        dtype: the dtype of the confusion matrix (default int32).
        ignore_class: a label value left out (e.g. the "void" class).
        sparse_y_true: whether labels are class ids (else one-hot, reduced with argmax).
        sparse_y_pred: whether predictions are class ids (else scores, reduced with argmax).
        axis: the class axis of one-hot inputs.
    """

    def __init__(self, num_classes: int, target_class_ids, name: str | None = None,
                 dtype=None, ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which "
                             f"is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)
        self._targets = torch.tensor(self.target_class_ids, device=self._device)

    def result(self) -> torch.Tensor:
        matrix = self.total_cm.detach()
        true_positives = torch.diagonal(matrix)
        union = matrix.sum(dim=0) + matrix.sum(dim=1) - true_positives
        true_positives = true_positives[self._targets].to(torch.float32)
        union = union[self._targets].to(torch.float32)
        present = union > 1e-9
        iou = torch.where(present, true_positives / (union + config.epsilon()), 0.0)
        return iou.sum(dim=self.axis) / (present.sum() + config.epsilon())

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


@keras_class("keras.metrics")
class BinaryIoU(IoU):
    """IoU of binary labels, predictions thresholded at `threshold` (0 below, 1 at or above).

    Args:
        target_class_ids: which of (0, 1) to average over.
        threshold: predictions at or above it count as class 1.
        name: the metric's name.
        dtype: the dtype of the confusion matrix (default int32).
    """

    def __init__(self, target_class_ids=(0, 1), threshold: float = 0.5,
                 name: str | None = None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = self._tensor(y_pred, torch.float32) >= self.threshold
        super().update_state(self._tensor(y_true, self.dtype), y_pred, sample_weight)

    def get_config(self) -> dict:
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


@keras_class("keras.metrics")
class MeanIoU(IoU):
    """The IoU averaged over all classes.

    Args:
        num_classes: the number of classes.
        name: the metric's name.
        dtype: the dtype of the confusion matrix (default int32).
        ignore_class: a label value left out (e.g. the "void" class).
        sparse_y_true: whether labels are class ids (else one-hot).
        sparse_y_pred: whether predictions are class ids (else scores).
        axis: the class axis of one-hot inputs.
    """

    def __init__(self, num_classes: int, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1):
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["target_class_ids"]
        return config


@keras_class("keras.metrics")
class OneHotIoU(IoU):
    """IoU of one-hot labels and class scores (both reduced with argmax).

    Args:
        num_classes: the number of classes.
        target_class_ids: the classes whose IoU is averaged.
        name: the metric's name.
        dtype: the dtype of the confusion matrix (default int32).
        ignore_class: a label value left out.
        sparse_y_pred: whether predictions are class ids rather than scores.
        axis: the class axis.
    """

    def __init__(self, num_classes: int, target_class_ids, name: str | None = None,
                 dtype=None, ignore_class: int | None = None, sparse_y_pred: bool = False,
                 axis: int = -1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["sparse_y_true"]
        return config


@keras_class("keras.metrics")
class OneHotMeanIoU(MeanIoU):
    """The IoU of one-hot labels and class scores, averaged over all classes.

    Args:
        num_classes: the number of classes.
        name: the metric's name.
        dtype: the dtype of the confusion matrix (default int32).
        ignore_class: a label value left out.
        sparse_y_pred: whether predictions are class ids rather than scores.
        axis: the class axis.
    """

    def __init__(self, num_classes: int, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_pred: bool = False, axis: int = -1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["sparse_y_true"]
        return config
