"""`Distribution` and the global distribution (`distribution()`, `set_distribution()`)."""

from __future__ import annotations

import abc
import contextlib

import torch

from hocsau.distribution.process_group import num_processes, process_id
from hocsau.distribution.tensor_layout import TensorLayout

_GLOBAL = {"distribution": None}


def distribution():
    """The distribution set globally or by the innermost `Distribution.scope()`, or None."""
    return _GLOBAL["distribution"]


def set_distribution(value) -> None:
    """Set the global distribution (None: one process, nothing distributed)."""
    if value is not None and not isinstance(value, Distribution):
        raise ValueError("`value` must be a `keras.distribution.Distribution` or None. "
                         f"Received: value={value!r}")
    _GLOBAL["distribution"] = value


class Distribution(abc.ABC):
    """How data and variables are laid out over a `DeviceMesh` (base of `DataParallel`)."""

    def __init__(self, device_mesh, batch_dim_name: str | None = None,
                 auto_shard_dataset: bool = True):
        self._device_mesh = device_mesh
        self._batch_dim_name = batch_dim_name
        self._auto_shard_dataset = auto_shard_dataset

    @property
    def device_mesh(self):
        return self._device_mesh

    @property
    def batch_dim_name(self) -> str | None:
        return self._batch_dim_name

    @property
    def auto_shard_dataset(self) -> bool:
        return self._auto_shard_dataset

    @auto_shard_dataset.setter
    def auto_shard_dataset(self, value: bool) -> None:
        self._auto_shard_dataset = value

    @property
    def num_processes(self) -> int:
        return num_processes()

    @property
    def num_model_replicas(self) -> int:
        return num_processes()

    @property
    def data_shard_id(self) -> int:
        return process_id()

    @abc.abstractmethod
    def get_data_layout(self, data_shape) -> TensorLayout:
        """The layout of an input batch of `data_shape`."""

    @abc.abstractmethod
    def get_variable_layout(self, variable) -> TensorLayout:
        """The layout of `variable`."""

    def get_tensor_layout(self, path: str):
        return None

    @contextlib.contextmanager
    def scope(self):
        """Make this the global distribution inside the `with` block."""
        previous = distribution()
        set_distribution(self)
        try:
            yield self
        finally:
            set_distribution(previous)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} device_mesh={self.device_mesh}>"


def distribute_tensor(tensor, layout):
    """This process's part of `tensor` under `layout`: the whole tensor where no dimension is
    split, else its slice along the dimension split over the processes' mesh axis."""
    if isinstance(layout, Distribution):
        raise ValueError("`layout` must be a `TensorLayout`. Received a distribution: "
                         f"{layout!r}")
    tensor = torch.as_tensor(tensor)
    split = [(dim, axis) for dim, axis in enumerate(layout.axes) if axis is not None]
    if not split or num_processes() == 1:
        return tensor
    if len(split) > 1 or layout.device_mesh is None:
        raise ValueError("Only one tensor dimension can be split, over a mesh axis that spans "
                         f"the processes. Received: layout={layout}")
    dim, axis = split[0]
    parts = layout.device_mesh.axis_size(axis)
    if parts != num_processes():
        raise ValueError(f"The mesh axis '{axis}' has {parts} devices but there are "
                         f"{num_processes()} processes. Received: layout={layout}")
    return torch.tensor_split(tensor, parts, dim=dim)[process_id()]
