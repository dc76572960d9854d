"""Reference aligners that `make eval` runs beside ours, on the same input.

A figure means little without a reference measured on the same machine and the
same data, so the evaluation also runs:

- `gale_church`: the classic length-only DP (Gale & Church 1993), with the
  character-length ratio of the language pair estimated from the document;
- `cosine_dp`: a plain 1-1 / 1-2 / 2-1 / skip DP on the raw cosine of the same
  embeddings, without our margin, centring, larger beads or calibration.

Both return beads as (source indices, target indices) pairs in document order,
every segment in exactly one bead.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from .align import AlignParams, align_vectors, length_cost

Pair = tuple[tuple[int, ...], tuple[int, ...]]

#: Gale & Church's bead priors.
_GC_PRIORS = {(1, 1): 0.89, (1, 0): 0.0099 / 2, (0, 1): 0.0099 / 2, (2, 1): 0.089 / 2, (1, 2): 0.089 / 2,
              (2, 2): 0.011}


def gale_church(src_lengths: list[int], tgt_lengths: list[int]) -> list[Pair]:
    """Length-only alignment: minimise -log P(bead type) - log P(length difference)."""
    n, m = len(src_lengths), len(tgt_lengths)
    ratio = max(sum(tgt_lengths), 1) / max(sum(src_lengths), 1)
    src_cum = np.concatenate([[0], np.cumsum(src_lengths)]).astype(np.float64)
    tgt_cum = np.concatenate([[0], np.cumsum(tgt_lengths)]).astype(np.float64)
    cost = np.full((n + 1, m + 1), np.inf)
    choice = np.zeros((n + 1, m + 1), dtype=np.int8)
    cost[0, 0] = 0.0
    types = list(_GC_PRIORS)
    skip = types.index((0, 1))
    # a 0-1 bead at target j costs skip_cost[j - 1]; cumulated, a run of them is a difference
    skip_cumulated = np.concatenate([[0.0], np.cumsum(_gc_cost(0.0, np.diff(tgt_cum), ratio, (0, 1)))])
    columns = np.arange(m + 1)
    for i in range(n + 1):
        for t, (a, b) in enumerate(types):
            if i < a or a == 0:
                continue
            js = columns[b:]
            source_length = src_cum[i] - src_cum[i - a]
            target_length = tgt_cum[js] - tgt_cum[js - b]
            candidate = cost[i - a, js - b] + _gc_cost(source_length, target_length, ratio, (a, b))
            better = candidate < cost[i, js]
            cost[i, js] = np.where(better, candidate, cost[i, js])
            choice[i, js] = np.where(better, t, choice[i, js])
        # runs of 0-1 beads along the row: cost[j] = min over k <= j of cost[k] + skips k+1..j
        from_left = np.minimum.accumulate(cost[i] - skip_cumulated) + skip_cumulated
        improved = from_left < cost[i] - 1e-9  # not just rounding
        cost[i] = np.where(improved, from_left, cost[i])
        choice[i] = np.where(improved, skip, choice[i])
    beads: list[Pair] = []
    i, j = n, m
    while i or j:
        a, b = types[choice[i, j]]
        beads.append((tuple(range(i - a, i)), tuple(range(j - b, j))))
        i, j = i - a, j - b
    return beads[::-1]


def _gc_cost(source_length, target_length, ratio: float, bead: tuple[int, int]):
    """-log of the bead type's prior, plus -log P(length difference)."""
    return -math.log(_GC_PRIORS[bead]) + length_cost(source_length, target_length, ratio)


def cosine_dp(src_vectors: np.ndarray, tgt_vectors: np.ndarray, src_lengths: list[int],
              tgt_lengths: list[int]) -> list[Pair]:
    """Our search reduced to a textbook embedding DP: raw cosine, 1-1/1-2/2-1 and skips only."""
    params = replace(AlignParams(), bead_types=((1, 1), (1, 2), (2, 1)), center=False, use_margin=False,
                     threshold=0.3, merge_penalty=0.0, length_weight=0.0)
    raw = align_vectors(src_vectors, tgt_vectors, src_lengths, tgt_lengths, params)
    return [(bead.src, bead.tgt) for bead in raw]
