"""The keras.io guide "Multi-GPU distributed training with PyTorch" (`distributed_torch_guide.py`)
run in 2 CPU processes with gloo, on hocsau and on Keras 3: DistributedDataParallel keeps the
replicas' trainable weights equal (they start different: each process seeds its own), the
loss is finite, and the BatchNormalization statistics (non-trainable, so not synchronized by
DDP in either library) stay per process."""

import pathlib

import numpy as np
import pytest
from guide_helpers import run_guide_script


def run_guide(library: str, out_dir: pathlib.Path) -> list[dict]:
    stdout = run_guide_script("distributed_torch_guide.py", library, str(out_dir), timeout=180)
    assert stdout.count("Epoch 2/2") == 2, stdout
    return [dict(np.load(out_dir / f"rank{rank}.npz")) for rank in range(2)]


def check(ranks: list[dict]) -> list[bool]:
    first, second = ranks
    trainable = sorted(k for k in first if k.startswith("trainable_"))
    assert len(trainable) == 11  # 3 conv kernels and 1 bias, 3 BN betas, 2 Dense (4)
    for key in trainable:
        np.testing.assert_allclose(first[key], second[key], rtol=1e-6, atol=1e-7, err_msg=key)
    assert all(np.isfinite(rank["losses"]).all() and rank["losses"].shape == (2,)
               for rank in ranks)
    fixed = sorted(k for k in first if k.startswith("fixed_"))
    assert len(fixed) == 6  # 3 moving means, 3 moving variances
    return [np.allclose(first[key], second[key]) for key in fixed]


@pytest.fixture(scope="module")
def keras_statistics_equal(tmp_path_factory, real_keras):
    return check(run_guide("keras", tmp_path_factory.mktemp("ddp_keras")))


def test_guide_runs_on_hocsau_with_replicas_in_step(tmp_path, keras_statistics_equal):
    assert check(run_guide("hocsau", tmp_path)) == keras_statistics_equal
