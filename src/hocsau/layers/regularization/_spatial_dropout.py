"""`SpatialDropout`: drops whole feature maps (channels) instead of single units."""

from __future__ import annotations

from hocsau.layers.input_spec import InputSpec
from hocsau.layers.regularization._noise_layer import NoiseLayer
from hocsau.utils.argument_validation import standardize_data_format


class SpatialDropout(NoiseLayer):
    """One keep/drop draw per (sample, channel), shared over the spatial axes."""

    rank = 1

    def __init__(self, rate: float, data_format=None, seed=None, **kwargs):
        super().__init__(rate, seed, **kwargs)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        ones = (1,) * self.rank
        batch, channels = inputs.shape[0], inputs.shape[
            -1 if self.data_format == "channels_last" else 1]
        shape = (batch, *ones, channels) if self.data_format == "channels_last" else (
            batch, channels, *ones)
        return self._dropout(inputs, shape)

    def get_config(self) -> dict:
        # Keras writes exactly these keys for the spatial dropouts (no `trainable`).
        config = {"rate": self.rate, "seed": self.seed, "name": self.name,
                  "dtype": super().get_config()["dtype"]}
        return config if self.rank == 1 else {**config, "data_format": self.data_format}
