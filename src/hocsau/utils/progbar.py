"""`Progbar`: Keras's text progress bar, throttled so it never slows a training step."""

from __future__ import annotations

import sys
import time

from hocsau.config import is_interactive_logging_enabled
from hocsau.utils.io_utils import print_msg


class Progbar:
    """A progress bar for `target` steps (None when unknown).

    Values are averaged over the steps seen, as in Keras, except the `stateful_metrics`
    (shown as given); with `stateless_metrics` instead, only those are averaged.

    Args:
        target: total number of steps, or None.
        width: bar width in characters.
        verbose: 1 redraws one line, 2 prints only the final line, 0 prints nothing.
        interval: minimum seconds between redraws.
        stateful_metrics: names shown as given (all others averaged).
        stateless_metrics: names averaged (all others shown as given); an empty set shows
            every value as given, and then a callable `values` is only called on redraws.
        unit_name: the unit in the "ms/step" rate.
    """

    def __init__(self, target, width: int = 20, verbose: int = 1, interval: float = 0.05,
                 stateful_metrics=None, stateless_metrics=None, unit_name: str = "step"):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Only one of `stateful_metrics` or `stateless_metrics` can be "
                             "provided. `stateful_metrics` is used to make metrics stateless by "
                             "default (with an exclusion list), while `stateless_metrics` is "
                             "used to make metrics stateful by default (with an exclusion "
                             "list).")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateless_metrics = None if stateless_metrics is None else set(stateless_metrics)
        self.stateful_metrics = None if stateless_metrics is not None else set(
            stateful_metrics or ())
        self._sums: dict[str, list] = {}
        self._seen_so_far = 0
        self._start = time.time()
        self._last_update = 0.0
        self._dynamic = is_interactive_logging_enabled() and (
            sys.stdout.isatty() or "ipykernel" in sys.modules)
        self._last_width = 0

    def update(self, current: int, values=None, finalize: bool | None = None) -> None:
        """Show `current` steps done; `values` is a list of (name, value) or a callable
        returning it (called only when the bar is redrawn if nothing is averaged)."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        if self.stateless_metrics != set():
            self._averaged(current, values() if callable(values) else values or [],
                                    finalize)
        elif not callable(values):
            self._keep(values or [])
        now = time.time()
        if self.verbose == 0 or (self.verbose == 2 and not finalize):
            return
        if not finalize and now - self._last_update < self.interval:
            return
        self._last_update = now
        if callable(values):
            self._keep(values())
        shown = [(name, total / count) for name, (total, count) in self._sums.items()]
        line = self._format(current, shown, now - self._start, finalize)
        if self.verbose == 1 and self._dynamic:
            padding = max(self._last_width - len(line), 0)
            sys.stdout.write("\r" + line + " " * padding + ("\n" if finalize else ""))
            self._last_width = len(line)
            sys.stdout.flush()
        elif finalize or self.verbose == 1 and not self._dynamic and current == self.target:
            print_msg(line)

    def _keep(self, values) -> None:
        """Values shown as given, kept until new ones arrive (Keras shows the last ones)."""
        for name, value in values:
            self._sums[name] = [value, 1]

    def _averaged(self, current: int, values, finalize: bool) -> None:
        """Keras's running averages: each value weighted by the steps since the last update."""
        weight = max(current - self._seen_so_far, 1)
        for name, value in values:
            averaged = (name not in self.stateful_metrics if self.stateful_metrics is not None
                        else name in self.stateless_metrics)
            if not averaged or finalize or name not in self._sums:
                self._sums[name] = [value, 1] if not averaged or finalize else \
                    [value * weight, weight]
            else:
                self._sums[name][0] += value * weight
                self._sums[name][1] += weight
        self._seen_so_far = current

    def add(self, n: int, values=None) -> None:
        self.update(getattr(self, "_seen", 0) + n, values)
        self._seen = getattr(self, "_seen", 0) + n

    def _format(self, current: int, values, elapsed: float, finalize: bool) -> str:
        if self.target is not None:
            digits = len(str(self.target))
            done = int(self.width * min(current / max(self.target, 1), 1.0))
            bar = "━" * done + ("━" if done < self.width else "") + " " * (self.width - done - 1)
            head = f"{current:>{digits}}/{self.target} {bar[: self.width]}"
        else:
            head = f"{current:>7}/Unknown"
        per_step = elapsed / max(current, 1)
        if finalize:
            timing = f"{elapsed:.0f}s {_rate(per_step, self.unit_name)}"
        elif self.target is not None:
            timing = f"{per_step * (self.target - current):.0f}s {_rate(per_step, self.unit_name)}"
        else:
            timing = f"{elapsed:.0f}s"
        metrics = "".join(f" - {name}: {_number(value)}" for name, value in values)
        return f"{head} {timing}{metrics}"


def _rate(seconds: float, unit: str) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


def _number(value) -> str:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{value:.4f}" if abs(value) >= 1e-3 or value == 0 else f"{value:.4e}"
