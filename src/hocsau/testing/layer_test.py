"""`run_layer_test`: the checks every layer must pass, in one call (Keras's `run_layer_test`).

    config round trip      get_config -> from_config -> same config (and through serialization)
    symbolic call          Input(batch_shape) -> output shape, weight counts
    eager call             real tensors -> output shape, values, weight counts, losses
    weights round trip     get_weights -> a fresh layer's set_weights -> same outputs
    training check         SGD steps on sum(outputs) + losses reach every trainable weight
"""

from __future__ import annotations

import numpy as np
import torch

from hocsau import config
from hocsau.layers.core.input_layer import Input
from hocsau.models.symbolic import flatten, map_structure, map_structure_shapes
from hocsau.saving.serialization import deserialize_keras_object, serialize_keras_object


def run_layer_test(layer_cls, init_kwargs: dict, input_shape=None, expected_output_shape=None,
                   expected_num_trainable_weights: int | None = None,
                   expected_num_non_trainable_weights: int | None = None,
                   expected_output=None, input_data=None, supports_masking: bool | None = None,
                   run_training_check: bool = False, *, input_dtype=None,
                   call_kwargs: dict | None = None, expected_output_dtype=None,
                   expected_num_losses: int | None = None, custom_objects: dict | None = None,
                   rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Build, call, serialize and (optionally) train a layer, asserting what is expected.

    Args:
        layer_cls / init_kwargs: the layer is `layer_cls(**init_kwargs)` (a fresh one per check).
        input_shape: the full input shape, batch included (or a list / dict of shapes); random
            inputs are drawn from it when `input_data` is not given.
        expected_output_shape: the full output shape (or a structure of shapes), checked for
            the symbolic and the eager call.
        expected_num_trainable_weights / expected_num_non_trainable_weights: counts once built.
        expected_output: values of the eager output on `input_data`.
        input_data: arrays (or a list / dict of arrays) to call the layer on.
        supports_masking: the expected value of `layer.supports_masking`.
        run_training_check: take SGD steps; every trainable weight must get a gradient.
        input_dtype: dtype of generated inputs (default floatx; integer dtypes draw 0..9).
        call_kwargs: extra keyword arguments for every call.
        expected_output_dtype: dtype string of the eager output.
        expected_num_losses: `len(layer.losses)` after the eager call.
        custom_objects: for deserializing a layer that uses custom objects.
        rtol / atol: tolerances for `expected_output` and the weights round trip.

    Raises:
        AssertionError: naming the first check that failed.
    """
    if input_shape is None and input_data is None:
        raise ValueError("run_layer_test needs `input_shape` or `input_data`.")
    call_kwargs = call_kwargs or {}
    _check_config(layer_cls, init_kwargs, supports_masking, custom_objects)
    if input_shape is None:
        input_shape = map_structure(lambda a: tuple(np.shape(a)), input_data)
    if input_data is None:
        input_data = _random_inputs(input_shape, input_dtype)
    weight_counts = (expected_num_trainable_weights, expected_num_non_trainable_weights)
    _check_symbolic(layer_cls(**init_kwargs), input_shape, input_dtype, call_kwargs,
                    expected_output_shape, weight_counts)
    layer = layer_cls(**init_kwargs)
    output = _call(layer, _to_tensors(input_data), call_kwargs)
    _check_output(layer, output, expected_output_shape, expected_output_dtype, expected_output,
                  rtol, atol)
    _check_weight_counts(layer, weight_counts, "eager call")
    if expected_num_losses is not None:
        assert len(layer.losses) == expected_num_losses, (
            f"Expected {expected_num_losses} losses, got {len(layer.losses)}")
    _check_weights_round_trip(layer, input_data, call_kwargs, rtol, atol)
    if run_training_check:
        _check_training(layer, input_data, call_kwargs)


def _check_config(layer_cls, init_kwargs, supports_masking, custom_objects) -> None:
    layer = layer_cls(**init_kwargs)
    if supports_masking is not None:
        assert layer.supports_masking == supports_masking, (
            f"Expected supports_masking={supports_masking}, got {layer.supports_masking}")
    layer_config = layer.get_config()
    revived = layer_cls.from_config(layer_config)
    assert revived.get_config() == layer_config, (
        f"Config round trip changed the config:\n{layer_config}\n->\n{revived.get_config()}")
    serialized = serialize_keras_object(layer)
    restored = deserialize_keras_object(serialized, custom_objects=custom_objects)
    assert type(restored) is layer_cls and serialize_keras_object(restored) == serialized, (
        f"Serialization round trip changed the layer:\n{serialized}\n->\n"
        f"{serialize_keras_object(restored)}")


def _check_symbolic(layer, input_shape, input_dtype, call_kwargs, expected_shape,
                    weight_counts) -> None:
    inputs = map_structure_shapes(lambda s: Input(batch_shape=s, dtype=input_dtype), input_shape)
    output = _call(layer, inputs, call_kwargs)
    if expected_shape is not None:
        _assert_shapes(output, expected_shape, "symbolic call")
    _check_weight_counts(layer, weight_counts, "symbolic call")


def _check_output(layer, output, expected_shape, expected_dtype, expected, rtol, atol) -> None:
    if expected_shape is not None:
        _assert_shapes(output, expected_shape, "eager call")
    if expected_dtype is not None:
        dtypes = [config.standardize_dtype(t.dtype) for t in flatten(output)]
        assert all(d == config.standardize_dtype(expected_dtype) for d in dtypes), (
            f"Expected output dtype {expected_dtype}, got {dtypes}")
    if expected is not None:
        for actual, wanted in zip(flatten(output), flatten(expected), strict=True):
            np.testing.assert_allclose(_numpy(actual), np.asarray(wanted), rtol=rtol, atol=atol,
                                       err_msg=f"Output of {layer.name} differs")


def _check_weight_counts(layer, counts, when: str) -> None:
    trainable, non_trainable = counts
    if trainable is not None:
        assert len(layer.trainable_weights) == trainable, (
            f"After the {when}: expected {trainable} trainable weights, got "
            f"{len(layer.trainable_weights)}")
    if non_trainable is not None:
        assert len(layer.non_trainable_weights) == non_trainable, (
            f"After the {when}: expected {non_trainable} non-trainable weights, got "
            f"{len(layer.non_trainable_weights)}")


def _check_weights_round_trip(layer, input_data, call_kwargs, rtol, atol) -> None:
    """A layer rebuilt from its config and given the same weights computes the same output."""
    twin = type(layer).from_config(layer.get_config())
    inputs = _to_tensors(input_data)
    _call(twin, inputs, call_kwargs)
    twin.set_weights(layer.get_weights())
    kwargs = {**call_kwargs, "training": False} if layer._call_info[0] else call_kwargs
    for ours, theirs in zip(flatten(_call(layer, inputs, kwargs)),
                            flatten(_call(twin, inputs, kwargs)), strict=True):
        np.testing.assert_allclose(_numpy(theirs), _numpy(ours), rtol=rtol, atol=atol,
                                   err_msg="set_weights(get_weights()) changed the output")


def _check_training(layer, input_data, call_kwargs, steps: int = 2) -> None:
    """SGD steps on `sum(outputs) + sum(losses)` (Keras's test loss): each must be finite and
    give every trainable weight a finite gradient."""
    weights = layer.trainable_weights
    optimizer = torch.optim.SGD(weights, lr=0.01) if weights else None
    kwargs = {**call_kwargs, "training": True} if layer._call_info[0] else call_kwargs
    for _ in range(steps):
        outputs = [t for t in flatten(_call(layer, _to_tensors(input_data), kwargs))
                   if t.is_floating_point()]
        loss = sum(t.float().sum() for t in outputs) + sum(layer.losses)
        assert torch.isfinite(loss), f"Training loss is not finite: {loss}"
        if optimizer is None:
            continue
        assert loss.requires_grad, "The output does not depend on any trainable weight"
        optimizer.zero_grad()
        loss.backward()
        for w in weights:
            assert w.grad is not None and torch.isfinite(w.grad).all(), (
                f"Weight {getattr(w, 'path', '?')} got no finite gradient")
        optimizer.step()


# --- helpers --------------------------------------------------------------------------------
def _call(layer, inputs, kwargs):
    if isinstance(inputs, dict):
        return layer(**inputs, **kwargs)
    return layer(inputs, **kwargs)


def _flat_shapes(shapes) -> list:
    found = []
    map_structure_shapes(found.append, shapes)
    return found


def _assert_shapes(output, expected, when: str) -> None:
    actual = [tuple(t.shape) for t in flatten(output)]
    assert actual == _flat_shapes(expected), (
        f"After the {when}: expected output shape {expected}, got {actual}")


def _random_inputs(shapes, dtype):
    rng = np.random.default_rng(1337)
    dtype = config.standardize_dtype(dtype)

    def draw(shape):
        if "int" in dtype or dtype == "bool":
            return rng.integers(0, 10 if dtype != "bool" else 2, size=shape).astype(dtype)
        return rng.normal(size=shape).astype(dtype)

    return map_structure_shapes(draw, shapes)


def _to_tensors(data):
    device = config.device()
    return map_structure(lambda a: torch.as_tensor(np.asarray(a), device=device), data)


def _numpy(tensor) -> np.ndarray:
    return tensor.detach().cpu().numpy()
