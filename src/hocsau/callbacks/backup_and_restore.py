"""`BackupAndRestore`: an interrupted `fit` resumes where the last backup left it."""

from __future__ import annotations

import json
import os
import random
import shutil
import zipfile

import numpy as np
import torch

from hocsau import random as hocsau_random
from hocsau.callbacks._save_frequency import BatchCounter, check_save_freq
from hocsau.callbacks.callback import Callback
from hocsau.distribution.collectives import on_chief
from hocsau.saving.atomic import atomic_write
from hocsau.saving.serialization import keras_class

_STATE = "training_state.npz"
_METADATA = "training_metadata.json"


@keras_class("keras.callbacks")
class BackupAndRestore(Callback):
    """Backs up the training state in `backup_dir` and restores it when `fit` starts again.

    The state is the model's weights, the optimizer's variables, the random generators (torch,
    numpy, Python, hocsau's global seed generator) and the next epoch, so a resumed run goes on
    exactly as the uninterrupted one would have. Each backup is written atomically; with
    `double_checkpoint` the previous backup is kept as a fallback for a damaged latest one.
    The folder is deleted when training finishes, unless `delete_checkpoint=False`.
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint: bool = False,
                 delete_checkpoint: bool = True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = check_save_freq(save_freq, allow_false=True)
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._epoch = 0
        if isinstance(save_freq, int) and save_freq is not False:
            self._counter = BatchCounter(save_freq)
            self.on_train_batch_end = self._backup_on_batch

    def _path(self, name: str, previous: bool = False) -> str:
        return os.path.join(self.backup_dir, name + (".bkp" if previous else ""))

    def on_train_begin(self, logs=None):
        if not self.model.built:
            raise ValueError("To use the BackupAndRestore callback, your model must be built "
                             f"before you call `fit()`. Model {self.model.name} is unbuilt. "
                             "You can build it beforehand by calling it on a batch of data.")
        for previous in (False, True):
            if os.path.exists(self._path(_STATE, previous)):
                try:
                    self._restore(previous)
                    return
                except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
                    if previous or not self.double_checkpoint:
                        raise ValueError(f"BackupAndRestore could not read its backup in "
                                         f"{self.backup_dir}: {error}") from error

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    # Data parallel: every process decides alike; the chief writes, the others wait for it.
    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            on_chief(self._backup, next_epoch=epoch + 1)

    def _backup_on_batch(self, batch, logs=None):
        if self._counter.due(batch):
            on_chief(self._backup, next_epoch=self._epoch)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.isdir(self.backup_dir):
            on_chief(shutil.rmtree, self.backup_dir, ignore_errors=True)

    # --- writing and reading the state -------------------------------------------------------
    def _backup(self, next_epoch: int) -> None:
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for name in (_STATE, _METADATA):
                if os.path.exists(self._path(name)):
                    shutil.copyfile(self._path(name), self._path(name, previous=True))
        arrays = _model_arrays(self.model)
        arrays.update(_rng_arrays())
        _write_atomically(self._path(_STATE), lambda f: np.savez(f, **arrays))
        metadata = json.dumps({"epoch": next_epoch}).encode()
        _write_atomically(self._path(_METADATA), lambda f: f.write(metadata))

    def _restore(self, previous: bool) -> None:
        with open(self._path(_STATE, previous), "rb") as f, np.load(f, allow_pickle=False) as state:
            arrays = {key: state[key] for key in state.files}
        with open(self._path(_METADATA, previous), "rb") as f:
            epoch = int(json.loads(f.read())["epoch"])
        _restore_model(self.model, arrays)
        _restore_rng(arrays)
        self.model._initial_epoch = epoch


def _write_atomically(path: str, write) -> None:
    with atomic_write(path) as temporary, open(temporary, "wb") as f:
        write(f)


def _model_arrays(model) -> dict:
    arrays = {f"weight_{i}": w for i, w in enumerate(model.get_weights())}
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and getattr(optimizer, "built", False):
        for i, variable in enumerate(optimizer.variables):
            arrays[f"optimizer_{i}"] = variable.detach().cpu().numpy()
    return arrays


def _restore_model(model, arrays: dict) -> None:
    count = sum(key.startswith("weight_") for key in arrays)
    model.set_weights([arrays[f"weight_{i}"] for i in range(count)])
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or "optimizer_0" not in arrays:
        return
    if not optimizer.built:
        optimizer.build(model.trainable_weights)
    variables = optimizer.variables
    if sum(key.startswith("optimizer_") for key in arrays) != len(variables):
        raise ValueError("the optimizer in the backup has a different number of variables")
    with torch.no_grad():
        for i, variable in enumerate(variables):
            variable.copy_(torch.as_tensor(arrays[f"optimizer_{i}"]))
    optimizer._host_step = None


def _rng_arrays() -> dict:
    kind, keys, position, has_gauss, cached = np.random.get_state()
    version, python_state, gauss = random.getstate()
    arrays = {"rng_torch": torch.get_rng_state().numpy(), "rng_numpy_keys": keys,
              "rng_numpy_rest": np.array([position, has_gauss, cached], dtype=np.float64),
              "rng_python": np.array(python_state, dtype=np.int64),
              "rng_python_rest": np.array([version, np.nan if gauss is None else gauss]),
              "rng_hocsau": hocsau_random.global_seed_generator().state.detach().numpy()}
    if torch.cuda.is_available():
        arrays["rng_cuda"] = np.stack([s.numpy() for s in torch.cuda.get_rng_state_all()])
    return arrays


def _restore_rng(arrays: dict) -> None:
    torch.set_rng_state(torch.from_numpy(arrays["rng_torch"]))
    position, has_gauss, cached = arrays["rng_numpy_rest"].tolist()
    np.random.set_state(("MT19937", arrays["rng_numpy_keys"], int(position), int(has_gauss),
                         cached))
    version, gauss = arrays["rng_python_rest"].tolist()
    random.setstate((int(version), tuple(int(v) for v in arrays["rng_python"]),
                     None if np.isnan(gauss) else gauss))
    with torch.no_grad():
        hocsau_random.global_seed_generator().state.copy_(torch.from_numpy(arrays["rng_hocsau"]))
    if "rng_cuda" in arrays and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([torch.from_numpy(s) for s in arrays["rng_cuda"]])
