"""What `compile` was given, mapped onto the model's outputs: the loss and the metrics.

Both are resolved on the first batch, when the shapes of `y` and `y_pred` are known (that is
when "accuracy" and "crossentropy" pick their binary / categorical / sparse variant).
"""

from __future__ import annotations

import torch

from hocsau import losses as losses_module
from hocsau.models.symbolic import flatten


def _is_binary_or_sparse(y_true, y_pred) -> tuple[bool, bool]:
    binary = y_pred.shape[-1] == 1
    sparse = y_true.dim() < y_pred.dim() or (y_true.shape[-1] == 1 and y_pred.shape[-1] > 1)
    return binary, sparse


def _object_name(obj) -> str:
    if isinstance(obj, str):
        return obj
    name = getattr(obj, "name", None) or getattr(obj, "__name__", None)
    return name or type(obj).__name__


def resolve_loss(identifier, y_true, y_pred):
    """A Loss object for one output ("crossentropy"/"ce" pick their variant)."""
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        binary, sparse = _is_binary_or_sparse(y_true, y_pred)
        identifier = ("binary_crossentropy" if binary else
                      "sparse_categorical_crossentropy" if sparse else "categorical_crossentropy")
    loss = losses_module.get(identifier)
    if not isinstance(loss, losses_module.Loss):
        loss = losses_module.LossFunctionWrapper(loss, name=_object_name(identifier))
    return loss


def resolve_metric(identifier, y_true, y_pred):
    """A Metric object ("accuracy"/"acc" pick their variant), named as Keras logs it."""
    from hocsau import metrics as metrics_module

    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        binary, sparse = _is_binary_or_sparse(y_true, y_pred)
        cls = (metrics_module.BinaryAccuracy if binary else
               metrics_module.SparseCategoricalAccuracy if sparse else
               metrics_module.CategoricalAccuracy)
        return cls(name=identifier)
    metric = metrics_module.get(identifier)
    if not isinstance(metric, metrics_module.Metric):
        metric = metrics_module.MeanMetricWrapper(metric, name=_object_name(metric))
    if isinstance(identifier, str):
        metric.name = identifier
    return metric


def _per_output(value, output_names: list[str], what: str) -> list:
    """Spread a compile argument over outputs: one value, a list, or a dict by output name."""
    count = len(output_names)
    if isinstance(value, dict):
        unknown = set(value) - set(output_names)
        if unknown:
            raise ValueError(f"In the dict argument `{what}`, key(s) {sorted(unknown)} do not "
                             f"match any model output. Output names: {output_names}")
        return [value.get(name) for name in output_names]
    if isinstance(value, (list, tuple)) and what == "loss":
        if len(value) != count:
            raise ValueError(f"For a model with {count} output(s), `loss` should be a single "
                             f"loss or a list of {count} losses. Received: loss={value}")
        return list(value)
    if what == "loss":
        return [value] * count
    if isinstance(value, (list, tuple)) and count > 1 and all(
            isinstance(v, (list, tuple, type(None))) for v in value):
        return list(value)
    return [value] * count


def in_output_order(value, y_pred, output_names, argument: str = "y") -> list:
    """Targets (or sample weights) as a list in the order of the model's outputs. A dict is
    read by output name, as Keras matches it, whatever the order of its keys (the keys of a
    dict of predictions, else the output names; None for an output given none); anything
    else is flattened as it comes."""
    if isinstance(value, dict) and isinstance(y_pred, dict):
        unknown = [key for key in value if key not in y_pred]
        if unknown:
            held = "targets" if argument == "y" else "weights"
            raise ValueError(f"`{argument}` has {held} for {unknown}, which are not outputs of "
                             f"the model. Output names: {list(y_pred)}. Received: "
                             f"{argument} with keys {list(value)}")
        return [value.get(key) for key in y_pred]
    if isinstance(value, dict) and output_names and set(value) <= set(output_names):
        return [value.get(name) for name in output_names]
    return flatten(value)


class CompileLoss:
    """Total loss over outputs: sum of weighted per-output losses; tracks each for the logs."""

    def __init__(self, loss, loss_weights=None, output_names=None):
        self._spec = loss
        self._loss_weights = loss_weights
        self._output_names = output_names
        self._losses = None
        self._weights = None
        self.output_trackers = None

    def _names(self, count: int) -> list[str]:
        return self._output_names or [f"output_{i}" for i in range(count)]

    def build(self, y_true: list, y_pred: list) -> None:
        names = self._names(len(y_pred))
        specs = _per_output(self._spec, names, "loss")
        self._losses = [resolve_loss(s, t, p)
                        for s, t, p in zip(specs, y_true, y_pred, strict=False)]
        weights = self._loss_weights
        if weights is None:
            self._weights = [1.0] * len(names)
        elif isinstance(weights, dict):
            self._weights = [float(weights.get(n, 1.0)) for n in names]
        elif isinstance(weights, (list, tuple)):
            self._weights = [float(w) for w in weights]
        else:
            self._weights = [float(weights)] * len(names)
        active = [name for name, loss in zip(names, self._losses, strict=False)
                  if loss is not None]
        if len(active) > 1:  # Keras logs "<output>_loss" only when several losses add up
            from hocsau import metrics as metrics_module

            self.output_trackers = {f"{name}_loss": metrics_module.Mean(name=f"{name}_loss")
                                    for name in active}

    def __call__(self, y_true, y_pred, sample_weight=None):
        names = self._output_names
        sample_weights = in_output_order(sample_weight, y_pred, names, "sample_weight") \
            if sample_weight is not None else [None]
        y_true, y_pred = in_output_order(y_true, y_pred, names), flatten(y_pred)
        if len(y_true) != len(y_pred):
            y_true = self._spread_targets(y_true, len(y_pred))
        if self._losses is None:
            self._check_targets(y_true, y_pred)
            self.build(y_true, y_pred)
        if len(sample_weights) == 1:
            sample_weights = sample_weights * len(y_pred)
        total = None
        trackers = iter(self.output_trackers.values()) if self.output_trackers else None
        for loss, weight, t, p, w in zip(self._losses, self._weights, y_true, y_pred,
                                         sample_weights, strict=False):
            if loss is None:
                continue
            value = loss(t, p, sample_weight=w)
            if trackers is not None:  # a mean over samples, as the total loss's, not batches
                next(trackers).update_state(value, sample_weight=p.shape[0])
            value = value * weight if weight != 1.0 else value
            total = value if total is None else total + value
        if total is None:
            raise ValueError("No loss to compute: every output's loss is None.")
        return total

    def _output_specs(self, count: int) -> tuple[list, list]:
        names = self._names(count)
        return names, _per_output(self._spec, names, "loss")

    def _spread_targets(self, y_true: list, count: int) -> list:
        """Fewer targets than outputs: one for each output that has a loss, as Keras allows."""
        names, specs = self._output_specs(count)
        with_loss = [i for i, spec in enumerate(specs) if spec is not None]
        if len(y_true) != len(with_loss):
            raise ValueError(f"`y` should hold one target per model output (or per output "
                             f"that has a loss): the model has {count} outputs {names}, "
                             f"{len(with_loss)} with a loss. Received: y with {len(y_true)} "
                             "target(s)")
        spread = [None] * count
        for index, target in zip(with_loss, y_true, strict=True):
            spread[index] = target
        return spread

    def _check_targets(self, y_true: list, y_pred: list) -> None:
        names, specs = self._output_specs(len(y_pred))
        for name, spec, target in zip(names, specs, y_true, strict=False):
            if spec is not None and target is None:
                raise ValueError(f"Output '{name}' has a loss but `y` holds no target for it. "
                                 f"Received: y without '{name}'")

    def get_config(self):
        return {"loss": self._spec, "loss_weights": self._loss_weights}


class CompileMetrics:
    """Metrics (unweighted) and weighted metrics for each output, named as Keras logs them;
    in `model.metrics` it stands for all of them under Keras's name "compile_metrics"."""

    name = "compile_metrics"

    def __init__(self, metrics=None, weighted_metrics=None, output_names=None):
        self._metrics_spec = metrics
        self._weighted_spec = weighted_metrics
        self._output_names = output_names
        self._plain = None
        self._weighted = None

    @property
    def built(self) -> bool:
        return self._plain is not None

    def build(self, y_true: list, y_pred: list) -> None:
        names = self._output_names or [f"output_{i}" for i in range(len(y_pred))]
        prefix = len(y_pred) > 1
        self._plain = self._resolve(self._metrics_spec, names, y_true, y_pred, prefix, "")
        self._weighted = self._resolve(self._weighted_spec, names, y_true, y_pred, prefix,
                                       "weighted_")

    def _resolve(self, spec, names, y_true, y_pred, prefix: bool, tag: str) -> list:
        if not spec:
            return [[] for _ in names]
        result = []
        for name, items, t, p in zip(names, _per_output(spec, names, "metrics"), y_true, y_pred,
                                     strict=False):
            items = [] if items is None else items if isinstance(items, (list, tuple)) else [items]
            metrics = [resolve_metric(m, t, p) for m in items]
            for m in metrics:
                base = f"{tag}{m.name}" if tag and not m.name.startswith(tag) else m.name
                m.name = f"{name}_{base}" if prefix else base
            result.append(metrics)
        return result

    @property
    def variables(self) -> list:
        return [v for metric in self.metrics for v in metric.variables]

    @property
    def metrics(self) -> list:
        if not self.built:
            return []
        return [m for group in self._plain + self._weighted for m in group]

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        names = self._output_names
        weights = in_output_order(sample_weight, y_pred, names, "sample_weight") \
            if sample_weight is not None else [None]
        y_true, y_pred = in_output_order(y_true, y_pred, names), flatten(y_pred)
        if not self.built:
            self.build(y_true, y_pred)
        for group, t, p in zip(self._plain, y_true, y_pred, strict=False):
            for metric in group if t is not None else ():
                metric.update_state(t, p)
        if any(self._weighted):
            weights = weights * len(y_pred) if len(weights) == 1 else weights
            for group, t, p, w in zip(self._weighted, y_true, y_pred, weights, strict=False):
                for metric in group if t is not None else ():
                    metric.update_state(t, p, sample_weight=w)

    def reset_state(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    def result(self) -> dict[str, torch.Tensor]:
        return {m.name: m.result() for m in self.metrics}


def deserialize_compile_value(value):
    """Serialized objects rebuilt; names ("accuracy", "mse") left for `compile` to resolve,
    inside lists and per-output dicts too."""
    from hocsau.saving.serialization import deserialize_keras_object

    if isinstance(value, dict) and "class_name" in value and "config" in value:
        return deserialize_keras_object(value)
    if isinstance(value, dict):
        return {k: deserialize_compile_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [deserialize_compile_value(v) for v in value]
    return value


COMPILE_ARGS = ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics",
                "run_eagerly", "steps_per_execution", "jit_compile")
