"""Dictionary glosses (`aligner.glosses`), read from the Universal Declaration of Human Rights in Chinese and English."""

from pathlib import Path

import numpy as np

from aligner.align import align_vectors
from aligner.glosses import GLOSS_PREFIX, has_glossary
from aligner.names import TokenReader, shared_tokens

DATA = Path(__file__).resolve().parent / "data"
CHINESE = (DATA / "udhr-zh.txt").read_text("utf-8").splitlines()
ENGLISH = (DATA / "udhr-en.txt").read_text("utf-8").splitlines()
ARTICLE_3 = 4  # the line of "Everyone has the right to life, liberty and security of person."


def _glosses(tokens: set[str]) -> set[str]:
    return {token for token in tokens if token.startswith(GLOSS_PREFIX)}


def test_a_chinese_sentence_and_its_english_share_the_stems_of_the_glosses_of_its_words():
    read = TokenReader().tokens
    shared = read(CHINESE[ARTICLE_3], "zh", "en") & read(ENGLISH[ARTICLE_3], "en", "zh")
    # 生命 "life", 自由 "freedom; liberty", 人身 "person", 有权 "to have the right to"
    assert {GLOSS_PREFIX + stem for stem in ("life", "liberti", "person", "right")} <= shared
    # The next article (slavery) shares none of them with Article 3.
    assert not shared & read(ENGLISH[ARTICLE_3 + 1], "en", "zh")


def test_traditional_characters_are_glossed_too():
    traditional = "人人有權享有生命、自由和人身安全。"
    assert GLOSS_PREFIX + "life" in TokenReader().tokens(traditional, "zh-TW", "en")


def test_an_accented_english_word_is_one_word():
    read = TokenReader().tokens
    shared = read("请把你的简历寄给我们。", "zh", "en") & read("Please send us your résumé.", "en", "zh")
    assert GLOSS_PREFIX + "résumé" in shared  # 简历 "curriculum vitae (CV); résumé"
    # not "r" and "sum", which would meet a sentence about sums
    assert GLOSS_PREFIX + "sum" not in read("Please send us your résumé.", "en", "zh")


def test_only_a_chinese_english_pair_gets_gloss_tokens():
    read = TokenReader().tokens
    assert has_glossary("zh-CN", "en-US") and has_glossary("en", "zh")
    assert not has_glossary("ja", "en") and not has_glossary("zh", "ja")
    assert not _glosses(read(CHINESE[ARTICLE_3], "zh", "ja"))
    assert not _glosses(read(ENGLISH[ARTICLE_3], "en", "ja"))
    assert not _glosses(read(ENGLISH[ARTICLE_3], "en"))  # no partner named: names and numbers only


def test_glosses_alone_pair_the_articles_when_the_english_of_two_sentences_is_missing():
    """With sentence vectors that tell nothing apart, the search has only lengths and glosses to go
    on: with the glosses it pairs every remaining sentence with its translation, without them
    it shifts three of them (the lengths fit a shifted pairing as well)."""
    missing = {5, 6}  # the English of Articles 4 and 5
    kept = [j for j in range(len(ENGLISH)) if j not in missing]
    english = [ENGLISH[j] for j in kept]
    read = TokenReader().tokens

    def pairs(partners: tuple[str, str] | tuple[None, None]) -> set[tuple[tuple[int, ...], tuple[int, ...]]]:
        tokens = shared_tokens([read(text, "zh", partners[0]) for text in CHINESE],
                               [read(text, "en", partners[1]) for text in english])
        beads = align_vectors(np.ones((len(CHINESE), 8), np.float32), np.ones((len(english), 8), np.float32),
                              [len(text) for text in CHINESE], [len(text) for text in english],
                              shared_tokens=tokens)
        return {(b.src, tuple(kept[j] for j in b.tgt)) for b in beads if b.src and b.tgt}

    truth = {((j,), (j,)) for j in kept}
    assert pairs(("en", "zh")) == truth
    assert len(pairs((None, None)) & truth) <= len(truth) - 3
