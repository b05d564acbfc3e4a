"""Where the array adapter keeps its arrays: on the device, unless they crowd a GPU.

Arrays normally move to the device once per `fit` / `evaluate` / `predict` call and are
batched there by slicing. Arrays that would take more than a share of a GPU's free memory
stay on the host instead, and each batch is copied as it is used (through pinned memory,
without blocking: `batch_utils._transfer`), so a dataset larger than the GPU still trains.
"""

from __future__ import annotations

import numpy as np
import torch

from hocsau.models.symbolic import flatten

# What the arrays may take of the free GPU memory; the rest is for weights and activations.
_GPU_SHARE = 0.25
# Arrays up to this size are pinned for their one copy, so that it does not wait for the
# GPU's queued work (`train_on_batch` loops, validation data each epoch); larger ones are
# not: that would double the host copy and keep as much page-locked memory cached.
_PIN_LIMIT_BYTES = 64 * 2**20


def array_homes(data, device) -> tuple[torch.device, torch.device | None, bool]:
    """(where the arrays are kept, where each batch must then go (None: already there),
    whether their copy to where they are kept goes through pinned memory)."""
    device = torch.device(device)
    if device.type != "cuda":
        return device, None, False
    nbytes = _nbytes(data)
    free, _ = torch.cuda.mem_get_info(device)
    if nbytes > free * _GPU_SHARE:
        return torch.device("cpu"), device, False
    return device, None, nbytes <= _PIN_LIMIT_BYTES


def _nbytes(data) -> int:
    return sum(int(np.asarray(a).nbytes) if not isinstance(a, torch.Tensor)
               else a.numel() * a.element_size()
               for a in flatten(data) if a is not None)
