"""The step loops of the whole-sequence CPU LSTM (`_lstm_sequence`), over slices of the batch
at once.

A step's operations are too small to share among threads one by one (each shared one waits
for every thread), but the rows of an LSTM are independent: `forward_parts` /
`backward_parts` give each slice of the batch its own step loop, the first on the calling
thread and the others on torch's inter-op threads (`torch.jit.fork`). That needs the loops
compiled by TorchScript, which runs them without the GIL (and with less overhead a step than
Python's); where TorchScript is missing, the same functions run in Python, one slice after
the other (`torch.jit.is_scripting()` is False there). The caller keeps one intra-op thread
while they run. The two `_parts` functions repeat their loop over the slices because a
TorchScript function cannot take the function to run as an argument.

Gates are in the order i, f, o, g (see `_lstm_sequence`), all four through one sigmoid, g's
and c's with the factor -2 that turns a sigmoid into a tanh.
"""

from __future__ import annotations

import warnings

import torch


def forward_steps(gates: torch.Tensor, recurrent: torch.Tensor, h: torch.Tensor,
                  c: torch.Tensor, hs: torch.Tensor, cs: torch.Tensor, ws: torch.Tensor) -> None:
    """The recurrence, in place: `gates` (projected inputs) become S, and hs, cs, ws fill."""
    units = h.shape[1]
    for t in range(gates.shape[0]):
        s = gates[t].addmm_(h, recurrent).sigmoid_()
        i, f, o, g = s[:, :units], s[:, units:2 * units], s[:, 2 * units:3 * units], \
            s[:, 3 * units:]
        c = torch.addcmul(i, f, c, out=cs[t]).addcmul_(i, g, value=-2.0)
        w = torch.mul(c, -2.0, out=ws[t]).sigmoid_()
        h = torch.addcmul(o, o, w, value=-2.0, out=hs[t])


def backward_steps(gates: torch.Tensor, cs: torch.Tensor, ws: torch.Tensor, c0: torch.Tensor,
                   w_rec: torch.Tensor, d_outputs: torch.Tensor | None, d_h: torch.Tensor,
                   d_c: torch.Tensor, d_gates: torch.Tensor,
                   d_h0: torch.Tensor | None) -> None:
    """Gradients of the pre-activations into `d_gates`, step by step from the last; the
    gradient of h0 into `d_h0` when given. `d_c` ends as the gradient of c0."""
    units = d_h.shape[1]
    scratch = torch.empty_like(d_h)
    for t in range(gates.shape[0] - 1, -1, -1):
        s, w = gates[t], ws[t]
        i, f, o, g = s[:, :units], s[:, units:2 * units], s[:, 2 * units:3 * units], \
            s[:, 3 * units:]
        d = torch.addcmul(s, s, s, value=-1.0, out=d_gates[t])  # sigmoid' = S (1 - S)
        d_i, d_f, d_o, d_g = d[:, :units], d[:, units:2 * units], d[:, 2 * units:3 * units], \
            d[:, 3 * units:]
        # dc += dh o tanh'(c), tanh'(c) = 4 W (1 - W)
        d_c.addcmul_(d_h, torch.addcmul(w, w, w, value=-1.0, out=scratch).mul_(o), value=4.0)
        d_o.mul_(d_h).addcmul_(d_o, w, value=-2.0)  # * tanh(c) = 1 - 2 W
        d_i.mul_(d_c).addcmul_(d_i, g, value=-2.0)  # * g = 1 - 2 S_g
        d_f.mul_(d_c).mul_(cs[t - 1] if t > 0 else c0)
        d_g.mul_(d_c).mul_(i).mul_(4.0)  # g' = (1 - 2 S_g)' = 4 S_g (1 - S_g)
        d_c.mul_(f)
        if t > 0:
            d_h = (torch.mm(d_gates[t], w_rec) if d_outputs is None
                   else torch.addmm(d_outputs[t - 1], d_gates[t], w_rec))
        elif d_h0 is not None:
            torch.mm(d_gates[0], w_rec, out=d_h0)


def forward_parts(gates: torch.Tensor, recurrent: torch.Tensor, h: torch.Tensor,
                  c: torch.Tensor, hs: torch.Tensor, cs: torch.Tensor, ws: torch.Tensor,
                  bounds: list[int]) -> None:
    """`forward_steps` on the rows bounds[k]:bounds[k + 1] of each tensor, at once."""
    jobs = torch.jit.annotate(list[torch.jit.Future[None]], [])
    for k in range(len(bounds) - 2, -1, -1):
        lo, hi = bounds[k], bounds[k + 1]
        args = (gates[:, lo:hi], recurrent, h[lo:hi], c[lo:hi], hs[:, lo:hi], cs[:, lo:hi],
                ws[:, lo:hi])
        if k > 0 and torch.jit.is_scripting():
            jobs.append(torch.jit.fork(forward_steps, *args))
        else:
            forward_steps(*args)
    for job in jobs:
        torch.jit.wait(job)


def backward_parts(gates: torch.Tensor, cs: torch.Tensor, ws: torch.Tensor, c0: torch.Tensor,
                   w_rec: torch.Tensor, d_outputs: torch.Tensor | None, d_h: torch.Tensor,
                   d_c: torch.Tensor, d_gates: torch.Tensor, d_h0: torch.Tensor | None,
                   bounds: list[int]) -> None:
    """`backward_steps` on the rows bounds[k]:bounds[k + 1] of each tensor, at once."""
    jobs = torch.jit.annotate(list[torch.jit.Future[None]], [])
    for k in range(len(bounds) - 2, -1, -1):
        lo, hi = bounds[k], bounds[k + 1]
        d_out = d_outputs[:, lo:hi] if d_outputs is not None else None
        d_h0_rows = d_h0[lo:hi] if d_h0 is not None else None
        args = (gates[:, lo:hi], cs[:, lo:hi], ws[:, lo:hi], c0[lo:hi], w_rec, d_out,
                d_h[lo:hi], d_c[lo:hi], d_gates[:, lo:hi], d_h0_rows)
        if k > 0 and torch.jit.is_scripting():
            jobs.append(torch.jit.fork(backward_steps, *args))
        else:
            backward_steps(*args)
    for job in jobs:
        torch.jit.wait(job)


_COMPILED: dict = {}


def compiled(name: str):
    """`forward_parts` / `backward_parts`, compiled by TorchScript once a process; the Python
    functions where TorchScript cannot (deprecated in torch 2.x, it may go)."""
    if not _COMPILED:
        parts = {"forward_parts": forward_parts, "backward_parts": backward_parts}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # its deprecation notice
                _COMPILED.update({key: torch.jit.script(fn) for key, fn in parts.items()})
        except Exception:  # noqa: BLE001 - any failure to compile means: run the Python
            _COMPILED.update(parts)
    return _COMPILED[name]
