"""`hocsau.install_as_keras()`: Keras-ecosystem packages (tqdm.keras, KerasTuner) on hocsau.

The ecosystem tests run in a subprocess whose first statement puts a `sys.meta_path` blocker in
front of every finder: `keras` and `tensorflow` (tqdm's fallback) then raise ModuleNotFoundError
exactly as when they are not installed, although the test venv has real Keras. The script first
asserts that `import keras` fails, then calls `install_as_keras()` WITHOUT force (it must find no
real Keras) and imports the unmodified packages from site-packages. The refusal and the
`force=True` path run in a subprocess without the blocker, so the real Keras is importable there
and this pytest process (which imports real Keras for parity tests) is left untouched.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import hocsau

_SRC = str(Path(hocsau.__file__).resolve().parents[1])

_BLOCK_REAL_KERAS = """
import importlib.abc, sys
class _NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("keras", "tensorflow"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, _NotInstalled())
try:
    import keras
    raise SystemExit("real keras is importable")
except ModuleNotFoundError:
    pass
"""


def _run(script: str, tmp_path, block_real_keras: bool = True) -> subprocess.CompletedProcess:
    source = (_BLOCK_REAL_KERAS if block_real_keras else "") + textwrap.dedent(script)
    env = dict(os.environ, PYTHONPATH=_SRC, OMP_NUM_THREADS="1", KERAS_BACKEND="torch")
    result = subprocess.run([sys.executable, "-c", source], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_install_refuses_to_shadow_an_importable_real_keras():
    with pytest.raises(ImportError, match=r"real Keras installed at .*force=True"):
        hocsau.install_as_keras()
    assert "keras" not in sys.modules or not type(sys.modules["keras"]).__name__.startswith("_")


def test_force_shadows_real_keras_with_a_warning_and_uninstall_restores_it(tmp_path):
    result = _run("""
        import importlib, warnings, hocsau
        import keras as real
        warnings.simplefilter("error")
        try:
            hocsau.install_as_keras(force=True)
        except UserWarning as w:
            print("warned:", w)
        warnings.simplefilter("default")
        hocsau.install_as_keras(force=True)
        hocsau.install_as_keras(force=True)  # idempotent: no second warning needed
        import keras, keras.layers
        print(keras.layers.Dense is hocsau.layers.Dense, keras is not real)
        hocsau.uninstall_as_keras()
        import keras as again
        print(again.__file__.endswith("keras/__init__.py"), hasattr(again, "install_as_keras"))
    """, tmp_path, block_real_keras=False)
    warned = "warned: `import keras` now resolves to hocsau, shadowing the real Keras"
    assert warned in result.stdout
    assert "True True\nTrue False" in result.stdout


def test_alias_resolves_submodules_to_hocsau_modules(tmp_path):
    result = _run("""
        import hocsau
        hocsau.install_as_keras()
        hocsau.install_as_keras()
        import keras, keras.callbacks, keras.layers.core
        from keras import layers
        from keras.src import ops
        print(keras.__version__, keras.version(), keras.Model is hocsau.Model)
        print(layers is hocsau.layers, keras.callbacks is hocsau.callbacks, ops is hocsau.ops)
        print(hocsau.layers.__spec__.name, hocsau.layers.core.__name__)
        print(isinstance(hocsau.layers.Dense(2), keras.layers.Layer))
        try:
            import keras.no_such_module
        except ModuleNotFoundError as e:
            print("missing:", e.name)
        hocsau.uninstall_as_keras()
        print("keras" in sys.modules, "keras.layers" in sys.modules)
        try:
            import keras
        except ModuleNotFoundError:
            print("gone")
    """, tmp_path)
    from hocsau.saving.keras_file import KERAS_FORMAT_VERSION

    assert result.stdout.splitlines() == [
        f"{KERAS_FORMAT_VERSION} {KERAS_FORMAT_VERSION} True", "True True True",
        "hocsau.layers hocsau.layers.core", "True", "missing: keras.no_such_module",
        "False False", "gone"]


def test_real_tqdm_keras_callback_shows_epochs_of_a_hocsau_fit(tmp_path):
    result = _run("""
        import numpy as np, hocsau
        hocsau.install_as_keras()
        from tqdm.keras import TqdmCallback
        x = np.random.RandomState(0).rand(32, 3).astype("float32")
        y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")
        model = hocsau.Sequential([hocsau.Input((3,)), hocsau.layers.Dense(1)])
        model.compile(optimizer=hocsau.optimizers.SGD(0.1), loss="mse")
        history = model.fit(x, y, epochs=4, batch_size=8, verbose=0,
                            callbacks=[TqdmCallback(verbose=2)])
        print("losses", *history.history["loss"])
    """, tmp_path)
    losses = [float(v) for v in result.stdout.split("losses")[1].split()]
    assert len(losses) == 4 and losses[-1] < losses[0]
    assert "4/4" in result.stderr and "epoch" in result.stderr
    assert f"loss={losses[-1]:.3g}" in result.stderr  # the epoch bar's postfix
    # one kept batch bar per epoch, 4 steps each (tqdm.keras sets a float unit_scale)
    assert result.stderr.count("4.00/4.00 [") == 4


def test_keras_tuner_random_search_over_a_hocsau_model(tmp_path):
    pytest.importorskip("keras_tuner")
    result = _run("""
        import numpy as np, hocsau
        hocsau.install_as_keras()
        import keras_tuner

        def build(hp):
            model = hocsau.Sequential([
                hocsau.Input((3,)),
                hocsau.layers.Dense(hp.Int("units", 2, 8, step=2), activation="relu"),
                hocsau.layers.Dense(1)])
            model.compile(optimizer=hocsau.optimizers.SGD(hp.Choice("lr", [0.01, 0.1])),
                          loss="mse")
            return model

        tuner = keras_tuner.RandomSearch(build, objective="val_loss", max_trials=2, seed=1,
                                         directory="tuning", project_name="p")
        x = np.random.RandomState(0).rand(16, 3).astype("float32")
        y = x.sum(axis=1, keepdims=True)
        tuner.search(x, y, epochs=1, validation_data=(x, y), verbose=0)
        best = tuner.get_best_models(1)[0]
        print(len(tuner.oracle.trials), type(best).__module__, best.predict(x, verbose=0).shape)
        print(sorted(tuner.get_best_hyperparameters()[0].values))
    """, tmp_path)
    assert result.stdout.splitlines() == ["2 hocsau.models.sequential (16, 1)", "['lr', 'units']"]
