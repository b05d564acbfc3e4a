"""`CategoryEncoding`: integer features as one-hot, multi-hot or count vectors."""

from __future__ import annotations

import torch

from hocsau.layers.layer import Layer
from hocsau.layers.preprocessing import _categorical
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class CategoryEncoding(Layer):
    """Encodes integer ids in `[0, num_tokens)` as Keras does: "one_hot" adds an axis (or
    replaces a last axis of 1), "multi_hot" and "count" collapse each sample's ids into one
    `num_tokens` vector. Runs on the inputs' device, without host syncs.

    Args:
        num_tokens: Number of distinct ids (the output width).
        output_mode: "multi_hot" (alias "binary"), "one_hot" or "count".
        sparse: Only False (sparse tensors need TensorFlow).

    Call arguments:
        inputs: Integer ids, rank 0 to 2.
        count_weights: With "count", a weight per id (same shape as `inputs`).
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        output_mode = "multi_hot" if output_mode == "binary" else output_mode
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode. Received: output_mode={output_mode}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens "
                             "is not known beforehand, use the IntegerLookup layer instead. "
                             "Received: num_tokens=None")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        _categorical.check_dense(sparse, "CategoryEncoding")
        self.num_tokens, self.output_mode, self.sparse = num_tokens, output_mode, sparse
        self.built = True

    def call(self, inputs, count_weights=None):
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError("`count_weights` is not used when `output_mode` is not "
                                 f"`'count'`. Received `count_weights={count_weights}`.")
            count_weights = torch.as_tensor(count_weights, device=inputs.device).to(
                self._dtype_policy.torch_compute_dtype)
        try:
            return _categorical.encode(inputs, self.output_mode, self.num_tokens,
                                       self.compute_dtype, count_weights)
        except (RuntimeError, IndexError):
            ids = torch.as_tensor(inputs)
            if ids.numel() and int(ids.max()) >= self.num_tokens:  # only once torch failed
                raise ValueError(
                    f"Input values of CategoryEncoding layer '{self.name}' must be in the range "
                    f"0 <= values < num_tokens with num_tokens={self.num_tokens}. Received: "
                    f"inputs with a largest value of {int(ids.max())}") from None
            raise

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if not input_shape:
            return (self.num_tokens,)
        if self.output_mode == "one_hot" and (input_shape[-1] != 1 or len(input_shape) == 1):
            return input_shape + (self.num_tokens,)
        return input_shape[:-1] + (self.num_tokens,)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode}
