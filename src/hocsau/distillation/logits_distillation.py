"""`LogitsDistillation`: the student matches the teacher's temperature-softened outputs."""

from __future__ import annotations

import torch

from hocsau.distillation.distillation_loss import (
    DistillationLoss,
    paired_leaves,
    resolve_losses,
)
from hocsau.losses import deserialize as deserialize_loss
from hocsau.saving.serialization import keras_class, serialize_keras_object


def _is_kl_divergence(loss) -> bool:
    from hocsau.losses import KLDivergence, kl_divergence

    return isinstance(loss, KLDivergence) or loss is kl_divergence


@keras_class("keras.distillation")
class LogitsDistillation(DistillationLoss):
    """Knowledge distillation on logits (Hinton et al.): both models' logits are divided by
    `temperature`; with KL divergence they are turned into probabilities by a softmax and the
    loss is scaled by `temperature**2`, other losses compare the scaled logits directly.

    Unlike Keras 3.15, the name "kl_divergence" (the default) gets the softmax too: Keras
    resolves it to the plain function, which it then applies to raw logits.

    Args:
        temperature: a positive number; higher gives softer targets (3-5 is typical).
        loss: a loss (name, function or object), or a nested structure of them matching the
            outputs, `None` to skip an output.
    """

    def __init__(self, temperature=3.0, loss="kl_divergence"):
        self.loss = resolve_losses(loss, "At least one loss must be non-`None`.")
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)):
            raise ValueError(f"temperature must be a number, got {type(temperature)}")
        if temperature <= 0.0:
            raise ValueError("temperature must be positive.")
        self.temperature = temperature

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs) -> torch.Tensor:
        terms = []
        for loss, teacher, student in paired_leaves(self.loss, teacher_outputs,
                                                    student_outputs):
            if loss is None:
                continue
            teacher, student = teacher / self.temperature, student / self.temperature
            if _is_kl_divergence(loss):
                value = loss(torch.softmax(teacher, dim=-1), torch.softmax(student, dim=-1))
                terms.append(value.mean() * self.temperature ** 2)
            else:
                terms.append(loss(teacher, student))
        return self._sum_of_means(terms)

    def get_config(self) -> dict:
        return {"temperature": self.temperature, "loss": serialize_keras_object(self.loss)}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**{**config, "loss": deserialize_loss(config["loss"])})
