"""hocsau ("học sâu", deep learning): the Keras 3 API on PyTorch."""

from hocsau import (
    activations,
    applications,
    backend,
    callbacks,
    config,
    constraints,
    data,
    datasets,
    distribute,
    distribution,
    initializers,
    layers,
    losses,
    metrics,
    mixed_precision,
    models,
    ops,
    optimizers,
    preprocessing,
    random,
    regularizers,
    saving,
    utils,
)
from hocsau.layers import Input, InputLayer, Layer
from hocsau.models import Functional, Model, Sequential
from hocsau.variable import Variable

__version__ = "0.1.0"

__all__ = [
    "Functional", "Input", "InputLayer", "Layer", "Model", "Sequential", "Variable",
    "__version__", "activations", "applications", "backend", "callbacks", "config",
    "constraints", "data", "datasets", "distribute", "distribution",
    "initializers", "layers", "losses", "metrics", "mixed_precision", "models", "ops",
    "optimizers", "preprocessing", "random",
    "regularizers", "saving", "utils",
]
