"""The calibration loop of `Model.quantize("gptq" | "awq")`, block by block as Keras 3 runs
it:

    windows = token windows drawn from config.dataset          # (num_samples, 1, length)
    inputs = [pre_block_layers(w) for w in windows]
    for block in sequential_blocks:
        states = {layer: GPTQ(layer) | AWQ(layer) for its Dense / EinsumDense leaves}
        run block(x) for x in inputs, each leaf's inputs feeding its state (forward hooks)
        state.quantize_layer() for each leaf                  # the leaves now quantized
        inputs = [block(x) for x in inputs]                    # the quantized block's outputs

so each block is calibrated on what the already-quantized blocks before it produce. Keras
keeps `block(x)[0]` and adds the batch axis back only to 2D results; keeping the batch axis
gives the same inputs where that works, and also serves blocks whose outputs are not 3D.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from hocsau.utils.progbar import Progbar


def calibrate(model, config, filters=None) -> None:
    """Run GPTQ or AWQ (by `config.mode`) over `model`'s structure."""
    from hocsau.quantizers.awq import AWQ
    from hocsau.quantizers.gptq import GPTQ

    mode = config.mode
    if config.dataset is None or config.tokenizer is None:
        raise ValueError(f"{mode.upper()} quantization requires a dataset and a tokenizer. "
                         f"Please provide them in the `{mode.upper()}Config`.")
    structure = config.quantization_layer_structure
    if structure is None:
        structure = model.get_quantization_layer_structure(mode)
    if structure is None:
        raise ValueError(f"For mode='{mode}', a valid quantization structure must be provided "
                         "either via `config.quantization_layer_structure` or by overriding "
                         "`model.get_quantization_layer_structure(mode)`. The structure should "
                         "be a dictionary with keys 'pre_block_layers' and "
                         "'sequential_blocks'.")
    windows = get_dataloader(config.tokenizer, config.sequence_length, config.dataset,
                             num_samples=config.num_samples)
    state_class = GPTQ if mode == "gptq" else AWQ
    with torch.no_grad():
        apply_layerwise(windows[:config.num_samples], config, structure, state_class, filters)


def apply_layerwise(windows, config, structure: dict, state_class, filters=None) -> None:
    """Calibrate and quantize the structure's blocks in order (see the module docstring)."""
    from hocsau.quantizers.model_quantization import selected

    blocks = structure.get("sequential_blocks", [])
    if not blocks:
        raise ValueError("No sequential blocks found in the provided structure to quantize. "
                         f"Received: structure keys {sorted(structure)}")
    device = _device_of(list(structure.get("pre_block_layers", [])) + list(blocks))
    inputs = []
    for window in windows:
        x = torch.as_tensor(np.asarray(window), dtype=torch.int32, device=device)
        for layer in structure.get("pre_block_layers", []):
            x = layer(x)
        inputs.append(x)
    count = min(config.num_samples, len(inputs))
    progbar = Progbar(target=len(blocks))
    for index, block in enumerate(blocks):
        leaves = [layer for layer in find_layers_in_block(block) if selected(layer, filters)
                  and getattr(layer, "_calibrated", True) is False]
        if leaves:
            states = [state_class(layer, config) for layer in leaves]
            handles = [layer.register_forward_pre_hook(_feeder(state))
                       for layer, state in zip(leaves, states, strict=True)]
            try:
                for x in inputs[:count]:
                    block(x)
            finally:
                for handle in handles:
                    handle.remove()
            for state in states:
                state.quantize_layer()
        if index < len(blocks) - 1:
            inputs = [block(x) for x in inputs[:count]]
        progbar.update(index + 1)


def find_layers_in_block(block) -> list:
    """The block's Dense and EinsumDense leaves (the block itself when it is one)."""
    from hocsau.layers.core.dense import Dense
    from hocsau.layers.core.einsum_dense import EinsumDense
    from hocsau.layers.layer import Layer

    return [m for m in block.modules() if isinstance(m, (Dense, EinsumDense))
            and not any(isinstance(c, Layer) for c in m.children())]


def _device_of(layers: list) -> torch.device:
    """Where the structure's weights live (the windows go there)."""
    from hocsau import config

    for layer in layers:
        for parameter in layer.parameters():
            return parameter.device
    return config.device()


def _feeder(state):
    def hook(module, args):
        state.update(args[0])
    return hook


def get_dataloader(tokenizer, sequence_length: int, dataset, num_samples: int = 128, *,
                   strategy: str = "strided", seed: int = 42, stride: int | None = None,
                   eos_id: int | None = None) -> np.ndarray:
    """`num_samples` windows of `sequence_length` tokens, as int32 (num_samples, 1, length),
    from the concatenated tokens of `dataset` (strings through `tokenizer`, else arrays),
    tiled when too short. Windows start at evenly strided positions from an offset drawn
    from `seed` ("strided"), at `np.linspace` positions ("linspace") or at random
    ("random")."""
    if not hasattr(dataset, "__iter__") or isinstance(dataset, (str, bytes)):
        raise TypeError("The `dataset` argument must be an iterable (e.g., a list of strings, "
                        "a generator, or a NumPy array). Received: type "
                        f"{type(dataset).__name__}")
    items = list(dataset)
    if not items:
        raise ValueError("Provided dataset is empty.")
    tokens = np.concatenate(_token_pieces(items, tokenizer, eos_id)).astype(np.int32)
    needed = num_samples * sequence_length
    if tokens.size < needed:
        tokens = np.tile(tokens, math.ceil(needed / max(1, tokens.size)))
    last_start = tokens.size - sequence_length
    if last_start < 0:
        raise ValueError(f"Not enough tokens to form one sample of length {sequence_length} "
                         f"(have {tokens.size}).")
    starts = _window_starts(strategy, last_start, num_samples, seed, stride)
    windows = np.lib.stride_tricks.sliding_window_view(tokens, sequence_length)[starts]
    return windows.astype(np.int32)[:, None, :]


def _token_pieces(items: list, tokenizer, eos_id) -> list:
    if not isinstance(items[0], str):
        return [np.asarray(_to_numpy(item)).reshape(-1).astype(np.int32) for item in items]
    tokenize = getattr(tokenizer, "tokenize", tokenizer)
    pieces = []
    for i, text in enumerate(items):
        pieces.append(np.asarray(_to_numpy(tokenize(text))).reshape(-1))
        if eos_id is not None and i < len(items) - 1:  # windows then never span documents
            pieces.append(np.array([eos_id], dtype=np.int32))
    return pieces


def _to_numpy(value):
    return value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else value


def _window_starts(strategy: str, last_start: int, count: int, seed: int, stride):
    if strategy == "random":
        return np.random.default_rng(seed).integers(0, last_start + 1, size=count,
                                                    dtype=np.int64)
    if strategy == "linspace":
        return np.linspace(0, last_start, count, dtype=np.int64)
    if strategy != "strided":
        raise ValueError(f"Unknown strategy: {strategy}. Expected 'strided', 'linspace' or "
                         "'random'.")
    stride = max(1, (last_start + 1) // count) if stride is None else stride
    # Keras's offset: the hash of a tuple holding a string, so it varies between processes
    # unless PYTHONHASHSEED is set; within one process both libraries draw the same windows.
    offset = abs(hash(("gptq-calib", seed))) % (last_start + 1) if last_start > 0 else 0
    return (offset + np.arange(count, dtype=np.int64) * stride) % (last_start + 1)
