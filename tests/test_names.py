"""Names and numbers both sides share (`aligner.names`), read from real Japanese and English text."""

import numpy as np

from aligner.glosses import GLOSS_MAX_SENTENCES, GLOSS_PREFIX, GLOSS_WEIGHT
from aligner.names import MAX_SENTENCES, TokenReader, fold, shared_tokens


def test_romanized_readings_of_japanese_nouns_meet_their_english_spelling():
    read = TokenReader().tokens
    # A kyoto heading the model cannot place (CLT00103): 帳台構え and "Chodai-gamae".
    assert "chodai" in read("帳台構え", "ja") & read("Chodai-gamae", "en")
    # Long vowels fold: しょうかどう is written Shokado, きょうと Kyoto or Kyōto.
    assert {"shokado", "kyoto"} <= read("松花堂は京都府にある。", "ja") & read("Shokado, Kyōto Prefecture", "en")


def test_compound_names_are_read_joined_with_or_without_rendaku():
    read = TokenReader().tokens
    # A kyoto heading (a test document) whose English the search paired with an inserted line
    # while only 女郎花 and 塚 were read.
    assert "ominaeshizuka" in read("女郎花塚", "ja") & read("Ominaeshizuka (The Stone Pagoda for a woman)", "en")
    assert "shinsengumi" in read("新撰組が京都を守った。", "ja") & read("The Shinsengumi guarded Kyoto.", "en")
    # Only nouns written next to each other join: の parts 東寺 and 五重塔.
    assert "tojigojunoto" not in read("東寺の五重塔", "ja")


def test_only_japanese_documents_get_readings():
    assert TokenReader().tokens("帳台構え", "zh") == set()
    assert "chodai" in TokenReader().tokens("帳台構え", "ja-JP")


def test_numbers_and_latin_words_are_tokens_on_any_side():
    read = TokenReader().tokens
    assert {"1359", "ict"} <= read("1,359年、ICTの会合", "ja") & read("ICT meeting of 1359", "en")
    assert fold("Zürich") == "zurich" and fold("Chodai-gamae") == "chodaigamae" and fold("Ryuuou") == "ryuo"


def test_a_multiplication_sign_between_names_is_not_a_letter():
    read = TokenReader().tokens
    # × sits among Latin-1's letters; read as one, "Sakura×Fuji" was one word that met neither name.
    assert {"sakura", "fuji"} <= read("さくら×富士のコラボ。", "ja") & read("The Sakura×Fuji collaboration.", "en")


def test_a_token_counts_when_both_sides_hold_it_in_few_sentences_and_weighs_less_the_more_they_are():
    src = [{"kyoto", "1359"}, {"kyoto"}, {"only_src"}] + [{"often"}] * (MAX_SENTENCES + 1) + [{"w0"}]
    tgt = [{"kyoto"}, {"1359", "only_tgt"}] + [{"often"}] * 2 + [{"w0"}]
    shared = shared_tokens(src, tgt)
    names = sorted(["1359", "kyoto", "w0"])  # "often": too many source sentences; the others: one side only
    assert len(shared.weights) == len(names)
    weight = dict(zip(names, shared.weights))
    assert weight == {"1359": 1.0, "kyoto": 0.5, "w0": 1.0}
    ids = {name: k for k, name in enumerate(names)}
    assert [list(row) for row in shared.src[:3]] == [sorted([ids["kyoto"], ids["1359"]]), [ids["kyoto"]], []]
    assert [list(row) for row in shared.tgt[:2]] == [[ids["kyoto"]], [ids["1359"]]]
    assert all(row.dtype == np.int64 for row in shared.src + shared.tgt)


def test_a_gloss_token_counts_in_more_sentences_than_a_name_and_weighs_more():
    """Words repeat more than names, and a pair shares several (`glosses.py`)."""
    word, common = GLOSS_PREFIX + "liberti", GLOSS_PREFIX + "right"
    held = MAX_SENTENCES + 1  # too many for a name
    src = [{word, "kyoto"}] * held + [{common}] * (GLOSS_MAX_SENTENCES + 1)
    tgt = [{word, "kyoto", common}]
    shared = shared_tokens(src, tgt)
    assert len(shared.weights) == 1  # "kyoto": too many sentences; `common`: too many even for a word
    assert shared.weights[0] == GLOSS_WEIGHT / held
    assert list(shared.tgt[0]) == [0]


def test_a_line_longer_than_sudachi_takes_is_read_in_pieces():
    """A --presplit line may hold 20,000 characters; Sudachi refuses more than 49,149 bytes (16,383 kana)."""
    line = "日本語の文です。" * 2100 + "松花堂は京都府にある。"
    assert len(line.encode()) > 49_149
    assert {"shokado", "kyoto"} <= TokenReader().tokens(line, "ja")
