"""Segment: a `Document`'s paragraphs -> sentences (`SegmentedDocument`).

Japanese goes through spaCy with GiNZA's Sudachi tokenizer (from the
`ja_ginza` package) and a rule component that ends a sentence at 。！？ outside
brackets and quotes, and after a quote closed on one (「…。」) unless a particle
carries the sentence on (「…。」と言った). GiNZA's dependency parser finds sentence
ends without punctuation too, but runs at ~40 sentences/s on two cores against
~1,000 for the rules, so it is loaded only when a paragraph has no sentence
punctuation at all (subtitles, slides) and is short enough to parse in reasonable
time.

Other languages use pysbd, a rule-based splitter that knows abbreviations, with
one correction: `U.S.` before a capitalised function word ends a sentence
(`... Japan and the U.S. This dialogue ...`), which pysbd misses.

In --presplit mode each paragraph (a non-empty input line) is one segment, as
given: evaluations rely on line numbers being segment indices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence

from .data import Document, Segment, SegmentedDocument, base_language

#: Longest sentence handed to the aligner; longer runs without punctuation are
#: cut at the nearest comma or space before this.
MAX_SEGMENT_CHARS = 1000
#: Sudachi refuses inputs over 49,149 bytes; Japanese paragraphs are fed in
#: pieces of at most this many characters (3 bytes each in UTF-8).
_MAX_TOKENIZER_CHARS = 12000
#: Paragraphs without punctuation up to this length go to GiNZA's parser.
_MAX_PARSER_CHARS = 3000

_JA_FINAL = frozenset("。．！？!?")
_JA_OPEN = "「『（(【〔［[｛{〈《“‘"
_JA_CLOSE = "」』）)】〕］]｝}〉》”’"
_CLOSERS_AFTER_FINAL = frozenset(_JA_CLOSE) | {"…", "‥"}


class SentenceSplitter(Protocol):
    def split(self, paragraph: str) -> list[str]: ...


def segment_document(document: Document, splitter: SentenceSplitter | None, presplit: bool = False) -> SegmentedDocument:
    """Split every paragraph into sentences; in presplit mode one segment per paragraph."""
    if presplit or splitter is None:
        return assemble(document, [[paragraph] for paragraph in document.paragraphs], keep_blank=presplit)
    return assemble(document, split_paragraphs(document.paragraphs, splitter))


def split_paragraphs(paragraphs: Sequence[str], splitter: SentenceSplitter) -> list[list[str]]:
    """The sentences of each paragraph, trimmed and capped in length."""
    result = []
    for paragraph in paragraphs:
        sentences = [s for piece in tokenizer_pieces(paragraph) for s in splitter.split(piece)]
        result.append([part for s in sentences for part in cap_length(s.strip())])
    return result


def assemble(document: Document, sentences: Sequence[list[str]], keep_blank: bool = False) -> SegmentedDocument:
    """Number the sentences of each paragraph (one list per paragraph, in order) into segments."""
    segments: list[Segment] = []
    for paragraph_index, paragraph_sentences in enumerate(sentences):
        for sentence in paragraph_sentences:
            if keep_blank or sentence.strip():
                segments.append(Segment(index=len(segments), text=sentence, paragraph=paragraph_index))
    return SegmentedDocument(document=document, segments=tuple(segments))


def make_splitter(lang: str) -> SentenceSplitter:
    """The sentence splitter for a language code (BCP-47)."""
    base = base_language(lang)
    if base == "ja":
        return JapaneseSplitter()
    return RuleSplitter(base)


# ---------------------------------------------------------------- Japanese


@dataclass
class JapaneseSplitter:
    """spaCy + GiNZA: Sudachi tokens, rule boundaries, the parser as a fallback."""

    _rules: object = field(default=None, init=False, repr=False)
    _parser: object = field(default=None, init=False, repr=False)

    def split(self, paragraph: str) -> list[str]:
        if self._rules is None:
            self._rules = _load_ginza(with_parser=False)
        has_punctuation = any(ch in _JA_FINAL for ch in paragraph)
        if not has_punctuation and 60 < len(paragraph) <= _MAX_PARSER_CHARS:
            if self._parser is None:
                self._parser = _load_ginza(with_parser=True)
            doc = self._parser(paragraph)
        else:
            doc = self._rules(paragraph)
        return [sentence.text for sentence in doc.sents]


def _load_ginza(with_parser: bool):
    import spacy

    _register_spacy_component()

    keep = {"tok2vec", "parser"} if with_parser else set()
    try:
        nlp = spacy.load("ja_ginza", exclude=[name for name in _GINZA_COMPONENTS if name not in keep])
    except OSError as error:  # pragma: no cover - only without the dependency installed
        from .errors import ModelError

        raise ModelError(f"cannot load GiNZA's ja_ginza package: {error}", hint="pip install ja-ginza") from None
    if not with_parser:
        nlp.add_pipe("aligner_japanese_sentences")
    return nlp


_GINZA_COMPONENTS = ("tok2vec", "parser", "attribute_ruler", "ner", "morphologizer", "compound_splitter", "bunsetu_recognizer")


#: What carries a sentence on after a quote closed by 。」: particles (「…。」と述べた,
#: 「…。」って, 「…。」など), auxiliaries and suffixes by their Sudachi part of speech, and a
#: comma, a full stop or a parenthesis (「…。」、 「…。」（注）). Another quote opens a new sentence.
_CONTINUES_AFTER_QUOTE = ("助詞", "助動詞", "接尾辞")
_CONTINUES_AFTER_QUOTE_TEXT = frozenset("、，,。．（(")


def japanese_sentence_starts(tokens: list[str], tags: list[str]) -> list[bool]:
    """Sentence starts over a token sequence: after 。！？ outside brackets, and after a
    quote that closes on one (「…した。」) unless the next token carries the sentence on.

    Closing brackets and quotes right after the final mark stay with the
    sentence they close. A quote ending in 。」 ends the sentence too when a
    new one follows (「雨だ。」彼はそう思った。, news text's 「…。」41歳の…), but
    not before a particle (「…。」と言った。): `tags` are the tokens' Sudachi
    parts of speech. A bracket that is never closed within the paragraph does
    not count, so one stray 「 cannot glue a paragraph together.
    """
    text_after = _closing_positions(tokens)
    starts = [False] * len(tokens)
    if tokens:
        starts[0] = True
    depth = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        depth_before = depth
        for ch in token:
            if ch in _JA_OPEN and text_after[i]:
                depth += 1
            elif ch in _JA_CLOSE and depth > 0:
                depth -= 1
        ends_sentence = depth == 0 and token[-1:] in _JA_FINAL
        closes_quoted_sentence = (depth == 0 < depth_before and _after_final_mark(tokens, i) and i + 1 < len(tokens)
                                  and not tags[i + 1].startswith(_CONTINUES_AFTER_QUOTE)
                                  and tokens[i + 1][:1] not in _CONTINUES_AFTER_QUOTE_TEXT)
        if ends_sentence or closes_quoted_sentence:
            j = i + 1
            while j < len(tokens) and tokens[j] and all(ch in _CLOSERS_AFTER_FINAL or ch.isspace() for ch in tokens[j]):
                j += 1
            if j < len(tokens):
                starts[j] = True
            i = j
            continue
        i += 1
    return starts


def _after_final_mark(tokens: list[str], i: int) -> bool:
    """Whether the closers that end at token i follow a final mark (「…。」, 「『…。』」)."""
    k = i - 1
    while k >= 0 and tokens[k] and all(ch in _JA_CLOSE for ch in tokens[k]):
        k -= 1
    return k >= 0 and tokens[k][-1:] in _JA_FINAL


def _closing_positions(tokens: list[str]) -> list[bool]:
    """For each token, whether any closing bracket follows it later in the paragraph."""
    result = [False] * len(tokens)
    seen_close = False
    for i in range(len(tokens) - 1, -1, -1):
        result[i] = seen_close
        if any(ch in _JA_CLOSE for ch in tokens[i]):
            seen_close = True
    return result


def _register_spacy_component() -> None:
    """Register the rule component with spaCy when GiNZA is first loaded.

    Not at import: importing spaCy takes seconds, and a run that fails on a
    missing file or a bad option should fail at once.
    """
    from spacy.language import Language

    if Language.has_factory("aligner_japanese_sentences"):
        return

    @Language.component("aligner_japanese_sentences")
    def japanese_sentences(doc):  # noqa: ANN001, ANN202 - spaCy's component signature
        starts = japanese_sentence_starts([token.text for token in doc], [token.tag_ for token in doc])
        for token, start in zip(doc, starts):
            token.is_sent_start = start
        return doc


# ---------------------------------------------------------------- other languages

#: Capitalised words that start sentences but hardly ever continue a proper
#: name after an abbreviation like `U.S.`.
_SENTENCE_OPENERS = (
    "The This These That Those It Its They Their There We Our He She His Her In On At As For "
    "Both Also However Moreover Furthermore Meanwhile Participants Japan"
).split()
_ABBREVIATION_THEN_OPENER = re.compile(r"(?<=\b[A-Z]\.[A-Z]\.)\s+(?=(?:%s)\b)" % "|".join(_SENTENCE_OPENERS))


@dataclass
class RuleSplitter:
    """pysbd's rule-based splitter, with spaCy's sentencizer for languages pysbd lacks."""

    lang: str
    _split: Callable[[str], list[str]] | None = field(default=None, init=False, repr=False)

    def split(self, paragraph: str) -> list[str]:
        if self._split is None:
            self._split = _load_rule_splitter(self.lang)
        sentences = []
        for sentence in self._split(paragraph):
            sentences.extend(part for part in _ABBREVIATION_THEN_OPENER.split(sentence) if part.strip())
        return sentences


def _load_rule_splitter(lang: str) -> Callable[[str], list[str]]:
    import pysbd
    from pysbd.languages import LANGUAGE_CODES

    if lang in LANGUAGE_CODES:
        segmenter = pysbd.Segmenter(language=lang, clean=False)
        return segmenter.segment
    import spacy

    try:
        nlp = spacy.blank(lang)
    except (ImportError, KeyError, OSError):
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return lambda text: [sentence.text for sentence in nlp(text).sents]


# ---------------------------------------------------------------- length limits

_SOFT_BREAK = re.compile(r"(?<=[、，,;；:：])|(?<=\s)")


def tokenizer_pieces(paragraph: str) -> list[str]:
    """Cut a huge paragraph into tokenizer-sized pieces at sentence ends, else at soft breaks."""
    if len(paragraph) <= _MAX_TOKENIZER_CHARS:
        return [paragraph]
    return _cut(paragraph, _MAX_TOKENIZER_CHARS, prefer="。．！？!?.\n")


def cap_length(sentence: str, limit: int = MAX_SEGMENT_CHARS) -> list[str]:
    """A sentence longer than `limit` is cut at commas or spaces (hard cut as a last resort)."""
    if len(sentence) <= limit:
        return [sentence] if sentence else []
    return [part.strip() for part in _cut(sentence, limit, prefer="、，,;；:：") if part.strip()]


def _cut(text: str, limit: int, prefer: str) -> list[str]:
    parts = []
    while len(text) > limit:
        window = text[:limit]
        cut = max(window.rfind(ch) for ch in prefer) + 1
        if cut < limit // 2:
            cut = max(window.rfind(" "), window.rfind("\u3000")) + 1
        if cut < limit // 2:
            cut = limit
        parts.append(text[:cut])
        text = text[cut:]
    if text:
        parts.append(text)
    return parts
