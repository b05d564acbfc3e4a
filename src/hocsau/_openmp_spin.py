"""Imported first by `hocsau`: GNU OpenMP's idle threads spin about 1 ms before they sleep
(GOMP_SPINCOUNT=30000) instead of libgomp's default of about 10 ms (300,000).

torch's CPU build runs its intra-op parallelism on libgomp. After each parallel operation the
team's idle threads spin before sleeping, so for ~10 ms one core stays busy whatever the
program does next on its own threads: the LSTM's step loops, which run slices of the batch on
threads of their own (`layers/rnn/_lstm_steps.py`), lost their second core to it (seed 000's
LSTM at 2 threads: 66 ms a step, 50 with the shorter spin). Between the operations of a
training step (microseconds apart) 1 ms still spins, so no wake-up is paid there (the MLP's
and LeNet's steps measured the same). libgomp reads its environment once, when torch loads
it: the setting is made only before torch is imported, and never over a user's
GOMP_SPINCOUNT or OMP_WAIT_POLICY.
"""

from __future__ import annotations

import os
import sys

SPIN_COUNT = "30000"


def shorten_spin(environ=os.environ, modules=sys.modules) -> bool:
    """Set GOMP_SPINCOUNT when it can still take effect and nobody chose; whether it did."""
    if "torch" in modules or "GOMP_SPINCOUNT" in environ or "OMP_WAIT_POLICY" in environ:
        return False
    environ["GOMP_SPINCOUNT"] = SPIN_COUNT
    return True


shorten_spin()
