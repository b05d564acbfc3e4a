"""Attention layers: Attention, AdditiveAttention, MultiHeadAttention."""

from hocsau.layers.attention.additive_attention import AdditiveAttention
from hocsau.layers.attention.attention import Attention
from hocsau.layers.attention.grouped_query_attention import GroupedQueryAttention
from hocsau.layers.attention.multi_head_attention import MultiHeadAttention

GroupQueryAttention = GroupedQueryAttention  # Keras's public name

__all__ = ["AdditiveAttention", "Attention", "MultiHeadAttention", "GroupQueryAttention"]
