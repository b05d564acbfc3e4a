"""`keras.distribution` on PyTorch: data-parallel training over processes started by
torchrun (DDP underneath), with Keras 3's names; `ShardedDataParallel` (a hocsau extension)
and `ModelParallel` split the weights, gradients and optimizer state between the processes
(`whole_weights(model)` gathers the weights for user code)."""

from hocsau.distribution.data_parallel import DataParallel
from hocsau.distribution.device_mesh import DeviceMesh
from hocsau.distribution.distribution_lib import (
    Distribution,
    distribute_tensor,
    distribution,
    set_distribution,
)
from hocsau.distribution.layout_map import LayoutMap
from hocsau.distribution.model_parallel import ModelParallel
from hocsau.distribution.parameter_sharding import whole_weights
from hocsau.distribution.process_group import (
    get_device_count,
    initialize,
    list_devices,
    num_processes,
    process_id,
)
from hocsau.distribution.sharded_data_parallel import ShardedDataParallel
from hocsau.distribution.tensor_layout import TensorLayout

__all__ = ["DataParallel", "DeviceMesh", "Distribution", "LayoutMap", "ModelParallel",
           "ShardedDataParallel", "TensorLayout", "distribute_tensor", "distribution",
           "get_device_count", "initialize", "list_devices", "num_processes", "process_id",
           "set_distribution", "whole_weights"]
