"""Helpers the guide programs' tests share: comparing nested results of two runs."""

import numpy as np


def as_numpy(value):
    """A tensor (torch or Keras), array or number as a numpy array."""
    if hasattr(value, "detach"):
        value = value.detach().cpu()
    return np.asarray(value)


def assert_nested_close(ours, theirs, rtol=1e-5, atol=1e-6, path="result"):
    """Equal structure (dict keys, list lengths) and numerically close leaves."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and set(ours) == set(theirs), (path, ours, theirs)
        for key in theirs:
            assert_nested_close(ours[key], theirs[key], rtol, atol, f"{path}[{key!r}]")
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs), (path, ours, theirs)
        for i, (mine, reference) in enumerate(zip(ours, theirs, strict=True)):
            assert_nested_close(mine, reference, rtol, atol, f"{path}[{i}]")
    elif isinstance(theirs, str) or theirs is None:
        assert ours == theirs, (path, ours, theirs)
    else:
        mine, reference = as_numpy(ours), as_numpy(theirs)
        assert mine.shape == reference.shape, (path, mine.shape, reference.shape)
        np.testing.assert_allclose(mine, reference, rtol=rtol, atol=atol, err_msg=path)


def layer_weights(model) -> dict:
    """{layer name: its weights as numpy arrays} for the model's layers that have weights."""
    return {layer.name: layer.get_weights() for layer in model.layers if layer.weights}


def set_layer_weights(model, weights: dict) -> None:
    """Load `layer_weights` of a model of the same architecture: by layer name when the
    names agree (so the two libraries' orders of `model.layers` need not), else layer by
    layer in order (automatic names depend on what each library built before)."""
    targets = [layer for layer in model.layers if layer.weights]
    if {layer.name for layer in targets} == set(weights):
        for layer in targets:
            layer.set_weights(weights[layer.name])
        return
    for layer, values in zip(targets, weights.values(), strict=True):
        layer.set_weights(values)


def check_top5_classifier_run(result: dict, epochs: int) -> None:
    """A classifier fit with "accuracy" and "top-5-accuracy" metrics and validation: the
    logged keys, one finite loss an epoch, and an evaluated accuracy <= top-5 accuracy."""
    history = result["history"]
    assert set(history) == {"loss", "accuracy", "top-5-accuracy", "val_loss", "val_accuracy",
                            "val_top-5-accuracy"}
    assert len(history["loss"]) == epochs and np.isfinite(history["loss"]).all()
    accuracy, top_5 = result["evaluation"]
    assert 0.0 <= accuracy <= top_5 <= 1.0


def run_guide_script(script: str, *args: str, timeout: float) -> str:
    """Run a guide script of this folder in a fresh interpreter (one thread, torch backend,
    this tree's hocsau first on the path) and return its stdout; a failure shows its output."""
    import os
    import pathlib
    import subprocess
    import sys

    here = pathlib.Path(__file__).resolve().parent
    src = str(here.parents[1] / "src")
    env = dict(os.environ, OMP_NUM_THREADS="1", KERAS_BACKEND="torch",
               PYTHONPATH=os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, str(here / script), *args], env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout
