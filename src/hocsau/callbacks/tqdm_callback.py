"""`TqdmCallback`: tqdm progress bars for fit, with `tqdm.keras.TqdmCallback`'s arguments."""

from __future__ import annotations

import functools

from hocsau.callbacks.callback import Callback

_VERBOSITIES = (0, 1, 2)


def _default_tqdm_class():
    try:
        from tqdm.auto import tqdm
    except ImportError as error:
        raise ImportError("TqdmCallback requires the tqdm package. Install it with "
                          "`pip install tqdm`.") from error
    return tqdm


class TqdmCallback(Callback):
    """An epoch bar (postfix: the epoch's logs) and, for `verbose` 1 (one transient bar) or
    2 (a bar kept per epoch), a batch bar (postfix: the running batch logs).

    Args:
        epochs: total of the epoch bar; fit's `epochs` replaces it when training starts.
        data_size: number of training samples; with `batch_size`, the batch bar's total
            when fit does not know the number of steps.
        batch_size: samples per batch (see `data_size`).
        verbose: 0 (epoch bar only), 1 or 2.
        tqdm_class: the bar class (default `tqdm.auto.tqdm`).
        **tqdm_kwargs: passed to every bar.
    """

    def __init__(self, epochs: int | None = None, data_size: int | None = None,
                 batch_size: int | None = None, verbose: int = 1, tqdm_class=None,
                 **tqdm_kwargs):
        super().__init__()
        if verbose not in _VERBOSITIES:
            raise ValueError(f"TqdmCallback: `verbose` must be one of {_VERBOSITIES}. "
                             f"Received: verbose={verbose!r}")
        tqdm_class = tqdm_class or _default_tqdm_class()
        if tqdm_kwargs:
            tqdm_class = functools.partial(tqdm_class, **tqdm_kwargs)
        self.tqdm_class = tqdm_class
        self.verbose = verbose
        self.batches = -(-data_size // batch_size) if data_size and batch_size else None
        self.epoch_bar = tqdm_class(total=epochs, unit="epoch")
        self.batch_bar = None
        if verbose == 1:
            self.batch_bar = tqdm_class(total=self.batches, unit="batch", leave=False)
        if verbose:
            # Set on the instance only when shown, so verbose=0 adds no per-step host sync.
            self.on_train_batch_end = self._advance_batch_bar

    def on_train_begin(self, logs=None):
        epochs = self.params.get("epochs")
        if epochs is not None and epochs != self.epoch_bar.total:
            self.epoch_bar.reset(total=epochs)

    def on_epoch_begin(self, epoch, logs=None):
        if self.epoch_bar.n < epoch:  # resumed with initial_epoch
            bar = self.epoch_bar
            bar.n = bar.last_print_n = bar.initial = epoch
        if not self.verbose:
            return
        total = self.params.get("steps") or self.batches
        if self.verbose == 2:
            if self.batch_bar is not None:
                self.batch_bar.close()
            self.batch_bar = self.tqdm_class(total=total, unit="batch", leave=True)
        else:
            self.batch_bar.reset(total=total)

    def _advance_batch_bar(self, batch, logs=None):
        _advance(self.batch_bar, logs)

    def on_epoch_end(self, epoch, logs=None):
        _advance(self.epoch_bar, logs)

    def on_train_end(self, logs=None):
        if self.batch_bar is not None:
            self.batch_bar.close()
        self.epoch_bar.close()

    def display(self) -> None:
        """Shows the bars in the current notebook cell (notebook bars only)."""
        for bar in (self.epoch_bar, self.batch_bar):
            container = getattr(bar, "container", None)
            if container is not None:
                from IPython.display import display

                display(container)


def _advance(bar, logs) -> None:
    """One step of `bar`, with the logs (less Keras 2's batch/size entries) as its postfix."""
    if logs:
        bar.set_postfix({k: v for k, v in logs.items() if k not in ("batch", "size")},
                        refresh=False)
    bar.update(1)
