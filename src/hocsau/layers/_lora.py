"""LoRA (low-rank adaptation) of a layer's main weight, as Keras 3 does it.

A layer opts in by mixing in `LoraMixin` and declaring its adapted weight with `LoraWeight`:

    class Dense(LoraMixin, Layer):
        kernel = LoraWeight()    # __init__: self._init_lora(lora_rank, lora_alpha)
                                 # end of build: self._build_lora()
                                 # get_config: config.update(self._lora_config())

`enable_lora(rank)` freezes the stored weight and adds two trainable float32 factors,
`lora_<name>_a` of shape `weight.shape[:-1] + (rank,)` and `lora_<name>_b` of shape
`(rank, weight.shape[-1])`. From then on `layer.<name>` reads the merged weight
`weight + (a @ b) * (lora_alpha / lora_rank)`; `layer._<name>` is the stored one.

Files hold the merged weight in the stored weight's slot and no factors, so a LoRA layer saves
like a plain one and its files cross with Keras; loading one sets the stored weight and zeroes
both factors (the loaded model computes what was saved), as Keras does.
"""

from __future__ import annotations

import types

import numpy as np
import torch

from hocsau import initializers


class LoraWeight:
    """Class attribute for the weight LoRA adapts, e.g. `kernel = LoraWeight()` in Dense.

    It returns the registered parameter while LoRA is off (cheaper than nn.Module's lookup, so
    `call` pays nothing for LoRA), and the merged weight, in the compute dtype, while it is on.
    It also gives the class Keras's name for the stored weight, `_<name>`.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        owner._lora_target = name
        setattr(owner, f"_{name}", property(_stored_getter(name),
                                            doc=f"The stored `{name}`, without LoRA's update."))

    def __get__(self, layer, owner=None):
        if layer is None:
            return self
        if layer.lora_enabled and self.name in layer._parameters:
            return merged_weight(layer, layer.dtype_policy.torch_compute_dtype)
        parameter = layer._parameters.get(self.name)
        if parameter is None:
            raise AttributeError(f"Layer '{layer.name}' has no `{self.name}` until it is built.")
        return parameter


def _stored_getter(name: str):
    def stored(layer):
        parameter = layer._parameters.get(name)
        if parameter is None:
            raise AttributeError(f"Layer '{layer.name}' has no `{name}` until it is built.")
        return parameter

    return stored


def merged_weight(layer, dtype: torch.dtype) -> torch.Tensor:
    """`stored + (a @ b) * (lora_alpha / lora_rank)` in `dtype` (Keras's operation order)."""
    params = layer._parameters
    a_name, b_name = factor_names(layer._lora_target)
    update = torch.matmul(params[a_name], params[b_name]) * (layer.lora_alpha / layer.lora_rank)
    return (params[layer._lora_target] + update).to(dtype)


def factor_names(target: str) -> tuple[str, str]:
    return f"lora_{target}_a", f"lora_{target}_b"


class _WhileLoraEnabled:
    """A method used only while LoRA is enabled; otherwise the generic `Layer` method, so
    `weights_store` keeps its generic path, whose messages name the variable's path."""

    def __init__(self, method) -> None:
        self.method = method
        self.__doc__ = method.__doc__

    def __get__(self, layer, owner=None):
        if layer is None:
            return self
        if not layer.lora_enabled:  # the generic Layer method
            from hocsau.layers.layer import Layer

            return types.MethodType(getattr(Layer, self.method.__name__), layer)
        return types.MethodType(self.method, layer)


class LoraMixin:
    """`enable_lora`, the `lora_rank` / `lora_alpha` arguments and config keys, and saving."""

    lora_enabled = False
    lora_rank = None
    lora_alpha = None

    def _init_lora(self, lora_rank, lora_alpha) -> None:
        """Check and store the constructor's `lora_rank` / `lora_alpha` (0 or None: no LoRA)."""
        if lora_rank not in (None, 0):
            _check_positive_int("lora_rank", lora_rank)
            self._check_no_constraint()
        if lora_alpha is not None and (isinstance(lora_alpha, bool)
                                       or not isinstance(lora_alpha, (int, float))):
            raise ValueError(f"Argument `lora_alpha` must be a number or None. "
                             f"Received: lora_alpha={lora_alpha!r}")
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else lora_rank

    def _build_lora(self) -> None:
        """End of `build`: enable LoRA when the constructor asked for it."""
        if self.lora_rank:
            self.enable_lora(self.lora_rank, lora_alpha=self.lora_alpha)

    def enable_lora(self, rank: int, lora_alpha=None, a_initializer="he_uniform",
                    b_initializer="zeros") -> None:
        """Freeze the layer's weight and train a rank-`rank` update of it instead.

        Args:
            rank: inner size of the two factors.
            lora_alpha: the update is scaled by `lora_alpha / rank` (default `rank`: 1).
            a_initializer / b_initializer: for `lora_<weight>_a` and `lora_<weight>_b`; b's
                zeros make the layer compute exactly what it did before.
        """
        self._check_no_constraint()
        if not self.built:
            raise ValueError("Cannot enable lora on a layer that isn't yet built. Build layer "
                             f"'{self.name}' first. Received: rank={rank!r}")
        if self.lora_enabled:
            raise ValueError("lora is already enabled. This can only be done once per layer. "
                             f"Received: rank={rank!r} for layer '{self.name}'")
        _check_positive_int("rank", rank)
        if self.dtype_policy.quantization_mode in ("gptq", "awq", "float8"):
            raise ValueError(f"Layer '{self.name}': LoRA is not supported on "
                             f"{self.dtype_policy.quantization_mode} layers (as in Keras). "
                             f"Received: rank={rank!r}")
        target = self._lora_target
        stored = self._parameters[target]
        regularizer = getattr(self, f"{target}_regularizer")
        a_name, b_name = factor_names(target)
        # The float weight's shape: an int4 weight is stored packed.
        full = self._lora_weight_shape() if hasattr(self, "_lora_weight_shape") \
            else tuple(stored.shape)
        # Float32 factors whatever the policy, as Keras: small updates survive training.
        for name, shape, initializer in ((a_name, full[:-1] + (rank,), a_initializer),
                                         (b_name, (rank, full[-1]), b_initializer)):
            factor = self.add_weight(name=name, shape=shape, dtype="float32",
                                     initializer=initializers.get(initializer),
                                     regularizer=regularizer)
            factor.data = factor.data.to(stored.device)
        stored.trainable = False
        self.lora_enabled = True
        self.lora_rank = rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else rank

    def _check_no_constraint(self) -> None:
        target = self._lora_target
        constraint = getattr(self, f"{target}_constraint")
        if constraint:
            noun = target.removesuffix("s")  # "kernel", "embedding": Keras's wording
            raise ValueError(f"Lora is incompatible with {noun} constraints. In order to enable "
                             f"lora on this layer, remove the `{target}_constraint` argument. "
                             f"Received: {target}_constraint={constraint!r}")

    def _lora_config(self) -> dict:
        """Keras writes the LoRA keys only for LoRA layers."""
        if not self.lora_rank:
            return {}
        return {"lora_rank": self.lora_rank, "lora_alpha": self.lora_alpha}

    def _saved_variables(self) -> list:
        """The layer's own weights as files list them: the LoRA factors left out."""
        from hocsau.saving.weights_store import own_variables

        factors = {id(self._parameters[name]) for name in factor_names(self._lora_target)}
        return [w for w in own_variables(self) if id(w) not in factors]

    @_WhileLoraEnabled
    def save_own_variables(self, store) -> None:
        """Keras's layout: the merged weight in the stored weight's slot (a quantized layer's
        merged and quantized again, with its new scales), no factors."""
        stored = self._parameters[self._lora_target]
        replaced = self._lora_file_values() if hasattr(self, "_lora_file_values") else {}
        if not replaced:
            replaced = {id(stored): merged_weight(self, stored.dtype)}
        for index, variable in enumerate(self._saved_variables()):
            value = torch.as_tensor(replaced.get(id(variable), variable))
            store[str(index)] = value.detach().cpu().numpy()

    @_WhileLoraEnabled
    def load_own_variables(self, store) -> None:
        """Read a plain layer's values (Keras's or ours) and zero the factors, as Keras does."""
        variables = self._saved_variables()
        if len(store) != len(variables):
            raise ValueError(
                f"Layer '{self.name}' (LoRA enabled) expected {len(variables)} variables "
                f"{[v.name for v in variables]}, the LoRA factors excluded. "
                f"Received: {len(store)} variables")
        values = [np.asarray(store[str(index)]) for index in range(len(variables))]
        for variable, value in zip(variables, values, strict=True):
            if tuple(value.shape) != tuple(variable.shape):
                raise ValueError(
                    f"Layer '{self.name}' weight '{variable.name}' has shape "
                    f"{tuple(variable.shape)}. Received: a saved value of shape "
                    f"{tuple(value.shape)}")
        with torch.no_grad():
            for variable, value in zip(variables, values, strict=True):
                variable.copy_(torch.as_tensor(value).to(variable.dtype))
            for name in factor_names(self._lora_target):
                self._parameters[name].zero_()


def _check_positive_int(argument: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"Argument `{argument}` must be a positive integer. "
                         f"Received: {argument}={value!r}")
