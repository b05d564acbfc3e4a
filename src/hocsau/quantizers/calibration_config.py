"""The arguments GPTQ and AWQ share: calibration data and the model structure to walk."""

from __future__ import annotations

from hocsau.quantizers.quantization_config import QuantizationConfig


class CalibrationConfig(QuantizationConfig):
    """Base of `GPTQConfig` and `AWQConfig` (not public).

    Args:
        dataset: an iterable of strings (with `tokenizer`) or of token id arrays.
        tokenizer: turns each string into token ids (`tokenizer.tokenize(text)` or a call).
        num_samples: calibration windows drawn from the tokens.
        sequence_length: tokens per window.
        group_size: input columns sharing a scale and zero point (-1: one pair per output
            channel).
        quantization_layer_structure: {"pre_block_layers": [...], "sequential_blocks":
            [...]}; None: `model.get_quantization_layer_structure(mode)`.
    """

    def __init__(self, dataset, tokenizer, *, num_samples: int, sequence_length: int,
                 group_size: int, quantization_layer_structure: dict | None):
        super().__init__()
        if num_samples <= 0:
            raise ValueError(f"num_samples must be a positive integer. Received: "
                             f"num_samples={num_samples}")
        if sequence_length <= 0:
            raise ValueError("sequence_length must be a positive integer. Received: "
                             f"sequence_length={sequence_length}")
        if group_size < -1 or group_size == 0:
            raise ValueError("Invalid group_size. Supported values are -1 (per-channel) or a "
                             f"positive integer. Received: group_size={group_size}")
        self.dataset = dataset
        self.tokenizer = tokenizer
        self.num_samples = num_samples
        self.sequence_length = sequence_length
        self.group_size = group_size
        self.quantization_layer_structure = quantization_layer_structure

    def dtype_policy_string(self) -> str:
        """The policy's mode part, e.g. "gptq/4/128"."""
        return f"{self.mode}/{self.weight_bits}/{self.group_size}"

    def get_config(self) -> dict:
        """The calibration inputs (dataset, tokenizer, the structure's layers) are used once
        and not saved."""
        return {"dataset": None, "tokenizer": None, "num_samples": self.num_samples,
                "sequence_length": self.sequence_length, "group_size": self.group_size,
                "quantization_layer_structure": None}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)
