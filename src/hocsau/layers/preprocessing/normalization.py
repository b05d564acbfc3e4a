"""`Normalization`: `(inputs - mean) / sqrt(variance)` with statistics given or adapted."""

from __future__ import annotations

import itertools
import math

import numpy as np
import torch

from hocsau import config
from hocsau.layers.input_spec import InputSpec
from hocsau.layers.layer import Layer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Normalization(Layer):
    """Shifts and scales inputs to zero mean and unit variance, per position along `axis`.

    The statistics are either given (`mean`, `variance`, broadcast to the kept axes) or
    learned by `adapt` and kept, as in Keras, in the non-trainable weights `mean`, `variance`
    and `count`. The attributes `mean` and `variance` give the statistics in use, broadcast
    to the input's rank, as Keras exposes them.

    Args:
        axis: the axis or axes that keep separate statistics (default the last); None means
            one mean and variance for everything.
        mean / variance: fixed statistics (both or neither).
        invert: map normalized values back (`inputs * sqrt(variance) + mean`).
    """

    supports_masking = True

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        self.axis = () if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
        if (mean is None) != (variance is None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be "
                             f"set. Received: mean={mean} and variance={variance}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError("When setting values directly, `mean` and `variance` must have "
                                 f"the same shape. Received: mean shape {np.shape(mean)} and "
                                 f"variance shape {np.shape(variance)}")
            if np.ndim(mean) > len(self.axis):
                raise ValueError("The rank of `mean` must be less than or equal to the number "
                                 f"of axes ({len(self.axis)}). Received: mean shape "
                                 f"{np.shape(mean)} for axis {self.axis}")
        self.input_mean, self.input_variance = mean, variance
        self.invert = invert

    def build(self, input_shape):
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError("All `axis` values must be in the range [-ndim, ndim). Received "
                             f"inputs with ndim={ndim}, while axis={self.axis}")
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        if any(input_shape[a] is None for a in self._keep_axis):
            raise ValueError("All `axis` values to be kept must have a known shape. Received "
                             f"axis={self.axis}, inputs.shape={tuple(input_shape)}")
        self._build_input_shape = tuple(input_shape)
        self.input_spec = InputSpec(axes={a - ndim: input_shape[a] for a in self._keep_axis})
        self._reduce_axis = tuple(a for a in range(ndim) if a not in self._keep_axis)
        self._broadcast_shape = tuple(input_shape[a] if a in self._keep_axis else 1
                                      for a in range(ndim))
        kept = tuple(input_shape[a] for a in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=kept, initializer="zeros",
                                              trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=kept,
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int32",
                                         initializer="zeros", trainable=False)
        else:
            # Plain tensors, not buffers: Keras counts no weights for given statistics.
            self._fixed = (self._broadcast(self.input_mean), self._broadcast(self.input_variance))
        self.built = True

    def _broadcast(self, values) -> torch.Tensor:
        """Given statistics, their trailing axes matched to the kept axes, broadcast."""
        values = torch.as_tensor(np.asarray(values), dtype=config.torch_dtype(self.compute_dtype))
        shape = [1] * len(self._broadcast_shape)
        for i in range(1, values.ndim + 1):
            shape[self._keep_axis[-i]] = values.shape[-i]
        return values.reshape(shape).expand(self._broadcast_shape).clone()

    def _free_parameter_key(self, name: str) -> str:
        # `mean` and `variance` are properties, so the weights of those names are registered
        # under the attribute names that hold them.
        return super()._free_parameter_key(f"adapt_{name}" if name in ("mean", "variance")
                                           else name)

    @property
    def mean(self) -> torch.Tensor | None:
        """The mean the layer applies, broadcast to the input's rank (size 1 on reduced axes)
        in the compute dtype, as Keras exposes it; None before the layer is built."""
        return self._statistics()[0]

    @property
    def variance(self) -> torch.Tensor | None:
        """The variance the layer applies, shaped like `mean`; None before the layer is built."""
        return self._statistics()[1]

    def _statistics(self) -> tuple:
        """(mean, variance) in the broadcast shape: the given ones, or the adapted weights."""
        if not self.built:
            return None, None
        if self.input_mean is not None:
            return self._fixed
        dtype = self._dtype_policy.torch_compute_dtype
        return tuple(w.detach().reshape(self._broadcast_shape).to(dtype)
                     for w in (self.adapt_mean, self.adapt_variance))

    def call(self, inputs):
        mean, variance = (t.to(inputs.device) for t in self._statistics())
        scale = torch.clamp(torch.sqrt(variance), min=config.epsilon())
        inputs = inputs.to(self._dtype_policy.torch_compute_dtype)
        if self.invert:
            return mean + inputs * scale
        return (inputs - mean) / scale

    def adapt(self, data) -> None:
        """Learn the mean and variance of `data`: an array or tensor, or an iterable of
        batches (each an array, or a tuple whose first item is the inputs), combined as Keras
        does, batch by batch."""
        if isinstance(data, (np.ndarray, torch.Tensor)):
            batches, shape = None, tuple(data.shape)
        else:
            batches = iter(data)
            first = next(batches, None)
            if first is None:
                raise ValueError("adapt() received an empty iterable (no batches). Expected at "
                                 "least one batch. Received: data with no batches")
            first = _inputs_of(first)
            shape = tuple(first.shape)
            batches = itertools.chain([first], batches)
        self._check_adapt_shape(shape)
        if batches is None:
            values = torch.as_tensor(np.asarray(data) if isinstance(data, np.ndarray) else data)
            total_mean, total_var = _moments(values.double(), self._reduce_axis)
        else:
            total_mean, total_var = self._streamed_moments(batches)
        with torch.no_grad():
            self.adapt_mean.copy_(total_mean.to(self.adapt_mean.device, self.adapt_mean.dtype))
            self.adapt_variance.copy_(total_var.to(self.adapt_variance.device,
                                                   self.adapt_variance.dtype))

    def _check_adapt_shape(self, shape: tuple) -> None:
        if self.input_mean is not None:
            raise ValueError("adapt() cannot be used when `mean` and `variance` are given. "
                             f"Received: mean={self.input_mean}")
        if not self.built:
            self.build(shape)
        elif any(shape[a] != self._build_input_shape[a] for a in self._keep_axis):
            raise ValueError(f"The layer was built with input_shape={self._build_input_shape}, "
                             "but adapt() is being called with data with an incompatible shape, "
                             f"data.shape={shape}")

    def _streamed_moments(self, batches):
        """Running mean and variance over batches, weighted by their element counts."""
        dtype = self._dtype_policy.torch_compute_dtype
        total_mean = total_var = torch.zeros(self.adapt_mean.shape, dtype=dtype)
        total_count = 0
        for batch in batches:
            batch = torch.as_tensor(np.asarray(_inputs_of(batch)), dtype=dtype)
            if any(batch.shape[a] != self._build_input_shape[a] for a in self._keep_axis):
                raise ValueError("adapt() yielded a batch with incompatible shape. Expected "
                                 f"{self._build_input_shape}, got {tuple(batch.shape)}.")
            batch_mean, batch_var = _moments(batch, self._reduce_axis)
            count = math.prod(batch.shape[a] for a in self._reduce_axis)
            total_count += count
            weight = count / total_count
            new_mean = total_mean * (1.0 - weight) + batch_mean * weight
            total_var = (total_var + (total_mean - new_mean) ** 2) * (1.0 - weight) + (
                batch_var + (batch_mean - new_mean) ** 2) * weight
            total_mean = new_mean
        return total_mean, total_var

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"axis": self.axis, "invert": self.invert,
                       "mean": np.array(self.input_mean).tolist(),
                       "variance": np.array(self.input_variance).tolist()})
        return config


def _inputs_of(batch):
    """The inputs of a batch that may be an `(x, y)` or `(x, y, sample_weight)` tuple."""
    return batch[0] if isinstance(batch, (tuple, list)) else batch


def _moments(values: torch.Tensor, axes: tuple) -> tuple[torch.Tensor, torch.Tensor]:
    if not axes:
        return values, torch.zeros_like(values)
    return values.mean(dim=axes), values.var(dim=axes, unbiased=False)
