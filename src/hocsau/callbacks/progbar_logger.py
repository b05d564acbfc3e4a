"""`ProgbarLogger`: prints "Epoch i/n" and a progress bar with the running metrics."""

from __future__ import annotations

from hocsau.callbacks.callback import Callback
from hocsau.saving.serialization import keras_class
from hocsau.utils.io_utils import print_msg
from hocsau.utils.progbar import Progbar


@keras_class("keras.callbacks")
class ProgbarLogger(Callback):
    """Added by fit / evaluate / predict when `verbose` is not 0 (1: live bar, 2: a line per
    epoch). Metric values are read from the device only when the bar is redrawn."""

    def __init__(self):
        super().__init__()
        self._bar = None
        self._seen = 0
        self._training = False

    @property
    def _verbose(self) -> int:
        return int(self.params.get("verbose", 1))

    def _new_bar(self, steps):
        self._seen = 0
        self._bar = Progbar(target=steps, verbose=self._verbose, stateless_metrics=set())

    def on_train_begin(self, logs=None):
        self._training = True

    def on_train_end(self, logs=None):
        self._training = False

    def on_epoch_begin(self, epoch, logs=None):
        if self._verbose:
            print_msg(f"Epoch {epoch + 1}/{self.params.get('epochs')}")
        self._new_bar(self.params.get("steps"))

    def on_epoch_end(self, epoch, logs=None):
        if self._bar is not None:
            self._bar.update(self._seen, list((logs or {}).items()), finalize=True)

    def on_test_begin(self, logs=None):
        if not self._training:
            self._new_bar(self.params.get("steps"))

    def on_test_end(self, logs=None):
        if not self._training and self._bar is not None:
            self._bar.update(self._seen, list((logs or {}).items()), finalize=True)

    def on_predict_begin(self, logs=None):
        self._new_bar(self.params.get("steps"))

    def on_predict_end(self, logs=None):
        if self._bar is not None:
            self._bar.update(self._seen, finalize=True)

    def _advance(self, batch, logs) -> None:
        self._seen = batch + 1
        if self._bar is not None:
            self._bar.update(self._seen, lambda: _python_items(logs), finalize=False)

    def on_train_batch_end(self, batch, logs=None):
        self._advance(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if not self._training:
            self._advance(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._seen = batch + 1
        if self._bar is not None:
            self._bar.update(self._seen, finalize=False)


def _python_items(logs) -> list:
    from hocsau.trainers.epoch_iterator import logs_to_python

    return list(logs_to_python(logs or {}).items())
