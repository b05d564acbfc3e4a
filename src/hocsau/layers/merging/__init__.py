"""Merge layers (Add, Concatenate, ...) and their functional forms (add, concatenate, ...)."""

from hocsau.layers.merging.add import Add, add
from hocsau.layers.merging.average import Average, average
from hocsau.layers.merging.concatenate import Concatenate, concatenate
from hocsau.layers.merging.dot import Dot, dot
from hocsau.layers.merging.maximum import Maximum, maximum
from hocsau.layers.merging.minimum import Minimum, minimum
from hocsau.layers.merging.multiply import Multiply, multiply
from hocsau.layers.merging.subtract import Subtract, subtract

__all__ = ["Add", "Average", "Concatenate", "Dot", "Maximum", "Minimum", "Multiply", "Subtract",
           "add", "average", "concatenate", "dot", "maximum", "minimum", "multiply", "subtract"]
