"""Multi-tensor building blocks shared by several update rules."""

from __future__ import annotations

import torch


def move_towards(averages: list[torch.Tensor], targets: list[torch.Tensor], rate) -> None:
    """`average += (target - average) * rate` in place: Keras's form of a moving average
    (rounding differs slightly from `average * (1 - rate) + target * rate`)."""
    steps = torch._foreach_sub(targets, averages)
    torch._foreach_mul_(steps, rate)
    torch._foreach_add_(averages, steps)


def adam_direction(m_list: list[torch.Tensor], v_list: list[torch.Tensor],
                   alpha: torch.Tensor, epsilon: float) -> list[torch.Tensor]:
    """`m * alpha / (sqrt(v) + epsilon)`: Adam's step with the bias correction in `alpha`."""
    denominators = torch._foreach_sqrt(v_list)
    torch._foreach_add_(denominators, epsilon)
    updates = torch._foreach_mul(m_list, alpha)
    torch._foreach_div_(updates, denominators)
    return updates


def adam_alpha(lr: torch.Tensor, step: torch.Tensor, beta_1: float, beta_2: float):
    """The bias-corrected learning rate `lr * sqrt(1 - b2**t) / (1 - b1**t)`."""
    return lr * torch.sqrt(1 - torch.pow(beta_2, step)) / (1 - torch.pow(beta_1, step))
