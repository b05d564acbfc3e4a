"""Word-index sequence handling shared by IMDB and Reuters (start mark, offsets, vocabulary)."""

from __future__ import annotations


def mark_and_offset(xs, start_char: int | None, index_from: int) -> list[list[int]]:
    """Each sequence as a list, its indexes shifted by `index_from`, led by `start_char`."""
    start = [] if start_char is None else [start_char]
    return [start + [w + index_from for w in x] for x in xs]


def drop_long(maxlen: int, xs: list, labels) -> tuple[list, list]:
    """Keeps the sequences shorter than `maxlen` (longer ones are dropped, as in Keras)."""
    kept = [(x, y) for x, y in zip(xs, labels, strict=True) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(
    xs: list[list[int]], num_words: int | None, skip_top: int, oov_char: int | None
) -> list[list[int]]:
    """Indexes outside `[skip_top, num_words)` become `oov_char`, or are removed when it is None.

    Without `num_words` the bound is the largest index present, which is itself excluded: Keras
    does the same, and the results must match.
    """
    if not num_words:
        num_words = max((max(x) for x in xs if x), default=0)
    if oov_char is None:
        return [[w for w in x if skip_top <= w < num_words] for x in xs]
    return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
