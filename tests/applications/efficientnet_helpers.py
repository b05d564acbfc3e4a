"""Shared by the EfficientNet tests: Keras's model and ours built side by side.

Building draws every kernel from a truncated normal, which dominates the build time of these
networks; the tests replace the initializers by zeros while building (both libraries) and then
give Keras's model random weights of sensible scale, copied into ours by layer name.
"""

import contextlib

import keras
import numpy as np
import pytest
import torch
from keras.src.applications import efficientnet as keras_v1
from keras.src.applications import efficientnet_v2 as keras_v2

import hocsau
from hocsau.applications import _application, _efficientnet_blocks

# Small images keep every forward pass cheap; 32 is the models' minimum size.
SIZE = 32
FAMILIES = ["EfficientNetB0", "EfficientNetV2B0"]


@contextlib.contextmanager
def cheap_initializers():
    """Zeros instead of the variance-scaling draws, in Keras and in hocsau."""
    with pytest.MonkeyPatch.context() as patch:
        for module in (keras_v1, keras_v2, _efficientnet_blocks):
            patch.setattr(module, "CONV_KERNEL_INITIALIZER", "zeros")
        for module in (keras_v1, keras_v2, _application):
            patch.setattr(module, "DENSE_KERNEL_INITIALIZER", "zeros")
        yield


def build_pair(name: str, **kwargs):
    """Keras's and hocsau's `name(**kwargs)`, with layer-name counters started afresh."""
    with cheap_initializers():
        keras.backend.clear_session()
        theirs = getattr(keras.applications, name)(**kwargs)
        hocsau.backend.clear_session()
        ours = getattr(hocsau.applications, name)(**kwargs)
    return theirs, ours


def randomize(model, seed: int = 0) -> None:
    """Random weights for a Keras model: kernels scaled by their fan-in, BN statistics and
    affine terms near their identity values (so activations keep a useful range)."""
    rng = np.random.RandomState(seed)
    for weight in model.weights:
        shape, leaf = tuple(weight.shape), weight.path.split("/")[-1]
        if leaf == "count":
            continue
        if leaf in ("gamma", "moving_variance", "variance"):
            value = rng.uniform(0.5, 1.5, shape)
        elif leaf in ("beta", "moving_mean", "mean", "bias"):
            value = rng.normal(0.0, 0.1, shape)
        else:
            dense = leaf in ("kernel", "pointwise_kernel")
            fan_in = int(np.prod(shape[:-1] if dense else shape[:2]))
            value = rng.normal(0.0, 1.0 / np.sqrt(fan_in), shape)
        weight.assign(value.astype("float32"))


def copy_weights(keras_model, model) -> None:
    """Keras's weights into ours, layer by layer matched by name."""
    theirs = {layer.name: layer for layer in keras_model.layers}
    for layer in (layer for layer in model.layers if layer.weights):
        for mine, their in zip(layer.weights, theirs[layer.name].weights, strict=True):
            assert tuple(mine.shape) == tuple(their.shape), layer.name
            with torch.no_grad():
                mine.copy_(torch.as_tensor(keras.ops.convert_to_numpy(their)))


def predict(model, images: np.ndarray) -> np.ndarray:
    """Inference-mode outputs of either library's model, as NumPy."""
    out = model(images) if not isinstance(model, hocsau.Model) else model(torch.as_tensor(images))
    return keras.ops.convert_to_numpy(out) if not isinstance(out, torch.Tensor) else (
        out.detach().cpu().numpy())
