"""Shared test set-up: Keras 3 (the parity reference) runs on its torch backend, on the CPU."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("HOCSAU_DEVICE", "cpu")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

# Parity is checked at float32 precision: no TF32 in cuDNN convolutions/RNNs or matmuls on GPUs.
torch.backends.cudnn.allow_tf32 = False
torch.backends.cuda.matmul.allow_tf32 = False


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same random state."""
    np.random.seed(0)
    torch.manual_seed(0)
    yield
