"""Clear errors for the ways a data-parallel run goes wrong: launched without torchrun, ranks
that built different models, weights DDP got no gradient for, and collectives that hang
(turned into an error by the process group's timeout, or by a process that left)."""

from __future__ import annotations

import contextlib
import os
import re

import torch.distributed as dist

from hocsau.distribution.process_group import num_processes, process_id

_COLLECTIVE = {"name": None}  # the collective running now (None: DDP's own, in a step)
_BACKEND = re.compile(r"gloo|nccl|c10d|ProcessGroup|Watchdog", re.IGNORECASE)
_LOST = re.compile(r"timed? ?out|timeout|closed by peer|reset by peer|broken pipe|"
                   r"connection refused", re.IGNORECASE)
_UNUSED = "Expected to have finished reduction in the prior iteration"


class DistributedError(RuntimeError):
    """A collective that could not finish: another process is gone or never joined it."""


def check_launch(chosen) -> None:
    """A `DataParallel` whose devices, WORLD_SIZE and process group disagree is an error
    (the usual cause: the script was started with `python`, not torchrun)."""
    env_world = int(os.environ.get("WORLD_SIZE", "1"))
    if env_world > 1 and not dist.is_initialized():
        raise ValueError(f"WORLD_SIZE={env_world} is set but this process has not joined the "
                         "process group. Call `keras.distribution.initialize()` (or create the "
                         "`DataParallel` after setting the torchrun variables) before `fit`.")
    running = num_processes()
    if dist.is_initialized() and "WORLD_SIZE" in os.environ and running != env_world:
        raise ValueError(f"The process group has {running} processes but WORLD_SIZE="
                         f"{env_world}. Launch every process with the same torchrun command.")
    wanted = chosen.device_mesh.devices.size
    if wanted != running:
        raise ValueError(
            f"The `DataParallel` distribution spans {wanted} devices but {running} "
            f"process(es) are running: data parallelism runs one process per device, started "
            f"by torchrun. Launch the script with `torchrun --standalone "
            f"--nproc_per_node={wanted} your_script.py` (several machines: add --nnodes and "
            f"--rdzv_endpoint). Received: devices={list(chosen.device_mesh.devices.ravel())}")


def check_same_structure(variables, gather) -> None:
    """Every process must hold the same weights, in the same order and shapes, before DDP
    pairs them up; `gather` all-gathers a picklable value. The first difference is named on
    every process (names are shown but not compared: counters may differ harmlessly)."""
    every = gather([(v.path, tuple(v.shape)) for v in variables])
    shapes = [[shape for _, shape in weights] for weights in every]
    for rank in range(1, len(every)):
        if shapes[rank] == shapes[0]:
            continue
        index = next((i for i, (a, b) in enumerate(zip(shapes[0], shapes[rank], strict=False))
                      if a != b), min(len(shapes[0]), len(shapes[rank])))
        raise ValueError(
            "The processes built different models: every process must run the same model "
            f"code with the same arguments. Weight #{index} is "
            f"{_describe(every[0], index)} on process 0 but {_describe(every[rank], index)} "
            f"on process {rank} ({len(every[0])} and {len(every[rank])} weights in all).")


def _describe(weights, index: int) -> str:
    if index >= len(weights):
        return "missing"
    path, shape = weights[index]
    return f"'{path}' with shape {shape}"


@contextlib.contextmanager
def collective(name: str):
    """Name the collective running inside the block, so a failure in it says which."""
    previous, _COLLECTIVE["name"] = _COLLECTIVE["name"], name
    try:
        yield
    except RuntimeError as error:
        _translate(error)
        raise
    finally:
        _COLLECTIVE["name"] = previous


@contextlib.contextmanager
def translated(model, what: str):
    """Turn DDP's and the process group's errors inside `fit` / `evaluate` / `predict` into
    messages that say what happened and what to change."""
    try:
        yield
    except RuntimeError as error:
        if _UNUSED in str(error):
            raise _unused_parameters_error(model, error) from None
        _translate(error, what)
        raise


def _translate(error: RuntimeError, what: str = "") -> None:
    text = str(error)
    lost = isinstance(error, dist.DistError) or (_BACKEND.search(text) and _LOST.search(text))
    if isinstance(error, DistributedError) or not lost:
        return
    name = _COLLECTIVE["name"] or "the gradient all-reduce of DDP (in the training step)"
    where = f" during {what}" if what else ""
    raise DistributedError(
        f"Process {process_id()} of {num_processes()} failed in {name}{where}: another "
        "process did not take part in time. It may have failed (see its own error), been "
        "stopped, or taken another path (a different number of steps, a collective on one "
        "process only). A slow but healthy run can raise the limit with "
        "`keras.distribution.initialize(timeout=datetime.timedelta(minutes=30))` or "
        f"HOCSAU_DISTRIBUTED_TIMEOUT=<seconds>. Received: {_first_line(error)}") from None


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:300] if text else type(error).__name__


def _unused_parameters_error(model, error: RuntimeError) -> ValueError:
    """DDP's 'Expected to have finished reduction', raised at the step after the one that
    left weights without a gradient. DDP lists their indices among the parameters that
    require a gradient (`Parameter indices which did not receive grad for rank R: i j`)."""
    found = _UNUSED_INDICES.search(str(error))
    weights = [w for _, w in model.named_parameters() if w.requires_grad]
    unused = [weights[int(i)] for i in found.group(1).split() if int(i) < len(weights)] \
        if found else []
    paths = [getattr(w, "path", "?") for w in unused]
    layers = sorted({path.rpartition("/")[0] or path for path in paths})
    return ValueError(
        "Some trainable weights got no gradient in a training step, which DataParallel "
        f"(PyTorch DDP) does not allow by default. Layers with unused weights: {layers}. "
        "Use them in the loss, freeze them (`layer.trainable = False`), or pass "
        "`keras.distribution.DataParallel(find_unused_parameters=True)`. Received: weights "
        f"without a gradient: {paths}")


_UNUSED_INDICES = re.compile(r"did not receive grad for rank \d+: ([\d ]+)")
