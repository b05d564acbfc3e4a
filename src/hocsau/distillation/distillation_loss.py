"""`DistillationLoss`: how a `Distiller` compares teacher and student outputs."""

from __future__ import annotations

import torch

from hocsau import losses as losses_module
from hocsau.models.symbolic import flatten
from hocsau.saving.serialization import keras_class


def resolve_loss(loss):
    """A loss given by name becomes the loss function; objects and None stay as they are."""
    if isinstance(loss, str):
        return losses_module.get(loss)
    return loss


def resolve_losses(loss, empty_message: str) -> list | dict | tuple | object:
    """`resolve_loss` over a nested structure; at least one loss must be set."""
    from hocsau.models.symbolic import map_structure

    resolved = map_structure(resolve_loss, loss)
    if all(item is None for item in flatten(resolved)):
        raise ValueError(empty_message)
    return resolved


def paired_leaves(losses, teacher_outputs, student_outputs) -> list[tuple]:
    """(loss, teacher, student) per output; the three structures must have the same leaves."""
    triples = [flatten(losses), flatten(teacher_outputs), flatten(student_outputs)]
    if len({len(leaves) for leaves in triples}) != 1:
        raise ValueError(
            "Loss structure mismatch: the loss, teacher outputs and student outputs must have "
            f"the same structure. Received: {len(triples[0])} loss(es), "
            f"{len(triples[1])} teacher output(s), {len(triples[2])} student output(s).")
    return list(zip(*triples, strict=True))


@keras_class("keras.distillation")
class DistillationLoss:
    """Base class of distillation losses: subclasses implement `compute_loss(teacher_outputs,
    student_outputs)` returning a scalar, and may check models and outputs first."""

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs) -> torch.Tensor:
        """The scalar loss between the teacher's and the student's outputs."""
        raise NotImplementedError(f"{type(self).__name__} must implement `compute_loss`.")

    def validate_outputs(self, teacher_outputs, student_outputs) -> None:
        """Raise if teacher and student outputs cannot be compared."""
        if len(flatten(teacher_outputs)) != len(flatten(student_outputs)):
            raise ValueError("Teacher and student outputs must have the same structure. "
                             f"Received: {len(flatten(teacher_outputs))} teacher output(s) "
                             f"and {len(flatten(student_outputs))} student output(s).")

    def validate_model_compatibility(self, teacher, student) -> None:
        """Raise if this loss cannot be used with these models (nothing to check here)."""

    @staticmethod
    def _sum_of_means(terms: list[torch.Tensor]) -> torch.Tensor:
        return torch.stack([torch.as_tensor(t).float().mean() for t in terms]).sum()

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)
