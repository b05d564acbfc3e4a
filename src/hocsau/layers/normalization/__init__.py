"""Normalization: BatchNormalization, LayerNormalization, GroupNormalization, UnitNormalization."""

from hocsau.layers.normalization.batch_normalization import BatchNormalization
from hocsau.layers.normalization.group_normalization import GroupNormalization
from hocsau.layers.normalization.layer_normalization import LayerNormalization
from hocsau.layers.normalization.rms_normalization import RMSNormalization
from hocsau.layers.normalization.spectral_normalization import SpectralNormalization
from hocsau.layers.normalization.unit_normalization import UnitNormalization

__all__ = ["BatchNormalization", "GroupNormalization", "LayerNormalization",
           "UnitNormalization", "RMSNormalization", "SpectralNormalization"]
