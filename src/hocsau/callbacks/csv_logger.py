"""`CSVLogger`: one CSV row of logs per epoch."""

from __future__ import annotations

import collections
import csv
import os

import numpy as np

from hocsau.callbacks.callback import Callback
from hocsau.saving.serialization import keras_class


@keras_class("keras.callbacks")
class CSVLogger(Callback):
    """Writes `epoch` and every log key (sorted) to `filename`; `append` continues a file."""

    _chief_only = True  # data parallel: only process 0 writes

    def __init__(self, filename, separator: str = ",", append: bool = False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys = None
        self._file = None
        self._writer = None

    def on_train_begin(self, logs=None):
        has_rows = self.append and os.path.exists(self.filename) and os.path.getsize(
            self.filename) > 0
        self._append_header = not has_rows
        self._file = open(self.filename, "a" if self.append else "w", newline="")  # noqa: SIM115
        self._writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        if self.keys is None:
            self.keys = sorted(logs)
        if self._writer is None:
            self._writer = csv.DictWriter(self._file, fieldnames=["epoch"] + self.keys,
                                          delimiter=self.sep)
            if self._append_header:
                self._writer.writeheader()
        row = collections.OrderedDict(epoch=epoch)
        row.update((key, _format(logs.get(key, "NA"))) for key in self.keys)
        self._writer.writerow(row)
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = None
            self._writer = None


def _format(value):
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return f"[{', '.join(map(str, value.tolist()))}]"
    return value
