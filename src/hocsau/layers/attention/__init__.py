"""Attention layers: Attention, AdditiveAttention, MultiHeadAttention."""

from hocsau.layers.attention.additive_attention import AdditiveAttention
from hocsau.layers.attention.attention import Attention
from hocsau.layers.attention.group_query_attention import GroupQueryAttention
from hocsau.layers.attention.multi_head_attention import MultiHeadAttention

__all__ = ["AdditiveAttention", "Attention", "MultiHeadAttention", "GroupQueryAttention"]
