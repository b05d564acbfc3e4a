"""Box-drawn text tables laid out exactly as Keras's summaries print them (through `rich`).

Column widths come from the requested widths squeezed to the table width; each cell is padded
by one space a side, word-wrapped (a word too long for its column is cut with "…"), and
justified left, right or center. The header sits under a heavy frame, rows are separated by
light lines:

    ┏━━━━━┳━━━━━┓
    ┃ a   ┃   b ┃
    ┡━━━━━╇━━━━━┩
    │ x   │   1 │
    ├─────┼─────┤
    │ y   │   2 │
    └─────┴─────┘
"""

from __future__ import annotations

import math
import re

_WORD = re.compile(r"\s*\S+\s*")
_TRAILING_SPACE = re.compile(r"\s+$")


def fit_widths(requested: list[int], table_width: int) -> list[int]:
    """Each column's width (padding included, borders not) in a table `table_width` wide."""
    available = table_width - (len(requested) + 1)
    widths = [min(w + 2, available) for w in requested]
    excess = sum(widths) - available
    if excess > 0:
        return _reduce_evenly(excess, widths)
    return _grow_proportionally(-excess, widths)


def _reduce_evenly(total: int, widths: list[int]) -> list[int]:
    """Take `total` away from the widths in near-equal parts, earlier columns rounded first
    (with Python's round-half-to-even)."""
    result, remaining, shares = [], total, len(widths)
    for width in widths:
        taken = min(width, round(remaining / shares))
        result.append(width - taken)
        remaining -= taken
        shares -= 1
    return result


def _grow_proportionally(total: int, widths: list[int]) -> list[int]:
    """Share `total` extra columns out in proportion to the widths (rounding up, in order)."""
    result, remaining, weight = [], total, sum(widths)
    for width in widths:
        added = math.ceil(width * remaining / weight) if weight > 0 else remaining
        result.append(width + added)
        remaining -= added
        weight -= width
    return result


def render_table(header: list[str], rows: list[list[str]], widths: list[int],
                 justify: list[str]) -> list[str]:
    """The table's lines; `widths` from `fit_widths`, `justify` "left", "right" or "center"."""
    def rule(left: str, fill: str, cross: str, right: str) -> str:
        return left + cross.join(fill * w for w in widths) + right

    lines = [rule("┏", "━", "┳", "┓")]
    lines += _row_lines(header, widths, justify, "┃", bottom=True)
    lines.append(rule("┡", "━", "╇", "┩"))
    for index, row in enumerate(rows):
        if index:
            lines.append(rule("├", "─", "┼", "┤"))
        lines += _row_lines(row, widths, justify, "│")
    lines.append(rule("└", "─", "┴", "┘"))
    return lines


def _row_lines(cells: list[str], widths: list[int], justify: list[str], bar: str,
               bottom: bool = False) -> list[str]:
    """One row, its cells padded with blank lines to the same height (header cells sit at
    the bottom, body cells at the top)."""
    wrapped = [wrap(str(c), w - 2, j) for c, w, j in zip(cells, widths, justify, strict=True)]
    height = max(len(lines) for lines in wrapped)
    for lines, w in zip(wrapped, widths, strict=True):
        position = 0 if bottom else len(lines)
        lines[position:position] = [" " * (w - 2)] * (height - len(lines))
    # A cell narrower than its padding shows only what fits of it.
    return [bar + bar.join(f" {lines[i]} "[:w] for lines, w in zip(wrapped, widths, strict=True))
            + bar for i in range(height)]


def wrap(text: str, width: int, justify: str = "left") -> list[str]:
    """Word-wrap `text` into lines of exactly `width` characters."""
    if width < 1:
        return [""]
    lines = []
    for paragraph in text.split("\n"):
        breaks = [0, *_break_points(paragraph, width), len(paragraph)]
        for start, end in zip(breaks, breaks[1:], strict=False):
            lines.append(_justify(_strip_overflow(paragraph[start:end], width), width, justify))
    return lines


def _break_points(text: str, width: int) -> list[int]:
    """Where lines start: a word goes to a new line when it does not fit on the current one;
    one longer than the whole width gets a line of its own (and is cut later)."""
    points, used = [], 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group(0)
        length = len(word.rstrip())
        if width - used >= length:
            used += len(word)
        elif length > width or (used and start):
            if start:
                points.append(start)
            used = len(word)
    return points


def _strip_overflow(line: str, width: int) -> str:
    """Drop trailing spaces that stick out past `width`."""
    excess = len(line) - width
    match = _TRAILING_SPACE.search(line)
    if excess > 0 and match:
        line = line[: len(line) - min(len(match.group(0)), excess)]
    return line


def _justify(line: str, width: int, justify: str) -> str:
    if justify != "left":
        line = line.rstrip()
    if len(line) > width:
        line = line[: width - 1] + "…"
    gap = width - len(line)
    if justify == "right":
        return " " * gap + line
    if justify == "center":
        return " " * (gap // 2) + line + " " * (gap - gap // 2)
    return line + " " * gap
