"""Connectionist temporal classification (CTC), the loss of unaligned sequence labelling."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hocsau.losses.loss import to_tensor
from hocsau.losses.wrapper import BuiltinLoss, loss_function
from hocsau.saving.serialization import keras_class


@loss_function
def ctc(y_true, y_pred) -> torch.Tensor:
    """CTC loss of each sequence; class 0 is the blank, and pads the labels.

    Args:
        y_true: integer labels, shape (batch, max_label_length), padded with 0.
        y_pred: logits, shape (batch, time, num_classes); every step of the time axis is used.
    """
    y_pred = to_tensor(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device)
    if y_true.dim() != 2:
        raise ValueError("Targets `y_true` are expected to be a tensor of shape "
                         "`(batch_size, max_length)` in integer format. "
                         f"Received: y_true.shape={tuple(y_true.shape)}")
    if y_pred.dim() != 3:
        raise ValueError("Logits `y_pred` are expected to be a tensor of shape "
                         "`(batch_size, max_length, num_classes)`. "
                         f"Received: y_pred.shape={tuple(y_pred.shape)}")
    batch, steps = y_pred.shape[:2]
    targets = y_true.long()
    input_lengths = torch.full((batch,), steps, dtype=torch.long, device=y_pred.device)
    target_lengths = (targets != 0).sum(dim=-1)
    # Half-precision logits are promoted to float32, as Keras does.
    logits = y_pred.to(torch.promote_types(y_pred.dtype, torch.float32))
    log_probs = F.log_softmax(logits.transpose(0, 1), dim=-1)
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0,
                      reduction="none")


@keras_class("keras.losses")
class CTC(BuiltinLoss):
    """CTC loss of integer label sequences against per-step logits (see `ctc`).

    Args:
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "ctc",
                 dtype=None):
        super().__init__(ctc, reduction, name, dtype)
