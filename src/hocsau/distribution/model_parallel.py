"""`ModelParallel`: Keras's distribution whose `LayoutMap` says which weights are split.

On hocsau a weight that the layout map splits over a mesh axis has its values, gradient and
optimizer state split between the processes (as `ShardedDataParallel` does for every
weight; `shard_weights=False` splits only the optimizer's work); the others are replicated
with averaged gradients. Every process still computes
whole layers on its slice of the batch: matrix products are not split (no tensor
parallelism), so the results equal one process within rounding.
"""

from __future__ import annotations

from hocsau.distribution.layout_map import LayoutMap
from hocsau.distribution.sharded_data_parallel import ShardedDataParallel
from hocsau.distribution.tensor_layout import TensorLayout


class ModelParallel(ShardedDataParallel):
    """Weights laid out by a `LayoutMap` over the processes' `DeviceMesh`.

    Args:
        layout_map: a `LayoutMap` (with a `DeviceMesh`) from weight paths to layouts; a
            layout with a mesh axis on some dimension marks the weight as split.
        batch_dim_name: the mesh axis of the batch (default: the mesh's first axis). Each
            global batch is split between all the processes.
        auto_shard_dataset: split the input between processes (True), or let every process
            read its own input (False).
        shard_weights: (hocsau) the split weights live only as this process's chunk between
            uses, gathered around the forward and backward of their top-level layer
            (ZeRO-3, the default); False keeps them whole on every process (ZeRO-2).
    """

    def __init__(self, *, layout_map=None, batch_dim_name=None, auto_shard_dataset=True,
                 shard_weights: bool = True, **kwargs):
        kwargs.pop("device_mesh", None)  # Keras accepts and ignores it (the map's mesh wins)
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if layout_map is None:
            raise ValueError("You must specify a layout_map argument. Received: "
                             "layout_map=None")
        if not isinstance(layout_map, LayoutMap):
            raise ValueError("Argument `layout_map` must be a `LayoutMap` instance. "
                             f"Received: layout_map={layout_map}")
        mesh = layout_map.device_mesh
        if mesh is None:
            raise ValueError("The `layout_map` needs a `DeviceMesh`: create it with "
                             "`LayoutMap(device_mesh)`. Received: a LayoutMap without one")
        batch_dim_name = batch_dim_name or mesh.axis_names[0]
        if batch_dim_name not in mesh.axis_names:
            raise ValueError(f"`batch_dim_name` must be an axis of the mesh "
                             f"{mesh.axis_names}. Received: batch_dim_name={batch_dim_name!r}")
        # DataParallel's set-up (joining the group, its options at their defaults), then the
        # layout map's mesh in place of the one-axis batch mesh.
        super().__init__(auto_shard_dataset=auto_shard_dataset, shard_weights=shard_weights)
        self._device_mesh, self._batch_dim_name = mesh, batch_dim_name
        self._layout_map = layout_map

    @property
    def layout_map(self) -> LayoutMap:
        return self._layout_map

    @property
    def num_model_replicas(self) -> int:
        return self.device_mesh.axis_size(self.batch_dim_name)

    def get_variable_layout(self, variable) -> TensorLayout:
        layout = self._layout_map[variable.path]
        if layout is not None:
            return layout
        return TensorLayout([None] * len(variable.shape), self.device_mesh)

    def get_tensor_layout(self, path: str):
        return self._layout_map[path]

    def shards_variable(self, variable) -> bool:
        """Whether the layout map splits `variable` over some mesh axis."""
        return any(axis is not None for axis in self.get_variable_layout(variable).axes)
