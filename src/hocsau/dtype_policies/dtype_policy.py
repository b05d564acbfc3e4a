"""Dtype policies: the dtype a layer computes in and the dtype its weights are stored in.

"mixed_float16" / "mixed_bfloat16" compute in half precision and keep float32 weights, as in
Keras's mixed precision; any plain dtype name ("float32") uses it for both. Quantized layers
carry "<mode>_from_<source>" policies (`QuantizedDTypePolicy` and its float8 / int4 forms,
defined in `hocsau.quantizers` and re-exported by `hocsau.dtype_policies`).
"""

from __future__ import annotations

from hocsau import config
from hocsau.saving.serialization import keras_class

_GLOBAL_POLICY: DTypePolicy | None = None


@keras_class("keras")
class DTypePolicy:
    """A named pair (compute_dtype, variable_dtype), e.g. DTypePolicy("mixed_float16").

    Args:
        name: "mixed_float16", "mixed_bfloat16" or a float dtype name; None takes the
            global policy's name.
    """

    def __init__(self, name: str | None = None):
        name = global_policy().name if name is None else name
        if not isinstance(name, str):
            raise TypeError("'name' must be a string, such as 'mixed_float16'. Received: "
                            f"name={name} (of type {type(name)})")
        if name.startswith("mixed_"):
            compute = name[len("mixed_"):]
            if compute not in ("float16", "bfloat16"):
                raise ValueError(f"Invalid dtype policy name. Received: {name!r}")
            self._compute, self._variable = compute, "float32"
        else:
            self._compute = self._variable = config.standardize_dtype(name)
        self.torch_compute_dtype = config.torch_dtype(self._compute)  # validates the name
        self.mixed = self._compute != self._variable
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def compute_dtype(self) -> str:
        return self._compute

    @property
    def variable_dtype(self) -> str:
        return self._variable

    @property
    def quantization_mode(self) -> str | None:
        """None: the policy is not quantized."""
        return None

    def get_config(self) -> dict:
        return {"name": self._name}

    @classmethod
    def from_config(cls, config: dict) -> DTypePolicy:
        return cls(**config)

    def __eq__(self, other) -> bool:
        plain = (DTypePolicy, FloatDTypePolicy)
        if type(self) in plain:
            if type(other) not in plain:
                return False
        elif type(other) is not type(self):
            return False
        return other._name == self._name

    def __hash__(self) -> int:
        return hash(self._name)

    def __repr__(self) -> str:
        name = "DTypePolicy" if type(self) is FloatDTypePolicy else type(self).__name__
        return f'<{name} "{self._name}">'


@keras_class("keras")
class FloatDTypePolicy(DTypePolicy):
    """Keras's other name for a plain (float or mixed) `DTypePolicy`."""


def get(identifier) -> DTypePolicy:
    """A policy from None (the global one), a name ("int8_from_float32" too), a torch/numpy
    dtype, a config or a policy."""
    if identifier is None:
        return global_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        from hocsau.dtype_policies import deserialize

        return deserialize(identifier)
    if isinstance(identifier, str):
        return _quantized_policy(identifier) if "_from_" in identifier else DTypePolicy(
            identifier)
    try:
        return DTypePolicy(config.standardize_dtype(identifier))
    except (TypeError, ValueError):
        raise ValueError("Cannot interpret `dtype` argument. Expected a string or an instance "
                         f"of DTypePolicy. Received: dtype={identifier}") from None


def _quantized_policy(name: str) -> DTypePolicy:
    """Keras's "<mode>_from_<source>" names: int8, int4 (or "int4/<block>"), float8,
    "gptq/<bits>/<group>", "awq/4/<group>"."""
    from hocsau.quantizers.awq_dtype_policy import AWQDTypePolicy
    from hocsau.quantizers.gptq_dtype_policy import GPTQDTypePolicy
    from hocsau.quantizers.int4_dtype_policy import Int4DTypePolicy
    from hocsau.quantizers.quantization_config import QUANTIZATION_MODES
    from hocsau.quantizers.quantized_dtype_policy import QuantizedDTypePolicy
    from hocsau.quantizers.quantized_float8_dtype_policy import QuantizedFloat8DTypePolicy

    mode, _, source = name.partition("_from_")
    if not mode.startswith(QUANTIZATION_MODES) or not source:
        raise ValueError("Cannot convert `policy` into a valid pair (`mode`, `source_name`) "
                         f"to instantiate `QuantizedDTypePolicy`. Received: policy={name}")
    if mode.startswith("int4/"):
        return Int4DTypePolicy(mode, source)
    if mode == "float8":
        return QuantizedFloat8DTypePolicy(mode, source)
    if mode.startswith(("gptq", "awq")):
        return (GPTQDTypePolicy if mode.startswith("gptq") else AWQDTypePolicy)(mode, source)
    return QuantizedDTypePolicy(mode, source)


def set_global_policy(policy) -> None:
    """Set the policy that new layers take when given no `dtype` (None resets to floatx)."""
    global _GLOBAL_POLICY
    _GLOBAL_POLICY = None if policy is None else get(policy)


def global_policy() -> DTypePolicy:
    return _GLOBAL_POLICY if _GLOBAL_POLICY is not None else DTypePolicy(config.floatx())
