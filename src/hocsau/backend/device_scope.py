"""`hocsau.device`: a context manager choosing where new tensors and weights are placed."""

from __future__ import annotations

import contextlib

import torch

from hocsau import config


@contextlib.contextmanager
def device(device_name: str):
    """`with hocsau.device("cpu"):` (or "gpu:0", "cuda:1", "mps") places the tensors and
    weights created inside on that device; "gpu" means CUDA, as in Keras's torch backend.

    Yields:
        the `torch.device` in use.
    """
    if not isinstance(device_name, str):
        raise ValueError("Invalid value for argument `device_name`. Expected a string like "
                         f"'gpu:0' or 'cpu'. Received: device_name='{device_name}'")
    chosen = torch.device(device_name.lower().replace("gpu", "cuda"))
    previous = config._DEVICE
    config.set_device(chosen)
    try:
        yield chosen
    finally:
        config._DEVICE = previous
