"""Scoring: calibrated confidence, and unlikely pairs left unaligned."""

from dataclasses import replace

import numpy as np
import pytest

from aligner import AlignConfig
from aligner.config import DEFAULT_MIN_SCORE
from aligner.align import RawBead
from aligner.data import Document
from aligner.score import (FEATURES, MERGE_COLUMNS, MERGE_UNALIGN_BELOW, UNALIGN_BELOW, Calibration, Calibrations,
                           bead_features, candidates_with_features, cut_merges, ends_like_sentence, fit_constrained,
                           fit_logistic, rejected_merges, score_beads)

from helpers import assert_each_segment_once, gold_document


def _matching_nothing(count: int, first_axis: int) -> np.ndarray:
    """Unit vectors of `count` sentences on axes of their own: no sentence resembles another."""
    return np.eye(count, 64, k=first_axis, dtype=np.float32)


def _features(raw, src_texts, tgt_texts):
    """`bead_features` for beads made up in a test, whose sentences' vectors resemble nothing."""
    return bead_features(raw, src_texts, tgt_texts, _matching_nothing(len(src_texts), 0),
                         _matching_nothing(len(tgt_texts), 32))


def _candidates(raw, src_texts, tgt_texts, calibration):
    return candidates_with_features(raw, src_texts, tgt_texts, _matching_nothing(len(src_texts), 0),
                                    _matching_nothing(len(tgt_texts), 32), calibration)


def _presplit_proposal(aligner, name, japanese, english):
    """The session's aligner in presplit mode (one line, one segment; it shares the session's
    model) and its proposal for these Japanese and English lines."""
    presplit = replace(aligner, config=AlignConfig(presplit=True))
    return presplit, presplit.propose(Document(name=name, lang="ja", paragraphs=tuple(japanese)),
                                      Document(name=name, lang="en", paragraphs=tuple(english)))


def _without(calibration: Calibration, feature: str) -> Calibration:
    """The calibration with `feature`'s weight set to 0: what the confidence would be without it."""
    return Calibration(calibration.intercept, tuple(0.0 if name == feature else weight
                                                    for name, weight in zip(FEATURES, calibration.weights)))


def _calibration_on_cosine() -> Calibration:
    """P(right) rises with the cosine feature only: 0.5 at cosine 0.5."""
    weights = tuple(10.0 if name == "cosine" else 0.0 for name in FEATURES)
    return Calibration(intercept=-5.0, weights=weights)


def test_an_unlikely_pair_becomes_two_unaligned_segments_and_the_rest_keep_their_beads():
    raw = [RawBead((0,), (0,), 0.3, 0.9), RawBead((1,), (1,), -0.2, 0.1), RawBead((2,), (), None, None),
           RawBead((3, 4), (2,), 0.2, 0.6)]
    features = _features(raw, ["Ein Satz."] * 5, ["Une phrase."] * 3)
    beads = score_beads(raw, features, _calibration_on_cosine())
    assert [(b.src, b.tgt) for b in beads] == [((0,), (0,)), ((1,), ()), ((), (1,)), ((2,), ()), ((3, 4), (2,))]
    assert beads[0].score > 0.95 and beads[4].score > 0.5
    assert all(b.score == 0.0 for b in beads[1:4])
    assert all(b.score >= UNALIGN_BELOW for b in beads if b.src and b.tgt)


def test_a_weak_merge_stays_a_doubtful_pair_where_a_weak_one_to_one_pair_is_dissolved():
    """A merge's sentences nearly always have a translation (the merge is loose or partly wrong),
    while a weak 1-1 pair is as often text without counterpart: only very unlikely merges dissolve."""
    raw = [RawBead((0,), (0,), 0.3, 0.9), RawBead((1,), (1,), 0.2, 0.4), RawBead((2, 3), (2,), 0.2, 0.4),
           RawBead((4,), (3, 4), 0.2, 0.25)]
    features = _features(raw, ["Ein Satz."] * 5, ["Une phrase."] * 5)
    probabilities = _calibration_on_cosine().probability(features)
    assert MERGE_UNALIGN_BELOW < probabilities[1] == probabilities[2] < UNALIGN_BELOW  # 0.27 both
    assert probabilities[3] < MERGE_UNALIGN_BELOW  # 0.08
    beads = score_beads(raw, features, _calibration_on_cosine())
    assert [(b.src, b.tgt) for b in beads] == [((0,), (0,)), ((1,), ()), ((), (1,)), ((2, 3), (2,)),
                                               ((4,), ()), ((), (3,)), ((), (4,))]
    assert beads[3].score == pytest.approx(probabilities[2], abs=1e-4)


def _merge(src, tgt, cosine, part, part_cosine):
    """A merge bead whose best single-sentence pair is `part` (src index, tgt index)."""
    return RawBead(src, tgt, cosine - 0.1, cosine, RawBead((part[0],), (part[1],), part_cosine - 0.1, part_cosine))


def test_a_rejected_merge_whose_best_pair_matches_better_is_cut_to_that_pair():
    """A true pair with an unrelated line glued on: the pair is kept, the line left unaligned."""
    raw = [RawBead((0,), (0,), 0.3, 0.9),
           _merge((1,), (1, 2, 3), cosine=0.4, part=(1, 2), part_cosine=0.6),  # rejected, its part is better: cut
           _merge((2, 3), (4,), cosine=0.4, part=(3, 4), part_cosine=0.3),  # rejected, the whole is better: kept whole
           _merge((4,), (5, 6), cosine=0.7, part=(4, 5), part_cosine=0.8)]  # accepted: kept whole
    rejected = rejected_merges(raw, {0: 0.9, 1: 0.2, 2: 0.3, 3: 0.7})
    assert rejected == [1]
    cut = cut_merges(raw, rejected)
    assert [(b.src, b.tgt) for b in cut] == [((0,), (0,)), ((), (1,)), ((1,), (2,)), ((), (3,)), ((2, 3), (4,)),
                                              ((4,), (5, 6))]
    assert [b.cut_from_merge for b in cut] == [False, False, True, False, False, False]
    assert cut[2].cosine == 0.6 and cut[2].margin == 0.5
    assert_each_segment_once([(b.src, b.tgt) for b in cut], 5, 7)


def test_candidates_are_cut_by_the_calibration_and_the_cut_pair_is_marked_in_its_features():
    raw = [RawBead((0,), (0,), 0.3, 0.9), _merge((1, 2), (1,), cosine=0.3, part=(2, 1), part_cosine=0.8)]
    texts = ["A sentence."] * 3
    candidates, features = _candidates(raw, texts, texts, _calibration_on_cosine())
    assert [(b.src, b.tgt) for b in candidates] == [((0,), (0,)), ((1,), ()), ((2,), (1,))]
    column = dict(zip(FEATURES, features.T))
    assert list(column["cut_from_merge"]) == [0.0, 1.0] and list(column["merge"]) == [0.0, 0.0]
    assert list(column["cosine"]) == [0.9, 0.8]


def test_a_rejected_merge_stays_whole_when_its_cut_pair_would_be_no_likelier_right():
    """In loose translations a weak merge is often right as a whole: cutting it must pay off in
    the calibration's own terms, here a pair cut from a merge costing more than its better cosine gains."""
    raw = [RawBead((0,), (0,), 0.3, 0.9), _merge((1, 2), (1,), cosine=0.3, part=(2, 1), part_cosine=0.5),
           _merge((3, 4), (2,), cosine=0.3, part=(4, 2), part_cosine=0.8)]
    weights = tuple({"cosine": 10.0, "cut_from_merge": -3.0}.get(name, 0.0) for name in FEATURES)
    calibration = Calibration(intercept=-5.0, weights=weights)
    texts = ["A sentence."] * 5
    candidates, features = _candidates(raw, texts, texts, calibration)
    # p(merge) = sigmoid(-2) = 0.12; cut pairs: sigmoid(-3) = 0.05 (stays whole), sigmoid(0) = 0.5 (cut)
    assert [(b.src, b.tgt) for b in candidates] == [((0,), (0,)), ((1, 2), (1,)), ((3,), ()), ((4,), (2,))]
    assert list(dict(zip(FEATURES, features.T))["cut_from_merge"]) == [0.0, 0.0, 1.0]


def test_merges_repeat_their_cosine_and_neighbour_margin_in_columns_of_their_own():
    """So that the fit can give merges their own slopes; 1-1 pairs hold 0 there."""
    raw = [RawBead((0,), (0,), 0.3, 0.9), _merge((1, 2), (1,), cosine=0.6, part=(1, 1), part_cosine=0.5),
           RawBead((3,), (2,), 0.1, 0.5)]
    column = dict(zip(FEATURES, _features(raw, ["Ein Satz."] * 4, ["Une phrase."] * 3).T))
    assert list(column["merge_cosine"]) == [0.0, 0.6, 0.0]
    assert list(column["merge_neighbour_margin"]) == [0.0, pytest.approx((0.3 + 0.1) / 2), 0.0]
    assert column["neighbour_margin"][1] == column["merge_neighbour_margin"][1]


def test_the_shipped_calibrations_reward_a_merge_for_its_cosine_and_its_neighbours():
    """The merge columns may lower a merge's slopes down to flat (`MERGE_COLUMNS`), but a refit
    that made a merge less likely the better it matches would be a fit of noise."""
    shipped = Calibrations.load()
    for calibration in (shipped.japanese_english, shipped.pooled):
        weight = dict(zip(FEATURES, calibration.weights))
        assert weight["cosine"] > 0 and weight["neighbour_margin"] > 0
        for merge_column, feature in MERGE_COLUMNS.items():
            assert weight[feature] + weight[merge_column] >= 0


def test_each_language_pair_gets_the_fit_of_its_dev_data_and_pairs_without_any_get_the_ja_en_fit():
    shipped = Calibrations.load()
    assert shipped.pooled != shipped.japanese_english
    for pair in (("ja", "en"), ("en-US", "ja_JP"), ("is", "en"), ("ko", "en"), ("de", "ja")):
        assert shipped.for_languages(*pair) is shipped.japanese_english, pair
    for pair in (("de", "fr"), ("fr-CH", "de"), ("zh-TW", "en"), ("en", "ZH-Hans")):
        assert shipped.for_languages(*pair) is shipped.pooled, pair


def test_a_short_document_of_weak_pairs_counts_against_its_pairs_and_a_long_one_does_not():
    column = FEATURES.index("short_document_dissimilarity")
    def value(count, cosine):
        raw = [RawBead((i,), (i,), 0.1, cosine) for i in range(count)]
        return _features(raw, ["文。"] * count, ["A sentence."] * count)[:, column]
    assert (value(4, 0.1) > 0.2).all()
    assert 0 < value(12, 0.1)[0] < value(4, 0.1)[0]  # fades as the document grows
    assert (value(20, 0.1) == 0).all() and (value(60, 0.0) == 0).all()
    assert (value(4, 0.6) == 0).all()  # pairs that match like translations


def test_two_short_unrelated_articles_put_no_pair_into_the_tmx(aligner):
    """Four Japanese sentences of one NTREX article against seven English ones of another: the
    search pairs the best of a few, whose margins look like a translation's, and without the
    short document's low median cosine two of those pairs would reach the TMX."""
    japanese = gold_document("ja-en/ntrex_enja", "rt.com.91356").src[20:24]
    english = gold_document("ja-en/ntrex_enja", "scotsman.133744").tgt[:7]
    presplit, proposal = _presplit_proposal(aligner, "rt.com x scotsman", japanese, english)
    assert not [bead for bead in presplit.score(proposal) if bead.src and bead.tgt and bead.score >= DEFAULT_MIN_SCORE]
    without = _without(presplit.calibrations.japanese_english, "short_document_dissimilarity")
    assert (without.probability(proposal.features) >= DEFAULT_MIN_SCORE).any()


def test_a_pair_among_unaligned_neighbours_in_a_weak_document_scores_lower():
    strong = [RawBead((i,), (i,), 0.4, 0.7) for i in range(5)]
    lonely = [RawBead((0,), (), None, None), RawBead((1,), (1,), 0.4, 0.7), RawBead((), (0,), None, None)]
    weights = tuple({"neighbour_margin": 1.0, "document_weakness": -1.0}.get(name, 0.0) for name in FEATURES)
    calibration = Calibration(intercept=0.0, weights=weights)
    p_strong = calibration.probability(_features(strong, ["文。"] * 5, ["A sentence."] * 5))[2]
    p_lonely = calibration.probability(_features(lonely, ["文。"] * 2, ["A sentence."] * 2))[0]
    assert p_lonely < p_strong



@pytest.mark.parametrize("text, expected", [
    ("両国は、G20大阪サミットの機会における「大阪トラック」プロセスの立ち上げに留意した。", True),
    ("Japan also highlighted the concept of “data free flow with trust.”", True),
    ("（注）詳細は以下のとおり：", True),
    ("Is it？ ", True),
    ("Office of International Affairs, Commerce and Information Policy Bureau, METI", False),
    ("October 18, 2019", False),
    ("(1) Summary", False),
    ("第10回インターネットエコノミーに関する日米政策協力対話に係る共同記者発表", False),
    ("", False),
])
def test_ends_like_sentence(text, expected):
    assert ends_like_sentence(text) is expected


def test_a_sentence_paired_with_a_footer_line_scores_lower_than_with_a_sentence():
    """The seed pair's case: a Japanese sentence whose English is missing, paired with a footer."""
    raw = [RawBead((0,), (0,), 0.1, 0.3)]
    weights = tuple(-2.0 if name == "sentence_end_mismatch" else 0.0 for name in FEATURES)
    calibration = Calibration(intercept=1.0, weights=weights)
    japanese = ["日本側は、巻口英司総務省国際戦略局長を始め、関係者が出席した。"]
    p_footer = calibration.probability(_features(raw, japanese, ["Office of International Affairs, METI"]))[0]
    p_sentence = calibration.probability(_features(raw, japanese, ["The Japanese side was led by Eiji Makiguchi."]))[0]
    p_heading = calibration.probability(_features(raw, ["会議の概要"], ["Summary of the meeting"]))[0]
    assert p_footer < 0.5 < p_sentence == p_heading


def _untranslated_unlike(src: list[str], tgt: list[str]) -> float:
    """The feature for a 1-1 pair of src[0] and tgt[0], the rest of the lists setting each document's script."""
    return _features([RawBead((0,), (0,), 0.1, 0.3)], src, tgt)[0][FEATURES.index("untranslated_unlike")]


def test_a_pair_in_one_script_counts_against_it_unless_one_side_copies_the_other():
    """Kyoto hard variants (seed 7): a Japanese line in the English document paired with an
    unrelated Japanese sentence at confidence 0.96; a title the English quotes in Japanese is right."""
    japanese = ["相の間の床だけ低いのが古式である。", "八幡造は、日本の神社建築様式の1つである。"]
    english = ["日本各地に仏像を残した遊行僧としては、木喰より1世紀ほど前の時代に活動した円空がよく知られる。",
               "The Hachiman-zukuri style is one of the architectural styles of shrines in Japan."]
    assert _untranslated_unlike(japanese, english) > 0.8
    assert _untranslated_unlike(["第二巻 論諸国自然之権"] + japanese, ["Volume 2. 論諸国自然之権"] + english[1:]) == 0.0
    assert _untranslated_unlike(japanese[1:], english[1:]) == 0.0
    # Mostly English with a Japanese line glued on is English, not untranslated text.
    assert _untranslated_unlike(japanese, ["ページトップへ戻る The old style has a lower floor."] + english[1:]) == 0.0
    # Same-script languages: the script says nothing about which language a line is in.
    assert _untranslated_unlike(["Ein Satz über Berge.", "Noch einer."], ["Ein ganz anderer Satz.", "Une phrase."]) == 0.0
    # A document without letters (figures only) has no script: its lines are not untranslated text.
    assert _untranslated_unlike(["12.", "(3)"], ["34.", "Some English text here."]) == 0.0


def test_fit_logistic_recovers_a_known_model():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4000, 2))
    p = 1 / (1 + np.exp(-(0.5 + 2.0 * x[:, 0] - 1.0 * x[:, 1])))
    labels = (rng.random(4000) < p).astype(float)
    intercept, weights = fit_logistic(x, labels)
    assert abs(intercept - 0.5) < 0.2 and abs(weights[0] - 2.0) < 0.25 and abs(weights[1] + 1.0) < 0.2


def test_constrained_fit_drops_a_feature_whose_weight_comes_out_the_wrong_way():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4000, 3))
    # The third feature copies the first with noise; the labels depend on the
    # first's excess over it, so an unconstrained fit weights the copy negatively.
    x[:, 2] = x[:, 0] + 0.3 * rng.normal(size=4000)
    p = 1 / (1 + np.exp(-(3.0 * x[:, 0] - 2.0 * x[:, 2] + 1.0 * x[:, 1])))
    labels = (rng.random(4000) < p).astype(float)
    _, free = fit_logistic(x, labels)
    assert free[2] < 0
    _, constrained = fit_constrained(x, labels, signs=(+1, +1, +1), merge_columns=())
    assert constrained[2] == 0.0 and constrained[0] > 0 and constrained[1] > 0
    _, either = fit_constrained(x, labels, signs=(+1, +1, 0), merge_columns=())
    assert np.allclose(either, free)


def test_a_merge_column_may_flatten_a_merges_slope_but_not_turn_it_over():
    """Column 2 is column 0 for merges only (`MERGE_COLUMNS`). Here merges get likelier the lower
    column 0, so a free fit gives them a negative slope; the constrained one a flat slope, the
    1-1 pairs' slope unchanged."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(6000, 3))
    x[:, 1] = rng.random(6000) < 0.3  # merge
    x[:, 2] = x[:, 1] * x[:, 0]
    slope = np.where(x[:, 1] == 1, -1.0, 2.0)
    labels = (rng.random(6000) < 1 / (1 + np.exp(-(slope * x[:, 0])))).astype(float)
    _, free = fit_constrained(x, labels, signs=(+1, 0, 0), merge_columns=())
    assert free[0] + free[2] < -0.5 and abs(free[0] - 2.0) < 0.3
    _, constrained = fit_constrained(x, labels, signs=(+1, 0, 0), merge_columns=((2, 0),))
    assert constrained[0] + constrained[2] == 0.0 and abs(constrained[0] - free[0]) < 0.05
    assert np.isclose(constrained[2], -constrained[0])


def test_a_sample_weight_counts_a_pair_as_often_as_repeating_it():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 2))
    labels = (rng.random(300) < 1 / (1 + np.exp(-(0.5 + x @ np.array([1.5, -1.0]))))).astype(float)
    twice = np.r_[np.ones(100), np.full(200, 2.0)]
    repeated = np.vstack([x, x[100:]]), np.r_[labels, labels[100:]]
    weighted_intercept, weighted = fit_logistic(x, labels, sample_weights=twice)
    intercept, plain = fit_logistic(*repeated)
    assert weighted_intercept == pytest.approx(intercept) and weighted == pytest.approx(plain)
    assert not np.allclose(fit_logistic(x, labels)[1], plain)


def test_a_sentence_paired_with_an_unrelated_line_that_took_its_translations_place_is_not_a_tu(aligner):
    """An NTREX article whose English lost a sentence where an unrelated line (from another NTREX
    article) stands instead. The search pairs the orphaned Japanese sentence with that line (cosine
    about 0), and its good neighbours alone would rate the pair 0.97; but the sentence matches the
    English beside the pair better (both are about the rain), and the pair stays out of the TMX."""
    article = gold_document("ja-en/ntrex_enja", "abcnews.306815")
    football = gold_document("ja-en/ntrex_enja", "bbc.381746")
    inserted = "'Phenomenal' from Livingston - analysis"
    assert inserted in football.tgt
    orphan = article.src.index("これはこの地域での梅雨の時期最初の雨になる。")
    english = [inserted if text.startswith("This would be the region's first rainfall") else text for text in article.tgt]
    assert english != article.tgt
    presplit, proposal = _presplit_proposal(aligner, article.name, article.src, english)
    pairs = [(bead.src, bead.tgt) for bead in proposal.raw if bead.src and bead.tgt]
    wrong = ((orphan,), (english.index(inserted),))
    assert wrong in pairs  # the search's pairing
    beside = dict(zip(pairs, proposal.features[:, FEATURES.index("matches_beside_better")]))
    assert beside[wrong] > 0.3
    assert all(value == 0.0 for pair, value in beside.items() if pair != wrong)
    scores = {(bead.src, bead.tgt): bead.score for bead in presplit.score(proposal) if bead.src and bead.tgt}
    assert scores[wrong] < DEFAULT_MIN_SCORE <= min(score for pair, score in scores.items() if pair != wrong)
    without = _without(presplit.calibrations.japanese_english, "matches_beside_better")
    assert without.probability(proposal.features)[pairs.index(wrong)] > DEFAULT_MIN_SCORE
