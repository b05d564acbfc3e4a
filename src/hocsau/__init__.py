"""hocsau ("học sâu", deep learning): the Keras API on PyTorch."""

from hocsau import config
from hocsau.variable import Variable

__version__ = "0.1.0"

__all__ = ["Variable", "config", "__version__"]
