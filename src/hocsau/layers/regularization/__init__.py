"""Regularization: spatial dropout, Gaussian noise and dropout, alpha dropout."""

__all__: list[str] = []
