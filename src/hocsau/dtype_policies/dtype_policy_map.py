"""`DTypePolicyMap`: dtype policies by layer path (exact paths or regular expressions)."""

from __future__ import annotations

import re
from collections.abc import MutableMapping

from hocsau.dtype_policies.dtype_policy import DTypePolicy, get
from hocsau.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)


@keras_class("keras.dtype_policies")
class DTypePolicyMap(DTypePolicy, MutableMapping):
    """A policy per layer path, with a default for paths it does not match.

    A lookup tries the exact path, then every key as a regular expression (`re.fullmatch`);
    a path matching several keys is an error.

    Args:
        default_policy: the policy for unmatched paths (None: the global policy).
        policy_map: an initial dict of path -> `DTypePolicy`.
    """

    def __init__(self, default_policy=None, policy_map=None):
        if isinstance(default_policy, DTypePolicyMap):
            raise ValueError("`default_policy` cannot be a `DTypePolicyMap`.")
        if policy_map is not None and not isinstance(policy_map, dict):
            raise TypeError("If specified, `policy_map` must be a dict. Received: "
                            f"policy_map={policy_map} of type {type(policy_map)}")
        self._default_policy_arg = default_policy
        self._default_policy = get(default_policy)
        self._policy_map = policy_map or {}

    @property
    def name(self) -> str:
        return f"map_{self.default_policy._name}"

    @property
    def default_policy(self) -> DTypePolicy:
        return get(self._default_policy)

    @property
    def variable_dtype(self) -> str:
        return self.default_policy.variable_dtype

    @property
    def compute_dtype(self) -> str:
        return self.default_policy.compute_dtype

    @property
    def mixed(self) -> bool:
        return self.default_policy.mixed

    @property
    def torch_compute_dtype(self):
        return self.default_policy.torch_compute_dtype

    @property
    def quantization_mode(self):
        return self.default_policy.quantization_mode

    def __getitem__(self, key: str) -> DTypePolicy:
        if key in self._policy_map:
            return self._policy_map[key]
        matches = [pattern for pattern in self._policy_map if re.fullmatch(pattern, key)]
        if len(matches) > 1:
            raise ValueError(
                f"Path '{key}' matches multiple dtype policy specification keys: {matches}. "
                "Please make sure each path only matches at most one dtype policy "
                "specification key in the DTypePolicyMap.")
        return self._policy_map[matches[0]] if matches else self.default_policy

    def __setitem__(self, key: str, policy) -> None:
        if key in self._policy_map:
            raise ValueError(f"{key} already exist in the DTypePolicyMap with value "
                             f"{self._policy_map[key]}. Please make sure to not use duplicated "
                             "keys.")
        try:
            policy = get(policy)
        except Exception:
            raise ValueError("Cannot interpret the assigned value by "
                             f"`keras.dtype_policies.get`. Received: {policy} of type "
                             f"{type(policy)}") from None
        self._policy_map[key] = policy

    def __delitem__(self, key: str):
        return self._policy_map.pop(key)

    def __contains__(self, key) -> bool:
        return key in self._policy_map

    def __len__(self) -> int:
        return len(self._policy_map)

    def __iter__(self):
        return iter(self._policy_map)

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def get_config(self) -> dict:
        policies = self._policy_map
        if self._default_policy_arg is None:
            for policy in policies.values():
                policy._name = None  # Keras's marker: the entry follows the global policy
        return {"default_policy": self._default_policy_arg,
                "policy_map": serialize_keras_object(policies)}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> DTypePolicyMap:
        config = dict(config)
        config["policy_map"] = deserialize_keras_object(config["policy_map"],
                                                        custom_objects=custom_objects)
        return cls(**config)

    def __repr__(self) -> str:
        default = None if self._default_policy is None else self._default_policy.name
        mapping = [(k, v.name) for k, v in self._policy_map.items()]
        return (f"<DTypePolicyMap at {hex(id(self))} default_policy={default}, "
                f"mapping={mapping}>")
