"""The process group: who this process is among the ranks torchrun started.

`initialize()` reads torchrun's environment (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
MASTER_PORT) and joins the group: gloo on CPU, nccl on CUDA. Every query here also works
without a group (one process, rank 0).
"""

from __future__ import annotations

import atexit
import datetime
import gc
import os

import torch
import torch.distributed as dist

from hocsau import config

DEFAULT_TIMEOUT = datetime.timedelta(minutes=10)


def initialize(job_addresses: str | None = None, num_processes: int | None = None,
               process_id: int | None = None, timeout=None) -> None:
    """Join the process group once (later calls do nothing).

    Args:
        job_addresses: "host:port" of the chief (default: MASTER_ADDR / MASTER_PORT, or
            Keras's KERAS_DISTRIBUTION_JOB_ADDRESSES, first entry).
        num_processes: the world size (default: WORLD_SIZE).
        process_id: this process's rank (default: RANK).
        timeout: how long a collective waits before failing (a hang becomes an error that
            names the process and the collective); a `timedelta` or seconds. Default: the
            HOCSAU_DISTRIBUTED_TIMEOUT variable (seconds), else 10 minutes.
    """
    if dist.is_initialized():
        return
    world = _env_int(num_processes, "WORLD_SIZE", "KERAS_DISTRIBUTION_NUM_PROCESSES", 1)
    rank = _env_int(process_id, "RANK", "KERAS_DISTRIBUTION_PROCESS_ID", 0)
    if not 0 <= rank < world:
        raise ValueError(f"`process_id` must be in [0, num_processes). Received: "
                         f"process_id={rank}, num_processes={world}")
    addresses = job_addresses or os.environ.get("KERAS_DISTRIBUTION_JOB_ADDRESSES")
    if addresses:
        host, _, port = addresses.split(",")[0].strip().rpartition(":")
        os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = host, port
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", "29500")
    device = local_device()
    if device.type == "cuda":
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo", rank=rank,
                            world_size=world, timeout=_timeout(timeout))
    atexit.register(_leave)  # a clean exit: gloo may abort if the group outlives the script
    config.set_device(device)


_BEFORE_LEAVING: list = []  # run before the group is destroyed (e.g. drop DDP wrappers)


def before_leaving(function) -> None:
    """Run `function` at exit before the process group is destroyed."""
    _BEFORE_LEAVING.append(function)


def _leave() -> None:
    for function in _BEFORE_LEAVING:
        function()
    gc.collect()  # DDP reducers hold threads that must end while the group still exists
    if dist.is_initialized():
        dist.barrier()  # tear down together: gloo aborts when a peer vanishes mid-exchange
        dist.destroy_process_group()


def _timeout(value) -> datetime.timedelta:
    if value is None:
        value = os.environ.get("HOCSAU_DISTRIBUTED_TIMEOUT")
        if value is None:
            return DEFAULT_TIMEOUT
        value = float(value)
    if isinstance(value, (int, float)):
        return datetime.timedelta(seconds=value)
    if not isinstance(value, datetime.timedelta):
        raise ValueError("`timeout` must be a `datetime.timedelta` or a number of seconds. "
                         f"Received: timeout={value!r}")
    return value


def _env_int(value, name: str, keras_name: str, default: int) -> int:
    if value is not None:
        return int(value)
    return int(os.environ.get(name, os.environ.get(keras_name, default)))


def local_device() -> torch.device:
    """This process's device: `cuda:LOCAL_RANK` when CUDA is there, else the configured one."""
    if torch.cuda.is_available() and os.environ.get("HOCSAU_DEVICE") is None:
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
    return config.device()


def is_multi_process() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def process_id() -> int:
    """This process's rank (0 without a process group)."""
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def num_processes() -> int:
    """The number of processes (1 without a process group)."""
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def is_chief() -> bool:
    """Whether this process writes files and prints progress (rank 0)."""
    return process_id() == 0


def barrier() -> None:
    if is_multi_process():
        dist.barrier()


def list_devices(device_type: str | None = None) -> list[str]:
    """One device per process, as "gpu:i" / "cpu:i" (Keras's spelling), in rank order."""
    kind = device_type or ("gpu" if local_device().type == "cuda" else "cpu")
    if kind.lower() not in ("cpu", "gpu", "cuda"):
        raise ValueError(f"`device_type` must be 'cpu' or 'gpu'. Received: "
                         f"device_type={device_type}")
    kind = "gpu" if kind.lower() in ("gpu", "cuda") else "cpu"
    return [f"{kind}:{i}" for i in range(num_processes())]


def get_device_count(device_type: str | None = None) -> int:
    return len(list_devices(device_type))
