"""`Trainer`: compile / fit / evaluate / predict for `Model`.

    fit:
        callbacks.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            callbacks.on_epoch_begin(epoch)
            logs = self._train_epoch(batches, callbacks)          # train_step per batch
            logs |= self._validate(epoch, validation)             # evaluate(), "val_" keys
            callbacks.on_epoch_end(epoch, logs)
            if self.stop_training: break
        callbacks.on_train_end(logs)

A step runs forward, loss, backward, optimizer and metric updates on the device; logs stay
tensors until something reads them (the progress bar, epoch end), so a step never waits for
the device.
"""

from __future__ import annotations

import warnings

import torch

from hocsau import config
from hocsau.callbacks.callback_list import CallbackList
from hocsau.distribution import trainer_hooks as dist
from hocsau.metrics.metric import Metric
from hocsau.models.symbolic import flatten, map_structure
from hocsau.trainers.argument_checks import (
    check_evaluate_arguments,
    check_fit_arguments,
    check_predict_arguments,
    no_batch_error,
)
from hocsau.trainers.compile_utils import (
    COMPILE_ARGS,
    CompileLoss,
    CompileMetrics,
    deserialize_compile_value,
)
from hocsau.trainers.cpu_heap import retained_heap
from hocsau.trainers.data_adapters import get_data_adapter
from hocsau.trainers.data_adapters.batch_utils import to_device, unpack_x_y_sample_weight
from hocsau.trainers.epoch_iterator import logs_to_python
from hocsau.trainers.jit_step import compile_step
from hocsau.trainers.trainer_utils import (
    concat_to_numpy,
    format_logs,
    num_rows,
    rows_in_batch,
    should_validate,
    split_validation,
    takes_training,
    verbosity,
)
from hocsau.utils.traceback_utils import filter_traceback


class Trainer:
    """The training half of `Model` (the other half is `Layer`)."""

    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.stop_training = False
        self.history = None
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = None
        self._compile_config = None
        self._step_cache = None
        self.train_function = None

    def __setstate__(self, state: dict) -> None:
        """A copied or unpickled model rebuilds its step function and step lists."""
        super().__setstate__(state)
        self.train_function = None
        self._step_cache = None

    # --- compile ----------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True) -> None:
        """Configure training: optimizer, loss(es) and metrics (strings, objects, callables;
        lists or dicts by output name for several outputs)."""
        from hocsau import metrics as metrics_module
        from hocsau import optimizers as optimizers_module

        self.optimizer = optimizers_module.get(optimizer)
        if self.dtype_policy.name == "mixed_float16" and not isinstance(
                self.optimizer, optimizers_module.LossScaleOptimizer):
            # As Keras: float16 gradients need a dynamically scaled loss.
            self.optimizer = optimizers_module.LossScaleOptimizer(
                self.optimizer, name="loss_scale_optimizer")
        output_names = self._output_names()
        self._compile_loss = CompileLoss(loss, loss_weights, output_names) if loss is not None \
            else None
        self._compile_metrics = (CompileMetrics(metrics, weighted_metrics, output_names)
                                 if metrics is not None or weighted_metrics is not None else None)
        self._loss_tracker = metrics_module.Mean(name="loss")
        self.run_eagerly = run_eagerly
        self.steps_per_execution = steps_per_execution
        self.jit_compile = jit_compile is True
        self._compile_config = {
            "optimizer": optimizer, "loss": loss, "loss_weights": loss_weights,
            "metrics": metrics, "weighted_metrics": weighted_metrics,
            "run_eagerly": run_eagerly, "steps_per_execution": steps_per_execution,
            "jit_compile": jit_compile}
        self._step_cache = None
        self.train_function = None
        dist.remember(self)
        self.compiled = True

    def _output_names(self) -> list[str] | None:
        outputs = getattr(self, "_outputs_struct", None)
        if outputs is None:
            return None
        if isinstance(outputs, dict):
            return list(outputs)
        return [t._keras_history[0].name for t in flatten(outputs)]

    def _assert_compiled(self, what: str) -> None:
        if not self.compiled:
            raise RuntimeError(f"You must call `compile()` before using the model in `{what}`.")

    def __setattr__(self, name, value):
        # Metrics a model keeps as attributes (self.loss_tracker = Mean(...)) join `metrics`,
        # so they are logged and reset each epoch, as in Keras.
        if isinstance(value, Metric) and not name.startswith("_"):
            tracked = self.__dict__.setdefault("_attribute_metrics", [])
            if all(metric is not value for metric in tracked):
                tracked.append(value)
        super().__setattr__(name, value)

    @property
    def metrics(self) -> list:
        """The loss tracker, per-output loss trackers, the compiled metrics (one container,
        named "compile_metrics", as in Keras), then metrics kept as model attributes."""
        result = [self._loss_tracker] if self._loss_tracker is not None else []
        if self._compile_loss is not None and self._compile_loss.output_trackers:
            result.extend(self._compile_loss.output_trackers.values())
        if self._compile_metrics is not None:
            result.append(self._compile_metrics)
        result.extend(self.__dict__.get("_attribute_metrics", ()))
        return result

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def _metric_names(self) -> list[str]:
        """Every logged metric name in `metrics` order, a container's metrics in its place."""
        names = []
        for metric in self.metrics:
            inner = metric.metrics if isinstance(metric, CompileMetrics) else [metric]
            names.extend(m.name for m in inner)
        return names

    def reset_metrics(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    def get_metrics_result(self) -> dict:
        """The current metric values as Python floats."""
        return logs_to_python(self._metric_tensors())

    def _metric_tensors(self) -> dict:
        logs = {}
        for metric in self.metrics:
            value = metric.result()
            if isinstance(value, dict):
                logs.update(value)
            else:
                logs[metric.name] = value
        return logs

    # --- one step ---------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """Compiled loss plus every penalty in `model.losses` (regularizers, add_loss)."""
        total = None
        if self._compile_loss is not None and y is not None:
            total = self._compile_loss(y, y_pred, sample_weight)
        for penalty in self._penalties():
            penalty = penalty.sum()
            total = penalty if total is None else total + penalty
        if total is None:  # nothing compiled or added: zero, as Keras returns
            total = torch.zeros((), device=y_pred.device if torch.is_tensor(y_pred) else None)
        return total

    def _compute_loss(self, x, y, y_pred, sample_weight, training):
        """`compute_loss`, with `training` only for overrides that take it (Keras 3.3 added
        the argument; overrides written before, as in the keras.io examples, lack it)."""
        if self._training_cache()["loss_takes_training"]:
            return self.compute_loss(x, y, y_pred, sample_weight, training=training)
        return self.compute_loss(x, y, y_pred, sample_weight)

    def _penalties(self) -> list:
        from hocsau.layers.call_context import CONTEXT

        regularized = self._training_cache()["regularized"]
        return list(CONTEXT.activity_losses) + [dist.penalty(w, reg) for w, reg in regularized]

    def _training_cache(self) -> dict:
        """Lists walked every step, computed once per compile / fit."""
        if self._step_cache is None:
            trainable = self.trainable_weights
            self._step_cache = {
                "trainable": trainable,
                "regularized": [(w, w.regularizer) for w in trainable
                                if getattr(w, "regularizer", None) is not None],
                "loss_takes_training": takes_training(type(self).compute_loss),
            }
        return self._step_cache

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        if self._compile_metrics is not None and y is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self._metric_tensors()

    def train_step(self, data) -> dict:
        """One optimization step on a batch; returns the running metrics (device tensors)."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        module = dist.training_module(self)  # DDP when data parallel
        y_pred = module(x, training=True)
        loss = self._compute_loss(x, y, y_pred, sample_weight, training=True)
        self._loss_tracker.update_batch_mean(loss, rows_in_batch(x))
        variables = self._training_cache()["trainable"]
        if variables:
            scale = getattr(self.optimizer, "scale_loss", None)
            loss = dist.scale_loss(loss)
            grads = _gradients(scale(loss) if scale is not None else loss, variables,
                               traced=module is self and torch.compiler.is_compiling())
            self.optimizer.apply(grads, variables)  # and constraints
        else:  # as Keras: the loss is still reported, there is nothing to update
            warnings.warn("The model does not have any trainable weights.", stacklevel=2)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data) -> dict:
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self._compute_loss(x, y, y_pred, sample_weight, training=False)
        self._loss_tracker.update_batch_mean(loss, rows_in_batch(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _make_train_function(self):
        step = self.train_step
        if self.jit_compile:
            step = compile_step(self, step)  # CUDA graphs on a GPU where shapes are static
        self.train_function = step
        return step

    # --- fit --------------------------------------------------------------------------------
    @filter_traceback
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train for `epochs` epochs; returns the `History` callback."""
        self._assert_compiled("fit")
        check_fit_arguments(
            self, x, y, sample_weight, batch_size=batch_size, epochs=epochs, verbose=verbose,
            validation_split=validation_split, validation_data=validation_data, shuffle=shuffle,
            class_weight=class_weight, initial_epoch=initial_epoch,
            steps_per_epoch=steps_per_epoch, validation_steps=validation_steps,
            validation_batch_size=validation_batch_size, validation_freq=validation_freq)
        epochs = config.limited_epochs(epochs)
        if validation_split and validation_data is None:
            x, y, sample_weight, validation_data = split_validation(
                x, y, sample_weight, validation_split)
        data = get_data_adapter(x, y, sample_weight, batch_size=batch_size,
                                steps_per_epoch=steps_per_epoch, shuffle=shuffle,
                                class_weight=class_weight)
        iterator = dist.epoch_iterator(self, data, steps_per_epoch, training=True)
        dist.prepare_fit(self, callbacks)  # data parallel: equal random state and weights
        callbacks = CallbackList(dist.local_callbacks(self, callbacks), add_history=True,
                                 add_progbar=dist.show_progress(self, verbose),
                                 model=self, verbose=verbosity(verbose), epochs=epochs,
                                 steps=iterator.num_batches)
        self._step_cache = None
        self.stop_training = False
        train = self.train_function or self._make_train_function()
        self._initial_epoch = initial_epoch
        callbacks.on_train_begin()  # BackupAndRestore may move `_initial_epoch` on
        initial_epoch = self._initial_epoch
        # closes a source kept across epochs (worker pools), even on errors
        with iterator, dist.fitting(self), retained_heap(config.device()):
            logs = self._run_epochs(iterator, train, callbacks, range(initial_epoch, epochs),
                                    validation_data, validation_batch_size or batch_size,
                                    validation_steps, validation_freq)
        finalize = getattr(self.optimizer, "finalize_variable_values", None)
        if finalize is not None and epochs > initial_epoch:
            finalize(self.trainable_weights)
        callbacks.on_train_end(logs)
        return self.history

    def _run_epochs(self, iterator, train, callbacks, epochs, validation_data, batch_size,
                    validation_steps, validation_freq) -> dict:
        logs = {}
        for epoch in epochs:
            self.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            logs = dict(self._train_epoch(iterator, train, callbacks))
            dist.average_moving_statistics(self)  # data parallel: equal BN statistics
            if validation_data is not None and should_validate(epoch, validation_freq):
                logs.update(self._validate(validation_data, batch_size, validation_steps,
                                           callbacks))
            logs = logs_to_python(logs)  # Keras's format over the train and val logs at once
            callbacks.on_epoch_end(epoch, logs)
            self.stop_training = dist.stop_on_any(self, self.stop_training)
            if self.stop_training:
                break
        return logs

    def _train_epoch(self, iterator, train, callbacks) -> dict:
        logs = None
        for step, batch in iterator:
            callbacks.on_train_batch_begin(step)
            logs = train(batch)
            callbacks.on_train_batch_end(step, logs)
            if dist.stop_after_batch(self):  # synced over processes when it may differ
                break
        if logs is None:
            warnings.warn("The training data ran out: no batch was trained in this epoch.",
                          stacklevel=3)
            return {}
        with dist.synced_metrics(self):  # epoch logs from every process's states
            # Copies (the local states come back after the block); converted with the
            # validation logs, so Keras's key order holds over both.
            return map_structure(lambda v: v.detach().clone() if torch.is_tensor(v) else v,
                                 self._metrics_or_step_logs(logs))

    def _metrics_or_step_logs(self, step_logs) -> dict:
        """Keras's rule for epoch logs: the metrics' results when the step returned those
        names, else what the step returned (a custom step's own logs)."""
        metric_logs = self._metric_tensors()
        if isinstance(step_logs, dict) and set(step_logs) != set(metric_logs):
            return step_logs
        return metric_logs

    def _validate(self, validation_data, batch_size, steps, callbacks) -> dict:
        if isinstance(validation_data, (tuple, list)) and len(validation_data) in (2, 3):
            vx, vy, vw = unpack_x_y_sample_weight(tuple(validation_data))
        else:
            vx, vy, vw = validation_data, None, None
        val_logs = self.evaluate(vx, vy, sample_weight=vw, batch_size=batch_size, steps=steps,
                                 verbose=0, return_dict=True, _callbacks=callbacks)
        return {f"val_{name}": value for name, value in val_logs.items()}

    # --- evaluate ---------------------------------------------------------------------------
    @filter_traceback
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, _callbacks=None, **kwargs):
        """Loss and metrics over the data: a scalar, a list in `metrics_names` order, or a dict."""
        self._assert_compiled("evaluate")
        check_evaluate_arguments(self, x, y, sample_weight, batch_size=batch_size,
                                 verbose=verbose, steps=steps)
        data = get_data_adapter(x, y, sample_weight, batch_size=batch_size,
                                steps_per_epoch=steps, shuffle=False)
        iterator = dist.epoch_iterator(self, data, steps, training=False)
        if _callbacks is None:
            _callbacks = CallbackList(dist.local_callbacks(self, callbacks),
                                      add_progbar=dist.show_progress(self, verbose), model=self,
                                      verbose=verbosity(verbose), epochs=1,
                                      steps=iterator.num_batches)
        self.reset_metrics()
        _callbacks.on_test_begin()
        logs = None  # a process may get no batch
        # parameter sharding: whole weights, as processes may run unequal numbers of batches
        with torch.no_grad(), dist.whole_weights(self):
            for step, batch in iterator:
                _callbacks.on_test_batch_begin(step)
                logs = self.test_step(batch)
                _callbacks.on_test_batch_end(step, logs)
        if logs is None and dist.active(self) is None:
            raise no_batch_error(x)
        with dist.synced_metrics(self):  # a process may have had no batch
            logs = logs_to_python(self._metrics_or_step_logs(logs))
        _callbacks.on_test_end(logs)
        return format_logs(logs, return_dict, self._metric_names())

    # --- predict ----------------------------------------------------------------------------
    @filter_traceback
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs on `x` as numpy arrays (batches concatenated)."""
        check_predict_arguments(self, x, batch_size=batch_size, verbose=verbose, steps=steps)
        data = get_data_adapter(x, batch_size=batch_size, steps_per_epoch=steps, shuffle=False)
        iterator = dist.epoch_iterator(self, data, steps, training=False)
        callbacks = CallbackList(dist.local_callbacks(self, callbacks),
                                 add_progbar=dist.show_progress(self, verbose), model=self,
                                 verbose=verbosity(verbose), epochs=1, steps=iterator.num_batches)
        outputs = []
        callbacks.on_predict_begin()
        with torch.no_grad(), dist.whole_weights(self):
            for step, batch in iterator:
                callbacks.on_predict_batch_begin(step)
                result = self.predict_step(batch)
                outputs.append(result)
                callbacks.on_predict_batch_end(step, {"outputs": result})
        callbacks.on_predict_end()
        outputs = dist.gather_predictions(self, outputs, iterator)  # every row, every process
        if not outputs:
            raise ValueError("Unexpected result of `predict_function` (Empty batch_outputs). "
                             "Please use `model.compile(...)` and make sure that your dataset "
                             "is not empty.")
        return concat_to_numpy(outputs)

    # --- single batches ---------------------------------------------------------------------
    @filter_traceback
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One training step on exactly this batch; the metrics are reset first, so the
        values returned are this batch's (as in Keras)."""
        self._assert_compiled("train_on_batch")
        self._step_cache = None
        batch = next(iter(get_data_adapter(x, y, sample_weight, batch_size=num_rows(x),
                                           class_weight=class_weight)))
        train = self.train_function or self._make_train_function()
        self.reset_metrics()
        return format_logs(logs_to_python(train(batch)), return_dict, self._metric_names())

    @filter_traceback
    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss and metrics of this batch alone (the metrics are reset first)."""
        self._assert_compiled("test_on_batch")
        batch = next(iter(get_data_adapter(x, y, sample_weight, batch_size=num_rows(x))))
        self.reset_metrics()
        with torch.no_grad():
            logs = self.test_step(batch)
        return format_logs(logs_to_python(logs), return_dict, self._metric_names())

    @filter_traceback
    def predict_on_batch(self, x):
        with torch.no_grad():
            return concat_to_numpy([self.predict_step((to_device(x),))])

    # --- config -----------------------------------------------------------------------------
    def get_compile_config(self) -> dict | None:
        if not self.compiled or self._compile_config is None:
            return None
        from hocsau.saving.serialization import serialize_keras_object

        config = dict(self._compile_config)
        config["optimizer"] = serialize_keras_object(self.optimizer)
        config["loss"] = serialize_keras_object(config["loss"])
        config["metrics"] = serialize_keras_object(config["metrics"])
        config["weighted_metrics"] = serialize_keras_object(config["weighted_metrics"])
        return config

    def compile_from_config(self, config: dict) -> None:
        if type(self).compile is not Trainer.compile:
            warnings.warn(
                "`compile()` was not called as part of model loading because the model's "
                "`compile()` method is custom. All subclassed Models that have `compile()` "
                "overridden should also override `get_compile_config()` and "
                "`compile_from_config(config)`. Alternatively, you can call `compile()` "
                "manually after loading.", stacklevel=2)
            return
        config = dict(config)
        for key in ("optimizer", "loss", "metrics", "weighted_metrics"):
            config[key] = deserialize_compile_value(config.get(key))
        self.compile(**{k: v for k, v in config.items() if k in COMPILE_ARGS})


def _gradients(loss: torch.Tensor, variables: list, traced: bool) -> list:
    """d loss / d variables: by `backward()` into `.grad` (as torch users expect, and what
    DDP's reducing hooks wait for), or, `traced` in a compiled step, by `torch.autograd.grad`,
    which torch.compile traces into the step's graph where `backward()` breaks it."""
    if traced:
        return list(torch.autograd.grad(loss, variables, allow_unused=True))
    for variable in variables:
        variable.grad = None
    loss.backward()
    return [variable.grad for variable in variables]
