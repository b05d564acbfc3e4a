"""`gradient_check`: autograd's gradients against central finite differences, in float64."""

from __future__ import annotations

import numpy as np
import torch

from hocsau.diagnostics._state import check_compiled
from hocsau.diagnostics.gradient_check_result import GradientCheckResult


def gradient_check(model, x, y, epsilon: float = 1e-3, max_entries: int = 16,
                   tolerance: float = 1e-5, seed: int = 0,
                   verbose: int = 1) -> GradientCheckResult:
    """Compare the gradient of the compiled loss for each trainable weight with central
    finite differences, on a float64 copy of `model` in inference mode (so dropout is off
    and normalization uses its moving statistics). `model` is not changed.

    Args:
        model: a compiled model (Sequential or functional).
        x, y: a small batch.
        epsilon: the finite-difference step.
        max_entries: entries of each weight checked (chosen at random), to bound the cost.
        tolerance: the largest relative error that passes.
        seed: the seed choosing the entries.
        verbose: 1 prints the verdict.

    Returns:
        A `GradientCheckResult` (`errors` per weight path, `worst_weight`, `worst_layer`,
        `passed`).
    """
    check_compiled(model, "gradient_check")
    copy = _float64_copy(model)
    loss_fn = _float64_loss(model._compile_config["loss"])
    x64, y64 = _as_float64(x), torch.as_tensor(np.asarray(y)).to(_dtype_of(y))
    rng = np.random.default_rng(seed)
    errors, layers = {}, {}
    for layer in copy.layers:
        for variable in layer.trainable_weights:
            errors[variable.path] = _weight_error(copy, loss_fn, variable, x64, y64, epsilon,
                                                  rng, max_entries)
            layers[variable.path] = layer.name
    result = GradientCheckResult(errors, layers, tolerance)
    if verbose:
        print(result.verdict())
    return result


def _float64_copy(model):
    from hocsau.models.cloning import clone_model

    copy = clone_model(model, clone_function=lambda layer: type(layer).from_config(
        {**layer.get_config(), "dtype": "float64"}))
    copy.set_weights(model.get_weights())
    return copy


def _as_float64(x):
    array = np.asarray(x)
    return torch.as_tensor(array.astype("float64") if array.dtype.kind == "f" else array)


def _dtype_of(y):
    return torch.float64 if np.asarray(y).dtype.kind == "f" else torch.int64


def _float64_loss(loss):
    """The compiled loss computing in float64 (Loss objects otherwise cast to floatx). Loss
    functions are wrapped as `compile` wraps them, so (batch,) labels meet (batch, 1)
    outputs."""
    from hocsau import losses
    from hocsau.losses.wrapper import LossFunctionWrapper

    if isinstance(loss, str) or not hasattr(loss, "get_config"):
        loss = losses.get(loss)
        if not isinstance(loss, losses.Loss):
            return LossFunctionWrapper(loss, dtype="float64")
    return type(loss).from_config({**loss.get_config(), "dtype": "float64"})


def _loss(model, loss_fn, x, y) -> torch.Tensor:
    penalties = sum(model.losses) if model.losses else 0.0
    return torch.mean(loss_fn(y, model(x, training=False))) + penalties


def _weight_error(model, loss_fn, variable, x, y, epsilon, rng, max_entries) -> float:
    """Relative error ||g_auto - g_numeric|| / (||g_auto|| + ||g_numeric||) over sampled
    entries of one weight."""
    analytic = torch.autograd.grad(_loss(model, loss_fn, x, y), variable)[0].reshape(-1)
    flat = variable.detach().view(-1)
    picks = rng.choice(flat.numel(), size=min(max_entries, flat.numel()), replace=False)
    numeric = []
    with torch.no_grad():
        for index in picks:
            original = flat[index].item()
            flat[index] = original + epsilon
            plus = _loss(model, loss_fn, x, y).item()
            flat[index] = original - epsilon
            minus = _loss(model, loss_fn, x, y).item()
            flat[index] = original
            numeric.append((plus - minus) / (2 * epsilon))
    auto = analytic[torch.as_tensor(picks)].double()
    numeric = torch.tensor(numeric, dtype=torch.float64)
    scale = (auto.norm() + numeric.norm()).item()
    return 0.0 if scale == 0 else (auto - numeric).norm().item() / scale
