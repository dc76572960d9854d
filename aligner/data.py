"""The plain data objects passed from one pipeline stage to the next.

ingest -> Document -> segment -> SegmentedDocument -> embed/align -> Alignment
-> write (TMX, beads, report). Each stage reads one of these and returns the
next, so a stage can be tested, replaced or run on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path


@dataclass(frozen=True)
class Document:
    """A document as read from disk: decoded text cut into paragraphs.

    Paragraphs are the block structure of the source (HTML blocks, blank-line
    or PDF-extraction paragraph ends). Sentences never cross a paragraph, and
    the aligner uses paragraph starts as a hint.
    """

    name: str
    lang: str
    paragraphs: tuple[str, ...]
    encoding: str = "utf-8"
    format: str = "text"
    #: True when hard-wrapped lines (PDF extraction) were joined back together.
    unwrapped: bool = False
    path: Path | None = None


@dataclass(frozen=True)
class Segment:
    """One sentence (or one line in --presplit mode) of a document."""

    index: int
    text: str
    paragraph: int


@dataclass(frozen=True)
class SegmentedDocument:
    document: Document
    segments: tuple[Segment, ...]

    @cached_property
    def texts(self) -> list[str]:
        """The segments' texts, built once: every stage after segmentation reads them."""
        return [segment.text for segment in self.segments]

    @property
    def paragraph_starts(self) -> list[bool]:
        """For each segment, whether it opens a paragraph."""
        starts = []
        previous = None
        for segment in self.segments:
            starts.append(segment.paragraph != previous)
            previous = segment.paragraph
        return starts

    def __len__(self) -> int:
        return len(self.segments)


@dataclass(frozen=True)
class Bead:
    """A group of consecutive source segments aligned to consecutive target ones.

    `src` or `tgt` is empty for a segment left unaligned (a 0-1 or 1-0 bead).
    `score` is the calibrated probability that the bead is a correct
    translation pair; 0.0 for an unaligned segment.
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float

    @property
    def kind(self) -> str:
        return f"{len(self.src)}-{len(self.tgt)}"

    @property
    def is_pair(self) -> bool:
        """Both sides non-empty: a pair (`Alignment.in_tmx` says whether it is also a translation unit)."""
        return bool(self.src) and bool(self.tgt)


@dataclass
class Alignment:
    """The result of aligning two documents, as the writers need it."""

    src: SegmentedDocument
    tgt: SegmentedDocument
    beads: list[Bead]
    model: str
    min_score: float
    settings: dict[str, object] = field(default_factory=dict)
    #: Seconds spent per stage (ingest, segment, embed, align), for --verbose and `make bench`.
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def bead_texts(self, bead: Bead) -> tuple[str, str]:
        """The joined source and target text of a bead, as a translator sees it."""
        return (
            join_segments([self.src.segments[i].text for i in bead.src], self.src.document.lang),
            join_segments([self.tgt.segments[j].text for j in bead.tgt], self.tgt.document.lang),
        )

    @property
    def pairs(self) -> list[Bead]:
        return [bead for bead in self.beads if bead.is_pair]

    def in_tmx(self, bead: Bead) -> bool:
        """Whether the bead is a translation unit: a pair at or above min_score; the rest of the pairs are doubtful."""
        return bead.is_pair and bead.score >= self.min_score

    def translation_units(self) -> list[Bead]:
        return [bead for bead in self.beads if self.in_tmx(bead)]

    def expected_wrong_units(self) -> float:
        """How many translation units to expect wrong: the confidence is a probability, so the
        sum of 1 - confidence. What a review is worth; near the true count on written text,
        too low on meeting transcripts (README, Accuracy: `make eval`'s wrong@min)."""
        return sum(1.0 - bead.score for bead in self.translation_units())


#: Code points XML 1.0 cannot hold (C0 controls but tab and line ends, lone
#: surrogates, U+FFFE, U+FFFF). Ingest drops them, so every segment read from a
#: file or string fits in the TMX; the TMX writer strips them again for
#: Documents built by hand.
NOT_XML_CHARS = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

#: Languages written without spaces between sentences.
UNSPACED_LANGUAGES = frozenset({"ja", "zh", "th", "lo", "km", "my"})


def base_language(code: str) -> str:
    """`ja-JP` -> `ja`: the primary subtag of a BCP-47 code, lower-cased."""
    return code.replace("_", "-").split("-")[0].lower()


def language_pair(src_lang: str, tgt_lang: str) -> frozenset[str]:
    """`ja-JP`, `en_US` -> {"ja", "en"}: a pair of base languages, in either direction."""
    return frozenset(map(base_language, (src_lang, tgt_lang)))


def join_segments(texts: list[str], lang: str) -> str:
    """Join sentences the way the language writes them: no space in Japanese or Chinese."""
    parts = [text.strip() for text in texts]
    return segment_separator(lang).join(part for part in parts if part)


def segment_separator(lang: str) -> str:
    """What goes between two sentences of `lang`: nothing in Japanese or Chinese, else a space."""
    return "" if base_language(lang) in UNSPACED_LANGUAGES else " "
