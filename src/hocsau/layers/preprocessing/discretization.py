"""`Discretization`: continuous values into bucket ids (or their encodings)."""

from __future__ import annotations

import numpy as np
import torch

from hocsau.layers.layer import Layer
from hocsau.layers.preprocessing import _categorical
from hocsau.layers.preprocessing._lookup_state import check_choice
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Discretization(Layer):
    """Buckets values by `bin_boundaries` (`b[i-1] <= x < b[i]` is bucket i), or by
    boundaries `adapt` learns as approximate quantiles with Keras's summary algorithm.

    Args:
        bin_boundaries: Sorted boundaries; n of them make n + 1 buckets.
        num_bins: Number of buckets to learn with `adapt` (instead of `bin_boundaries`).
        epsilon: Error tolerance of the learned quantiles (smaller: more memory).
        output_mode: "int" (int32 ids), "one_hot", "multi_hot" or "count".
        sparse: Only False (sparse tensors need TensorFlow).
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None):
        super().__init__(name=name, dtype=dtype)
        _categorical.check_dense(sparse, "Discretization")
        check_choice(output_mode, _categorical.ENCODINGS, "Discretization", "output_mode")
        if num_bins is not None and num_bins < 0:
            raise ValueError("`num_bins` must be greater than or equal to 0. "
                             f"Received: `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. Received: "
                             f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`. "
                             "Received: num_bins=None, bin_boundaries=None")
        self.bin_boundaries, self.num_bins, self.epsilon = bin_boundaries, num_bins, epsilon
        self.output_mode, self.sparse = output_mode, sparse
        self.summary = None if bin_boundaries else np.array([[], []], dtype="float32")
        self._boundaries_cache = None
        self.built = True

    def adapt(self, data, steps=None) -> None:
        """Learn `num_bins` quantile boundaries from an array / tensor or an iterable of
        batches (such as a `Dataset`), merging batch summaries as Keras does."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized "
                             "with `bin_boundaries`, use `num_bins` instead.")
        self.summary = np.array([[], []], dtype="float32")
        if isinstance(data, (np.ndarray, torch.Tensor)) or not hasattr(data, "__iter__"):
            data = [data]
        for i, batch in enumerate(data):
            if steps is not None and i >= steps:
                break
            if isinstance(batch, torch.Tensor):
                batch = batch.detach().cpu().numpy()
            values = np.sort(np.array(batch).astype("float32").reshape(-1))
            self.summary = _merge(_summarize(values, self.epsilon), self.summary, self.epsilon)
        self.bin_boundaries = _compress(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()
        self._boundaries_cache = None

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at "
                             "construction time or call `adapt(dataset)` before you can start "
                             "using the `Discretization` layer.")
        cache = self._boundaries_cache
        if cache is None or cache.device != inputs.device or cache.dtype != inputs.dtype:
            cache = torch.tensor(self.bin_boundaries, dtype=torch.float32).to(
                inputs.device, inputs.dtype if inputs.is_floating_point() else torch.float32)
            self._boundaries_cache = cache
        ids = torch.bucketize(inputs, cache, right=True)
        dtype = "int32" if self.output_mode == "int" else self.compute_dtype
        return _categorical.encode(ids, self.output_mode, len(self.bin_boundaries) + 1, dtype)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None \
            else self.num_bins
        if self.output_mode == "one_hot":
            if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        if len(input_shape) >= 2:
            return (input_shape[0],) + input_shape[2:] + (depth,)
        return (depth,)

    def compute_output_spec(self, inputs):
        from hocsau.models.symbolic import Spec

        dtype = "int32" if self.output_mode == "int" else self.compute_dtype
        return Spec(self.compute_output_shape(inputs.shape), dtype)

    def get_config(self) -> dict:
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name, "dtype": self.dtype_policy.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A learned layer's config has both `num_bins` and `bin_boundaries`."""
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"].get("config", {}).get("name")
        boundaries = config.pop("bin_boundaries", None)
        if config.get("num_bins") is None:
            return cls(bin_boundaries=boundaries, **config)
        layer = cls(**config)
        layer.bin_boundaries = boundaries
        return layer


def _summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """Every `step`-th sorted value, each weighted by `step` (Keras's batch summary)."""
    step = max(values.size / (1.0 / epsilon), 1)
    boundaries = values[int(step - 1)::int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def _merge(first: np.ndarray, second: np.ndarray, epsilon: float) -> np.ndarray:
    merged = np.concatenate((first, second), axis=1)
    return _compress(np.take(merged, np.argsort(merged[0]), axis=1), epsilon)


def _compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """Re-bins a weighted summary at cumulative-weight fractions epsilon, 2 * epsilon, ..."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_percents, summary[0])
    cum_weights = np.interp(percents, cum_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype("float32")
