"""The keras.io guide "Getting started with KerasTuner" (`keras_tuner_guide.py`) run in a
subprocess on hocsau (installed as `keras`) and on Keras 3: the same trials, hyperparameter
names, logs and objectives (scores differ: the trials draw their own initial weights)."""

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

HERE = pathlib.Path(__file__).resolve().parent
SRC = HERE.parents[1] / "src"


def run_guide(library: str, work_dir: pathlib.Path) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", KERAS_BACKEND="torch",
               PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, str(HERE / "keras_tuner_guide.py"), library,
                           str(work_dir)], env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def without_scores(result: dict) -> dict:
    return {key: {k: v for k, v in part.items() if k != "score"} for key, part in result.items()}


@pytest.fixture(scope="module")
def keras_result(tmp_path_factory, real_keras):
    pytest.importorskip("keras_tuner")
    return run_guide("keras", tmp_path_factory.mktemp("tuner_keras"))


def test_guide_runs_on_hocsau_as_on_keras(tmp_path, keras_result):
    ours = run_guide("hocsau", tmp_path)
    assert without_scores(ours) == without_scores(keras_result)
    assert ours["search"]["trials"] == 2 and ours["search"]["best_prediction"] == [20, 10]
    assert ours["hypermodel"]["hps"] == ["batch_size", "normalize", "units"]
    for key in ("mae", "custom", "returned"):
        assert np.isfinite(ours[key]["score"]) and ours[key]["score"] > 0, key
