"""Circle loss, a metric-learning loss on embeddings (Sun et al., 2020,
https://arxiv.org/abs/2002.10857)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hocsau.losses.loss import set_mask, to_tensor
from hocsau.losses.wrapper import BuiltinLoss, loss_function
from hocsau.saving.serialization import keras_class


def build_pos_neg_masks(query_labels: torch.Tensor, key_labels: torch.Tensor,
                        remove_diagonal: bool = True):
    """Boolean (queries, keys) masks of same-label pairs and of different-label pairs.

    With `remove_diagonal`, a query is not its own positive (query i is key i).
    """
    query_labels = query_labels.reshape(-1, 1) if query_labels.dim() == 1 else query_labels
    key_labels = key_labels.reshape(-1, 1) if key_labels.dim() == 1 else key_labels
    positive = query_labels == key_labels.T
    negative = ~positive
    if remove_diagonal:
        eye = torch.eye(query_labels.numel(), key_labels.numel(), dtype=torch.bool,
                        device=positive.device)
        positive = positive & ~eye
    return positive, negative


def _masked_logsumexp(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return torch.logsumexp(values.masked_fill(~mask, float("-inf")), dim=1)


@loss_function
def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal: bool = True,
           gamma: float = 80, margin: float = 0.4) -> torch.Tensor:
    """Circle loss of each query embedding against reference embeddings.

    Each pair's cosine distance is pushed below `margin` for same-label pairs and above
    1 - margin for different-label ones, each pair weighted by how far it is from its optimum.
    Samples with zero loss are masked out of the mean.

    Args:
        y_true: integer labels of the queries, shape (batch,).
        y_pred: unit-norm query embeddings, shape (batch, dim).
        ref_labels: labels of the references; default y_true.
        ref_embeddings: unit-norm reference embeddings; default y_pred.
        remove_diagonal: whether a query is not its own positive.
        gamma: the scale of the similarity scores.
        margin: the relaxation margin.
    """
    y_pred = to_tensor(y_pred)
    labels = to_tensor(y_true, device=y_pred.device).to(torch.int32)
    refs = y_pred if ref_embeddings is None else to_tensor(ref_embeddings, device=y_pred.device)
    ref_labels = labels if ref_labels is None else to_tensor(ref_labels, device=y_pred.device)
    distances = torch.clamp(1 - y_pred @ refs.T, min=0.0)
    positive, negative = build_pos_neg_masks(labels, ref_labels.to(torch.int32), remove_diagonal)
    pos_weights = torch.clamp((margin + distances) * positive, min=0.0)
    neg_weights = torch.clamp((1 + margin - distances) * negative, min=0.0)
    pos_logits = -1 * gamma * pos_weights * (margin - distances)
    neg_logits = gamma * neg_weights * ((1 - margin) - distances)
    loss = F.softplus(_masked_logsumexp(pos_logits, positive)
                      + _masked_logsumexp(neg_logits, negative))
    return set_mask(loss, loss > 0)


@keras_class("keras.losses")
class Circle(BuiltinLoss):
    """Circle loss on embeddings with integer labels (see `circle`).

    Give it unit-norm embeddings (a linear layer followed by `UnitNormalization`).

    Args:
        gamma: the scale of the similarity scores.
        margin: the relaxation margin.
        remove_diagonal: whether a sample is not its own positive.
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, gamma: float = 80.0, margin: float = 0.4, remove_diagonal: bool = True,
                 reduction: str | None = "sum_over_batch_size", name: str = "circle",
                 dtype=None):
        super().__init__(circle, reduction, name, dtype, gamma=gamma, margin=margin,
                         remove_diagonal=remove_diagonal)
