"""Knowledge distillation (Keras 3's `keras.distillation`)."""

from hocsau.distillation.distillation_loss import DistillationLoss
from hocsau.distillation.distiller import Distiller
from hocsau.distillation.feature_distillation import FeatureDistillation
from hocsau.distillation.logits_distillation import LogitsDistillation

__all__ = ["DistillationLoss", "Distiller", "FeatureDistillation", "LogitsDistillation"]
