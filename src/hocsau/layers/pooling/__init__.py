"""Pooling: max, average and global pooling in 1, 2 and 3 dimensions."""

__all__: list[str] = []
