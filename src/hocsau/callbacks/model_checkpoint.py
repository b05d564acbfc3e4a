"""`ModelCheckpoint`: saves the model (or its weights) during training, optionally only the best."""

from __future__ import annotations

import os
import warnings

from hocsau.callbacks._save_frequency import BatchCounter, check_save_freq
from hocsau.callbacks.monitor_callback import MonitorCallback
from hocsau.saving.keras_dir import is_keras_dir
from hocsau.saving.serialization import keras_class
from hocsau.utils.io_utils import print_msg


@keras_class("keras.callbacks")
class ModelCheckpoint(MonitorCallback):
    """Saves to `filepath` after every epoch (or every `save_freq` batches).

    `filepath` may hold format fields filled from the epoch (1-based), the batch and the logs:
    `"ckpt_{epoch:02d}_{val_loss:.2f}.keras"`. Full models go to `.keras` (or legacy `.h5`)
    files, `save_weights_only=True` needs a `.weights.h5` path (tf.keras 2's `.ckpt` paths are
    refused, as in Keras 3). With `save_best_only` a file is
    written only when `monitor` improves on the best value so far (or on
    `initial_value_threshold`). Saves are atomic: an interrupted save keeps the previous file.
    """

    def __init__(self, filepath, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__(monitor, mode, initial_value_threshold)
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = check_save_freq(save_freq)
        _check_extension(self.filepath, save_weights_only)
        self._epoch = 0
        if save_freq != "epoch":
            self._counter = BatchCounter(save_freq)
            self.on_train_batch_end = self._save_on_batch  # batch logs are read only then

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _save_on_batch(self, batch, logs=None):
        if self._counter.due(batch):
            self._save(self._epoch, batch, logs)

    def _save(self, epoch: int, batch, logs) -> None:
        logs = dict(logs or {})
        path = self._file_path(epoch, batch, logs)
        if not self._should_save(epoch, logs, path):
            return
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if os.path.isdir(path) and not is_keras_dir(path):
            raise OSError("Please specify a non-directory filepath for ModelCheckpoint. "
                          f"Filepath used is an existing directory: {path}")
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)

    def _should_save(self, epoch: int, logs: dict, path: str) -> bool:
        if not self.save_best_only:
            self._say(f"\nEpoch {epoch + 1}: saving model to {path}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.",
                          stacklevel=3)
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        best = "None" if self.best is None else f"{self.best:.5f}"
        if not self._is_improvement(current, self.best):
            self._say(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
            return False
        self._say(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                  f"{current:.5f}, saving model to {path}")
        self.best = current
        return True

    def _file_path(self, epoch: int, batch, logs: dict) -> str:
        fields = dict(logs, epoch=epoch + 1)
        if batch is not None:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as error:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". '
                           f"Reason: no logged value named {error}. Available: "
                           f"{sorted(fields)}") from None

    def _say(self, message: str) -> None:
        if self.verbose > 0:
            print_msg(message)


def _check_extension(filepath: str, weights_only: bool) -> None:
    if weights_only and not filepath.endswith(".weights.h5"):
        raise ValueError("When using `save_weights_only=True` in `ModelCheckpoint`, the filepath "
                         "provided must end in `.weights.h5` (Keras weights format). Received: "
                         f"filepath={filepath}")
    if not weights_only and not filepath.endswith((".keras", ".h5")):
        raise ValueError("The filepath provided must end in `.keras` (Keras model format). "
                         f"Received: filepath={filepath}")
