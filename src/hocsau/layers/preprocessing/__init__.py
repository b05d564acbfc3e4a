"""Preprocessing layers usable inside models: rescaling, resizing, normalization, augmentation, text vectorization."""

__all__: list[str] = []
