"""Step plans: the variables of one `apply` call, grouped for PyTorch's multi-tensor ops.

`torch._foreach_*` kernels update a whole list of tensors at once when the tensors share a
device and a dtype, so the optimizer splits its variables into such groups. The split only
depends on which variables received a gradient, so it is computed once per variable set and
reused every step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch


class _Selection:
    """Some of the optimizer's variables, given by their positions among all of them."""

    def __init__(self):
        self.var_index: list[int] = []
        self._taken: dict[int, tuple[list, list]] = {}

    def take(self, per_variable: list) -> list:
        """The entries of a per-variable list (a slot, ...) for these variables, cached."""
        cached = self._taken.get(id(per_variable))
        if cached is None or cached[0] is not per_variable:
            cached = (per_variable, [per_variable[i] for i in self.var_index])
            self._taken[id(per_variable)] = cached
        return cached[1]


class Group(_Selection):
    """Variables of one device and dtype, with what the update rules need about them.

    Attributes:
        device, dtype: shared by all `params`.
        index: positions of `params` in the step's list of gradients.
        var_index: positions of `params` among the variables the optimizer was built with.
        params: the variables (updated in place).
        decayed: the subset of `params` that weight decay applies to.
    """

    def __init__(self, device: torch.device, dtype: torch.dtype):
        super().__init__()
        self.device, self.dtype = device, dtype
        self.index: list[int] = []
        self.params: list[torch.Tensor] = []
        self.decayed: list[torch.Tensor] = []

    def grads(self, grads: list[torch.Tensor], whole: bool) -> list[torch.Tensor]:
        """This group's gradients (all of them when `whole`, the plan having one group)."""
        return grads if whole else [grads[i] for i in self.index]

    def cast(self, scalar: torch.Tensor) -> torch.Tensor:
        """A 0-d tensor moved to this group's device and dtype (free when already there)."""
        if scalar.dtype == self.dtype and scalar.device == self.device:
            return scalar
        return scalar.to(device=self.device, dtype=self.dtype)


class Plan(_Selection):
    """The groups of one set of variables (those of a step that have gradients).

    Attributes:
        present: positions of the non-None gradients, or None when all are there.
        variables: the variables with gradients.
        groups: those variables by device and dtype.
        constrained: those that carry a constraint, applied after the update.
    """

    def __init__(self, present: list[int] | None, variables: list):
        super().__init__()
        self.present = present
        self.variables = variables
        self.groups: list[Group] = []
        self.constrained = [v for v in variables if getattr(v, "constraint", None) is not None]


def make_plan(variables: Sequence, present: list[int] | None, indices: dict[int, int],
              use_weight_decay: Callable) -> Plan:
    """Group `variables` (those with gradients) by device and dtype.

    Args:
        variables: the variables with gradients, in the step's order.
        present: their positions in the step's lists, or None when every gradient is there.
        indices: id(variable) -> position among the optimizer's built variables.
        use_weight_decay: predicate telling which variables weight decay applies to.
    """
    plan = Plan(present, list(variables))
    groups: dict[tuple, Group] = {}
    for position, variable in enumerate(variables):
        key = (variable.device, variable.dtype)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(*key)
        group.index.append(position)
        group.var_index.append(indices[id(variable)])
        group.params.append(variable)
        if use_weight_decay(variable):
            group.decayed.append(variable)
        plan.var_index.append(indices[id(variable)])
    plan.groups = list(groups.values())
    return plan
