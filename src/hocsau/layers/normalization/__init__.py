"""Normalization: BatchNormalization, LayerNormalization."""

from hocsau.layers.normalization.batch_normalization import BatchNormalization
from hocsau.layers.normalization.layer_normalization import LayerNormalization

__all__ = ["BatchNormalization", "LayerNormalization"]
