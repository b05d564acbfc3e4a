"""`set_random_seed`: one call makes Python, numpy, torch and hocsau's RNGs reproducible."""

from __future__ import annotations

import random

import numpy as np
import torch


def set_random_seed(seed: int) -> None:
    """Seed Python's `random`, numpy, torch (CPU and every GPU) and `hocsau.random`."""
    from hocsau import random as hocsau_random

    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    hocsau_random.set_global_seed(seed)
