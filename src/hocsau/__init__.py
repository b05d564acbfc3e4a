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
    dtype_policies,
    export,
    initializers,
    layers,
    losses,
    metrics,
    mixed_precision,
    models,
    ops,
    optimizers,
    preprocessing,
    quantizers,
    random,
    regularizers,
    saving,
    utils,
)
from hocsau.layers import Input, InputLayer, InputSpec, Layer
from hocsau.models import Functional, Model, Sequential
from hocsau.variable import Variable

__version__ = "0.1.0"

__all__ = [
    "Functional", "Input", "InputLayer", "InputSpec", "Layer", "Model", "Sequential",
    "Variable", "__version__", "activations", "applications", "backend", "callbacks", "config",
    "constraints", "data", "datasets", "dtype_policies", "export",
    "initializers", "layers", "losses", "metrics", "mixed_precision", "models", "ops",
    "optimizers", "preprocessing", "quantizers", "random",
    "regularizers", "saving", "utils",
]
