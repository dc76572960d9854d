"""The reference aligners that `make eval` runs beside ours."""

import numpy as np

from aligner.baselines import cosine_dp, gale_church

from helpers import assert_each_segment_once


def test_gale_church_pairs_sentences_of_matching_length():
    lengths = [40, 120, 15, 80, 60]
    beads = gale_church(lengths, [3 * x for x in lengths])  # a language three times as long
    assert beads == [((i,), (i,)) for i in range(5)]


def test_gale_church_finds_a_merge_from_lengths_alone():
    src = [50, 60, 70, 45, 90]
    tgt = [50, 60 + 70, 45, 90]  # sentences 1 and 2 translated as one
    beads = gale_church(src, tgt)
    assert ((1, 2), (1,)) in beads
    assert_each_segment_once(beads, 5, 4)


def test_cosine_dp_follows_the_vectors_and_skips_an_extra_sentence():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(6, 32))
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    noise = rng.normal(size=(1, 32))
    tgt = np.vstack([base[:3], noise / np.linalg.norm(noise), base[3:]])
    beads = cosine_dp(base, tgt, [20] * 6, [20] * 7)
    assert ((), (3,)) in beads and ((3,), (4,)) in beads
    assert_each_segment_once(beads, 6, 7)
