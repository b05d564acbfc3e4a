"""GPTQ for one layer: a running Hessian `2/N * sum(x x^T)` of the layer's calibration
inputs, then the weights quantized column by column, each column's rounding error pushed
onto the columns not yet quantized through the inverse Hessian (Optimal Brain Quantization
in blocks, as Keras 3 and the GPTQ reference implementation do it).

    for each block of 128 columns:
        for each column j of the block:
            q_j = quantize(w_j)           # (scale, zero) computed once per group
            e_j = (w_j - dequantize(q_j)) / Hinv[j, j]
            w[:, j+1:block_end] -= e_j Hinv[j, j+1:block_end]
        w[:, block_end:] -= E_block Hinv[block, block_end:]
"""

from __future__ import annotations

import torch

from hocsau.quantizers.functions import pack_int4
from hocsau.quantizers.zero_point import (
    compute_quantization_parameters,
    dequantize_with_zero_point,
    quantize_with_zero_point,
)


class GPTQ:
    """The calibration state of one Dense / EinsumDense layer under `GPTQConfig`.

    Args:
        layer: the layer, already given its GPTQ weights by `layer.quantize("gptq")`.
        config: the `GPTQConfig`.
    """

    def __init__(self, layer, config):
        self.layer = layer
        self.config = config
        self.rows, self.columns = layer._calibrated_matrix_shape()
        self.hessian = torch.zeros((self.rows, self.rows), dtype=torch.float32,
                                   device=layer._float_kernel.device)
        self.num_samples = 0

    def update(self, inputs: torch.Tensor) -> None:
        """Fold a batch of the layer's inputs, (..., rows), into the running Hessian."""
        x = inputs.detach().reshape(-1, self.rows).to(torch.float32)
        if x.numel() == 0:
            raise ValueError("Input tensor cannot be empty.")
        previous, total = self.num_samples, self.num_samples + x.shape[0]
        gram = x.T @ x
        gram = (gram + gram.T) / 2.0
        if previous > 0:
            self.hessian = self.hessian * (torch.tensor(previous) / torch.tensor(total))
        self.hessian = self.hessian + (2.0 / torch.tensor(total)) * gram
        self.num_samples = total

    def quantize_layer(self, blocksize: int = 128) -> None:
        """Quantize the layer's float kernel and store Keras's GPTQ weights in it."""
        config = self.config
        weights = self.layer._float_kernel.reshape(self.rows, self.columns).T.float()
        hessian = damped_hessian(self.hessian, config.hessian_damping)

        def params(matrix):
            return compute_quantization_parameters(
                matrix, bits=config.weight_bits, symmetric=config.symmetric,
                per_channel=config.per_channel, group_size=config.group_size,
                compute_dtype=self.layer.dtype_policy.variable_dtype)

        quantized, scale, zero, g_idx = gptq_quantize_matrix(
            weights, torch.linalg.inv(hessian), blocksize=blocksize,
            group_size=config.group_size, activation_order=config.activation_order,
            order_metric=torch.diagonal(hessian), compute_scale_zero=params)
        quantized = quantized.to(torch.uint8)
        if config.weight_bits == 4:
            quantized = pack_int4(quantized, axis=0, dtype="uint8")[0]
        self.layer._store_calibrated(quantized, scale, zero, g_idx)


def damped_hessian(hessian: torch.Tensor, damping: float) -> torch.Tensor:
    """The Hessian with dead inputs' diagonal set to 1 and `damping * mean(diagonal)` added
    to its diagonal (kept invertible)."""
    diagonal = torch.diagonal(hessian)
    dead = diagonal == 0.0
    diagonal = torch.where(dead, 1.0, diagonal)
    hessian = hessian + torch.diag(torch.where(dead, 1.0, torch.zeros_like(diagonal)))
    diagonal = diagonal + damping * diagonal.mean()
    return hessian - torch.diag(torch.diagonal(hessian)) + torch.diag(diagonal)


def gptq_quantize_matrix(weights: torch.Tensor, inv_hessian: torch.Tensor, *,
                         blocksize: int = 128, group_size: int = -1,
                         activation_order: bool = False, order_metric=None,
                         compute_scale_zero=None):
    """GPTQ on an (out_features, in_features) matrix.

    Returns (levels as int32 (out, in), scale (out, groups), zero (out, groups), g_idx
    (in,) float32: each column's position in quantization order divided by the group size,
    so `int(g_idx)` is its group).
    """
    in_features = weights.shape[1]
    permutation = None
    if activation_order:
        permutation = _importance_order(inv_hessian, order_metric)
        weights = weights[:, permutation]
        inv_hessian = inv_hessian[permutation][:, permutation]
    group = in_features if group_size == -1 else group_size
    buffer = weights.clone()
    levels = torch.zeros_like(weights, dtype=torch.int32)
    scales, zeros = [], []
    cached = (None, None, None, -1)
    for start in range(0, in_features, blocksize):
        end = min(start + blocksize, in_features)
        block = buffer[:, start:end].clone()
        errors = torch.zeros_like(block)
        block_inverse = inv_hessian[start:end, start:end]
        for i in range(end - start):
            column = start + i
            group_start = (column // group) * group
            if group_start != cached[3]:  # a new group: its parameters, from `buffer`
                found = compute_scale_zero(buffer[:, group_start:min(group_start + group,
                                                                     in_features)])
                cached = (*found, group_start)
                scales.append(found[0])
                zeros.append(found[1])
            scale, zero, maxq = cached[:3]
            level = quantize_with_zero_point(block[:, i:i + 1], scale, zero, maxq)
            levels[:, column] = level[:, 0].to(torch.int32)
            error = (block[:, i] - dequantize_with_zero_point(level, scale, zero)[:, 0]) / \
                block_inverse[i, i]
            errors[:, i] = error
            if i < end - start - 1:
                block[:, i + 1:] = block[:, i + 1:] - error[:, None] @ block_inverse[i, i + 1:][
                    None, :]
        if end < in_features:
            buffer = torch.cat([buffer[:, :end], buffer[:, end:] - errors @ inv_hessian[
                start:end, end:]], dim=1)
    g_idx = torch.arange(in_features, dtype=torch.int32) / group
    g_idx = g_idx.to(torch.float32).to(weights.device)
    if permutation is not None:
        inverse = torch.argsort(permutation, stable=True)
        g_idx, levels = g_idx[inverse], levels[:, inverse]
    return levels, torch.cat(scales, dim=1), torch.cat(zeros, dim=1), g_idx


def _importance_order(inv_hessian: torch.Tensor, metric) -> torch.Tensor:
    """Columns by decreasing `metric` (default 1 / diag(Hinv)), ties broken by index."""
    if metric is None:
        metric = 1.0 / (torch.diagonal(inv_hessian) + 1e-12)
    else:
        metric = metric.to(torch.float32)
        metric = torch.where(torch.isfinite(metric), metric, torch.zeros_like(metric))
    n = metric.shape[0]
    jitter = torch.arange(n, dtype=torch.int32).to(torch.float32) / float(n)
    return torch.argsort(-(metric + jitter.to(metric.device) * 1e-12), stable=True)
