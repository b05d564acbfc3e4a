"""Shared test set-up: Keras 3 (the parity reference) runs on its torch backend, on the CPU."""

import os
import sys

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
    """Every test starts from the same random state, and leaves hocsau's global dtype settings
    as it found them (a policy left explicit would stop following a later `set_floatx`)."""
    np.random.seed(0)
    torch.manual_seed(0)
    yield
    hocsau = sys.modules.get("hocsau")
    if hocsau is not None:
        if hocsau.config.floatx() != "float32":
            hocsau.config.set_floatx("float32")
        hocsau.config.set_dtype_policy(None)


# --- CUDA tests: `@pytest.mark.cuda`, skipped where torch sees no CUDA device ---------------
def pytest_configure(config):
    config.addinivalue_line("markers", "cuda: needs a CUDA device (skipped without one)")


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if item.get_closest_marker("cuda") is not None:
            item.add_marker(skip)


@pytest.fixture
def cuda_device():
    """New weights and batches on "cuda" for the test (the suite pins "cpu" otherwise)."""
    from hocsau import config

    config.set_device("cuda")
    yield torch.device("cuda")
    config.set_device(None)
