"""`tf.distribute` strategies for tutorials written for TensorFlow, mapped onto
`hocsau.distribution.DataParallel` (PyTorch DDP, one process per device, started by torchrun).

    strategy = hocsau.distribute.MirroredStrategy()
    with strategy.scope():
        model = make_model(); model.compile(...)
    model.fit(x, y, batch_size=64 * strategy.num_replicas_in_sync)   # global batch
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import types
import warnings

import torch

from hocsau.distribution.data_parallel import DataParallel
from hocsau.distribution.process_group import num_processes, process_id


class MirroredStrategy:
    """Synchronous data parallelism on one machine: one torchrun process per device.

    Run without torchrun, it trains on one replica and warns with the torchrun command that
    uses all the requested devices.

    Args:
        devices: the devices to use, e.g. `["/gpu:0", "/gpu:1"]` (default: every GPU).
        cross_device_ops: accepted for compatibility; DDP's all-reduce is always used.
    """

    def __init__(self, devices=None, cross_device_ops=None):
        requested = len(devices) if devices is not None else max(torch.cuda.device_count(), 1)
        if int(os.environ.get("WORLD_SIZE", "1")) == 1 and requested > 1:
            warnings.warn(_launch_hint(f"--standalone --nproc_per_node={requested}"),
                          stacklevel=2)
        self._distribution = DataParallel(split_batches=True)  # tf: batches are global

    @property
    def num_replicas_in_sync(self) -> int:
        """The number of processes training together (the global batch is split over them)."""
        return num_processes()

    @property
    def distribution(self) -> DataParallel:
        return self._distribution

    def scope(self):
        """Models built and compiled inside use this strategy (`fit` may run outside)."""
        return self._distribution.scope()


class MultiWorkerMirroredStrategy(MirroredStrategy):
    """Synchronous data parallelism over machines. `TF_CONFIG` (`cluster.worker`, `task.index`)
    becomes torchrun's variables: worker 0 is the rendezvous address, the task index the rank.
    Without `TF_CONFIG` or torchrun it trains as one worker, as TensorFlow does."""

    def __init__(self, cluster_resolver=None, communication_options=None):
        _tf_config_to_torchrun_env()
        self._distribution = DataParallel(split_batches=True)  # tf: batches are global

    @property
    def cluster_resolver(self):
        return _ClusterResolver(process_id(), num_processes())


class _ClusterResolver:
    def __init__(self, task_id: int, num_workers: int):
        self.task_type = "worker"
        self.task_id = task_id
        self.num_workers = num_workers


def _tf_config_to_torchrun_env() -> None:
    raw = os.environ.get("TF_CONFIG")
    if not raw or "WORLD_SIZE" in os.environ:
        return
    config = json.loads(raw)
    workers = config.get("cluster", {}).get("worker", [])
    if not workers:
        raise ValueError(f"`TF_CONFIG` has no `cluster.worker` list. Received: TF_CONFIG={raw}")
    host, _, port = workers[0].rpartition(":")
    os.environ.update(MASTER_ADDR=host, MASTER_PORT=port, WORLD_SIZE=str(len(workers)),
                      RANK=str(config.get("task", {}).get("index", 0)), LOCAL_RANK="0")


def _launch_hint(torchrun_args: str) -> str:
    command = " ".join(shlex.quote(a) for a in sys.argv) or "train.py"
    return (f"This process trains on one replica: hocsau runs one process per device. To use "
            f"them all, launch the script with `torchrun {torchrun_args} {command}`.")


class _UnavailableStrategy:
    def __init__(self, *args, **kwargs):
        raise ValueError(f"`{type(self).__name__}` is not available in hocsau. Use "
                         "`hocsau.distribute.MirroredStrategy` / `MultiWorkerMirroredStrategy` "
                         "or `hocsau.distribution.DataParallel()`, launched with torchrun.")


class ParameterServerStrategy(_UnavailableStrategy):
    """TensorFlow's asynchronous parameter servers: not available (use DataParallel)."""


class TPUStrategy(_UnavailableStrategy):
    """TPUs: not available (use DataParallel on GPUs)."""


# `tf.distribute.experimental.*`, the spelling of older tutorials.
experimental = types.SimpleNamespace(MultiWorkerMirroredStrategy=MultiWorkerMirroredStrategy,
                                     ParameterServerStrategy=ParameterServerStrategy,
                                     TPUStrategy=TPUStrategy)

__all__ = ["MirroredStrategy", "MultiWorkerMirroredStrategy", "ParameterServerStrategy",
           "TPUStrategy", "experimental"]
