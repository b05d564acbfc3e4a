"""`DataParallel`: every process holds all the weights and trains on its slice of each batch
(PyTorch DDP underneath)."""

from __future__ import annotations

import os

from hocsau.distribution.device_mesh import DeviceMesh
from hocsau.distribution.distribution_lib import Distribution
from hocsau.distribution.process_group import initialize, list_devices
from hocsau.distribution.tensor_layout import TensorLayout


class DataParallel(Distribution):
    """Data parallelism over a one-axis mesh of processes (one per device).

    Under torchrun the process group is joined on creation. In `fit`, `evaluate` and
    `predict` an array `batch_size` is the global batch: each process takes its slice of
    every batch, as `tf.distribute` does, so training equals one process on the same batch.

    Args:
        device_mesh: a one-axis `DeviceMesh` (its axis is the batch axis).
        devices: the devices (default: one per process, from `list_devices()`).
        auto_shard_dataset: split the input between processes (True), or let every process
            read its own input (False).
        split_batches: (hocsau) every batch of a PyDataset, DataLoader, Dataset or generator
            is global and split by rows, as arrays are (tf.distribute's rule); by default
            such sources give per-process batches (process r reads batches r, r + W, ...).
        find_unused_parameters: (hocsau) let DDP allow weights that get no gradient in a
            step (a branch not taken), at the cost of a graph walk per step.
    """

    def __init__(self, device_mesh=None, devices=None, auto_shard_dataset: bool = True,
                 split_batches: bool = False, find_unused_parameters: bool = False):
        if int(os.environ.get("WORLD_SIZE", "1")) > 1:
            initialize()
        if device_mesh is None:
            devices = list_devices() if devices is None else list(devices)
            device_mesh = DeviceMesh((len(devices),), ["batch"], devices)
        elif len(device_mesh.shape) != 1:
            raise ValueError("`DataParallel` needs a one-axis `DeviceMesh`. Received: "
                             f"device_mesh={device_mesh}")
        super().__init__(device_mesh, device_mesh.axis_names[0], auto_shard_dataset)
        self.split_batches = bool(split_batches)
        self.find_unused_parameters = bool(find_unused_parameters)

    def get_data_layout(self, data_shape) -> TensorLayout:
        axes = [None] * len(data_shape)
        axes[0] = self.batch_dim_name
        return TensorLayout(axes, self.device_mesh)

    def get_variable_layout(self, variable) -> TensorLayout:
        return TensorLayout([None] * len(variable.shape), self.device_mesh)

