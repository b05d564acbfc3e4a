"""Attention layers: Attention, AdditiveAttention, MultiHeadAttention."""

__all__: list[str] = []
