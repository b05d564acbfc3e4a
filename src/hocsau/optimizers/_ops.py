"""Multi-tensor building blocks shared by several update rules.

They follow Keras's formulas with PyTorch's fused multi-tensor kernels (lerp, addcmul,
addcdiv), which read and write each tensor fewer times; the results differ from Keras's
op-by-op evaluation only by float rounding.
"""

from __future__ import annotations

import numpy as np
import torch


def move_towards(averages: list[torch.Tensor], targets: list[torch.Tensor], rate) -> None:
    """`average += (target - average) * rate` in place (an exponential moving average).

    A device-tensor `rate` is applied by multiplication: lerp's weight must be a Python
    number, and reading one back waits for the device."""
    if not isinstance(rate, torch.Tensor):
        torch._foreach_lerp_(averages, targets, rate)
        return
    steps = torch._foreach_sub(targets, averages)
    torch._foreach_mul_(steps, rate)
    torch._foreach_add_(averages, steps)


def update_moments(m_list: list[torch.Tensor], v_list: list[torch.Tensor],
                   grads: list[torch.Tensor], beta_1: float, beta_2: float) -> None:
    """Adam's moments: `m = b1 * m + (1 - b1) * g`, `v = b2 * v + (1 - b2) * g**2`."""
    move_towards(m_list, grads, 1 - beta_1)
    torch._foreach_mul_(v_list, beta_2)
    torch._foreach_addcmul_(v_list, grads, grads, value=1 - beta_2)


def adam_step(params: list[torch.Tensor], m_list: list[torch.Tensor],
              v_list: list[torch.Tensor], alpha: torch.Tensor, epsilon: float) -> None:
    """`w -= m * alpha / (sqrt(v) + epsilon)`, with `alpha` (a device tensor) folded into
    the denominator so that one fused kernel applies the step."""
    denominators = torch._foreach_sqrt(v_list)
    torch._foreach_add_(denominators, epsilon)
    torch._foreach_div_(denominators, alpha)
    torch._foreach_addcdiv_(params, m_list, denominators, value=-1)


def adam_alpha(lr: torch.Tensor, step: torch.Tensor | int, beta_1: float, beta_2: float):
    """The bias-corrected learning rate `lr * sqrt(1 - b2**t) / (1 - b1**t)`.

    With `step` a Python int (float32 variables) the correction is a host number: one
    multiplication on the device instead of seven small kernels. It is still evaluated in
    float32, as Keras does, since `1 - 0.999**t` keeps few digits there.
    """
    if isinstance(step, int):
        t = np.float32(step)
        correction = np.sqrt(1 - np.float32(beta_2) ** t) / (1 - np.float32(beta_1) ** t)
        return lr * float(correction)
    return lr * torch.sqrt(1 - torch.pow(beta_2, step)) / (1 - torch.pow(beta_1, step))
