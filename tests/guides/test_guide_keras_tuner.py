"""The keras.io guide "Getting started with KerasTuner" (`keras_tuner_guide.py`) run in a
subprocess on hocsau (installed as `keras`) and on Keras 3: the same trials, hyperparameter
names, logs and objectives (scores differ: the trials draw their own initial weights)."""

import json
import pathlib

import numpy as np
import pytest
from guide_helpers import run_guide_script


def run_guide(library: str, work_dir: pathlib.Path) -> dict:
    stdout = run_guide_script("keras_tuner_guide.py", library, str(work_dir), timeout=300)
    return json.loads(stdout.strip().splitlines()[-1])


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
