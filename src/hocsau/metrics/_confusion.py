"""Thresholded confusion-matrix counts (true/false positives/negatives), accumulated in place.

A prediction counts as positive at threshold t when `y_pred > t`. With evenly spaced
thresholds (AUC's 200 of them) the counts come from one bucketing pass and a reversed cumsum,
O(thresholds + predictions); otherwise every prediction is compared with every threshold.
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from hocsau import config
from hocsau.metrics import _utils

NEG_INF = -1e10
COUNTS = ("tp", "fp", "tn", "fn")


def parse_thresholds(thresholds, default: float) -> list[float]:
    """The thresholds as a list, checked to lie in [0, 1] when given."""
    if thresholds is None:
        return [default]
    thresholds = list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds]
    invalid = [t for t in thresholds if t is None or t < 0 or t > 1]
    if invalid:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {invalid}")
    return thresholds


def evenly_spaced(thresholds) -> bool:
    """Whether the thresholds are 0, 1/(n-1), ..., 1 (n >= 3), within `epsilon()`."""
    count = len(thresholds)
    if count < 3:
        return False
    even = np.arange(count, dtype=np.float32) / (count - 1)
    return bool(np.allclose(thresholds, even, atol=config.epsilon()))


def top_k_only(y_pred: torch.Tensor, k: int) -> torch.Tensor:
    """Keep the `k` largest predictions of the last axis, set the rest to `NEG_INF`."""
    indices = y_pred.topk(k, dim=-1).indices
    keep = torch.zeros_like(y_pred).scatter_(-1, indices, 1.0)
    return y_pred * keep + NEG_INF * (1 - keep)


def _weights(sample_weight, label_weights, y_pred: torch.Tensor, flatten: bool):
    """The product of sample and label weights broadcast to `y_pred` (None if neither)."""
    weights = None
    if sample_weight is not None:
        weights = sample_weight.broadcast_to(y_pred.shape)
    if label_weights is not None:
        label_weights = label_weights.unsqueeze(0).broadcast_to(y_pred.shape)
        weights = label_weights if weights is None else weights * label_weights
    if weights is not None and flatten:
        weights = weights.reshape(-1)
    return weights


def update(variables: dict, y_true, y_pred, thresholds, *, top_k=None, class_id=None,
           sample_weight=None, multi_label: bool = False, label_weights=None,
           evenly: bool = False) -> None:
    """Add one batch's weighted counts to `variables` ({"tp": var, "fn": var, ...}).

    Args:
        variables: the count variables to update, keyed by "tp", "fp", "tn" or "fn"; each has
            shape (thresholds,) or, with `multi_label`, (thresholds, labels).
        y_true: labels, cast to bool.
        y_pred: predictions in [0, 1] (or scores with `top_k`).
        thresholds: the thresholds, a list of floats.
        top_k: only the k largest predictions of each row count as positive.
        class_id: only this class (last axis) is counted.
        sample_weight: weights broadcastable to the labels.
        multi_label: keep the label axis apart instead of flattening everything.
        label_weights: per-label weights (only without `multi_label`).
        evenly: the thresholds are evenly spaced (see `evenly_spaced`), so bucketing applies.
    """
    unknown = [key for key in variables if key not in COUNTS]
    if unknown or not variables:
        raise ValueError(f'Invalid keys: "{unknown}". Valid variable key options are: '
                         f'"{list(COUNTS)}"')
    reference = next(iter(variables.values()))
    dtype, device = reference.dtype, reference.device
    y_true = _utils.as_tensor(y_true, dtype, device).detach()
    y_pred = _utils.as_tensor(y_pred, dtype, device).detach()
    y_pred, y_true = _utils.same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = _utils.as_tensor(sample_weight, dtype, device).detach().unsqueeze(-1)
        _, sample_weight = _utils.same_rank(y_true, sample_weight, expand_rank_1=False)
    if top_k is not None:
        y_pred = top_k_only(y_pred, top_k)
    if class_id is not None:
        if y_pred.dim() == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes), found shape: {tuple(y_pred.shape)}")
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    if evenly:
        counts = _bucketed_counts(y_true, y_pred, thresholds, sample_weight, label_weights,
                                  multi_label, variables.keys())
    else:
        counts = _compared_counts(y_true, y_pred, thresholds, sample_weight, label_weights,
                                  multi_label, variables.keys())
    for key, variable in variables.items():
        variable.add_(counts[key])


def _bucketed_counts(y_true, y_pred, thresholds, sample_weight, label_weights, multi_label,
                     wanted) -> dict:
    """Counts for evenly spaced thresholds: bucket each prediction, then a reversed cumsum."""
    count = len(thresholds)
    # Thresholds padded by epsilon (AUC) put predictions equal to 0 in the first bucket.
    padded = thresholds[0] < 0.0 or thresholds[-1] > 1.0
    weights = _weights(sample_weight, label_weights, y_pred, flatten=not multi_label)
    weights = 1.0 if weights is None else weights
    y_pred = y_pred.clamp(0.0, 1.0)
    y_true = (y_true != 0).to(y_pred.dtype)
    if not multi_label:
        y_true, y_pred = y_true.reshape(-1), y_pred.reshape(-1)
    true_labels = y_true * weights
    false_labels = (1.0 - y_true) * weights
    # A prediction in (t_i, t_i+1] lands in bucket i: it is above thresholds 0..i.
    buckets = torch.ceil(y_pred * (count - 1)) - 1
    if padded:
        buckets = buckets.clamp_min(0)
    buckets = buckets.long()
    tp = _reversed_cumsum(_bucket_sums(true_labels, buckets, count))
    fp = _reversed_cumsum(_bucket_sums(false_labels, buckets, count))
    counts = {"tp": tp, "fp": fp}
    if "tn" in wanted:
        counts["tn"] = false_labels.sum(dim=0) - fp
    if "fn" in wanted:
        counts["fn"] = true_labels.sum(dim=0) - tp
    return counts


def _bucket_sums(values: torch.Tensor, buckets: torch.Tensor, count: int) -> torch.Tensor:
    """Sum `values` into `count` buckets along axis 0; indices outside [0, count) are dropped."""
    valid = (buckets >= 0) & (buckets < count)
    values = torch.where(valid, values.broadcast_to(buckets.shape), 0.0)
    buckets = torch.where(valid, buckets, 0)
    sums = values.new_zeros((count,) + tuple(values.shape[1:]))
    return sums.scatter_add_(0, buckets, values)


def _reversed_cumsum(x: torch.Tensor) -> torch.Tensor:
    return x.flip(0).cumsum(0).flip(0)


@functools.lru_cache(maxsize=64)
def _thresholds_tensor(thresholds: tuple, dtype: torch.dtype, device: torch.device):
    """The thresholds on the device, made once rather than copied over on every batch."""
    return torch.tensor(thresholds, dtype=dtype, device=device)


def _compared_counts(y_true, y_pred, thresholds, sample_weight, label_weights, multi_label,
                     wanted) -> dict:
    """Counts for arbitrary thresholds: compare every prediction with every threshold."""
    weights = _weights(sample_weight, None if multi_label else label_weights, y_pred,
                       flatten=not multi_label)
    thresholds = _thresholds_tensor(tuple(thresholds), y_pred.dtype, y_pred.device)
    if multi_label:
        thresholds = thresholds.reshape(-1, 1, 1)
        y_true, y_pred = y_true.unsqueeze(0), y_pred.unsqueeze(0)
    else:
        thresholds = thresholds.reshape(-1, 1)
        y_true, y_pred = y_true.reshape(1, -1), y_pred.reshape(1, -1)
    pred_pos = y_pred > thresholds
    label_pos = (y_true != 0).broadcast_to(pred_pos.shape)
    pairs = {"tp": (label_pos, pred_pos), "fp": (~label_pos, pred_pos),
             "tn": (~label_pos, ~pred_pos), "fn": (label_pos, ~pred_pos)}
    counts = {}
    for key in wanted:
        hit = pairs[key][0] & pairs[key][1]
        values = hit.to(y_pred.dtype) if weights is None else torch.where(hit, weights, 0.0)
        counts[key] = values.sum(dim=1)
    return counts
