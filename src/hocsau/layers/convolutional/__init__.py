"""Convolutions: Conv1D/2D/3D, their transposes, separable and depthwise convolutions."""

__all__: list[str] = []
