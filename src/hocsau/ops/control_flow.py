"""Control flow ops. PyTorch runs eagerly, so these are Python loops and branches with Keras's
signatures; under `torch.compile` Dynamo traces through them."""

from __future__ import annotations

import torch
from torch.utils import _pytree as pytree

from hocsau.ops._convert import tensor
from hocsau.ops.dispatch import op


@op
def cond(pred, true_fn, false_fn):
    """`true_fn()` if `pred` holds, else `false_fn()`; while a symbolic call is traced on the
    meta device (`pred` has no value) `true_fn()`, as Keras's torch backend."""
    if isinstance(pred, torch.Tensor) and pred.is_meta:
        return true_fn()
    return true_fn() if bool(pred) else false_fn()


@op
def switch(index, branches, *operands):
    """`branches[index](*operands)`, with `index` clamped to the valid range."""
    index = min(max(int(index), 0), len(branches) - 1)
    return branches[index](*operands)


@op
def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Repeat `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` holds.

    Args:
        cond: callable returning a boolean (tensor).
        body: callable returning new loop variables of the same structure.
        loop_vars: a tensor or a list/tuple of them.
        maximum_iterations: optional cap on the number of iterations.
    """
    packed = isinstance(loop_vars, (list, tuple))
    state = tuple(loop_vars) if packed else (loop_vars,)
    state = pytree.tree_map(tensor, state)
    count = 0
    while (maximum_iterations is None or count < maximum_iterations) and bool(cond(*state)):
        state = body(*state)
        state = tuple(state) if isinstance(state, (list, tuple)) else (state,)
        count += 1
    return state if packed else state[0]


@op
def fori_loop(lower, upper, body_fun, init_val):
    """`val = body_fun(i, val)` for `i` in `range(lower, upper)`, starting from `init_val`."""
    value = init_val
    for i in range(int(lower), int(upper)):
        value = body_fun(i, value)
    return value


@op
def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Carry a state through `f(carry, x) -> (carry, y)` over the leading axis of `xs`.

    Returns:
        `(final_carry, ys)` with the `y`s stacked along a new leading axis.
    """
    if not callable(f):
        raise TypeError(f"`f` should be a callable. Received: f={f}")
    if not isinstance(unroll, bool) and (not isinstance(unroll, int) or unroll < 1):
        raise ValueError("`unroll` must be a positive integer or boolean. "
                         f"Received: unroll={unroll}")
    if xs is None and length is None:
        raise ValueError("Got no `xs` to scan over and `length` not provided.")
    leaves, spec = pytree.tree_flatten(xs) if xs is not None else ([], None)
    leaves = [tensor(leaf) for leaf in leaves]
    steps = int(length) if length is not None else leaves[0].shape[0]
    carry = pytree.tree_map(tensor, init)
    ys = []
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    for i in order:
        x = pytree.tree_unflatten([leaf[i] for leaf in leaves], spec) if leaves else None
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys.reverse()
    if not ys or ys[0] is None:
        dummy = pytree.tree_map(torch.zeros_like, carry)
        return carry, pytree.tree_map(lambda t: t.expand(steps, *t.shape), dummy)
    return carry, _stack_trees(ys)


def _stack_trees(trees: list):
    leaves = [pytree.tree_flatten(t)[0] for t in trees]
    spec = pytree.tree_flatten(trees[0])[1]
    stacked = [torch.stack(column) for column in zip(*leaves, strict=True)]
    return pytree.tree_unflatten(stacked, spec)


@op
def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan of `elems` along `axis` with an associative `f(a, b)` (log-depth).

    `elems` may be a nested structure of tensors sharing the size of `axis`.
    """
    if not callable(f):
        raise TypeError(f"`f` should be a callable. Received: f={f}")
    leaves, spec = pytree.tree_flatten(elems)
    leaves = [tensor(leaf) for leaf in leaves]
    size = leaves[0].shape[axis]
    if any(leaf.shape[axis] != size for leaf in leaves):
        raise ValueError("Array inputs to associative_scan must have the same size along `axis`. "
                         f"Received shapes: {[tuple(leaf.shape) for leaf in leaves]}")
    if reverse:
        leaves = [leaf.flip(axis) for leaf in leaves]
    offset = 1
    while offset < size:
        # Hillis-Steele step: each position combines with the one `offset` before it.
        earlier = pytree.tree_unflatten([leaf.narrow(axis, 0, size - offset) for leaf in leaves],
                                        spec)
        later = pytree.tree_unflatten([leaf.narrow(axis, offset, size - offset)
                                       for leaf in leaves], spec)
        combined = pytree.tree_flatten(f(earlier, later))[0]
        leaves = [torch.cat([leaf.narrow(axis, 0, offset), new.to(leaf.dtype)], dim=axis)
                  for leaf, new in zip(leaves, combined, strict=False)]
        offset *= 2
    if reverse:
        leaves = [leaf.flip(axis) for leaf in leaves]
    return pytree.tree_unflatten(leaves, spec)


@op
def map(f, xs):
    """`f` applied to each slice of `xs` along its leading axis, results stacked."""
    leaves, spec = pytree.tree_flatten(xs)
    leaves = [tensor(leaf) for leaf in leaves]
    outputs = [f(pytree.tree_unflatten([leaf[i] for leaf in leaves], spec))
               for i in range(leaves[0].shape[0])]
    return _stack_trees(outputs)


@op
def vectorized_map(function, elements):
    """`function` mapped over the leading axis of `elements` with `torch.vmap`."""
    return torch.vmap(function)(pytree.tree_map(tensor, elements))
