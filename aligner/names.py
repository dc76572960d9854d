"""Names and numbers both sides share: evidence the sentence model misses.

The bundled model matches meaning well but transliterated names poorly: to it
松花堂 and "Shokado" have little in common, and a kyoto sentence whose English
glosses every term in parentheses ("In the jodan no ma (a raised floor level)
of Shoin-zukuri style, ...") looks too loose to pair. So the search
(`align.AlignParams.shared_token_weight`) also rewards a bead for each rare
token its two sides share. A token is a number, a Latin word, or the reading
of a Japanese noun (Sudachi's reading, romanized by jaconv); all are folded
alike (lower case, no accents or hyphens, long vowels shortened), so that
きょうと meets "Kyoto" and "Tsugi-gamishimo" meets つぎがみしも. Runs of two or
three nouns also count joined, as English writes a compound name in one word,
with the later part's first consonant voiced or not (rendaku: 女郎花 + 塚 meets
"Ominaeshizuka", 新撰 + 組 "Shinsengumi"). Only tokens in
at most `MAX_SENTENCES` sentences of each side count, each weighing
1 / (sentences holding it), so that a name running through the document
anchors nothing.

For a Chinese-English pair the tokens also hold dictionary glosses
(`glosses.py`), which weigh and count by their own constants.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Sequence

import jaconv
import numpy as np
from sudachipy import Dictionary, Morpheme, SplitMode, Tokenizer

from .align import SharedTokens
from .data import base_language
from .glosses import GLOSS_MAX_SENTENCES, GLOSS_PREFIX, GLOSS_WEIGHT, GlossReader
from .ingest import LATIN_LETTERS, letters_in_script
from .segment import tokenizer_pieces

#: A token held by more sentences than this on either side is no evidence.
MAX_SENTENCES = 5
#: Shorter readings of Japanese nouns collide with too many words (し, か, こう...).
_MIN_READING_LETTERS = 4
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
#: Latin letters, accented ones too (Kyōto, Þórsmörk), joined by hyphens and apostrophes.
_WORD = re.compile(f"[{LATIN_LETTERS}]+(?:['\\-][{LATIN_LETTERS}]+)*")
#: Long vowels as Hepburn romanization writes them in English text (Kyōto, Kyoto).
_LONG_VOWELS = (("ou", "o"), ("uu", "u"), ("oo", "o"), ("aa", "a"))
#: Nouns joined into one compound reading, at most (女郎花 + 塚; 東山 + 三条 + 通).
_MAX_COMPOUND_NOUNS = 3
#: Rendaku: how a compound's later part may start, by how it starts alone (romanized).
_RENDAKU = (("sh", ("j",)), ("ch", ("j",)), ("ts", ("z",)), ("k", ("g",)), ("s", ("z",)), ("t", ("d",)),
            ("h", ("b", "p")), ("f", ("b", "p")))


def fold(word: str) -> str:
    """A word as it is compared: lower case ASCII letters, accents and marks gone, long vowels short."""
    letters = "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if "a" <= c <= "z")
    for long, short in _LONG_VOWELS:
        letters = letters.replace(long, short)
    return letters


class TokenReader:
    """Reads a sentence's tokens; holds the Sudachi tokenizer for Japanese and the glossary (loaded on first use)."""

    def __init__(self) -> None:
        self._tokenizer: Tokenizer | None = None
        self._glosses = GlossReader()

    def tokens(self, text: str, lang: str, partner: str | None = None) -> set[str]:
        """Numbers and folded Latin words of any text, for Japanese the folded readings of its nouns,
        and, when the other document's language `partner` is given, gloss tokens (`glosses.py`)."""
        text = unicodedata.normalize("NFKC", text)
        found = {number.replace(",", "") for number in _NUMBER.findall(text)}
        for word in _WORD.findall(text):
            found.update(folded for part in {word, *word.split("-")} if len(folded := fold(part)) >= 2)
        if base_language(lang) == "ja" and _has_japanese(text):
            found.update(self._noun_readings(text))
        if partner is not None:
            found.update(self._glosses.tokens(text, lang, partner))
        return found

    def _noun_readings(self, text: str) -> set[str]:
        if self._tokenizer is None:  # the dictionary takes a moment and memory: only for Japanese
            self._tokenizer = Dictionary(dict="core").create()
        readings: set[str] = set()
        for piece in tokenizer_pieces(text):  # Sudachi refuses long inputs (a --presplit line)
            run: list[str] = []  # the readings of the nouns just before, for compounds
            for morpheme in self._tokenizer.tokenize(piece, SplitMode.C):
                # The longest unit keeps names like 松花堂 whole; its short units find 京都 in 京都府八幡市.
                readings.update(_folded_reading(unit.reading_form()) for unit in morpheme.split(SplitMode.A)
                                if _is_japanese_noun(unit))
                if not _is_japanese_noun(morpheme):
                    run = []
                    continue
                run = [*run[1 - _MAX_COMPOUND_NOUNS:], _folded_reading(morpheme.reading_form())]
                readings.add(run[-1])
                readings.update(_compounds_ending_with(tuple(run)))
        return {reading for reading in readings if len(reading) >= _MIN_READING_LETTERS}


def _is_japanese_noun(morpheme: Morpheme) -> bool:
    return morpheme.part_of_speech()[0] == "名詞" and _has_japanese(morpheme.surface())


@lru_cache(maxsize=1 << 16)
def _compounds_ending_with(run: tuple[str, ...]) -> frozenset[str]:
    """The readings of `run`'s last two nouns, and of its last three, joined as one word,
    each later part as it reads alone or voiced (rendaku). Cached: a document repeats its compounds."""
    joined = set()
    for start in range(len(run) - 1):
        forms = [{run[start]}, *(_voiced_forms(reading) for reading in run[start + 1:])]
        joined.update(fold("".join(parts)) for parts in itertools.product(*forms))
    return frozenset(joined)


def _voiced_forms(reading: str) -> set[str]:
    for plain, voiced in _RENDAKU:
        if reading.startswith(plain):
            return {reading, *(start + reading[len(plain):] for start in voiced)}
    return {reading}


@lru_cache(maxsize=1 << 16)
def _folded_reading(katakana: str) -> str:
    """A Sudachi reading (katakana) romanized and folded. Cached: a document repeats its nouns,
    and jaconv's romanization, a long chain of replacements, was half the time of reading tokens."""
    return fold(jaconv.kana2alphabet(jaconv.kata2hira(katakana)))


def shared_tokens(src_tokens: Sequence[set[str]], tgt_tokens: Sequence[set[str]]) -> SharedTokens:
    """The rare tokens both sides hold, as the search reads them (`align.SharedTokens`)."""
    src_counts = Counter(token for tokens in src_tokens for token in tokens)
    tgt_counts = Counter(token for tokens in tgt_tokens for token in tokens)
    weight_of = {}
    for token in src_counts.keys() & tgt_counts.keys():
        holders = max(src_counts[token], tgt_counts[token])
        most_holders, weight = _counting(token)
        if holders <= most_holders:
            weight_of[token] = weight / holders
    shared = sorted(weight_of)
    token_id = {token: k for k, token in enumerate(shared)}
    weights = np.array([weight_of[token] for token in shared])

    def ids(side: Sequence[set[str]]) -> list[np.ndarray]:
        return [np.array(sorted(token_id[t] for t in tokens if t in token_id), dtype=np.int64) for tokens in side]

    return SharedTokens(ids(src_tokens), ids(tgt_tokens), weights)


def _counting(token: str) -> tuple[int, float]:
    """How a token counts: (most sentences of a side that may hold it, its weight when one does)."""
    return (GLOSS_MAX_SENTENCES, GLOSS_WEIGHT) if token.startswith(GLOSS_PREFIX) else (MAX_SENTENCES, 1.0)


def _has_japanese(text: str) -> bool:
    """Whether `text` has a kana or kanji letter (`ingest` names the scripts)."""
    return bool(letters_in_script(text, "han"))
