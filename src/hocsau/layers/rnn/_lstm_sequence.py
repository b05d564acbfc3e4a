"""A whole-sequence LSTM for CPU training: one autograd node, a hand-written backward.

torch's CPU kernel (oneDNN's) slows down sharply from batches of about 96 (at 64 units; the
threshold falls with more units); this one is 10-35% faster there, and slower on small
batches or tiny layers, so `suits` picks it by size. Same results within float32 rounding.
Measured (fit step, one thread, this / oneDNN; batch x units, 100 steps): 64x32 1.7, 64x64
1.4, 80x64 1.4, 128x16 1.9, 96x64 0.88, 128x32 0.78, 128x64 0.87, 128x128 0.91, 256x16 0.65,
256x64 0.85, 256x128 0.81, 128x256 0.91, 128x512 1.11.

Layout: time-major buffers (each step one contiguous block), gates reordered i, f, o, g so
the three sigmoid gates sit side by side and one `sigmoid_` per step covers all four:

    tanh(z) = 1 - 2 sigmoid(-2 z)        (torch's tanh costs ~5 sigmoids on the CPU)

    S[t] = sigmoid(x_t K + h_{t-1} R + b) on i, f, o  |  sigmoid(-2 (...)) on g
    c_t  = f c_{t-1} + i g = f c_{t-1} + i - 2 i S_g
    W[t] = sigmoid(-2 c_t),   h_t = o tanh(c_t) = o - 2 o W[t]

The input projections of all steps are one matrix product before the loop; the backward's
weight and input gradients are one matrix product each over all steps after it.
"""

from __future__ import annotations

import contextlib

import torch

from hocsau.layers.rnn import _lstm_steps

MIN_BATCH = 96  # below these (or above MAX_UNITS) oneDNN's kernel is as fast or faster
MIN_CELLS = 4096  # batch * units
MAX_UNITS = 256
MIN_PART = 48  # rows: the least slice of the batch worth a step loop on a thread of its own


def suits(x: torch.Tensor, units: int) -> bool:
    """Whether this kernel beats torch's for training on `x` (batch, steps, features). Not
    under torch.compile / torch.export, which would unroll its Python loop."""
    if torch.compiler.is_compiling() or torch.compiler.is_exporting():
        return False
    return (x.device.type == "cpu" and x.dtype in (torch.float32, torch.float64)
            and torch.is_grad_enabled() and x.shape[0] >= MIN_BATCH
            and x.shape[0] * units >= MIN_CELLS and units <= MAX_UNITS and x.shape[1] > 0)


def lstm(x: torch.Tensor, states: list, weights: list):
    """(outputs (batch, steps, units), [h, c]) as `torch._VF.lstm` on batch-first `x` with
    torch-layout weights [w_ih, w_hh(, b_ih, b_hh)]."""
    biases = weights[2:] or [None, None]
    outputs, h, c = SequenceLSTM.apply(x, states[0], states[1], *weights[:2], *biases)
    return outputs.transpose(0, 1), [h, c]


def _sigmoid_gates_first(t: torch.Tensor) -> torch.Tensor:
    """Rows (gates) i, f, g, o -> i, f, o, g; the same swap maps them back."""
    units = t.shape[0] // 4
    return torch.cat([t[:2 * units], t[3 * units:], t[2 * units:3 * units]])


class SequenceLSTM(torch.autograd.Function):
    """x (B, T, I), h0, c0 (B, H), w_ih (4H, I), w_hh (4H, H), b_ih, b_hh (4H,) or None
    -> (outputs (T, B, H), h_T, c_T)."""

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh):
        ctx.set_materialize_grads(False)
        w_in, w_rec = _sigmoid_gates_first(w_ih), _sigmoid_gates_first(w_hh)
        bias = _sigmoid_gates_first(b_ih + b_hh) if b_ih is not None else None
        buffers = _run(x, h0, c0, w_in, w_rec, bias)
        hs = buffers.pop()
        ctx.save_for_backward(x, h0, c0, w_in, w_rec, hs)
        ctx.bias, ctx.buffers = bias, buffers
        return hs, hs[-1].clone(), buffers[2][-1].clone()

    @staticmethod
    def backward(ctx, d_outputs, d_h, d_c):
        x, h0, c0, w_in, w_rec, hs = ctx.saved_tensors
        # The buffers are dropped here to free them early; a second backward through a
        # retained graph runs the forward again.
        buffers, ctx.buffers = ctx.buffers, None
        x_tm, gates, cs, ws = buffers or _run(x, h0, c0, w_in, w_rec, ctx.bias)[:4]
        steps, batch, columns = gates.shape
        d_h = h0.new_zeros(h0.shape) if d_h is None else d_h.clone()
        if d_outputs is not None:
            d_h.add_(d_outputs[-1])
        d_c = c0.new_zeros(c0.shape) if d_c is None else d_c.clone()
        d_gates = torch.empty_like(gates)
        needs = ctx.needs_input_grad
        d_h0 = torch.empty_like(d_h) if needs[1] else None
        with _parts(batch) as bounds:
            _lstm_steps.compiled("backward_parts")(gates, cs, ws, c0, w_rec, d_outputs, d_h,
                                                   d_c, d_gates, d_h0, bounds)
        # batch-major input gradient, one batched product (an Embedding's backward would
        # copy a transposed one)
        d_x = torch.bmm(d_gates.transpose(0, 1), w_in.expand(batch, *w_in.shape)) \
            if needs[0] else None
        d_w_ih = d_b = None
        if needs[3] or ctx.bias is not None:  # the bias is the ones column of x_tm
            d_kernel = d_gates.view(steps * batch, columns).t() @ x_tm
            d_w_ih = _sigmoid_gates_first(d_kernel[:, :w_in.shape[1]])
            d_b = _sigmoid_gates_first(d_kernel[:, -1]) if ctx.bias is not None else None
        d_w_hh = _sigmoid_gates_first(_recurrent_gradient(d_gates, h0, hs)) if needs[4] else None
        return d_x, d_h0, d_c, d_w_ih, d_w_hh, d_b, d_b


def _run(x, h0, c0, w_in, w_rec, bias) -> list:
    """[x time-major (steps * batch, features (+ a ones column with a bias)), S, cs, ws, hs]
    of the forward pass."""
    batch, steps, features = x.shape
    units = h0.shape[1]
    scale = x.new_ones(4 * units, 1)
    scale[3 * units:] = -2.0
    kernel = w_in * scale
    if bias is not None:  # folded into the input product: no broadcast copy, no sum later
        kernel = torch.cat([kernel, bias[:, None] * scale], dim=1)
    x_tm = x.new_empty((steps * batch, kernel.shape[1]))
    x_tm.view(steps, batch, -1)[..., :features].copy_(x.transpose(0, 1))
    if bias is not None:
        x_tm[:, -1].fill_(1.0)
    gates = x.new_empty((steps, batch, 4 * units))
    torch.mm(x_tm, kernel.t(), out=gates.view(steps * batch, 4 * units))
    cs, ws = (x.new_empty((steps, batch, units)) for _ in range(2))
    hs = x.new_empty((steps, batch, units))
    with _parts(batch) as bounds:
        _lstm_steps.compiled("forward_parts")(gates, (w_rec * scale).t(), h0, c0, hs, cs, ws,
                                              bounds)
    return [x_tm, gates, cs, ws, hs]


@contextlib.contextmanager
def _parts(batch: int):
    """The bounds of the batch's slices, one per intra-op thread (none under MIN_PART rows),
    for the step loops (`_lstm_steps`); one intra-op thread while they run."""
    threads = torch.get_num_threads()
    parts = max(1, min(threads, batch // MIN_PART))
    torch.set_num_threads(1)
    try:
        yield [batch * k // parts for k in range(parts + 1)]
    finally:
        torch.set_num_threads(threads)


def _recurrent_gradient(d_gates, h0, hs) -> torch.Tensor:
    """sum over steps of d_gates[t]^T h_{t-1}, as two matrix products (no concatenation)."""
    steps, batch, columns = d_gates.shape
    grad = d_gates[0].t() @ h0
    if steps > 1:
        grad.addmm_(d_gates[1:].reshape(-1, columns).t(), hs[:-1].reshape(-1, hs.shape[-1]))
    return grad
