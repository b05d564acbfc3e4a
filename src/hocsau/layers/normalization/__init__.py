"""Normalization: BatchNormalization, LayerNormalization, GroupNormalization, UnitNormalization."""

__all__: list[str] = []
