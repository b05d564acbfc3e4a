"""`Distiller`: a model that trains a student from ground truth and a frozen teacher."""

from __future__ import annotations

import torch

from hocsau.distillation.distillation_loss import paired_leaves, resolve_loss
from hocsau.models.model import Model
from hocsau.models.symbolic import flatten, map_structure
from hocsau.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)

_FINAL = "final_output"


@keras_class("keras.distillation")
class Distiller(Model):
    """Knowledge distillation: `fit` trains `student` on
    `student_loss_weight * loss(y, student(x)) + (1 - student_loss_weight) * sum_i w_i * d_i`,
    where each distillation loss `d_i` compares the frozen `teacher`'s outputs (or a named
    layer's) with the student's. Calling the distiller runs the student.

    Args:
        teacher: a trained `Model`; it is frozen.
        student: the `Model` to train (use `distiller.student` afterwards).
        distillation_losses: one `DistillationLoss` (`LogitsDistillation`,
            `FeatureDistillation`, ...) or a list of them.
        distillation_loss_weights: one weight per distillation loss (1.0 each by default).
        student_loss_weight: weight of the supervised loss, in [0, 1].

    Example:
    ```python
    distiller = keras.distillation.Distiller(
        teacher=teacher, student=student,
        distillation_losses=keras.distillation.LogitsDistillation(temperature=3.0))
    distiller.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    distiller.fit(x_train, y_train, epochs=10)
    ```
    """

    def __init__(self, teacher, student, distillation_losses, distillation_loss_weights=None,
                 student_loss_weight=0.5, name="distiller", **kwargs):
        super().__init__(name=name, **kwargs)
        _check_models(teacher, student)
        self.teacher = teacher
        self.student = student
        if isinstance(student_loss_weight, bool) or not isinstance(student_loss_weight,
                                                                   (int, float)):
            raise ValueError(
                f"student_loss_weight must be a number, got {type(student_loss_weight)}")
        if not 0.0 <= student_loss_weight <= 1.0:
            raise ValueError("student_loss_weight must be between 0.0 and 1.0, "
                             f"got {student_loss_weight}")
        self.student_loss_weight = student_loss_weight
        self.distillation_losses, self.distillation_loss_weights = _loss_list(
            distillation_losses, distillation_loss_weights)
        for distillation_loss in self.distillation_losses:
            distillation_loss.validate_model_compatibility(teacher, student)
        self._teacher_features = _feature_extractor(teacher, [
            d.teacher_layer_name for d in self.distillation_losses
            if getattr(d, "teacher_layer_name", None)])
        self._student_features = _feature_extractor(student, [
            d.student_layer_name for d in self.distillation_losses
            if getattr(d, "student_layer_name", None)])
        self.teacher.trainable = False
        from hocsau.metrics import Mean

        self.student_loss_tracker = Mean(name="student_loss")
        self.distillation_loss_tracker = Mean(name="distillation_loss")
        self.total_loss_tracker = Mean(name="total_loss")

    def compile(self, optimizer="adam", loss=None, metrics=None, **kwargs) -> None:
        """`loss` is the student's supervised loss (required); the rest as `Model.compile`."""
        if loss is None:
            raise ValueError("'loss' cannot be `None`.")
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise ValueError(f"metrics must be a list or tuple, got {type(metrics)}")
        self._student_loss = map_structure(resolve_loss, loss)
        super().compile(optimizer=optimizer, loss=None, metrics=metrics, **kwargs)

    def call(self, inputs, training=None, **kwargs):
        return self.student(inputs, training=training, **kwargs)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The weighted sum of the student's loss and the distillation losses (sample
        weights are not used, as in Keras)."""
        if y_pred is None:
            y_pred = self(x, training=training)
        zero = torch.zeros((), device=flatten(y_pred)[0].device)
        student_loss = zero
        if self.student_loss_weight > 0.0 and y is not None:
            values = [loss(target, pred).mean() for loss, target, pred
                      in paired_leaves(self._student_loss, y, y_pred)]
            student_loss = torch.stack(values).sum()
        distillation_loss = zero
        if self.student_loss_weight < 1.0:
            distillation_loss = self._distillation_loss(x, y_pred)
        total = (self.student_loss_weight * student_loss
                 + (1.0 - self.student_loss_weight) * distillation_loss)
        self.student_loss_tracker.update_state(student_loss)
        self.distillation_loss_tracker.update_state(distillation_loss)
        self.total_loss_tracker.update_state(total)
        return total

    def _distillation_loss(self, x, y_pred) -> torch.Tensor:
        teacher = (self._teacher_features(x, training=False) if self._teacher_features
                   else {_FINAL: self.teacher(x, training=False)})
        student = (self._student_features(x, training=True) if self._student_features
                   else {_FINAL: y_pred})
        total = torch.zeros((), device=flatten(y_pred)[0].device)
        for loss, weight in zip(self.distillation_losses, self.distillation_loss_weights,
                                strict=True):
            ours = teacher[getattr(loss, "teacher_layer_name", None) or _FINAL]
            theirs = (student[getattr(loss, "student_layer_name", None) or _FINAL]
                      if getattr(loss, "teacher_layer_name", None) else y_pred)
            loss.validate_outputs(ours, theirs)
            value = loss.compute_loss(ours, theirs)
            if value.dim() > 0:
                raise ValueError(f"Distillation loss {type(loss).__name__} returned a "
                                 f"non-scalar loss with shape {tuple(value.shape)}. The "
                                 "compute_loss method must return a scalar tensor.")
            total = total + weight * value
        return total

    def get_config(self) -> dict:
        return {"name": self.name, "trainable": self.trainable,
                "teacher": serialize_keras_object(self.teacher),
                "student": serialize_keras_object(self.student),
                "distillation_losses": [serialize_keras_object(d)
                                        for d in self.distillation_losses],
                "distillation_loss_weights": self.distillation_loss_weights,
                "student_loss_weight": self.student_loss_weight}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        for key in ("teacher", "student"):
            config[key] = deserialize_keras_object(config[key], custom_objects=custom_objects)
        config["distillation_losses"] = [deserialize_keras_object(d,
                                                                  custom_objects=custom_objects)
                                         for d in config["distillation_losses"]]
        return cls(**config)


def _loss_list(losses, weights) -> tuple[list, list]:
    if losses is None:
        raise ValueError("'distillation_losses' cannot be `None`. Provide a distillation loss "
                         "(e.g., LogitsDistillation or FeatureDistillation) or a list of "
                         "distillation losses.")
    if not isinstance(losses, (list, tuple)):
        return [losses], [1.0]
    if weights is None:
        return list(losses), [1.0] * len(losses)
    if len(weights) != len(losses):
        raise ValueError(f"Number of distillation_loss_weights ({len(weights)}) must match "
                         f"number of distillation_losses ({len(losses)})")
    return list(losses), list(weights)


def _check_models(teacher, student) -> None:
    for role, model in (("Teacher", teacher), ("Student", student)):
        if not isinstance(model, Model):
            raise ValueError(f"{role} must be a keras.Model, got {type(model)}")
    for kind in ("inputs", "outputs"):
        ours, theirs = getattr(teacher, kind, None), getattr(student, kind, None)
        if ours is None or theirs is None:
            continue
        for t, s in zip(flatten(ours), flatten(theirs), strict=False):
            _check_pair(tuple(t.shape), tuple(s.shape), t.dtype, s.dtype, kind[:-1])


def _check_pair(shape1, shape2, dtype1, dtype2, context: str) -> None:
    if len(shape1) != len(shape2):
        raise ValueError(f"Teacher and student {context} shapes have different dimensions. "
                         f"Teacher: {shape1}, Student: {shape2}.")
    if any(a is not None and b is not None and a != b for a, b in zip(shape1, shape2,
                                                                       strict=True)):
        raise ValueError(f"Teacher and student {context} shapes are incompatible. Teacher: "
                         f"{shape1}, Student: {shape2}. All dimensions must match.")
    if dtype1 != dtype2:
        raise ValueError(f"Teacher and student {context} dtypes must match. Teacher: "
                         f"{dtype1}, Student: {dtype2}.")


def _feature_extractor(model, layer_names: list[str]):
    """A functional model returning {"final_output": ..., name: layer output} in one pass."""
    if not layer_names:
        return None
    outputs = {_FINAL: model.outputs[0] if len(model.outputs) == 1 else model.outputs}
    for name in dict.fromkeys(layer_names):
        outputs[name] = model.get_layer(name=name).output
    return Model(inputs=model.inputs, outputs=outputs,
                 name=f"{model.name}_multi_feature_extractor")
