"""Score: raw beads from the search -> `Bead`s with a calibrated confidence.

A bead's score is meant as a probability that it is a correct translation pair
(a score of 0.9 right about 90% of the time), because translators and scripts
threshold on it (`--min-score`). It is a logistic function of a few features of
the bead; the coefficients live in `calibration.json`, fitted on dev data by
`fit_logistic` (see `aligner.evaluate`).

Beads of several sentences were found with mean-of-sentence vectors; here they
are re-embedded from their joined text, which the model sees as one passage,
and their similarity is corrected by the difference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Sequence

import numpy as np

from .align import RawBead, length_cost
from .data import Bead, join_segments
from .embed import Embedder

FEATURES = ("margin_over_document", "cosine", "length_cost", "extra_sentences", "merge_gain", "neighbour_margin",
            "document_margin")

#: Margin counted for a missing neighbour (an unaligned segment or the document's edge).
_NO_NEIGHBOUR_MARGIN = -0.3
#: Pairs more likely wrong than right are left unaligned in every output: the
#: search accepts weak pairs so that loosely translated documents still align,
#: and the calibrated probability is what tells those from unrelated neighbours.
UNALIGN_BELOW = 0.5


@dataclass(frozen=True)
class Calibration:
    """Logistic model: P(correct) = sigmoid(intercept + sum(weight * feature))."""

    intercept: float
    weights: tuple[float, ...]
    fitted_on: str = ""

    @classmethod
    def load(cls) -> "Calibration":
        data = json.loads(resources.files("aligner").joinpath("calibration.json").read_text("utf-8"))
        return cls(intercept=data["intercept"], weights=tuple(data["weights"][name] for name in FEATURES),
                   fitted_on=data.get("fitted_on", ""))

    def probability(self, features: np.ndarray) -> np.ndarray:
        z = self.intercept + features @ np.asarray(self.weights)
        return 1.0 / (1.0 + np.exp(-z))

    def to_json(self) -> str:
        return json.dumps({"intercept": self.intercept, "weights": dict(zip(FEATURES, self.weights)),
                           "fitted_on": self.fitted_on}, indent=2) + "\n"


def bead_features(
    raw: Sequence[RawBead], src_lengths: Sequence[int], tgt_lengths: Sequence[int], exact: dict[int, "ExactScores"]
) -> np.ndarray:
    """Feature matrix (one row per pair bead, in order) for the calibration.

    Besides the bead's own similarity and lengths, two features look around it:
    a true pair usually sits among true pairs (`neighbour_margin`), a true pair
    is strong for its document (`margin_over_document`), and in two unrelated
    documents even the best pairs are weak (`document_margin`). `merge_gain`
    tells a real merge (the joined text matches better than any of its
    sentences) from an unrelated sentence glued onto a pair.
    """
    ratio = max(sum(tgt_lengths), 1) / max(sum(src_lengths), 1)
    none = ExactScores(0.0, 0.0)
    margins = [None if not (b.src and b.tgt) else b.margin + exact.get(k, none).delta for k, b in enumerate(raw)]
    paired = [m for m in margins if m is not None]
    document_margin = float(np.median(paired)) if paired else _NO_NEIGHBOUR_MARGIN
    rows = []
    for k, bead in enumerate(raw):
        if margins[k] is None:
            continue
        scores = exact.get(k, none)
        src_len = max(sum(src_lengths[i] for i in bead.src), 1)
        tgt_len = max(sum(tgt_lengths[j] for j in bead.tgt), 1)
        neighbours = [margins[x] if 0 <= x < len(raw) and margins[x] is not None else _NO_NEIGHBOUR_MARGIN
                      for x in (k - 1, k + 1)]
        rows.append((
            margins[k] - document_margin,
            bead.cosine + scores.delta,
            float(length_cost(src_len, tgt_len, ratio)),
            len(bead.src) + len(bead.tgt) - 2,
            scores.merge_gain,
            float(np.mean(neighbours)),
            document_margin,
        ))
    return np.asarray(rows, dtype=np.float64).reshape(-1, len(FEATURES))


@dataclass(frozen=True)
class ExactScores:
    """What re-embedding a multi-sentence bead's joined text tells."""

    #: cos(embedded joined texts) - cos(mean of sentence vectors), the search's estimate.
    delta: float
    #: cos(embedded joined texts) - the best cosine of one sentence with one sentence inside the bead.
    merge_gain: float


def exact_scores(
    raw: Sequence[RawBead],
    src_texts: Sequence[str],
    tgt_texts: Sequence[str],
    src_vectors: np.ndarray,
    tgt_vectors: np.ndarray,
    src_lang: str,
    tgt_lang: str,
    embedder: Embedder,
) -> dict[int, ExactScores]:
    """For each multi-sentence pair bead (by position in `raw`): its scores from real embeddings."""
    targets = [k for k, bead in enumerate(raw) if bead.src and bead.tgt and len(bead.src) + len(bead.tgt) > 2]
    if not targets:
        return {}
    joined_src = [join_segments([src_texts[i] for i in raw[k].src], src_lang) for k in targets]
    joined_tgt = [join_segments([tgt_texts[j] for j in raw[k].tgt], tgt_lang) for k in targets]
    exact = embedder.embed(joined_src + joined_tgt)
    exact_src, exact_tgt = exact[: len(targets)], exact[len(targets):]
    scores = {}
    for row, k in enumerate(targets):
        src_part, tgt_part = src_vectors[list(raw[k].src)], tgt_vectors[list(raw[k].tgt)]
        joined = float(exact_src[row] @ exact_tgt[row])
        mean = float(_unit(src_part.sum(axis=0)) @ _unit(tgt_part.sum(axis=0)))
        scores[k] = ExactScores(delta=joined - mean, merge_gain=joined - float((src_part @ tgt_part.T).max()))
    return scores


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


def score_beads(raw: Sequence[RawBead], features: np.ndarray, calibration: Calibration) -> list[Bead]:
    """Attach the calibrated probability to every pair bead; unlikely pairs become unaligned segments."""
    probabilities = calibration.probability(features) if len(features) else np.zeros(0)
    beads = []
    row = 0
    for bead in raw:
        if bead.src and bead.tgt:
            probability = float(probabilities[row])
            if probability >= UNALIGN_BELOW:
                beads.append(Bead(bead.src, bead.tgt, round(probability, 4), round(float(features[row, 1]), 4)))
            else:
                beads.extend(Bead((i,), (), 0.0, None) for i in bead.src)
                beads.extend(Bead((), (j,), 0.0, None) for j in bead.tgt)
            row += 1
        else:
            beads.append(Bead(bead.src, bead.tgt, 0.0, None))
    return beads


def fit_logistic(features: np.ndarray, labels: np.ndarray, l2: float = 1e-3, iterations: int = 50) -> tuple[float, np.ndarray]:
    """Fit logistic regression by Newton's method (IRLS); returns (intercept, weights)."""
    x = np.hstack([np.ones((len(features), 1)), features])
    w = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (p - labels) + l2 * np.r_[0.0, w[1:]]
        hessian = (x * (p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return float(w[0]), w[1:]
