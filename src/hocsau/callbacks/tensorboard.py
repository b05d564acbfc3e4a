"""`TensorBoard`: event files of the training curves and weight histograms, as Keras writes them.

Layout and tags follow Keras: `log_dir/train` and `log_dir/validation`, scalars
`epoch_<metric>` per epoch (validation metrics without their `val_` prefix, the learning rate as
`epoch_learning_rate`), `batch_<metric>` every `update_freq` batches, `evaluation_<metric>_vs_
iterations` after each evaluation, and `<weight path>/histogram` every `histogram_freq` epochs.
Files are written by PyTorch's `SummaryWriter` (needs the `tensorboard` package).
"""

from __future__ import annotations

import os
import time

from hocsau.callbacks.callback import Callback
from hocsau.distribution.parameter_sharding import whole_weights
from hocsau.saving.serialization import keras_class


@keras_class("keras.callbacks")
class TensorBoard(Callback):
    """Logs for TensorBoard (`tensorboard --logdir <log_dir>`).

    Args:
        log_dir: Folder of the event files.
        histogram_freq: Every how many epochs to write weight histograms (0: never).
        write_graph: Write the model's graph (traced at the start of training when the model
            knows its input shape).
        write_images: Also write each weight as an image with the histograms.
        write_steps_per_second: Log training steps per second.
        update_freq: "epoch", "batch" or an int: how often to write batch-level scalars.
        profile_batch: Must be 0 (profiling is not available on PyTorch, as in Keras).
        embeddings_freq / embeddings_metadata: Accepted for compatibility; must stay unset.
    """

    _chief_only = True  # data parallel: only process 0 writes

    def __init__(self, log_dir="logs", histogram_freq: int = 0, write_graph: bool = True,
                 write_images: bool = False, write_steps_per_second: bool = False,
                 update_freq="epoch", profile_batch=0, embeddings_freq: int = 0,
                 embeddings_metadata=None):
        super().__init__()
        _check_arguments(update_freq, profile_batch, embeddings_freq, histogram_freq)
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._writers = {}
        self._global_train_batch = 0
        self._epoch_start = None
        if self.update_freq != "epoch" or write_steps_per_second:
            self.on_train_batch_begin = self._count_batch
            self.on_train_batch_end = self._log_batch

    def _writer(self, run: str):
        if run not in self._writers:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError as error:
                raise ImportError("The TensorBoard callback needs the `tensorboard` package: "
                                  "`pip install tensorboard`.") from error
            self._writers[run] = SummaryWriter(os.path.join(self.log_dir, run))
        return self._writers[run]

    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        if self.reads_whole_weights("train_begin", None):
            with whole_weights(self.model):
                self._write_graph()

    def reads_whole_weights(self, event: str, epoch) -> bool:
        """Whether this callback reads every weight at `event` ("train_begin" / "epoch_end")
        of `epoch`: with parameter-sharded weights the other processes join that gather."""
        if event == "train_begin":
            return bool(self.write_graph)
        return bool(self.histogram_freq) and epoch % self.histogram_freq == 0

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()
        self._epoch_first_batch = self._global_train_batch

    def _count_batch(self, batch, logs=None):
        self._global_train_batch += 1
        self._batch_start = time.perf_counter()

    def _log_batch(self, batch, logs=None):
        step = self._global_train_batch
        if self.write_steps_per_second:
            elapsed = max(time.perf_counter() - self._batch_start, 1e-9)
            self._writer("train").add_scalar("batch_steps_per_second", 1.0 / elapsed, step)
        if self.update_freq != "epoch" and step % self.update_freq == 0:
            for name, value in (logs or {}).items():
                self._writer("train").add_scalar(f"batch_{name}", float(value), step)

    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not logs:
            return
        step = int(optimizer.iterations)
        for name, value in logs.items():
            self._writer("validation").add_scalar(f"evaluation_{name}_vs_iterations",
                                                  float(value), step)

    def on_epoch_end(self, epoch, logs=None):
        self._log_epoch(epoch, dict(logs or {}))
        if self.reads_whole_weights("epoch_end", epoch):
            with whole_weights(self.model):
                self._log_weights(epoch)
        for writer in self._writers.values():
            writer.flush()

    def _log_epoch(self, epoch: int, logs: dict) -> None:
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        validation = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        train.update(self._learning_rates())
        if self.write_steps_per_second and self._epoch_start is not None:
            elapsed = max(time.perf_counter() - self._epoch_start, 1e-9)
            steps = self._global_train_batch - self._epoch_first_batch
            train["steps_per_second"] = steps / elapsed
        for run, values in (("train", train), ("validation", validation)):
            for name, value in values.items():
                self._writer(run).add_scalar(f"epoch_{name}", float(value), epoch)

    def _learning_rates(self) -> dict:
        optimizer = getattr(self.model, "optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if optimizer is None:
            return {}
        if hasattr(optimizer, "optimizers"):
            return {f"learning_rate_{o.name}": float(o.learning_rate) for o in optimizer.optimizers}
        return {"learning_rate": float(optimizer.learning_rate)}

    def _log_weights(self, epoch: int) -> None:
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                name = weight.path.replace(":", "_")
                values = weight.detach().cpu().numpy()
                writer.add_histogram(f"{name}/histogram", values, epoch)
                image = _weight_image(values) if self.write_images else None
                if image is not None:
                    writer.add_images(f"{name}/image", image, epoch, dataformats="NHWC")

    def _write_graph(self) -> None:
        """The model's graph, traced with zeros of its input shape (skipped when untraceable)."""
        import warnings

        import torch

        try:
            shape = tuple(self.model.input_shape)
        except (AttributeError, TypeError, ValueError):
            return  # a subclassed model that was never built, or several inputs
        if not all(isinstance(d, int) for d in shape[1:]) or not self.model.weights:
            return
        sample = torch.zeros((1,) + tuple(shape[1:]), device=self.model.weights[0].device)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer warns about Python control flow
            try:
                self._writer("train").add_graph(self.model, sample, use_strict_trace=False)
            except Exception:  # noqa: BLE001 - tracing is best effort: "where possible"
                return


def _weight_image(values):
    """A weight as an (N, H, W, 1) image the way Keras shows it, or None if it has no picture."""
    image = values.squeeze()
    if image.ndim == 1:
        image = image.reshape(1, image.shape[0], 1, 1)
    elif image.ndim == 2:
        if image.shape[0] > image.shape[1]:
            image = image.T
        image = image.reshape(1, image.shape[0], image.shape[1], 1)
    elif image.ndim == 3:
        image = image.transpose(2, 0, 1)[..., None]
    else:
        return None
    return image


def _check_arguments(update_freq, profile_batch, embeddings_freq, histogram_freq) -> None:
    if update_freq not in ("epoch", "batch") and not (isinstance(update_freq, int)
                                                      and update_freq > 0):
        raise ValueError("Invalid value for argument `update_freq`: expected 'epoch', 'batch' or "
                         f"a positive integer. Received: update_freq={update_freq}")
    if profile_batch:
        raise ValueError("Profiling is not available with PyTorch. Received: "
                         f"profile_batch={profile_batch} (must be 0)")
    if embeddings_freq:
        raise ValueError("Embedding projector logs are not available. Received: "
                         f"embeddings_freq={embeddings_freq} (must be 0)")
    if not isinstance(histogram_freq, int) or histogram_freq < 0:
        raise ValueError("Invalid value for argument `histogram_freq`: expected a non-negative "
                         f"integer. Received: histogram_freq={histogram_freq}")
