"""GPTQ and AWQ forms of Dense and EinsumDense, with Keras 3's weights:

    kernel        uint8 (ceil(columns / 2), rows) for 4 bits, two levels a byte along the
                  columns; (columns, rows) for 2, 3 or 8 bits (Python name `quantized_kernel`)
    kernel_scale  float32 (columns, groups)
    kernel_zero   uint8 (columns, groups)   (EinsumDense names the weight "zero_point")
    awq_scales    float32 (rows,)           AWQ only
    g_idx         float32 (rows,)           int(g_idx[r]) is row r's group

where the kernel is seen as a (rows, columns) matrix: (input_dim, units) for Dense; for a 3D
EinsumDense kernel, its largest axis decides: first -> (in, heads * head_dim), else
(heads * head_dim, out). Files list bias first, then these (Keras's order).

`quantize("gptq" | "awq", config=...)` only creates the weights: the layer keeps computing
with its float kernel until `Model.quantize` has calibrated it (calibration.py) and stored
the quantized values; a layer built under a GPTQ / AWQ policy (from a file) is calibrated.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from hocsau.quantizers.functions import unpack_int4
from hocsau.quantizers.zero_point import dequantize_with_sz_map


class _WhileCalibrated:
    """`load_own_variables` of GPTQ / AWQ layers; other layers keep the next class's (LoRA's
    or the generic one), so `weights_store` keeps its generic path for them."""

    def __get__(self, layer, owner=None):
        if layer is None:
            return self
        if layer.quantization_mode in ("gptq", "awq"):
            return lambda store: _load_calibrated(layer, store)
        return super(CalibratedKernelMixin, layer).load_own_variables


class CalibratedKernelMixin:
    """`_gptq_*` and `_awq_*` builds, quantize steps and calls for a layer with a kernel
    (`_float8_product` is its float product)."""

    _zero_point_name = "kernel_zero"
    load_own_variables = _WhileCalibrated()

    @property
    def quantized_kernel(self) -> torch.Tensor:
        """The stored levels (Keras's name for the GPTQ / AWQ kernel)."""
        return self._parameters["kernel"]

    @property
    def is_gptq_calibrated(self) -> bool:
        return self.quantization_mode == "gptq" and self._calibrated

    @property
    def is_awq_calibrated(self) -> bool:
        return self.quantization_mode == "awq" and self._calibrated

    def _calibrated_matrix_shape(self, kernel_shape=None) -> tuple[int, int]:
        shape = tuple(kernel_shape or self._float_kernel_shape)
        if len(shape) == 2:
            return shape
        if len(shape) != 3:
            raise ValueError(f"Layer '{self.name}': GPTQ and AWQ quantize 2D or 3D kernels. "
                             f"Received: kernel shape {shape}")
        if shape.index(max(shape)) == 0:  # (in, heads, head_dim): a query/key/value map
            return shape[0], shape[1] * shape[2]
        return shape[0] * shape[1], shape[2]  # (heads, head_dim, out): an output map

    def _gptq_build(self, kernel_shape: tuple, config) -> None:
        self._calibrated_build(kernel_shape, config, "gptq")

    def _awq_build(self, kernel_shape: tuple, config) -> None:
        self._calibrated_build(kernel_shape, config, "awq")

    def _calibrated_build(self, kernel_shape: tuple, config, mode: str) -> None:
        bits, group_size = calibration_settings(self, config, mode)
        self._float_kernel_shape = tuple(kernel_shape)
        rows, columns = self._calibrated_matrix_shape()
        groups = 1 if group_size == -1 else math.ceil(rows / group_size)
        self._calibrated_bits, self._calibrated_columns = bits, columns
        if mode == "gptq" and hasattr(self, "gptq_unpacked_column_size"):  # EinsumDense
            self.gptq_unpacked_column_size = columns
        self._calibrated = True  # built from a file; quantize() resets it until calibrated
        stored_columns = (columns + 1) // 2 if bits == 4 else columns
        self._add_fixed("kernel", (stored_columns, rows), "uint8")
        self.kernel_scale = self._add_fixed("kernel_scale", (columns, groups),
                                            initializer="ones")
        self.kernel_zero = self._add_fixed(self._zero_point_name, (columns, groups), "uint8")
        if mode == "awq":
            self.awq_scales = self._add_fixed("awq_scales", (rows,), initializer="ones")
        self.g_idx = self._add_fixed("g_idx", (rows,))
        self._is_quantized = True

    def _quantize_gptq(self, kernel: torch.Tensor, config) -> None:
        self._quantize_calibrated(kernel, config, "gptq")

    def _quantize_awq(self, kernel: torch.Tensor, config) -> None:
        self._quantize_calibrated(kernel, config, "awq")

    def _quantize_calibrated(self, kernel: torch.Tensor, config, mode: str) -> None:
        """The weights, still empty: the float kernel stays in use until calibration."""
        self._calibrated_build(tuple(kernel.shape), config, mode)
        self._float_kernel = kernel
        self._calibrated = False

    def _store_calibrated(self, levels, scale, zero, g_idx, awq_scales=None) -> None:
        """Calibration's results into the weights; the float kernel is dropped."""
        with torch.no_grad():
            self.quantized_kernel.copy_(levels)
            self.kernel_scale.copy_(scale)
            self.kernel_zero.copy_(zero)
            self.g_idx.copy_(g_idx)
            if awq_scales is not None:
                self.awq_scales.copy_(awq_scales)
        self._calibrated = True
        del self._float_kernel

    def _gptq_call(self, inputs, training=None):
        return self._finish(self._float8_product(inputs, self._calibrated_kernel(inputs)))

    _awq_call = _gptq_call

    def _calibrated_kernel(self, inputs) -> torch.Tensor:
        """The kernel the layer computes with, in its own shape and the inputs' dtype."""
        if not self._calibrated:
            return self._float_kernel.to(inputs.dtype)
        levels = self.quantized_kernel
        if self._calibrated_bits == 4:
            levels = unpack_int4(levels, self._calibrated_columns, axis=0, dtype="uint8")
        kernel = dequantize_with_sz_map(levels, self.kernel_scale, self.kernel_zero,
                                        self.g_idx).T
        if self.quantization_mode == "awq":
            kernel = kernel / self.awq_scales[:, None]
        return kernel.reshape(self._float_kernel_shape).to(inputs.dtype)


def calibration_settings(layer, config, mode: str) -> tuple[int, int]:
    """(weight_bits, group_size): the config's, else the layer's GPTQ / AWQ policy's."""
    from hocsau.quantizers.calibration_config import CalibrationConfig

    source = config if isinstance(config, CalibrationConfig) and config.mode == mode \
        else layer.dtype_policy
    bits, group_size = getattr(source, "weight_bits", None), getattr(source, "group_size",
                                                                        None)
    if bits is None or group_size is None:
        name = mode.upper()
        raise ValueError(f"Layer '{layer.name}': for {name} quantization, weight_bits and "
                         f"group_size must come from a `{name}Config` or a "
                         f"`{name}DTypePolicy`. Received: config={config!r}, "
                         f"dtype_policy={layer.dtype_policy.name!r}")
    return bits, group_size


def _load_calibrated(layer, store) -> None:
    """Load a GPTQ / AWQ layer; a file without zero points (Keras 3.15 leaves them out when
    it saves these layers) gets symmetric GPTQ's constant one, other files are refused."""
    from hocsau.layers.layer import Layer
    from hocsau.saving.weights_store import own_variables

    variables = own_variables(layer)
    values = {k: np.asarray(store[k]) for k in store.keys()}
    if len(values) == len(variables) - 1:
        config = layer.quantization_config
        if layer.quantization_mode != "gptq" or not getattr(config, "symmetric", False):
            raise ValueError(
                f"Layer '{layer.name}' ({layer.dtype_policy.name}) expected "
                f"{len(variables)} variables, the zero points among them, but the file has "
                f"{len(values)}: Keras 3.15 leaves `kernel_zero` out when it saves GPTQ / AWQ "
                "layers (it cannot load such files either), and only symmetric GPTQ's zero "
                f"points can be rebuilt. Received: {len(values)} variables")
        at = next(i for i, v in enumerate(variables) if v is layer.kernel_zero)
        zero = np.full(tuple(layer.kernel_zero.shape), 2 ** (layer._calibrated_bits - 1),
                       np.uint8)
        ordered = [values[str(i)] for i in range(len(values))]
        values = {str(i): v for i, v in enumerate(ordered[:at] + [zero] + ordered[at:])}
    Layer.load_own_variables(layer, values)
    layer._calibrated = True
