"""Align: two sequences of sentence embeddings -> beads, by dynamic programming.

The search maximises the summed gain of a path of beads through the (i, j)
lattice. A bead joins `a` consecutive source sentences to `b` consecutive target
sentences (a + b <= 5), or leaves one sentence unaligned (gain 0).
The gain of a bead grows with how much more its two sides resemble each other
than each resembles its nearest neighbours on the other side (a margin, which
makes scores comparable across documents and models), shrinks with a length
ratio unusual for the language pair and with paragraph boundaries inside the
bead, grows with rare names and numbers its two sides share (`SharedTokens`),
and changes by `merge_penalty` per extra sentence (a small bonus by default:
with the low threshold, two weak pairs would otherwise beat one merge).

Multi-sentence spans are first estimated as the length-weighted mean of their
sentences' vectors. Embedding every concatenation, as Vecalign and Bertalign
do, costs the model 6-10 times the single sentences; but only the merges that
lie on some path nearly as good as the best one can change the result. So,
given an `embed_spans` function, the search finds the best score into and out
of every lattice point (a forward and a backward pass), embeds the joined text
of just those spans whose bead is within `refine_regret` of the best path
(typically under one span per sentence), and searches again with them.

Long documents are aligned in linear time and memory: both sequences are
coarsened by averaging neighbouring pairs, the coarse problem is solved
recursively, and the fine search is restricted to a band around the projected
coarse path (as Vecalign does).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

#: (source sentences, target sentences) per bead, besides the 0-1 and 1-0 skips.
DEFAULT_BEAD_TYPES: tuple[tuple[int, int], ...] = (
    (1, 1), (1, 2), (2, 1), (1, 3), (3, 1), (2, 2), (1, 4), (4, 1), (2, 3), (3, 2),
)
_NEG = -1e18

#: A span is (first sentence, sentence count). Given the spans wanted on each
#: side, returns their unit vectors (one row per span, in order): the model's
#: embedding of the span's joined text.
SpanEmbedder = Callable[[list[tuple[int, int]], list[tuple[int, int]]], tuple[np.ndarray, np.ndarray]]
#: Rounds of embedding: first the plausible merges, then any merge on the new
#: path whose vector is still an estimate.
_MAX_REFINE_ROUNDS = 3
#: Half-width of the band around the first path in which merges are reconsidered.
_REFINE_BAND_RADIUS = 8


@dataclass(frozen=True)
class AlignParams:
    """Tunable constants of the search; defaults fitted on dev data (see `make eval`)."""

    bead_types: tuple[tuple[int, int], ...] = DEFAULT_BEAD_TYPES
    #: Margin a pair needs to beat leaving both sentences unaligned. It is low on
    #: purpose: loosely translated documents (Wikipedia, transcripts) have true
    #: pairs of low margin, and the calibrated confidence (`score.py`), which
    #: sees the bead's context, decides which weak pairs stay unaligned.
    threshold: float = -0.7
    #: Cost per extra sentence in a bead. Negative: with a low threshold, splitting a
    #: bead into two pairs is already rewarded, and this evens it out.
    merge_penalty: float = -0.08
    #: Weight of the length cost (-log P(length difference), Gale & Church's model).
    length_weight: float = 0.05
    #: Cost per paragraph boundary inside a bead: headings and list items are
    #: paragraphs of their own and should not be glued to the next sentence.
    paragraph_penalty: float = 0.3
    #: Score pairs by margin over their nearest neighbours (False: plain cosine, as a baseline).
    use_margin: bool = True
    #: Neighbours averaged for the margin.
    margin_neighbours: int = 4
    #: Subtract each document's mean vector before comparing (removes a language offset).
    center: bool = True
    #: Lattice cells up to which the whole lattice is searched (no band).
    full_search_cells: int = 2_000_000
    #: Half-width of the band around the projected coarse path.
    band_radius: int = 12
    #: A merge is embedded for real when the best path through its bead scores
    #: within this much of the best path overall (see the module docstring).
    refine_regret: float = 0.1
    #: Gain per (weighted) rare token the bead's two sides share (`SharedTokens`).
    shared_token_weight: float = 0.2


@dataclass(frozen=True)
class SharedTokens:
    """Tokens both documents hold (names, numbers; see `names.py`), as the search reads them.

    `src[i]` holds the ids of sentence i's tokens, `tgt[j]` those of target
    sentence j, and `weights[id]` what sharing that token is worth to a bead
    (counted once per bead, however many of its sentences hold it).
    """

    src: list[np.ndarray]
    tgt: list[np.ndarray]
    weights: np.ndarray

    def reversed(self) -> "SharedTokens":
        return SharedTokens(self.src[::-1], self.tgt[::-1], self.weights)


@dataclass(frozen=True)
class RawBead:
    src: tuple[int, ...]
    tgt: tuple[int, ...]
    #: Margin-adjusted similarity that the search used (None for skips).
    margin: float | None
    #: Cosine of the span vectors (None for skips): of the embedded joined
    #: texts when the search had them, else of the means of the sentences.
    cosine: float | None
    #: For a merge, its best-matching pair of one sentence with one sentence
    #: (a 1-1 RawBead): a real merge matches better as a whole than any of its
    #: parts, and a merge that does not is usually a true pair with an
    #: unrelated sentence glued on. None for 1-1 pairs and skips.
    best_part: RawBead | None = None
    #: True for a pair cut out of a merge that scoring rejected (`score.candidates_with_features`).
    cut_from_merge: bool = False

    @property
    def is_merge(self) -> bool:
        """A pair of three sentences or more (1-2, 2-1 and larger)."""
        return len(self.src) + len(self.tgt) > 2


def align_vectors(
    src: np.ndarray,
    tgt: np.ndarray,
    src_lengths: np.ndarray | list[int],
    tgt_lengths: np.ndarray | list[int],
    params: AlignParams = AlignParams(),
    src_paragraph_starts: list[bool] | None = None,
    tgt_paragraph_starts: list[bool] | None = None,
    embed_spans: SpanEmbedder | None = None,
    shared_tokens: SharedTokens | None = None,
) -> list[RawBead]:
    """Align unit-vector rows `src` (N x d) to `tgt` (M x d); every index is in exactly one bead.

    Paragraph starts (one flag per sentence), when known, make beads that span
    a paragraph boundary cost `paragraph_penalty` per boundary. `embed_spans`,
    when given, embeds the joined text of plausible merges (module docstring);
    without it, merges are judged by the mean of their sentences' vectors.
    `shared_tokens`, when given, adds `params.shared_token_weight` per shared
    token to a bead's gain.
    """
    src = np.asarray(src, dtype=np.float32)
    tgt = np.asarray(tgt, dtype=np.float32)
    src_lengths = np.maximum(np.asarray(src_lengths, dtype=np.float64), 1.0)
    tgt_lengths = np.maximum(np.asarray(tgt_lengths, dtype=np.float64), 1.0)
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [RawBead((i,), (), None, None) for i in range(n)] + [RawBead((), (j,), None, None) for j in range(m)]
    src_offset = _centring_offset(src) if params.center else np.zeros(src.shape[1], dtype=np.float32)
    tgt_offset = _centring_offset(tgt) if params.center else np.zeros(tgt.shape[1], dtype=np.float32)
    src, tgt = _centred(src, src_offset), _centred(tgt, tgt_offset)
    lo, hi = _band(src, tgt, src_lengths, tgt_lengths, params)
    if params.use_margin:
        knn_src, knn_tgt = _neighbour_similarity(src, tgt, lo, hi, params.margin_neighbours)
    else:
        knn_src, knn_tgt = np.zeros(n, dtype=np.float32), np.zeros(m, dtype=np.float32)
    lattice = _Lattice(src, tgt, src_lengths, tgt_lengths, knn_src, knn_tgt, params,
                       src_paragraph_starts, tgt_paragraph_starts, shared_tokens)
    if embed_spans is None:
        return lattice.search(lo, hi)

    def backward() -> _Lattice:
        return _reversed_lattice(src, tgt, src_lengths, tgt_lengths, knn_src, knn_tgt, params,
                                 src_paragraph_starts, tgt_paragraph_starts, shared_tokens)

    def embed_centred(src_spans: list[tuple[int, int]], tgt_spans: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        """The spans' embeddings, centred like the sentences they are compared with."""
        src_vectors, tgt_vectors = embed_spans(src_spans, tgt_spans)
        return (_centred(np.asarray(src_vectors, dtype=np.float32), src_offset),
                _centred(np.asarray(tgt_vectors, dtype=np.float32), tgt_offset))

    return _search_with_embedded_spans(lattice, backward, lo, hi, embed_centred)


def _reversed_lattice(src, tgt, src_lengths, tgt_lengths, knn_src, knn_tgt, params: AlignParams,
                      src_paragraph_starts=None, tgt_paragraph_starts=None,
                      shared_tokens: SharedTokens | None = None) -> "_Lattice":
    """The lattice of the reversed documents: its best score to (i', j') is the best from (N-i', M-j') to the end.

    Every bead keeps its gain reversed (same sentences, same span vector, same
    boundaries inside), so forward and backward scores add up along a path.
    """
    return _Lattice(src[::-1], tgt[::-1], src_lengths[::-1], tgt_lengths[::-1], knn_src[::-1], knn_tgt[::-1],
                    params, _reversed_starts(src_paragraph_starts), _reversed_starts(tgt_paragraph_starts),
                    None if shared_tokens is None else shared_tokens.reversed())


def _centring_offset(vectors: np.ndarray) -> np.ndarray:
    """The document mean, shrunk for short documents where the mean is mostly content.

    Subtracting it removes a language offset the models share across sentences.
    """
    n = len(vectors)
    return (n / (n + 10.0)) * vectors.mean(axis=0)


def centred_unit_vectors(vectors: np.ndarray) -> np.ndarray:
    """A document's sentence vectors as the search compares them: centred on the document, at unit length."""
    vectors = np.asarray(vectors, dtype=np.float32)
    return _centred(vectors, _centring_offset(vectors))


def _centred(vectors: np.ndarray, offset: np.ndarray) -> np.ndarray:
    centred = vectors - offset
    return (centred / np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def _reversed_starts(paragraph_starts: list[bool] | None) -> list[bool] | None:
    """Paragraph starts of the reversed sequence: the boundary before sentence x comes after sentence n-1-x."""
    if paragraph_starts is None:
        return None
    n = len(paragraph_starts)
    return [True] + [bool(paragraph_starts[n - k]) for k in range(1, n)]


# ---------------------------------------------------------------- embedded spans


def _search_with_embedded_spans(
    forward: "_Lattice", make_backward: Callable[[], "_Lattice"], lo: np.ndarray, hi: np.ndarray,
    embed_spans: SpanEmbedder,
) -> list[RawBead]:
    """Search with real embeddings of the merges that could matter (module docstring).

    `embed_spans` returns vectors ready for the lattice (centred like its sentences).
    """
    n, m = forward.n, forward.m
    first_steps, _ = forward.run(lo, hi)
    # The merges that matter lie near the first path: the passes below search a
    # narrow band around it rather than the whole band (most of their cost).
    lo, hi = _band_around(_path_points(first_steps), n, m, _REFINE_BAND_RADIUS)
    # Built only for this pass, so that its span tables are freed before embedding.
    _, backward_scores = make_backward().run(m - hi[::-1], m - lo[::-1])
    # Best score from lattice point (i, j) to the end, for j from lo[i] to hi[i].
    to_end = [backward_scores[n - i][::-1] for i in range(n + 1)]
    wanted = forward.plausible_merges(lo, hi, to_end)
    steps = first_steps
    for _ in range(_MAX_REFINE_ROUNDS):
        src_spans, tgt_spans = sorted(wanted[0]), sorted(wanted[1])
        if not (src_spans or tgt_spans):
            break
        src_vectors, tgt_vectors = embed_spans(src_spans, tgt_spans)
        forward.use_span_vectors(src_spans, src_vectors, tgt_spans, tgt_vectors)
        steps, _ = forward.run(lo, hi)
        # The new path may take a merge that looked implausible before: embed it too.
        wanted = forward.estimated_spans(steps)
    return forward.raw_beads(steps)


# ---------------------------------------------------------------- band


def _band(src, tgt, src_lengths, tgt_lengths, params: AlignParams) -> tuple[np.ndarray, np.ndarray]:
    """Per source boundary i (0..N), the inclusive range of target boundaries searched."""
    n, m = len(src), len(tgt)
    if (n + 1) * (m + 1) <= params.full_search_cells or min(n, m) < 8:
        return np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)
    coarse_src, coarse_src_lengths = _coarsen(src, src_lengths)
    coarse_tgt, coarse_tgt_lengths = _coarsen(tgt, tgt_lengths)
    coarse_params = replace(params, bead_types=((1, 1), (1, 2), (2, 1)), center=False)
    coarse_lo, coarse_hi = _band(coarse_src, coarse_tgt, coarse_src_lengths, coarse_tgt_lengths, coarse_params)
    knn_s, knn_t = _neighbour_similarity(coarse_src, coarse_tgt, coarse_lo, coarse_hi, params.margin_neighbours)
    coarse = _Lattice(coarse_src, coarse_tgt, coarse_src_lengths, coarse_tgt_lengths, knn_s, knn_t, coarse_params)
    path = coarse.search_path(coarse_lo, coarse_hi)
    return _band_around(path, n, m, params.band_radius, scale=2)


def _coarsen(vectors: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average neighbouring pairs: half the resolution, same geometry."""
    n = len(vectors)
    even = n - n % 2
    pairs = vectors[:even].reshape(-1, 2, vectors.shape[1]).sum(axis=1)
    pair_lengths = lengths[:even].reshape(-1, 2).sum(axis=1)
    if n % 2:
        pairs = np.vstack([pairs, vectors[-1:]])
        pair_lengths = np.append(pair_lengths, lengths[-1])
    pairs /= np.maximum(np.linalg.norm(pairs, axis=1, keepdims=True), 1e-12)
    return pairs.astype(np.float32), pair_lengths


def _band_around(path: list[tuple[int, int]], n: int, m: int, radius: int, scale: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The band of lattice points within `radius` of a path, projected from a `scale` times coarser lattice."""
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    extent = scale - 1  # a coarse point covers this many more fine points
    for ci, cj in path:
        for i in range(max(0, scale * ci - radius), min(n, scale * ci + extent + radius) + 1):
            lo[i] = min(lo[i], max(0, scale * cj - radius))
            hi[i] = max(hi[i], min(m, scale * cj + extent + radius))
    # Make the band monotone and make sure it joins (0, 0) to (n, m).
    lo[0], hi[n] = 0, m
    hi = np.maximum.accumulate(hi)
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    return lo, hi


# ---------------------------------------------------------------- margins


def _neighbour_similarity(src, tgt, lo, hi, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean similarity of each sentence to its k nearest neighbours on the other side, within the band."""
    n, m = len(src), len(tgt)
    knn_src = np.zeros(n, dtype=np.float32)
    best_tgt = np.full((m, k), -1.0, dtype=np.float32)
    block = 256
    for r0 in range(0, n, block):
        r1 = min(n, r0 + block)
        c0 = int(lo[r0:r1 + 1].min())
        c1 = int(min(m, hi[r0:r1 + 1].max() + 1))
        if c1 <= c0:
            continue
        sims = src[r0:r1] @ tgt[c0:c1].T
        for row in range(r1 - r0):
            i = r0 + row  # sentence i lies between boundaries i and i + 1
            first, last = max(int(lo[i]) - 1, c0), min(int(hi[i + 1]) + 1, c1)
            sims[row, : first - c0] = -1.0
            sims[row, last - c0 :] = -1.0
        kk = min(k, c1 - c0)
        top_rows = -np.partition(-sims, kk - 1, axis=1)[:, :kk]
        knn_src[r0:r1] = top_rows.mean(axis=1)
        kc = min(k, r1 - r0)
        top_cols = -np.partition(-sims.T, kc - 1, axis=1)[:, :kc]
        merged = np.concatenate([best_tgt[c0:c1], top_cols], axis=1)
        best_tgt[c0:c1] = -np.partition(-merged, k - 1, axis=1)[:, :k]
    filled = np.where(best_tgt > -1.0, best_tgt, np.nan)
    knn_tgt = np.nan_to_num(np.nanmean(filled, axis=1), nan=0.0).astype(np.float32)
    return knn_src, knn_tgt


# ---------------------------------------------------------------- the search


class _Lattice:
    """The DP over lattice boundaries, with span vectors indexed by their end."""

    def __init__(self, src, tgt, src_lengths, tgt_lengths, knn_src, knn_tgt, params: AlignParams,
                 src_paragraph_starts=None, tgt_paragraph_starts=None, shared_tokens: SharedTokens | None = None):
        self.params = params
        self.n, self.m = len(src), len(tgt)
        max_a = max(a for a, _ in params.bead_types)
        max_b = max(b for _, b in params.bead_types)
        self.src_spans = _span_table(src, src_lengths, knn_src, max_a)
        self.tgt_spans = _span_table(tgt, tgt_lengths, knn_tgt, max_b)
        self.src_crossings = _crossing_table(src_paragraph_starts, self.n, max_a)
        self.tgt_crossings = _crossing_table(tgt_paragraph_starts, self.m, max_b)
        self.length_ratio = float(tgt_lengths.sum() / src_lengths.sum())
        self.shared_tokens: _SharedTokenIndex | None = None
        if shared_tokens is not None and params.shared_token_weight and len(shared_tokens.weights):
            self.shared_tokens = _SharedTokenIndex(_TokenIndex(shared_tokens.src), _TokenIndex(shared_tokens.tgt),
                                                   shared_tokens.weights)
        #: Spans (first sentence, count) whose vector is the embedding of their joined text.
        self.embedded_src: set[tuple[int, int]] = set()
        self.embedded_tgt: set[tuple[int, int]] = set()

    def _block_gains(self, rows: slice, cols: slice) -> dict[tuple[int, int], np.ndarray]:
        """Gain of every bead type ending in the block rows x cols (types that fit above row 0)."""
        types = [(a, b) for a, b in self.params.bead_types if rows.stop - 1 >= a]
        gains = {(a, b): self._gains(a, b, rows, cols) for a, b in types}
        if self.shared_tokens is not None and types:
            for bead_type, shared in self._shared_token_gains(self.shared_tokens, rows, cols, types).items():
                gains[bead_type] += self.params.shared_token_weight * shared
        return gains

    def _gains(self, a: int, b: int, rows: slice, cols: slice) -> np.ndarray:
        """Gain of every (a, b) bead ending in the block rows x cols."""
        p = self.params
        sv, sk, sl = self.src_spans[a]
        tv, tk, tl = self.tgt_spans[b]
        cosine = sv[rows] @ tv[cols].T
        margin = cosine - 0.5 * (sk[rows][:, None] + tk[cols][None, :])
        deviation = length_cost(sl[rows][:, None], tl[cols][None, :], self.length_ratio)
        crossings = self.src_crossings[a][rows][:, None] + self.tgt_crossings[b][cols][None, :]
        gain = (
            margin - p.threshold
            - p.merge_penalty * (a + b - 2)
            - p.length_weight * deviation
            - p.paragraph_penalty * crossings
        )
        return gain

    @staticmethod
    def _shared_token_gains(shared: _SharedTokenIndex, rows: slice, cols: slice, types: list[tuple[int, int]]
                            ) -> dict[tuple[int, int], np.ndarray]:
        """Per bead type, the summed weight of the tokens both sides of each bead ending in the block share.

        Built per block from the few tokens its sentences hold (memory does not
        grow with the document's tokens), each side's spans once per span size.
        Types without a shared token in the block are left out.
        """
        src_index, tgt_index, weights = shared.src, shared.tgt, shared.weights
        longest_src, longest_tgt = max(a for a, _ in types), max(b for _, b in types)
        src_first, tgt_first = max(rows.start - longest_src, 0), max(cols.start - longest_tgt, 0)
        common = np.intersect1d(src_index.ids(src_first, max(rows.stop - 1, src_first)),
                                tgt_index.ids(tgt_first, max(cols.stop - 1, tgt_first)))
        if not len(common):
            return {}
        src_holds = {a: src_index.span_holds(common, a, rows) * weights[common] for a in {a for a, _ in types}}
        tgt_holds = {b: tgt_index.span_holds(common, b, cols) for b in {b for _, b in types}}
        return {(a, b): src_holds[a] @ tgt_holds[b].T for a, b in types}

    def search_path(self, lo: np.ndarray, hi: np.ndarray) -> list[tuple[int, int]]:
        """The best path as lattice points from (0, 0) to (N, M)."""
        steps, _ = self.run(lo, hi)
        return _path_points(steps)

    def search(self, lo: np.ndarray, hi: np.ndarray) -> list[RawBead]:
        steps, _ = self.run(lo, hi)
        return self.raw_beads(steps)

    def raw_beads(self, steps: list[tuple[int, int]]) -> list[RawBead]:
        """The path's steps (a, b) as beads of sentence indices, with their cosines and margins.

        The cosines are those of the span vectors the last run used: only the
        path's beads need them, so the runs themselves keep none.
        """
        result = []
        i = j = 0
        for a, b in steps:
            src, tgt = tuple(range(i, i + a)), tuple(range(j, j + b))
            if a and b:
                sv, sk, _ = self.src_spans[a]
                tv, tk, _ = self.tgt_spans[b]
                cosine = float(sv[i + a] @ tv[j + b])
                margin = cosine - 0.5 * (sk[i + a] + tk[j + b])
                best_part = self._best_part(i, j, a, b) if a + b > 2 else None
                result.append(RawBead(src, tgt, float(margin), float(cosine), best_part))
            else:
                result.append(RawBead(src, tgt, None, None))
            i, j = i + a, j + b
        return result

    def _best_part(self, i: int, j: int, a: int, b: int) -> RawBead:
        """The best-matching single-sentence pair inside the a-b bead starting at sentences (i, j)."""
        (sv, sk, _), (tv, tk, _) = self.src_spans[1], self.tgt_spans[1]
        # Span tables are indexed by the boundary a span ends at: sentence k ends at k + 1.
        cosines = sv[i + 1 : i + a + 1] @ tv[j + 1 : j + b + 1].T
        row, col = np.unravel_index(int(np.argmax(cosines)), cosines.shape)
        cosine = float(cosines[row, col])
        margin = cosine - 0.5 * (sk[i + 1 + row] + tk[j + 1 + col])
        return RawBead((i + int(row),), (j + int(col),), float(margin), cosine)

    def use_span_vectors(self, src_spans: list[tuple[int, int]], src_vectors: np.ndarray,
                         tgt_spans: list[tuple[int, int]], tgt_vectors: np.ndarray) -> None:
        """Replace the mean-of-sentences estimates of these spans by their embeddings."""
        for spans, vectors, table, embedded in ((src_spans, src_vectors, self.src_spans, self.embedded_src),
                                                (tgt_spans, tgt_vectors, self.tgt_spans, self.embedded_tgt)):
            for (start, size), vector in zip(spans, vectors):
                table[size][0][start + size] = vector
                embedded.add((start, size))

    def estimated_spans(self, steps: list[tuple[int, int]]) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
        """Multi-sentence spans on this path whose vectors are still estimates."""
        src_spans, tgt_spans = set(), set()
        i = j = 0
        for a, b in steps:
            if a and b:
                if a > 1 and (i, a) not in self.embedded_src:
                    src_spans.add((i, a))
                if b > 1 and (j, b) not in self.embedded_tgt:
                    tgt_spans.add((j, b))
            i, j = i + a, j + b
        return src_spans, tgt_spans

    def plausible_merges(self, lo: np.ndarray, hi: np.ndarray,
                         to_end: list[np.ndarray]) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
        """Multi-sentence spans of beads on some path within `refine_regret` of the best one.

        `to_end[i]` holds the best path scores from (i, j) to (N, M), for j from
        lo[i] to hi[i] (a backward search). The forward pass that goes with it
        is the search itself, which adds the two around every merge it tries.
        """
        _, from_start, near_best = self._dp(lo, hi, to_end)
        floor = from_start[self.n][-1] - self.params.refine_regret
        src_spans: set[tuple[int, int]] = set()
        tgt_spans: set[tuple[int, int]] = set()
        for i, a, b, j, through in near_best:
            if through >= floor:
                if a > 1:
                    src_spans.add((i - a, a))
                if b > 1:
                    tgt_spans.add((j - b, b))
        return src_spans, tgt_spans

    def run(self, lo: np.ndarray, hi: np.ndarray) -> tuple[list[tuple[int, int]], list[np.ndarray]]:
        """The best path as steps (a, b), and each row's best scores from (0, 0), j from lo[i] to hi[i]."""
        steps, scores, _ = self._dp(lo, hi)
        return steps, scores

    def _dp(self, lo: np.ndarray, hi: np.ndarray, to_end: list[np.ndarray] | None = None
            ) -> tuple[list[tuple[int, int]], list[np.ndarray], list[tuple[int, int, int, int, float]]]:
        """The search; with `to_end`, also every merge (i, a, b, j, best path score through it) near the best.

        "Near" is judged against the backward best, which may differ from the
        forward one in the last bits: the caller filters with the forward score.
        """
        types = [(1, 0)] + list(self.params.bead_types)
        scores: list[np.ndarray] = []
        choices: list[np.ndarray] = []
        near_best: list[tuple[int, int, int, int, float]] = []
        if to_end is not None:
            best_total = float(to_end[0][0])
            near = best_total - self.params.refine_regret - 1e-9 * (1.0 + abs(best_total))
        for r0, r1, c0, c1 in _row_blocks(lo, hi):
            block_gains = self._block_gains(slice(r0, r1), slice(c0, c1))
            for i in range(r0, r1):
                row_lo, row_hi = int(lo[i]), int(hi[i])
                width = row_hi - row_lo + 1
                best = np.full(width, _NEG)
                choice = np.full(width, -1, dtype=np.int8)
                if i == 0:
                    best[0] = 0.0 if row_lo == 0 else _NEG
                for t, (a, b) in enumerate(types):
                    if i < a:
                        continue
                    prev_lo = int(lo[i - a])
                    j_from, j_to = _reachable(i, a, b, lo, hi)
                    if j_to < j_from:
                        continue
                    prev = scores[i - a][j_from - b - prev_lo : j_to - b - prev_lo + 1]
                    if (a, b) == (1, 0):
                        candidate = prev
                    else:
                        candidate = prev + block_gains[(a, b)][i - r0, j_from - c0 : j_to - c0 + 1]
                    target = slice(j_from - row_lo, j_to - row_lo + 1)
                    if to_end is not None and a + b > 2:
                        through = candidate + to_end[i][target]
                        for k in np.nonzero(through >= near)[0]:
                            near_best.append((i, a, b, j_from + int(k), float(through[k])))
                    better = candidate > best[target]
                    best[target] = np.where(better, candidate, best[target])
                    choice[target] = np.where(better, t, choice[target])
                # 0-1 skips (gain 0) chain along the row: best[j] = max(best[j], best[j-1])
                running = np.maximum.accumulate(best)
                from_left = running > best
                best = np.where(from_left, running, best)
                choice = np.where(from_left, np.int8(len(types)), choice)
                scores.append(best)
                choices.append(choice)
        return self._trace(lo, choices, types), scores, near_best

    def _trace(self, lo, choices, types) -> list[tuple[int, int]]:
        beads = []
        i, j = self.n, self.m
        while i > 0 or j > 0:
            t = int(choices[i][j - lo[i]])
            if t == len(types):
                beads.append((0, 1))
                j -= 1
                continue
            if t < 0:
                raise RuntimeError(f"alignment lattice has no path to ({i}, {j})")
            a, b = types[t]
            beads.append((a, b))
            i, j = i - a, j - b
        beads.reverse()
        return beads


#: Lattice rows per block: the gains of a block are computed in one matrix product.
_BLOCK_ROWS = 64


def _row_blocks(lo: np.ndarray, hi: np.ndarray):  # noqa: ANN202 - a generator of 4-tuples
    """Blocks of lattice rows (r0..r1-1) with the target boundaries their bands cover (c0..c1-1)."""
    rows = len(lo)
    for r0 in range(0, rows, _BLOCK_ROWS):
        r1 = min(rows, r0 + _BLOCK_ROWS)
        yield r0, r1, int(lo[r0:r1].min()), int(hi[r0:r1].max()) + 1


def _reachable(i: int, a: int, b: int, lo: np.ndarray, hi: np.ndarray) -> tuple[int, int]:
    """Target boundaries j of row i that an (a, b) bead reaches from the band of row i - a (j - b inside it)."""
    return max(int(lo[i]), int(lo[i - a]) + b), min(int(hi[i]), int(hi[i - a]) + b)


def _path_points(steps: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Steps (a, b) as lattice points from (0, 0)."""
    points = [(0, 0)]
    i = j = 0
    for a, b in steps:
        i, j = i + a, j + b
        points.append((i, j))
    return points


def _span_table(vectors, lengths, knn, max_span):
    """For span size s: (vector, mean neighbour similarity, length) of the span ending at each boundary."""
    n, d = vectors.shape
    weights = np.sqrt(lengths)[:, None]
    weighted = np.vstack([np.zeros((1, d)), np.cumsum(vectors * weights, axis=0)])
    cum_knn = np.concatenate([[0.0], np.cumsum(knn)])
    cum_len = np.concatenate([[0.0], np.cumsum(lengths)])
    table = {}
    for s in range(1, max_span + 1):
        vec = np.zeros((n + 1, d), dtype=np.float32)
        knn_mean = np.zeros(n + 1, dtype=np.float32)
        length = np.ones(n + 1, dtype=np.float64)
        if n >= s:
            summed = weighted[s:] - weighted[:-s]
            vec[s:] = summed / np.maximum(np.linalg.norm(summed, axis=1, keepdims=True), 1e-12)
            knn_mean[s:] = (cum_knn[s:] - cum_knn[:-s]) / s
            length[s:] = cum_len[s:] - cum_len[:-s]
        table[s] = (vec, knn_mean, length)
    return table


class _TokenIndex:
    """One side's sentence -> token ids, stored flat (like a sparse row matrix)."""

    def __init__(self, per_sentence: list[np.ndarray]):
        self.starts = np.concatenate([[0], np.cumsum([len(ids) for ids in per_sentence])]).astype(np.int64)
        self.flat = np.concatenate(per_sentence).astype(np.int64) if per_sentence else np.zeros(0, np.int64)

    def ids(self, first: int, end: int) -> np.ndarray:
        """The distinct token ids of sentences first..end-1."""
        return np.unique(self.flat[self.starts[first]: self.starts[end]])

    def span_holds(self, columns: np.ndarray, size: int, boundaries: slice) -> np.ndarray:
        """(boundaries x columns): 1 where the span of `size` sentences ending at the boundary holds the token.

        `columns` are sorted token ids.
        """
        first = max(boundaries.start - size, 0)
        end = max(boundaries.stop - 1, first)
        ids = self.flat[self.starts[first]: self.starts[end]]
        sentences = np.repeat(np.arange(end - first), np.diff(self.starts[first: end + 1]))
        where = np.minimum(np.searchsorted(columns, ids), len(columns) - 1)
        found = columns[where] == ids
        holds_one = np.zeros((end - first + 1, len(columns)))  # row k + 1: sentence first + k
        holds_one[sentences[found] + 1, where[found]] = 1.0
        cumulative = np.cumsum(holds_one, axis=0)
        ends = np.arange(boundaries.start, boundaries.stop)
        starts = ends - size
        valid = starts >= 0
        holds = np.zeros((len(ends), len(columns)))
        holds[valid] = cumulative[ends[valid] - first] - cumulative[starts[valid] - first] > 0
        return holds


@dataclass(frozen=True)
class _SharedTokenIndex:
    """`SharedTokens` as the lattice reads them: each side indexed for spans of sentences."""

    src: _TokenIndex
    tgt: _TokenIndex
    weights: np.ndarray


def _crossing_table(paragraph_starts, n: int, max_span: int) -> dict[int, np.ndarray]:
    """For span size s: paragraph boundaries inside the span ending at each boundary."""
    starts = np.zeros(n, dtype=np.float64) if paragraph_starts is None else np.asarray(paragraph_starts, dtype=np.float64)
    before = np.concatenate([[0.0], np.cumsum(starts)])  # before[x]: starts among sentences 0..x-1
    table = {}
    for s in range(1, max_span + 1):
        crossings = np.zeros(n + 1)
        if n >= s:
            # sentences i-s .. i-1; boundaries at sentences i-s+1 .. i-1
            crossings[s:] = before[s:] - before[1 : n + 2 - s]
        table[s] = crossings
    return table


#: Variance of the length difference per character (Gale & Church 1993).
_LENGTH_VARIANCE = 6.8


def length_cost(source_length, target_length, ratio: float) -> np.ndarray:
    """-log P(length difference) of a bead, Gale & Church's model with the document's length ratio.

    Both lengths are brought to a common scale (the geometric middle of the two
    languages), so that the cost does not depend on which side is the source.
    The difference grows like the square root of the length, so a long bead may
    differ by more than a short one.
    """
    scale = np.sqrt(ratio)
    source_scaled = np.asarray(source_length, dtype=np.float64) * scale
    target_scaled = np.asarray(target_length, dtype=np.float64) / scale
    mean = (source_scaled + target_scaled) / 2
    delta = np.abs(target_scaled - source_scaled) / np.sqrt(np.maximum(mean, 1.0) * _LENGTH_VARIANCE)
    return -np.log(np.maximum(_two_sided_tail(delta), 1e-300))


def _two_sided_tail(z: np.ndarray) -> np.ndarray:
    """2 * (1 - Phi(z)) for z >= 0, by the polynomial Gale & Church used (Abramowitz-Stegun 26.2.17)."""
    t = 1.0 / (1.0 + 0.2316419 * z)
    density = np.exp(-z * z / 2) / np.sqrt(2 * np.pi)
    poly = t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))))
    return 2 * density * poly
