"""Cross-entropies, CTC and PSNR of Keras's `ops.nn`, unreduced (one value per sample).

Probabilities (`from_logits=False`) are clipped to `[epsilon, 1 - epsilon]` before the log, as
in Keras, so that parity holds for saturated predictions too.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hocsau import config
from hocsau.ops._convert import floating, tensor, tensors
from hocsau.ops.dispatch import op


def _same_shape(target: torch.Tensor, output: torch.Tensor) -> None:
    if target.shape != output.shape:
        raise ValueError("Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")


def _clipped(probabilities: torch.Tensor) -> torch.Tensor:
    eps = config.epsilon()
    return torch.clamp(probabilities, eps, 1.0 - eps)


def binary_crossentropy_of_probabilities(target: torch.Tensor,
                                         output: torch.Tensor) -> torch.Tensor:
    """Element-wise binary crossentropy of clipped probabilities; torch's CPU kernel refuses
    labels outside [0, 1], which gets a Keras-style error (checked only after it failed)."""
    try:
        return F.binary_cross_entropy(_clipped(output), target, reduction="none")
    except RuntimeError:
        outside = target[(target < 0) | (target > 1)]
        if outside.numel() == 0:
            raise
        raise ValueError(
            "binary_crossentropy expects labels between 0 and 1 (probabilities that each "
            "output is 1); for integer class labels use sparse_categorical_crossentropy. "
            f"Received: labels with values {sorted(set(outside.unique()[:5].tolist()))}"
        ) from None


@op
def binary_crossentropy(target, output, from_logits=False) -> torch.Tensor:
    """Element-wise binary cross-entropy between `target` and `output` (same shape)."""
    target, output = tensors(target, output)
    output = floating(output)
    target = target.to(output.dtype)
    _same_shape(target, output)
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    return binary_crossentropy_of_probabilities(target, output)


@op
def categorical_crossentropy(target, output, from_logits=False, axis=-1) -> torch.Tensor:
    """Cross-entropy between one-hot (or soft) `target` and `output` along the class `axis`."""
    target, output = tensors(target, output)
    output = floating(output)
    _same_shape(target, output)
    if output.ndim < 1:
        raise ValueError("Arguments `target` and `output` must be at least rank 1. Received: "
                         f"output.shape={tuple(output.shape)}")
    if from_logits:
        log_prob = torch.log_softmax(output, dim=axis)
    else:
        log_prob = torch.log(_clipped(output / torch.sum(output, dim=axis, keepdim=True)))
    return -torch.sum(target.to(output.dtype) * log_prob, dim=axis)


@op
def sparse_categorical_crossentropy(target, output, from_logits=False,
                                    axis=-1) -> torch.Tensor:
    """Cross-entropy between integer class `target` and `output` along the class `axis`."""
    output = floating(output)
    target = tensor(target, device=output.device).long()
    if target.ndim == output.ndim and target.shape[axis] == 1:
        target = target.squeeze(axis)
    expected = list(output.shape)
    del expected[axis]
    if list(target.shape) != expected:
        raise ValueError("Arguments `target` and `output` must have the same shape up until the "
                         f"last dimension: target.shape={tuple(target.shape)}, "
                         f"output.shape={tuple(output.shape)}")
    single = output.ndim == 1
    if single:
        output, target, axis = output.unsqueeze(0), target.unsqueeze(0), -1
    scores = output.movedim(axis % output.ndim, 1)
    if from_logits:
        loss = F.cross_entropy(scores, target, reduction="none")
    else:
        log_prob = torch.log(_clipped(scores / torch.sum(scores, dim=1, keepdim=True)))
        loss = F.nll_loss(log_prob, target, reduction="none")
    return loss.squeeze(0) if single else loss


@op
def ctc_loss(target, output, target_length, output_length, mask_index=0) -> torch.Tensor:
    """CTC loss per sample.

    Args:
        target: int labels `(batch, max_label_length)`.
        output: logits `(batch, max_time, classes)`.
        target_length, output_length: int lengths `(batch,)`.
        mask_index: the blank class.
    """
    output = floating(output)
    if output.dtype not in (torch.float32, torch.float64):
        output = output.float()
    target, target_length, output_length = (tensor(t, device=output.device).long()
                                            for t in (target, target_length, output_length))
    log_probs = torch.log_softmax(output, dim=-1).transpose(0, 1)
    return F.ctc_loss(log_probs, target, output_length, target_length, blank=mask_index,
                      reduction="none")


@op
def psnr(x1, x2, max_val) -> torch.Tensor:
    """Peak signal-to-noise ratio in dB: `20 log10(max_val) - 10 log10(mse)`."""
    x1, x2 = tensors(x1, x2)
    if x1.shape != x2.shape:
        raise ValueError(f"Input shapes {tuple(x1.shape)} and {tuple(x2.shape)} must match "
                         "for PSNR calculation.")
    x1 = floating(x1)
    mse = torch.mean((x1 - x2.to(x1.dtype)) ** 2)
    return 20 * torch.log10(torch.as_tensor(max_val, dtype=x1.dtype, device=x1.device)) \
        - 10 * torch.log10(mse)
