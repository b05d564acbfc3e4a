"""Attention layers: Attention, AdditiveAttention."""

from hocsau.layers.attention.additive_attention import AdditiveAttention
from hocsau.layers.attention.attention import Attention

__all__ = ["AdditiveAttention", "Attention"]
