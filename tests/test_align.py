"""The search on its own, with synthetic vectors whose right answer is known."""

import numpy as np

from aligner.align import AlignParams, align_vectors


def _unit(rows):
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _noisy_copy(vectors, rng, noise=0.3):
    """A 'translation': the same direction plus noise of relative size `noise`."""
    scale = noise / np.sqrt(vectors.shape[1])
    return _unit(vectors + scale * rng.normal(size=vectors.shape)).astype(np.float32)


def _pairs(beads):
    return [(b.src, b.tgt) for b in beads]


def _covers_every_index_once(beads, n, m):
    src = [i for b in beads for i in b.src]
    tgt = [j for b in beads for j in b.tgt]
    return src == list(range(n)) and tgt == list(range(m))


def test_translations_in_order_align_one_to_one():
    rng = np.random.default_rng(1)
    src = _unit(rng.normal(size=(30, 64))).astype(np.float32)
    tgt = _noisy_copy(src, rng)
    beads = align_vectors(src, tgt, [50] * 30, [60] * 30)
    assert _pairs(beads) == [((i,), (i,)) for i in range(30)]


def test_a_sentence_missing_on_one_side_is_left_unaligned():
    rng = np.random.default_rng(2)
    src = _unit(rng.normal(size=(20, 64))).astype(np.float32)
    tgt = np.delete(_noisy_copy(src, rng), 7, axis=0)
    beads = align_vectors(src, tgt, [50] * 20, [50] * 19)
    assert ((7,), ()) in _pairs(beads)
    assert _covers_every_index_once(beads, 20, 19)


def test_two_sentences_translated_as_one_become_a_two_to_one_bead():
    rng = np.random.default_rng(3)
    src = _unit(rng.normal(size=(12, 64))).astype(np.float32)
    merged = _unit(src[4:5] + src[5:6])
    tgt = _noisy_copy(np.vstack([src[:4], merged, src[6:]]), rng, noise=0.2)
    lengths_tgt = [50] * 4 + [100] + [50] * 6
    beads = align_vectors(src, tgt, [50] * 12, lengths_tgt)
    assert ((4, 5), (4,)) in _pairs(beads)


def test_paragraph_boundaries_keep_a_heading_out_of_the_next_sentence():
    rng = np.random.default_rng(4)
    body = _unit(rng.normal(size=(6, 64))).astype(np.float32)
    heading = _unit((body[0] + 0.2 * rng.normal(size=64))[None]).astype(np.float32)  # cos ~0.5 to body[0]
    tgt = np.vstack([heading, _noisy_copy(body, rng, 0.2)])  # a heading only the target has
    starts = [True, True, False, False, False, False, False]
    beads = align_vectors(body, tgt, [50] * 6, [20] + [50] * 6, tgt_paragraph_starts=starts,
                          src_paragraph_starts=[True] + [False] * 5)
    assert ((), (0,)) in _pairs(beads)
    assert ((0,), (1,)) in _pairs(beads)


def test_long_documents_use_a_band_and_still_find_the_diagonal():
    rng = np.random.default_rng(5)
    n = 3000
    src = _unit(rng.normal(size=(n, 32))).astype(np.float32)
    tgt = np.delete(_noisy_copy(src, rng, 0.25), [100, 1500, 2900], axis=0)
    params = AlignParams(full_search_cells=100_000)  # forces the coarse-to-fine path
    beads = align_vectors(src, tgt, [50] * n, [50] * (n - 3), params)
    assert _covers_every_index_once(beads, n, n - 3)
    skipped = [b.src[0] for b in beads if not b.tgt]
    assert skipped == [100, 1500, 2900]


def test_empty_side_leaves_everything_unaligned():
    src = np.eye(3, dtype=np.float32)
    beads = align_vectors(src, np.zeros((0, 3), dtype=np.float32), [1, 1, 1], [])
    assert _pairs(beads) == [((0,), ()), ((1,), ()), ((2,), ())]
