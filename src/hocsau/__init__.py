"""hocsau ("học sâu", deep learning): the Keras 3 API on PyTorch."""

from hocsau import _openmp_spin  # noqa: F401, I001  first, before torch loads: see its docstring
from hocsau import (
    activations,
    applications,
    backend,
    callbacks,
    config,
    constraints,
    data,
    datasets,
    diagnostics,
    distillation,
    distribute,
    distribution,
    dtype_policies,
    export,
    initializers,
    layers,
    legacy,
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
    tree,
    utils,
    visualization,
)
from hocsau._keras_alias import install_as_keras, uninstall_as_keras
from hocsau.backend.device_scope import device
from hocsau.backend.keras_tensor import KerasTensor
from hocsau.backend.name_scope import name_scope
from hocsau.backend.remat import RematScope, remat
from hocsau.backend.stateless_scope import StatelessScope
from hocsau.backend.symbolic_scope import SymbolicScope
from hocsau.dtype_policies import DTypePolicy, FloatDTypePolicy
from hocsau.initializers import Initializer
from hocsau.layers import Input, InputLayer, InputSpec, Layer
from hocsau.losses import Loss
from hocsau.metrics import Metric
from hocsau.models import Functional, Model, Sequential
from hocsau.ops.function import Function
from hocsau.ops.operation import Operation
from hocsau.optimizers import Optimizer
from hocsau.quantizers import Quantizer
from hocsau.regularizers import Regularizer
from hocsau.variable import Variable

__version__ = "0.1.0"


def version() -> str:
    """hocsau's version string."""
    return __version__


__all__ = [
    "DTypePolicy", "FloatDTypePolicy", "Function", "Functional", "Initializer", "Input",
    "InputLayer", "InputSpec", "KerasTensor", "Layer", "Loss", "Metric", "Model", "Operation",
    "Optimizer", "Quantizer", "Regularizer", "RematScope", "Sequential", "StatelessScope",
    "SymbolicScope", "Variable", "__version__", "activations", "applications", "backend",
    "callbacks", "config", "constraints", "data", "datasets", "device", "diagnostics",
    "distillation", "distribute", "distribution", "dtype_policies", "export", "initializers",
    "install_as_keras", "layers", "legacy", "losses", "metrics", "mixed_precision", "models",
    "name_scope", "ops", "optimizers", "preprocessing", "quantizers", "random", "regularizers",
    "remat", "saving", "tree", "uninstall_as_keras", "utils", "version", "visualization",
    "wrappers",
]


def __getattr__(name: str):
    """Submodules that import heavy optional packages load on first use."""
    if name == "wrappers":  # imports scikit-learn
        import importlib

        return importlib.import_module(f"hocsau.{name}")
    raise AttributeError(f"module 'hocsau' has no attribute {name!r}")
