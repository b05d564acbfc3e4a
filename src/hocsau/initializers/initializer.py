"""`Initializer`: the base class of every weight initializer."""

from __future__ import annotations

import abc

import torch


class Initializer(abc.ABC):
    """Makes the starting value of a weight from its shape and dtype.

    Subclasses implement `__call__(shape, dtype=None)`, returning a CPU tensor of that shape
    (dtype `config.floatx()` when None), and `get_config` when their constructor takes
    arguments; `from_config` calls the constructor with the config as keyword arguments.
    """

    @abc.abstractmethod
    def __call__(self, shape, dtype=None) -> torch.Tensor:
        """A tensor of `shape` and `dtype` holding the initial values."""

    def get_config(self) -> dict:
        """The constructor arguments, JSON-serializable."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Initializer:
        return cls(**config)

    def clone(self) -> Initializer:
        """A new initializer with the same config."""
        return self.__class__.from_config(self.get_config())
