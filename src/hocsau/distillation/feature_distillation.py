"""`FeatureDistillation`: the student's features (a layer's output, or the final output)
match the teacher's."""

from __future__ import annotations

import torch

from hocsau.distillation.distillation_loss import (
    DistillationLoss,
    paired_leaves,
    resolve_losses,
)
from hocsau.losses import deserialize as deserialize_loss
from hocsau.saving.serialization import keras_class, serialize_keras_object


@keras_class("keras.distillation")
class FeatureDistillation(DistillationLoss):
    """Distillation of intermediate representations.

    Args:
        loss: a loss (name, function or object; "mse" by default), or a nested structure of
            them matching the features, `None` to skip one.
        teacher_layer_name: the teacher layer whose output is compared (final output if None).
        student_layer_name: the student layer whose output is compared (final output if None).
    """

    def __init__(self, loss="mse", teacher_layer_name=None, student_layer_name=None):
        self.teacher_layer_name = teacher_layer_name
        self.student_layer_name = student_layer_name
        self.loss = resolve_losses(loss, "The `loss` argument in `FeatureDistillation` must "
                                         "contain at least one non-`None` value.")

    def validate_model_compatibility(self, teacher, student) -> None:
        if self.teacher_layer_name is None and self.student_layer_name is None:
            return
        subclassed = [role for role, model in (("teacher", teacher), ("student", student))
                      if getattr(model, "inputs", None) is None]
        if subclassed:
            raise ValueError(
                "FeatureDistillation with specific layer names requires Functional or "
                f"Sequential models. The {' and '.join(subclassed)} model(s) appear to be "
                "subclassed (no symbolic inputs/outputs). Either use Functional/Sequential "
                "models, or use FeatureDistillation without layer names (to distill final "
                "outputs only), or use LogitsDistillation instead.")
        for role, model, name in (("teacher", teacher, self.teacher_layer_name),
                                  ("student", student, self.student_layer_name)):
            if name is not None:
                try:
                    model.get_layer(name=name)
                except ValueError as error:
                    raise ValueError(f"In {role} model: {error}") from None

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs) -> torch.Tensor:
        return self._sum_of_means([
            loss(teacher, student)
            for loss, teacher, student in paired_leaves(self.loss, teacher_outputs,
                                                        student_outputs)
            if loss is not None])

    def get_config(self) -> dict:
        return {"loss": serialize_keras_object(self.loss),
                "teacher_layer_name": self.teacher_layer_name,
                "student_layer_name": self.student_layer_name}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**{**config, "loss": deserialize_loss(config["loss"])})
