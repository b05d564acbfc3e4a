"""The virtual environments that run Keras 3 on TensorFlow and on torch for `peers.py`.

hocsau's own environment never holds TensorFlow or Keras-on-TensorFlow: `peers.py --make-venvs
DIR` builds two separate environments with pip's configured index, and `--venv-tf` /
`--venv-keras-torch` point at existing ones.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

# Each environment: its folder name under --make-venvs DIR and the packages pip installs there.
REQUIREMENTS = {
    "tf": ["tensorflow-cpu==2.21.0", "keras==3.15.*"],
    "keras-torch": ["keras==3.15.*", "torch==2.13.0"],
}
# The Keras backend of each runner; the environment is usable when its Keras imports with it.
BACKENDS = {"tf": "tensorflow", "keras-torch": "torch"}


def python_of(venv: str | pathlib.Path) -> pathlib.Path:
    """The interpreter inside a virtual environment."""
    return pathlib.Path(venv) / "bin" / "python"


def make_venvs(root: str | pathlib.Path) -> dict[str, pathlib.Path]:
    """Create (or complete) ROOT/tf and ROOT/keras-torch; returns their folders by runner."""
    made = {}
    for runner, packages in REQUIREMENTS.items():
        venv = pathlib.Path(root) / runner
        if not python_of(venv).exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        print(f"pip install {' '.join(packages)} into {venv}", flush=True)
        subprocess.run([str(python_of(venv)), "-m", "pip", "install", "-q", *packages],
                       check=True)
        made[runner] = venv
    return made


def unusable_reason(runner: str, venv: str | pathlib.Path | None) -> str | None:
    """Why `venv` cannot run `runner`'s workers (None when it can), in a few words."""
    if venv is None:
        flag = "--venv-tf" if runner == "tf" else "--venv-keras-torch"
        return f"no {flag} or --make-venvs given"
    if not python_of(venv).exists():
        return f"no Python in {venv}"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(KERAS_BACKEND=BACKENDS[runner], TF_CPP_MIN_LOG_LEVEL="2")
    probe = subprocess.run([str(python_of(venv)), "-c", "import keras"], capture_output=True,
                           text=True, env=env)
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["import failed"])[-1]
        return f"{venv}: {last}"
    return None
