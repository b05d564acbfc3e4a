"""`gradient_check`: autograd's gradients against central finite differences, in float64."""

from __future__ import annotations

import numpy as np
import torch

from hocsau.diagnostics._float64 import as_float64, float64_copy, float64_default
from hocsau.diagnostics._state import check_compiled
from hocsau.diagnostics.gradient_check_result import GradientCheckResult

# Gradient norms below this count as zero (an attention key's bias has none): the rounding
# of a float64 finite difference is about 1e-16 * loss / epsilon = 1e-11 per entry.
_ZERO_GRADIENT = 1e-4


def gradient_check(model, x, y, epsilon: float = 1e-5, max_entries: int = 16,
                   tolerance: float = 1e-5, seed: int = 0,
                   verbose: int = 1) -> GradientCheckResult:
    """Compare the gradient of the compiled loss (all outputs, with their loss weights, plus
    regularization and `add_loss` penalties) for each trainable weight with central finite
    differences, on a float64 copy of `model` in inference mode (so dropout is off and
    normalization uses its moving statistics). `model` is not changed.

    Args:
        model: a compiled model (Sequential, functional or subclassed; one or several
            outputs).
        x, y: a small batch (arrays, or lists / dicts of arrays as the model takes).
        epsilon: the finite-difference step (in float64, 1e-5 balances truncation and
            rounding errors).
        max_entries: entries of each weight checked (chosen at random), to bound the cost.
        tolerance: the largest relative error that passes.
        seed: the seed choosing the entries.
        verbose: 1 prints the verdict.

    Returns:
        A `GradientCheckResult` (`errors` per weight path, `worst_weight`, `worst_layer`,
        `worst_error`, `passed`, `loss`).
    """
    check_compiled(model, "gradient_check")
    rng = np.random.default_rng(seed)
    errors, layers = {}, {}
    with float64_default():
        twin = float64_copy(model)
        device = next((w.device for w in twin.weights), None)
        x64, y64 = as_float64(x, device), as_float64(y, device)
        with torch.no_grad():
            loss = _loss(twin, x64, y64).item()
        for layer, path, variable in _trainable_weights(twin):
            errors[path] = _weight_error(twin, variable, x64, y64, epsilon, rng, max_entries)
            layers[path] = layer
    result = GradientCheckResult(errors, layers, tolerance, loss)
    if verbose:
        print(result.verdict())
    return result


def _trainable_weights(model) -> list:
    """`(layer name, path, variable)` for each trainable weight: the top-level layer holding
    it (the model for its own weights) and a path naming every layer on the way
    ("bidirectional/forward_lstm/lstm_cell/kernel"), so that the twin cells of a wrapper
    stay apart."""
    from hocsau.layers.layer import Layer

    trainable = {id(variable) for variable in model.trainable_weights}
    found = []
    for qualified, variable in model.named_parameters():
        if id(variable) not in trainable:
            continue
        owner, names = model, []
        for attribute in qualified.split(".")[:-1]:
            owner = owner._modules[attribute]
            if isinstance(owner, Layer):
                names.append(owner.name)
        names = names or [model.name]
        found.append((names[0], "/".join(names + [variable.name]), variable))
    return found


def _loss(model, x, y) -> torch.Tensor:
    return model._compute_loss(x, y, model(x, training=False), None, training=False)


def _weight_error(model, variable, x, y, epsilon, rng, max_entries) -> float:
    """Relative error ||g_auto - g_numeric|| / (||g_auto|| + ||g_numeric||) over sampled
    entries of one weight (the denominator at least `_ZERO_GRADIENT`)."""
    analytic = torch.autograd.grad(_loss(model, x, y), variable, allow_unused=True)[0]
    if analytic is None:  # the loss does not depend on this weight
        analytic = torch.zeros_like(variable)
    picks = rng.choice(variable.numel(), size=min(max_entries, variable.numel()), replace=False)
    numeric = []
    with torch.no_grad():
        for flat_index in picks:
            index = np.unravel_index(flat_index, tuple(variable.shape))
            original = variable.data[index].item()
            variable.data[index] = original + epsilon
            plus = _loss(model, x, y).item()
            variable.data[index] = original - epsilon
            minus = _loss(model, x, y).item()
            variable.data[index] = original
            numeric.append((plus - minus) / (2 * epsilon))
    auto = analytic.reshape(-1)[torch.as_tensor(picks)].double()
    numeric = torch.tensor(numeric, dtype=torch.float64)
    scale = (auto.norm() + numeric.norm()).item()
    return (auto - numeric).norm().item() / max(scale, _ZERO_GRADIENT)
