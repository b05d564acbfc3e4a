"""`AWQConfig`: activation-aware weight quantization (AWQ, Lin et al.): input channels with
large calibration activations get their weights scaled up before 4-bit rounding."""

from __future__ import annotations

from hocsau.quantizers.calibration_config import CalibrationConfig
from hocsau.saving.serialization import keras_class


@keras_class("keras.quantizers")
class AWQConfig(CalibrationConfig):
    """The settings of `model.quantize("awq", config=AWQConfig(...))`.

    Args:
        dataset, tokenizer, num_samples, sequence_length, group_size,
        quantization_layer_structure: see `CalibrationConfig`.
        weight_bits: 4 (the only width AWQ supports).
        num_grid_points: ratios tried in [0, 1] for the scales `max|x| ** ratio`.
    """

    def __init__(self, dataset, tokenizer, *, weight_bits: int = 4, num_samples: int = 128,
                 sequence_length: int = 512, group_size: int = 128,
                 num_grid_points: int = 20, quantization_layer_structure: dict | None = None):
        if weight_bits != 4:
            raise ValueError("AWQ only supports 4-bit quantization. Received: "
                             f"weight_bits={weight_bits}")
        if num_grid_points <= 0:
            raise ValueError("num_grid_points must be a positive integer. Received: "
                             f"num_grid_points={num_grid_points}")
        super().__init__(dataset, tokenizer, num_samples=num_samples,
                         sequence_length=sequence_length, group_size=group_size,
                         quantization_layer_structure=quantization_layer_structure)
        self.weight_bits = weight_bits
        self.num_grid_points = num_grid_points

    @property
    def mode(self) -> str:
        return "awq"

    def get_config(self) -> dict:
        return {**super().get_config(), "weight_bits": self.weight_bits,
                "num_grid_points": self.num_grid_points}
