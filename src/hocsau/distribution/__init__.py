"""`keras.distribution` on PyTorch: data-parallel training over processes started by
torchrun (DDP underneath), with Keras 3's names."""

from hocsau.distribution.data_parallel import DataParallel, ModelParallel
from hocsau.distribution.device_mesh import DeviceMesh
from hocsau.distribution.distribution_lib import (
    Distribution,
    distribute_tensor,
    distribution,
    set_distribution,
)
from hocsau.distribution.layout_map import LayoutMap
from hocsau.distribution.process_group import (
    get_device_count,
    initialize,
    list_devices,
    num_processes,
    process_id,
)
from hocsau.distribution.tensor_layout import TensorLayout

__all__ = ["DataParallel", "DeviceMesh", "Distribution", "LayoutMap", "ModelParallel",
           "TensorLayout", "distribute_tensor", "distribution", "get_device_count",
           "initialize", "list_devices", "num_processes", "process_id", "set_distribution"]
