"""Merge layers (Add, Concatenate, ...) and their functional forms (add, concatenate, ...)."""

__all__: list[str] = []
