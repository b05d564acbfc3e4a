"""PyTorch's fused recurrent kernels on Keras-layout weights, with Keras's mask semantics.

Keras skips masked steps: the state is carried over them and the output repeats the last
unmasked step's output (zeros before the first one). The same result comes from one fused
kernel call without a host sync, for any mask (right-padded, left-padded or holes):

    compact    each row's unmasked steps moved to the front, in order
    run        the fused kernel over the compacted rows
    spread     step t takes the compacted output number (unmasked steps up to t) - 1

The final hidden state is the last spread output. An LSTM's final cell state is read from
the kernel itself: a padding-flag input saturates the forget gate open and the input gate
shut on the compacted tail, so those steps leave the cell state exactly as it was.
"""

from __future__ import annotations

import contextlib
import warnings

import torch

from hocsau.layers.rnn import _lstm_sequence

_SATURATE = 1e4  # sigmoid(+-1e4) is exactly 1 / 0, in float16 too
_KERNELS = {"gru": torch._VF.gru, "rnn_tanh": torch._VF.rnn_tanh}


def run(kind: str, x: torch.Tensor, states: list, weights: list, cudnn: bool = True):
    """(outputs (batch, steps, units), final states) of one fused layer over batch-first x.

    On a GPU torch picks cuDNN's kernel (unless `cudnn` is False) for float32, float16 and
    float64. Mixed precision: the float32 weights are cast to the input's dtype, except where
    the kernel lacks it (CPU: half precision; cuDNN: bfloat16), where the step runs in
    float32 and the results are cast back (float64 stays float64).
    """
    dtype = x.dtype
    compute = dtype if x.is_cuda and dtype != torch.bfloat16 else \
        torch.promote_types(dtype, torch.float32)
    if any(t.dtype != compute for t in (x, *states, *weights)):
        outputs, final = run(kind, x.to(compute), [s.to(compute) for s in states],
                             [w.to(compute) for w in weights], cudnn)
        return outputs.to(dtype), [s.to(dtype) for s in final]
    if not x.is_cuda:
        return _run(kind, x, states, weights)
    # cuDNN warns that the weights are not one flat buffer (an nn.LSTM's are): ours are the
    # Keras variables, so it packs them on each call, which costs little at these sizes.
    with warnings.catch_warnings(), _without_cudnn(not cudnn):
        warnings.filterwarnings("ignore", message="RNN module weights are not part")
        return _run(kind, x, states, weights)


@contextlib.contextmanager
def _without_cudnn(off: bool):
    """cuDNN switched off for the block when `off` (the user's other cuDNN flags kept)."""
    previous = torch.backends.cudnn.enabled
    if off:
        torch.backends.cudnn.enabled = False
    try:
        yield
    finally:
        torch.backends.cudnn.enabled = previous


def _run(kind: str, x: torch.Tensor, states: list, weights: list):
    has_bias = len(weights) == 4
    train = torch.is_grad_enabled()  # cuDNN keeps what backward needs only in train mode
    if kind == "lstm" and _lstm_sequence.suits(x, states[0].shape[1]):
        return _lstm_sequence.lstm(x, states, weights)
    if kind == "lstm":
        outputs, h, c = torch._VF.lstm(x, (states[0][None], states[1][None]), weights, has_bias,
                                       1, 0.0, train, False, True)
        return outputs, [h[0], c[0]]
    outputs, h = _KERNELS[kind](x, states[0][None], weights, has_bias, 1, 0.0, train, False,
                                True)
    return outputs, [h[0]]


def compact(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Each row's unmasked steps first, in their order (masked steps after them).

    Each step is scattered to its place (a stable sort's result, without a sort, so the
    ONNX exporter can translate it): unmasked step t to (unmasked steps up to t) - 1, masked
    step t to (unmasked steps in the row) + (masked steps before t)."""
    seen = mask.cumsum(dim=1)
    steps = torch.arange(mask.shape[1], device=mask.device)
    place = torch.where(mask, seen - 1, seen[:, -1:] + steps - seen)
    return torch.zeros_like(x).scatter(1, place[..., None].expand_as(x), x)


def spread(outputs: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Outputs of compacted rows back on the time axis, masked steps repeating the last
    unmasked output (zeros before the first)."""
    seen = mask.cumsum(dim=1)
    index = (seen - 1).clamp_(min=0)
    spread_out = outputs.gather(1, index[..., None].expand(-1, -1, outputs.shape[-1]))
    return spread_out.masked_fill((seen == 0)[..., None], 0.0)


def hold_cell_state(x: torch.Tensor, mask: torch.Tensor, weights: list, units: int):
    """Compacted LSTM inputs and weights with a padding-flag feature that freezes the cell
    state on each row's tail (the steps after its unmasked ones)."""
    tail = (torch.arange(x.shape[1], device=x.device) >= mask.sum(dim=1, keepdim=True))[..., None]
    x = torch.cat([x.masked_fill(tail, 0.0), tail.to(x.dtype)], dim=-1)
    gate = weights[0].new_full((units, 1), _SATURATE)
    zeros = weights[0].new_zeros((2 * units, 1))
    column = torch.cat([-gate, gate, zeros])  # gates i, f, c, o
    return x, [torch.cat([weights[0], column], dim=1), *weights[1:]]
