"""Score: raw beads from the search -> `Bead`s with a calibrated confidence.

A bead's score is meant as a probability that it is a correct translation pair
(a score of 0.9 right about 90% of the time), because translators and scripts
threshold on it (`--min-score`). It is a logistic function of a few features of
the bead; the coefficients live in `calibration.json`, fitted on dev data by
`fit_constrained` (see `aligner.evaluate`).

The pipeline's search embeds the joined text of the merges it chooses
(`align.py`), so a bead's cosine is the model's view of its two sides as whole
passages, as in calibration. (A merge is judged by the mean of its sentences'
vectors only if the search's refinement rounds run out, or when
`align_vectors` is called without `embed_spans`.)

Before the final scoring, a merge the calibration rejects is cut to its best
sentence pair when that pair matches better than the whole and, scored like
any other pair with `cut_from_merge` among its features, is likelier right
than the merge was (`candidates_with_features`).
"""

from __future__ import annotations

import difflib
import json
import unicodedata
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Sequence

import numpy as np

from .align import RawBead, centred_unit_vectors, length_cost
from .data import Bead, language_pair
from .ingest import letters_in_script, main_script, script_sample

#: The features of a pair (`bead_features` computes them, in this order), each
#: with the direction it may push the confidence: +1 up, -1 down, 0 either.
#: Overlapping features can get a weight of the wrong sign that the others
#: offset on dev data but not on an odd pair. (Fitted freely, a margin over the
#: document's median margin got a negative weight, and the median itself a
#: bonus for good documents: a pair of cosine 0 in a good document got p = 0.39.)
FEATURE_SIGNS = {
    "cosine": +1, "length_cost": -1, "merge": 0, "further_sentences": 0, "merge_gain": +1,
    "neighbour_margin": +1, "document_weakness": -1, "sentence_end_mismatch": -1, "cut_from_merge": -1,
    "untranslated_unlike": -1, "merge_cosine": 0, "merge_neighbour_margin": 0, "matches_beside_better": -1,
    "short_document_dissimilarity": -1,
}
FEATURES = tuple(FEATURE_SIGNS)
#: Columns that repeat a feature for merges only (`bead_features`): a merge's
#: slope in the feature is the sum of the two weights. The merge column's weight
#: may take either sign, so that merges get a flatter or steeper slope than 1-1
#: pairs, but `fit_constrained` keeps the sum on the feature's side: a merge
#: that got less likely the better its sides match would be a fit of noise (the
#: pooled fit went there, -0.26 in cosine, when the Chinese glossary changed
#: which merges MAC's search proposes).
MERGE_COLUMNS = {"merge_cosine": "cosine", "merge_neighbour_margin": "neighbour_margin"}
_MERGE_COLUMN_INDICES = tuple((FEATURES.index(merge), FEATURES.index(feature))
                              for merge, feature in MERGE_COLUMNS.items())
#: Median pair margin of a typical dev document; documents below it are weak.
_TYPICAL_DOCUMENT_MARGIN = 0.1

#: Median pair cosine (centred vectors) of a dev document at the low end of translations. At
#: their 10th percentile, dev documents' medians are 0.38-0.59 (excerpts of 4 sentences:
#: 0.42-0.58); at their 90th, unrelated pairings' are 0.10-0.20 (excerpts: 0.27-0.40, AMI's
#: fillers the highest).
_TYPICAL_DOCUMENT_COSINE = 0.4
#: Pairs from which a document counts as long: its margins say whether it is a translation
#: (`document_weakness`), and its median cosine is no longer asked (it scales with the model
#: and the languages: under `--model use+e5`, asked of every document, ParIce's long en-is
#: documents fell 0.90 -> 0.35). A round figure above the excerpts' sizes, not tuned.
_SHORT_DOCUMENT_PAIRS = 20

#: Margin counted for a missing neighbour (an unaligned segment or the document's edge).
_NO_NEIGHBOUR_MARGIN = -0.3
#: Pairs more likely wrong than right are left unaligned in every output: the
#: search accepts weak pairs so that loosely translated documents still align,
#: and the calibrated probability is what tells those from unrelated neighbours.
#: (On dev, pairs under 0.5 are right ~30% of the time. Keeping them as pairs
#: would raise strict F1 on loose held-out sets by 0.01-0.05, MAC-Dev by 0.1,
#: but would pair text the seed pair's English leaves out.)
UNALIGN_BELOW = 0.5
#: A merge (three sentences or more) stays a pair, doubtful, down to this
#: confidence. Unlike a weak 1-1 pair, a weak merge is nearly always a loose or
#: partly wrong alignment of text that has a translation: on dev, of the pairs
#: from 0.1 to 0.5, 211 merges were in related documents and 9 in unrelated
#: ones (1-1 pairs: 172 and 197); 93% of those merges' sentences have a
#: counterpart in the gold, and the merge is exactly right 55% of the time and
#: overlaps a true pair 44%. Left unaligned, its sentences would say "no
#: translation", which is what is wrong. Lower, dev's unrelated pairings would
#: keep many more wrong pairs (135 at 0.1, 147 at 0.05, 262 at 0; docs/accuracy-log.md).
MERGE_UNALIGN_BELOW = 0.1


_CALIBRATION_FILE = "calibration.json"


@dataclass(frozen=True)
class Calibration:
    """Logistic model: P(correct) = sigmoid(intercept + sum(weight * feature))."""

    intercept: float
    weights: tuple[float, ...]
    fitted_on: str = ""

    def probability(self, features: np.ndarray) -> np.ndarray:
        z = self.intercept + features @ np.asarray(self.weights)
        return 1.0 / (1.0 + np.exp(-z))

    def as_json(self) -> dict:
        return {"intercept": self.intercept, "weights": dict(zip(FEATURES, self.weights)), "fitted_on": self.fitted_on}

    @classmethod
    def from_json(cls, data: dict) -> "Calibration":
        return cls(intercept=data["intercept"], weights=tuple(data["weights"][name] for name in FEATURES),
                   fitted_on=data.get("fitted_on", ""))


@dataclass(frozen=True)
class Calibrations:
    """The confidence models the package ships, and the language pairs each is for.

    How often a pair with given features is right depends on how the documents
    were translated: the ja-en dev sets are close translations, the de-fr and
    zh-en ones (Text+Berg, Bertalign's MAC novels) loose literary ones, whose
    pairs the ja-en fit over-rates where they are strong and under-rates where
    they are weak. So ja-en pairs get the fit on the ja-en dev sets
    (`japanese_english`), and the pairs of the other dev sets a fit on all dev
    sets pooled, in which their own pairs count more (`pooled`;
    `aligner.evaluate.OTHER_PAIRS_WEIGHT`): better calibrated on held-out de-fr
    and zh-en, and more accurate there than a fit on their dev sets alone
    (docs/accuracy-log.md).
    A pair without dev data gets the ja-en fit: on the one such pair measured
    (en-is, ParIce, literal like ja-en), the pooled fit rates pairs far too low.
    """

    japanese_english: Calibration
    pooled: Calibration
    #: The language pairs the pooled fit is for: those of the other dev sets.
    pooled_pairs: frozenset[frozenset[str]]
    #: The search's beads on a few dev documents when these were fitted, one
    #: digest per document (`aligner.evaluate.search_digests`). A fit is only
    #: valid for the search it was made on, and a test compares these with
    #: today's search, so that a change to the search asks for a refit.
    search_digests: tuple[str, ...] = ()

    def for_languages(self, src_lang: str, tgt_lang: str) -> Calibration:
        """The fit for documents in these two languages."""
        return self.pooled if language_pair(src_lang, tgt_lang) in self.pooled_pairs else self.japanese_english

    @classmethod
    def load(cls) -> "Calibrations":
        """The calibrations the package ships (aligner/calibration.json)."""
        data = json.loads(resources.files("aligner").joinpath(_CALIBRATION_FILE).read_text("utf-8"))
        return cls(japanese_english=Calibration.from_json(data["ja-en"]), pooled=Calibration.from_json(data["pooled"]),
                   pooled_pairs=frozenset(language_pair(*pair.split("-")) for pair in data["pooled"]["language_pairs"]),
                   search_digests=tuple(data.get("search_digests", ())))

    def save(self) -> None:
        """Replace the shipped calibrations: for `python -m aligner.evaluate --calibrate` in a source checkout."""
        pairs = sorted("-".join(sorted(pair)) for pair in self.pooled_pairs)
        pooled = self.pooled.as_json() | {"language_pairs": pairs}
        data = {"ja-en": self.japanese_english.as_json(), "pooled": pooled, "search_digests": list(self.search_digests)}
        (Path(__file__).parent / _CALIBRATION_FILE).write_text(json.dumps(data, indent=2) + "\n", "utf-8")


#: Punctuation that ends a sentence, and the closing marks that may follow it,
#: after NFKC (which turns full-width ．！？：；） and … into their ASCII forms).
#: Wider than the splitters' sentence ends (`segment.py`): a colon or semicolon
#: also ends a line that is a sentence rather than a heading.
_SENTENCE_FINAL = frozenset("。.!?:;")
_CLOSING_MARKS = "\"'”’」』)]】》〉"


def ends_like_sentence(text: str) -> bool:
    """Whether `text` ends with sentence-final punctuation (perhaps inside quotes or brackets).

    Headings, breadcrumbs, dates and footer lines usually do not, so a sentence
    paired with one of them is suspect (the `sentence_end_mismatch` feature).
    """
    tail = unicodedata.normalize("NFKC", text).rstrip().rstrip(_CLOSING_MARKS).rstrip()
    return bool(tail) and tail[-1] in _SENTENCE_FINAL


def bead_features(raw: Sequence[RawBead], src_texts: Sequence[str], tgt_texts: Sequence[str],
                  src_vectors: np.ndarray, tgt_vectors: np.ndarray) -> np.ndarray:
    """Feature matrix (one row per pair bead, in order) for the calibration.

    `src_vectors` and `tgt_vectors` are the sentences' vectors as the search
    compares them (`align.centred_unit_vectors`).

    Besides the bead's own similarity and lengths, two features look around it:
    a true pair usually sits among true pairs (`neighbour_margin`), and in two
    unrelated documents even the best pairs are weak (`document_weakness`: how
    far the document's median margin falls short of a typical one).
    `merge_gain` tells a real merge (the joined text matches better than any of
    its sentences) from an unrelated sentence glued onto a pair. A bead's size
    counts twice: `merge` (any sentence beyond a 1-1 pair) and
    `further_sentences` (each one beyond the first extra): a 1-4 bead is not
    three times less likely than a 1-2 (dev log-loss 0.1081 -> 0.1077 against
    one count of extra sentences).
    `sentence_end_mismatch` is 1 when one side ends like a sentence and the
    other does not: a sentence whose translation is missing, paired with a
    heading, breadcrumb or footer line (the seed pair's list of participants).
    `cut_from_merge` marks a pair that `cut_merges` cut out of a
    rejected merge: such pairs are less often right than the search's own.
    `untranslated_unlike` looks at pairs whose two sides are written in the
    script of one document although the documents' scripts differ (a Japanese
    line left in the English page): such a line is the translation only of a
    line it copies, like a title the English quotes in Japanese, but the model
    finds any two texts of one language alike (an unrelated Japanese sentence
    got 0.96). Its value is the share of the shorter side's letters that the
    longer side lacks (0 for a copy), and 0 for every other pair.
    `merge_cosine` and `merge_neighbour_margin` repeat those two features for
    merges (0 for 1-1 pairs), so that the fit can give merges their own slopes
    (flatter or steeper, not of the other sign: `MERGE_COLUMNS`).
    On dev both say less about a merge than about a 1-1 pair, likely because a
    joined text's cosine drops little when an unrelated line is glued on, and
    a merge's neighbours are those of the true pair inside it (when they were
    added: dev log-loss 0.0991 -> 0.0971, and the two slopes went from 3.5 and
    4.6 for every pair to about 4 and 6 for 1-1 pairs and 1 or less for merges;
    `calibration.json` holds the current fit).
    `matches_beside_better` is how much better one of the bead's sentences
    matches a sentence just outside the bead on the other side than the bead's
    best sentence pair matches (0 if none does; `_matches_beside_better`).
    The search pairs nearly every sentence, so a sentence whose translation
    was merged into the next bead gets paired with whatever line is left
    beside it, an inserted heading or a sentence whose own translation is
    missing, and the neighbours, being right, vouch for it: such a pair of
    cosine 0 got 0.99. Its sentence still matches its real translation next
    door (dev log-loss 0.0969 -> 0.0950 for ja-en, 0.2867 -> 0.2801 pooled).
    `short_document_dissimilarity` is how far the median cosine of a short
    document's pairs falls below a translation's, fading out as the document
    grows: `document_weakness` reads margins, and in a short document the best
    of four unrelated sentences has a margin like a translation's (a
    4-sentence pairing of two unrelated conversations put cosines of 0.24 and
    0.07 into the TMX at 0.97 and 0.93).
    """
    src_lengths = [len(text) for text in src_texts]
    tgt_lengths = [len(text) for text in tgt_texts]
    ratio = max(sum(tgt_lengths), 1) / max(sum(src_lengths), 1)
    # A skip or the document's edge counts as a neighbour of margin _NO_NEIGHBOUR_MARGIN.
    margins = np.array([_NO_NEIGHBOUR_MARGIN] + [b.margin if b.src and b.tgt else _NO_NEIGHBOUR_MARGIN for b in raw]
                       + [_NO_NEIGHBOUR_MARGIN])
    at = np.array([k for k, b in enumerate(raw) if b.src and b.tgt], dtype=np.int64)
    pairs = [raw[k] for k in at]
    if not pairs:
        return np.zeros((0, len(FEATURES)))
    merge = np.array([float(b.is_merge) for b in pairs])
    cosine = np.array([b.cosine for b in pairs], dtype=np.float64)
    # What the document-level features read: the same for each of the document's pairs.
    document_margin, document_cosine = float(np.median(margins[at + 1])), float(np.median(cosine))
    shortness = max(0.0, 1.0 - len(pairs) / _SHORT_DOCUMENT_PAIRS)
    neighbour_margin = (margins[at] + margins[at + 2]) / 2
    columns = {
        "cosine": cosine,
        "length_cost": length_cost(np.array([max(sum(src_lengths[i] for i in b.src), 1) for b in pairs]),
                                   np.array([max(sum(tgt_lengths[j] for j in b.tgt), 1) for b in pairs]), ratio),
        "merge": merge,
        "further_sentences": [max(0, len(b.src) + len(b.tgt) - 3) for b in pairs],
        "merge_gain": [b.cosine - b.best_part.cosine if b.best_part is not None else 0.0 for b in pairs],
        "neighbour_margin": neighbour_margin,
        "document_weakness": np.full(len(pairs), max(0.0, _TYPICAL_DOCUMENT_MARGIN - document_margin)),
        "sentence_end_mismatch": [float(ends_like_sentence(src_texts[b.src[-1]]) != ends_like_sentence(tgt_texts[b.tgt[-1]]))
                                  for b in pairs],
        "cut_from_merge": [float(b.cut_from_merge) for b in pairs],
        "untranslated_unlike": _untranslated_unlike(pairs, src_texts, tgt_texts),
        "merge_cosine": merge * cosine,
        "merge_neighbour_margin": merge * neighbour_margin,
        "matches_beside_better": _matches_beside_better(pairs, src_vectors, tgt_vectors),
        "short_document_dissimilarity": np.full(len(pairs),
                                                max(0.0, _TYPICAL_DOCUMENT_COSINE - document_cosine) * shortness),
    }
    return np.column_stack([np.asarray(columns[name], dtype=np.float64) for name in FEATURES])


def _matches_beside_better(pairs: Sequence[RawBead], src_vectors: np.ndarray, tgt_vectors: np.ndarray) -> np.ndarray:
    """The `matches_beside_better` feature of each pair (see `bead_features`).

    Sentences are compared one with one, also inside a merge (whose own best
    is its best sentence pair), so that the two sides of the comparison are
    alike. One product per bead: its sentences and the one beside it on each
    side, against the same on the other side; the corners (a sentence beside
    the bead with one beside it) are left out.
    """
    n, m = len(src_vectors), len(tgt_vectors)
    values = np.zeros(len(pairs))
    for k, bead in enumerate(pairs):
        src_first, src_end, tgt_first, tgt_end = bead.src[0], bead.src[-1] + 1, bead.tgt[0], bead.tgt[-1] + 1
        src_from, tgt_from = max(src_first - 1, 0), max(tgt_first - 1, 0)
        block = src_vectors[src_from:min(src_end + 1, n)] @ tgt_vectors[tgt_from:min(tgt_end + 1, m)].T
        own_rows = block[src_first - src_from:src_end - src_from]  # the bead's source sentences, every column
        own_columns = block[:, tgt_first - tgt_from:tgt_end - tgt_from]  # every row, the bead's target sentences
        own = own_rows[:, tgt_first - tgt_from:tgt_end - tgt_from].max()
        values[k] = max(own_rows.max(), own_columns.max()) - own
    return values


def _untranslated_unlike(pairs: Sequence[RawBead], src_texts: Sequence[str], tgt_texts: Sequence[str]) -> list[float]:
    """The `untranslated_unlike` feature of each pair (see `bead_features`)."""
    src_script = main_script(script_sample(src_texts))
    tgt_script = main_script(script_sample(tgt_texts))
    if src_script == tgt_script or None in (src_script, tgt_script):
        # Same-script languages, or a document without letters (figures, codes): no line
        # can be told to be in the other document's script.
        return [0.0] * len(pairs)
    values = []
    for b in pairs:
        src_text = unicodedata.normalize("NFKC", " ".join(src_texts[i] for i in b.src))
        tgt_text = unicodedata.normalize("NFKC", " ".join(tgt_texts[j] for j in b.tgt))
        script = main_script(src_text)
        if script not in (src_script, tgt_script) or script != main_script(tgt_text):
            values.append(0.0)
            continue
        src_letters, tgt_letters = letters_in_script(src_text, script), letters_in_script(tgt_text, script)
        blocks = difflib.SequenceMatcher(None, src_letters, tgt_letters, autojunk=False).get_matching_blocks()
        values.append(1.0 - sum(block.size for block in blocks) / min(len(src_letters), len(tgt_letters)))
    return values


def candidates_with_features(raw: Sequence[RawBead], src_texts: Sequence[str], tgt_texts: Sequence[str],
                             src_vectors: np.ndarray, tgt_vectors: np.ndarray,
                             calibration: Calibration) -> tuple[list[RawBead], np.ndarray]:
    """The search's beads, with rejected merges cut to their best pair where that pair is
    likelier right than the merge (`rejected_merges`), and the features of their pairs for
    `score_beads`.

    A cut is judged by the calibration itself: the cut pair, scored in its new
    context and with `cut_from_merge` set, must be more probable than the merge
    was. On ja-en a rejected merge is mostly a true pair with a line glued on
    and nearly every cut passes; in loose literary translations a rejected merge
    is as often a right one that matches weakly as a whole, and its cut pair is
    then the worse guess. (Held-out strict F1 against cutting every rejected
    merge, same search, both fits refitted: MAC-Dev 0.836 -> 0.859, hard 0.776 ->
    0.806, Text+Berg 0.896 -> 0.903; docs/accuracy-log.md.)
    `src_vectors` and `tgt_vectors` are the sentences' embeddings as the search
    was given them.
    """
    src_vectors, tgt_vectors = centred_unit_vectors(src_vectors), centred_unit_vectors(tgt_vectors)
    features = bead_features(raw, src_texts, tgt_texts, src_vectors, tgt_vectors)
    if not len(features):
        return list(raw), features
    merge_probability = dict(zip(_pair_positions(raw), calibration.probability(features)))
    rejected = rejected_merges(raw, merge_probability)
    if not rejected:
        return list(raw), features
    cut = cut_merges(raw, rejected)
    cut_features = bead_features(cut, src_texts, tgt_texts, src_vectors, tgt_vectors)
    cut_probability = {(bead.src, bead.tgt): probability
                       for bead, probability in zip([cut[k] for k in _pair_positions(cut)],
                                                    calibration.probability(cut_features))}
    worth_cutting = [k for k in rejected
                     if cut_probability[(raw[k].best_part.src, raw[k].best_part.tgt)] > merge_probability[k]]
    if worth_cutting == rejected:
        return cut, cut_features
    if not worth_cutting:
        return list(raw), features
    cut = cut_merges(raw, worth_cutting)
    return cut, bead_features(cut, src_texts, tgt_texts, src_vectors, tgt_vectors)


def _pair_positions(beads: Sequence[RawBead]) -> list[int]:
    """Positions of the pair beads (both sides non-empty), in order: the rows of their features."""
    return [k for k, bead in enumerate(beads) if bead.src and bead.tgt]


def rejected_merges(raw: Sequence[RawBead], probabilities: dict[int, float]) -> list[int]:
    """Positions of the merges more likely wrong than right whose best sentence pair matches
    better than the whole (`probabilities`: by position, of each pair bead).

    The search's low threshold lets an unrelated line (a breadcrumb, a sentence
    of another document) ride along with a true pair when the lengths fit
    better with it. Left whole, such a merge would be rejected and its true pair
    lost with it. (Held-out strict F1 with the cut and `cut_from_merge`: hard
    kyoto +0.017, hard coursera +0.019, Text+Berg +0.014; docs/accuracy-log.md.)
    A merge whose whole matches better is a loose translation or a wrong bead,
    and none of its parts is a better guess: it is left whole, for `score_beads`
    (`MERGE_UNALIGN_BELOW`).
    """
    return [k for k, probability in probabilities.items()
            if probability < UNALIGN_BELOW and raw[k].best_part is not None
            and raw[k].cosine < raw[k].best_part.cosine]


def cut_merges(raw: Sequence[RawBead], positions: Sequence[int]) -> list[RawBead]:
    """The beads with each merge at `positions` replaced by its best pair (marked
    `cut_from_merge`), the merge's other sentences unaligned, in order."""
    result: list[RawBead] = []
    to_cut = set(positions)
    for k, bead in enumerate(raw):
        if k not in to_cut:
            result.append(bead)
            continue
        part = bead.best_part
        (i,), (j,) = part.src, part.tgt
        result.extend(RawBead((s,), (), None, None) for s in bead.src if s < i)
        result.extend(RawBead((), (t,), None, None) for t in bead.tgt if t < j)
        result.append(replace(part, cut_from_merge=True))
        result.extend(RawBead((s,), (), None, None) for s in bead.src if s > i)
        result.extend(RawBead((), (t,), None, None) for t in bead.tgt if t > j)
    return result


def score_beads(raw: Sequence[RawBead], features: np.ndarray, calibration: Calibration) -> list[Bead]:
    """Attach the calibrated probability to every pair bead; unlikely pairs become unaligned segments
    (under `UNALIGN_BELOW`, or `MERGE_UNALIGN_BELOW` for a merge)."""
    probabilities = iter(calibration.probability(features) if len(features) else ())
    beads = []
    for bead in raw:
        if not (bead.src and bead.tgt):
            beads.append(Bead(bead.src, bead.tgt, 0.0))
            continue
        probability = float(next(probabilities))
        if probability >= (MERGE_UNALIGN_BELOW if bead.is_merge else UNALIGN_BELOW):
            beads.append(Bead(bead.src, bead.tgt, round(probability, 4)))
        else:
            beads.extend(Bead((i,), (), 0.0) for i in bead.src)
            beads.extend(Bead((), (j,), 0.0) for j in bead.tgt)
    return beads


def fit_constrained(features: np.ndarray, labels: np.ndarray, signs: Sequence[int] = tuple(FEATURE_SIGNS.values()),
                    sample_weights: np.ndarray | None = None,
                    merge_columns: Sequence[tuple[int, int]] = _MERGE_COLUMN_INDICES) -> tuple[float, np.ndarray]:
    """Logistic fit whose weights keep their allowed signs: a feature whose weight comes out
    the wrong way is dropped (weight 0) and the rest refitted, until none does.

    For each (merge column, feature column) of `merge_columns` (`MERGE_COLUMNS`)
    the sum of the two weights, a merge's slope, keeps the feature's sign too.
    The fit runs on the feature's 1-1 part (the feature minus the merge column)
    and the merge column, whose weights are the 1-1 and the merge slope, each
    with the feature's sign; the merge column's own weight is their difference.
    """
    x = np.array(features, dtype=np.float64)
    column_signs = list(signs)
    for merge, feature in merge_columns:
        x[:, feature] -= x[:, merge]
        column_signs[merge] = column_signs[feature]
    kept = list(range(x.shape[1]))
    while True:
        intercept, weights = fit_logistic(x[:, kept], labels, sample_weights=sample_weights)
        wrong = [k for k, w in zip(kept, weights) if column_signs[k] * w < 0]
        if not wrong:
            full = np.zeros(x.shape[1])
            full[kept] = weights
            for merge, feature in merge_columns:
                full[merge] -= full[feature]
            return intercept, full
        kept.remove(max(wrong, key=lambda k: abs(weights[kept.index(k)])))


def fit_logistic(features: np.ndarray, labels: np.ndarray, l2: float = 1e-3, iterations: int = 50,
                 sample_weights: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """Fit logistic regression by Newton's method (IRLS); returns (intercept, weights).

    `sample_weights` counts some examples more than others (all 1 by default).
    """
    x = np.hstack([np.ones((len(features), 1)), features])
    counts = np.ones(len(features)) if sample_weights is None else np.asarray(sample_weights, dtype=np.float64)
    w = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (counts * (p - labels)) + l2 * np.r_[0.0, w[1:]]
        hessian = (x * (counts * p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return float(w[0]), w[1:]
