"""The logits behind a softmax output, kept for the categorical crossentropy losses.

As Keras's activations do, `softmax` remembers its input on the tensor it returns. The
crossentropy losses then work from the logits (log_softmax instead of normalize, clip, log and
the softmax's backward) while keeping Keras's clipping of probabilities to
[epsilon, 1 - epsilon] in log space, so the loss and its gradient stay Keras's.

(Not for sigmoid and binary crossentropy: near 1, float32 probabilities are so coarse that
Keras's clip at 1 - epsilon lets gradients through for logits up to about 16.2, where a clip
of the logits would stop them at 15.9; there the probability path stays.)

The logits are kept only while autograd records (a training step): inference outputs hold no
second tensor. A loss uses them only if the output is unchanged since (its version counter),
so an in-place edit of the probabilities falls back to the probability path.
"""

from __future__ import annotations

import torch

_ATTRIBUTE = "_logits_behind"


def keep_logits(output: torch.Tensor, logits: torch.Tensor, kind: str,
                axis: int | None = None) -> torch.Tensor:
    """Remember on `output` that it is `kind` (e.g. "softmax" along `axis`) of `logits`,
    when a training step records the computation."""
    if logits.requires_grad and torch.is_grad_enabled() and not torch.compiler.is_compiling():
        setattr(output, _ATTRIBUTE, (logits, kind, axis, output._version))
    return output


def logits_behind(output, kind: str, axis: int | None = None) -> torch.Tensor | None:
    """The logits `output` was computed from by `kind` (softmax over `axis`), else None."""
    kept = getattr(output, _ATTRIBUTE, None)
    if kept is None:
        return None
    logits, kept_kind, kept_axis, version = kept
    if kept_kind != kind or version != output._version or logits.dtype != output.dtype:
        return None
    if axis is not None and kept_axis % output.dim() != axis % output.dim():
        return None
    return logits
