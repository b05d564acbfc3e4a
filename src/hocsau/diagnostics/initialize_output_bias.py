"""`initialize_output_bias`: the output layer's bias set from the targets (seed 004's advice
for imbalanced data: the first predictions are the class prior, not 0.5)."""

from __future__ import annotations

import numpy as np
import torch

from hocsau.diagnostics._model_checks import output_activation


def initialize_output_bias(model, y, verbose: int = 1) -> np.ndarray:
    """Set the bias of the model's last biased layer so that, before training, it predicts
    the targets' prior: log(p / (1 - p)) per column for a sigmoid output, log of the class
    frequencies for a softmax output (integer or one-hot labels), the targets' mean for a
    linear output. Returns the bias.
    """
    layer = next((layer for layer in reversed(model.layers)
                  if getattr(layer, "bias", None) is not None), None)
    if layer is None:
        raise ValueError("initialize_output_bias needs a model whose output layer has a bias "
                         "(e.g. Dense(..., use_bias=True)). Received a model without one.")
    units = layer.bias.shape[0]
    activation = output_activation(model)
    bias = _prior_bias(np.asarray(y), units, activation)
    with torch.no_grad():
        layer.bias.copy_(torch.as_tensor(bias, dtype=layer.bias.dtype))
    if verbose:
        print(f"initialize_output_bias: layer '{layer.name}' ({activation} output) bias set to "
              f"{np.round(bias, 4).tolist()}")
    return bias


def _prior_bias(y: np.ndarray, units: int, activation: str) -> np.ndarray:
    eps = 1e-7
    if activation == "sigmoid":
        p = np.clip(y.reshape(len(y), -1).astype("float64").mean(axis=0), eps, 1 - eps)
        return np.broadcast_to(np.log(p / (1 - p)), (units,)).copy()
    if activation == "softmax":
        if y.ndim >= 2 and y.shape[-1] == units and units > 1:
            frequencies = y.reshape(-1, units).astype("float64").mean(axis=0)
        else:
            labels = y.reshape(-1).astype("int64")
            if labels.min() < 0 or labels.max() >= units:
                raise ValueError(f"Labels must be in [0, {units}) for a softmax output of "
                                 f"{units} units. Received labels from {labels.min()} to "
                                 f"{labels.max()}.")
            frequencies = np.bincount(labels, minlength=units) / len(labels)
        return np.log(np.clip(frequencies, eps, None))
    return np.broadcast_to(y.reshape(len(y), -1).astype("float64").mean(axis=0),
                           (units,)).copy()
