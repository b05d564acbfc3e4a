"""`retained_heap()`: during `fit` on the CPU, freed tensor memory stays in the process for the
next step instead of going back to the OS (glibc's malloc only).

glibc hands blocks above its mmap threshold out as fresh mappings and returns the free top of
its heap to the OS beyond its trim threshold. A training step frees its activations and
gradients each step, so the next step gets them back as new pages, each one a page fault and a
zeroing: in seed 000's LeNet (batch 256, 1 thread) ~3,200 faults a step, about a quarter of the
step's CPU time. Inside `retained_heap()` blocks up to 32 MiB (glibc's largest mmap threshold)
come from the heap and the heap is not trimmed, so steps after the first reuse warm memory; on
leaving, `malloc_trim(0)` returns what is free to the OS.

The thresholds stay set for the rest of the process (glibc cannot go back to its adaptive
defaults), and `malloc_trim` ends each `fit`. Set `HOCSAU_RETAIN_CPU_HEAP=0` to leave glibc's
malloc alone.
"""

from __future__ import annotations

import contextlib
import ctypes
import os

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD = 32 << 20  # glibc's largest on 64-bit systems
TRIM_THRESHOLD = 1 << 30

_state = {"libc": None, "tuned": False}


def _glibc():
    """The C library's handle when it is glibc with `mallopt` and `malloc_trim`, else None."""
    if _state["libc"] is None:
        libc = False
        with contextlib.suppress(OSError, ValueError, AttributeError):
            if os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc"):
                handle = ctypes.CDLL("libc.so.6")
                if handle.mallopt and handle.malloc_trim:
                    libc = handle
        _state["libc"] = libc
    return _state["libc"] or None


@contextlib.contextmanager
def retained_heap(device):
    """Keep freed memory in the heap while the block runs on `device` "cpu" (see the module);
    anything else, another C library or `HOCSAU_RETAIN_CPU_HEAP=0` runs the block as is."""
    libc = _glibc() if getattr(device, "type", device) == "cpu" else None
    if libc is None or os.environ.get("HOCSAU_RETAIN_CPU_HEAP", "1") == "0":
        yield
        return
    if not _state["tuned"]:
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
        _state["tuned"] = True
    try:
        yield
    finally:
        libc.malloc_trim(0)
