"""Gradient clipping as Keras does it, with multi-tensor ops and without leaving the device."""

from __future__ import annotations

import torch


def clip_by_norm(grads: list[torch.Tensor], clipnorm: float,
                 norms: list[torch.Tensor] | None = None) -> list[torch.Tensor]:
    """Each gradient scaled to an L2 norm of at most `clipnorm`: `g * c / max(|g|, c)`.
    `norms`: the gradients' norms when they are parts of larger ones (sharded training)."""
    norms = torch._foreach_norm(grads) if norms is None else norms
    return torch._foreach_div(torch._foreach_mul(grads, clipnorm),
                              torch._foreach_clamp_min(norms, clipnorm))


def global_norm(tensors: list[torch.Tensor]) -> torch.Tensor:
    """The L2 norm of all tensors together, as a 0-d tensor on the first one's device."""
    device = tensors[0].device
    norms = [n.to(device) for n in torch._foreach_norm(tensors)]
    return torch.linalg.vector_norm(torch.stack(norms))


def clip_by_global_norm(grads: list[torch.Tensor], clipnorm: float,
                        norms: list[torch.Tensor] | None = None) -> list[torch.Tensor]:
    """All gradients scaled together so that their global norm is at most `clipnorm`
    (`norms` as for `clip_by_norm`).

    A non-finite global norm turns every gradient into NaN, as in Keras.
    """
    norm = global_norm(grads) if norms is None else global_norm(norms)
    scale = clipnorm * torch.minimum(1.0 / norm, norm.new_full((), 1.0 / clipnorm))
    scale = scale + (norm - norm)
    return torch._foreach_mul(grads, scale)


def clip_by_value(grads: list[torch.Tensor], clipvalue: float) -> list[torch.Tensor]:
    """Each gradient entry clipped to `[-clipvalue, clipvalue]`."""
    return torch._foreach_clamp_max(torch._foreach_clamp_min(grads, -clipvalue), clipvalue)
