"""CTC decoding (`ctc_decode`): greedy best path and prefix beam search."""

from __future__ import annotations

import math

import torch

from hocsau.ops._convert import floating, tensor
from hocsau.ops.dispatch import op


def _greedy(inputs: torch.Tensor, lengths: torch.Tensor, merge_repeated: bool, blank: int):
    batch, steps, _ = inputs.shape
    scores, best = inputs.max(dim=-1)
    past_end = torch.arange(steps, device=inputs.device) >= lengths.reshape(-1, 1)
    best = torch.where(past_end, blank, best)
    scores = torch.where(past_end, 0.0, scores)
    if merge_repeated:
        repeat = torch.cat([torch.zeros_like(best[:, :1], dtype=torch.bool),
                            best[:, 1:] == best[:, :-1]], dim=1)
        best = torch.where(repeat, blank, best)
    dropped = best == blank
    # Move the kept labels to the front of each row, in order, and pad with -1.
    order = torch.where(dropped, steps, torch.arange(steps, device=inputs.device))
    order = torch.argsort(order, dim=-1, stable=True)
    labels = torch.take_along_dim(torch.where(dropped, -1, best), order, dim=-1)
    return labels.unsqueeze(0).to(torch.int32), -scores.sum(dim=1, keepdim=True)


def _logaddexp(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    return max(a, b) + math.log1p(math.exp(-abs(a - b)))


def _add(beams: dict, prefix: tuple, blank_score: float, label_score: float) -> None:
    old_blank, old_label = beams.get(prefix, (-math.inf, -math.inf))
    beams[prefix] = (_logaddexp(old_blank, blank_score), _logaddexp(old_label, label_score))


def _beam_one(log_probs: list[list[float]], beam_width: int, blank: int):
    """Prefix beam search over `(time, classes)` log-probabilities.

    Each beam maps a label prefix to the log-probabilities of its alignments ending in a blank
    and ending in its last label; a repeated label only extends the prefix after a blank.
    """
    beams = {(): (0.0, -math.inf)}
    for frame in log_probs:
        grown: dict[tuple, tuple[float, float]] = {}
        for prefix, (p_blank, p_label) in beams.items():
            total = _logaddexp(p_blank, p_label)
            _add(grown, prefix, total + frame[blank], -math.inf)
            for c, score in enumerate(frame):
                if c == blank:
                    continue
                if prefix and prefix[-1] == c:
                    _add(grown, prefix, -math.inf, p_label + score)
                    _add(grown, prefix + (c,), -math.inf, p_blank + score)
                else:
                    _add(grown, prefix + (c,), -math.inf, total + score)
        ranked = sorted(grown.items(), key=lambda item: -_logaddexp(*item[1]))
        beams = dict(ranked[:beam_width])
    return [(prefix, _logaddexp(*scores)) for prefix, scores in beams.items()]


def _beam_search(inputs, lengths, beam_width: int, top_paths: int, blank: int):
    log_probs = torch.log_softmax(inputs, dim=-1)
    batch, steps, _ = inputs.shape
    paths = torch.full((top_paths, batch, steps), -1, dtype=torch.int32)
    scores = torch.full((batch, top_paths), float("-inf"), dtype=inputs.dtype)
    for b in range(batch):
        found = _beam_one(log_probs[b, :int(lengths[b])].tolist(), beam_width, blank)
        found.sort(key=lambda item: -item[1])
        for rank, (prefix, score) in enumerate(found[:top_paths]):
            paths[rank, b, :len(prefix)] = torch.tensor(prefix, dtype=torch.int32)
            scores[b, rank] = score
    return paths.to(inputs.device), scores.to(inputs.device)


@op
def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """Decode CTC outputs `(batch, time, classes)` into label sequences.

    Args:
        sequence_lengths: valid time steps per sample.
        strategy: 'greedy' (best path) or 'beam_search' (prefix beam search on log-softmax).
        beam_width, top_paths: beam search size and number of returned paths.
        merge_repeated: greedy only: collapse repeated labels.
        mask_index: the blank class.

    Returns:
        `(paths, scores)`: int32 paths `(top_paths, batch, time)` padded with -1, and scores
        `(batch, top_paths)` (greedy: minus the sum of the best logits; beam search: the log
        probability of each path).
    """
    inputs = floating(inputs)
    lengths = tensor(sequence_lengths, device=inputs.device).long()
    if strategy == "greedy":
        return _greedy(inputs, lengths, merge_repeated, mask_index)
    if strategy == "beam_search":
        return _beam_search(inputs, lengths, beam_width, top_paths, mask_index)
    raise ValueError(f"Invalid strategy {strategy}. Supported values are 'greedy' and "
                     "'beam_search'.")
