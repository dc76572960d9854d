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

from .align import RawBead
from .data import Bead, join_segments
from .embed import Embedder

FEATURES = ("margin", "cosine", "length_deviation", "extra_sentences")


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
    raw: Sequence[RawBead], src_lengths: Sequence[int], tgt_lengths: Sequence[int], exact_cosine_delta: dict[int, float]
) -> np.ndarray:
    """Feature matrix (one row per pair bead, in order) for the calibration."""
    log_ratio = np.log(max(sum(tgt_lengths), 1) / max(sum(src_lengths), 1))
    rows = []
    for k, bead in enumerate(raw):
        if not (bead.src and bead.tgt):
            continue
        delta = exact_cosine_delta.get(k, 0.0)
        src_len = max(sum(src_lengths[i] for i in bead.src), 1)
        tgt_len = max(sum(tgt_lengths[j] for j in bead.tgt), 1)
        rows.append((
            bead.margin + delta,
            bead.cosine + delta,
            abs(np.log(tgt_len / src_len) - log_ratio),
            len(bead.src) + len(bead.tgt) - 2,
        ))
    return np.asarray(rows, dtype=np.float64).reshape(-1, len(FEATURES))


def exact_cosine_deltas(
    raw: Sequence[RawBead],
    src_texts: Sequence[str],
    tgt_texts: Sequence[str],
    src_vectors: np.ndarray,
    tgt_vectors: np.ndarray,
    src_lang: str,
    tgt_lang: str,
    embedder: Embedder,
) -> dict[int, float]:
    """For multi-sentence beads: cos(embedded joined texts) - cos(mean of sentence vectors)."""
    targets = [k for k, bead in enumerate(raw) if bead.src and bead.tgt and len(bead.src) + len(bead.tgt) > 2]
    if not targets:
        return {}
    joined_src = [join_segments([src_texts[i] for i in raw[k].src], src_lang) for k in targets]
    joined_tgt = [join_segments([tgt_texts[j] for j in raw[k].tgt], tgt_lang) for k in targets]
    exact = embedder.embed(joined_src + joined_tgt)
    exact_src, exact_tgt = exact[: len(targets)], exact[len(targets):]
    deltas = {}
    for row, k in enumerate(targets):
        mean_src = _unit(src_vectors[list(raw[k].src)].sum(axis=0))
        mean_tgt = _unit(tgt_vectors[list(raw[k].tgt)].sum(axis=0))
        deltas[k] = float(exact_src[row] @ exact_tgt[row] - mean_src @ mean_tgt)
    return deltas


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


def score_beads(raw: Sequence[RawBead], features: np.ndarray, calibration: Calibration) -> list[Bead]:
    """Attach the calibrated probability to every pair bead; unaligned beads score 0."""
    probabilities = calibration.probability(features) if len(features) else np.zeros(0)
    beads = []
    row = 0
    for bead in raw:
        if bead.src and bead.tgt:
            similarity = float(features[row, 1])
            beads.append(Bead(bead.src, bead.tgt, round(float(probabilities[row]), 4), round(similarity, 4)))
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
