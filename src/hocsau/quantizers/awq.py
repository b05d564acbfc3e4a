"""AWQ for one layer: the largest |input| per input channel over the calibration data, then
a grid search for per-channel scales `max|x| ** ratio` (ratio in [0, 1]) that minimize the
activation-weighted error of 4-bit rounding; the weights are multiplied by the best scales
before rounding and divided by them when used.
"""

from __future__ import annotations

import torch

from hocsau.quantizers.functions import pack_int4
from hocsau.quantizers.zero_point import (
    compute_quantization_parameters,
    dequantize_with_sz_map,
    quantize_with_sz_map,
)


class AWQ:
    """The calibration state of one Dense / EinsumDense layer under `AWQConfig`.

    Args:
        layer: the layer, already given its AWQ weights by `layer.quantize("awq")`.
        config: the `AWQConfig`.
    """

    def __init__(self, layer, config):
        self.layer = layer
        self.config = config
        self.rows, self.columns = layer._calibrated_matrix_shape()
        self.activation_magnitudes = torch.zeros(self.rows, dtype=torch.float32,
                                                 device=layer._float_kernel.device)
        self.num_samples = 0

    def update(self, inputs: torch.Tensor) -> None:
        """Fold a batch of the layer's inputs, (..., rows), into the per-channel max."""
        x = inputs.detach().reshape(-1, self.rows).to(torch.float32)
        if x.numel() == 0:
            raise ValueError("Input tensor cannot be empty.")
        self.activation_magnitudes = torch.maximum(self.activation_magnitudes,
                                                   x.abs().amax(dim=0))
        self.num_samples += x.shape[0]

    def quantize_layer(self) -> None:
        """Quantize the layer's float kernel and store Keras's AWQ weights in it."""
        weights = self.layer._float_kernel.reshape(self.rows, self.columns).T.float()
        levels, scale, zero, awq_scales, g_idx = awq_quantize_matrix(
            weights, self.activation_magnitudes,
            num_grid_points=self.config.num_grid_points, group_size=self.config.group_size)
        packed = pack_int4(levels.to(torch.uint8), axis=0, dtype="uint8")[0]
        self.layer._store_calibrated(packed, scale, zero, g_idx, awq_scales=awq_scales)


def awq_quantize_matrix(weights: torch.Tensor, activation_magnitudes: torch.Tensor, *,
                        num_grid_points: int = 20, group_size: int = -1):
    """AWQ on an (out_features, in_features) matrix: (levels (out, in) as floats, scale and
    zero (out, groups), awq_scales (in,), g_idx (in,) float32)."""
    awq_scales = awq_search_optimal_scales(weights, activation_magnitudes,
                                           num_grid_points=num_grid_points,
                                           group_size=group_size)
    levels, scale, zero, g_idx = _round_trip(weights * awq_scales, group_size)[:4]
    return levels, scale, zero, awq_scales, g_idx.to(torch.float32)


def awq_search_optimal_scales(weights: torch.Tensor, activation_magnitudes: torch.Tensor, *,
                              num_grid_points: int = 20, group_size: int = -1):
    """The scales (in_features,) among `num_grid_points + 1` ratios whose round trip
    `dequantize(quantize(w * s)) / s` has the least `mean((w - w_hat)**2 * max|x|**2)`;
    the first best wins ties."""
    x_max = activation_magnitudes.to(torch.float32)
    x_max = torch.where(x_max < 1e-8, torch.ones_like(x_max), x_max)
    best_loss, best = None, torch.ones(weights.shape[1], dtype=torch.float32)
    for i in range(num_grid_points + 1):
        ratio = i / num_grid_points
        scales = torch.ones_like(x_max) if ratio == 0 else torch.pow(x_max, _f32(ratio))
        scales = torch.maximum(scales, _f32(1e-4))
        middle = torch.maximum(torch.sqrt(scales.max() * scales.min()), _f32(1e-8))
        scales = scales / middle
        reconstructed = _round_trip(weights * scales, group_size)[4] / scales
        loss = torch.mean(torch.square(weights - reconstructed) * torch.square(x_max))
        if best_loss is None or bool(loss < best_loss):
            best_loss, best = loss, scales
    return best


def _f32(value: float) -> torch.Tensor:
    """A float32 scalar: Keras rounds Python constants to float32 before using them."""
    return torch.tensor(value, dtype=torch.float32)


def _round_trip(weights: torch.Tensor, group_size: int):
    """4-bit asymmetric quantization per channel or per group of input columns: (levels,
    scale, zero, g_idx, dequantized)."""
    scale, zero, maxq = compute_quantization_parameters(
        weights, bits=4, symmetric=False, per_channel=True, group_size=group_size,
        compute_dtype="float32")
    in_features = weights.shape[1]
    if group_size == -1:
        g_idx = torch.zeros(in_features, dtype=torch.int32, device=weights.device)
    else:
        g_idx = torch.div(torch.arange(in_features, device=weights.device), group_size,
                          rounding_mode="floor").to(torch.int32)
    levels = quantize_with_sz_map(weights, scale, zero, g_idx, maxq)
    return levels, scale, zero, g_idx, dequantize_with_sz_map(levels, scale, zero, g_idx)
