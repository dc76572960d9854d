"""The pipeline: ingest -> segment -> embed -> align -> score, as a library API.

`Aligner` holds what is expensive to load (the embedding model, the sentence
splitters) so that a batch of thousands of pairs loads each once. `align()` is
the one-call convenience for a single pair.
"""

from __future__ import annotations

import os
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Iterator

import numpy as np

from .align import align_vectors
from .config import AlignConfig
from .data import Alignment, Document, SegmentedDocument, base_language
from .embed import Embedder, embed_in_batches, load_embedder
from .errors import InputError
from .ingest import document_from_text, read_document
from .score import Calibration, bead_features, exact_cosine_deltas, score_beads
from .segment import SentenceSplitter, make_splitter, segment_document

#: Show a progress bar for embedding from this many sentences on.
_PROGRESS_FROM = 2000


@dataclass
class Aligner:
    """Aligns document pairs with one configuration; reuse it for many pairs."""

    config: AlignConfig = field(default_factory=AlignConfig)
    #: Show progress bars on stderr for long work.
    progress: bool = False
    _embedder: Embedder | None = None
    _splitters: dict[str, SentenceSplitter] = field(default_factory=dict)
    _calibration: Calibration | None = None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.config.model)
        return self._embedder

    def splitter(self, lang: str) -> SentenceSplitter:
        key = base_language(lang)
        if key not in self._splitters:
            self._splitters[key] = make_splitter(key)
        return self._splitters[key]

    # ------------------------------------------------------------ entry points

    def align_files(self, src_path: str | os.PathLike[str], tgt_path: str | os.PathLike[str]) -> Alignment:
        timings: dict[str, float] = {}
        with _timed(timings, "ingest"):
            src = read_document(src_path, self.config.src_lang, self.config.encoding, self.config.presplit)
            tgt = read_document(tgt_path, self.config.tgt_lang, self.config.encoding, self.config.presplit)
        return self.align_documents(src, tgt, timings)

    def align_texts(self, src_text: str, tgt_text: str) -> Alignment:
        src = document_from_text(src_text, self.config.src_lang, "source", self.config.presplit)
        tgt = document_from_text(tgt_text, self.config.tgt_lang, "target", self.config.presplit)
        return self.align_documents(src, tgt)

    def align_documents(self, src: Document, tgt: Document, timings: dict[str, float] | None = None) -> Alignment:
        timings = dict(timings or {})
        if looks_swapped(src, tgt):
            warnings = [f"{src.name} looks like '{tgt.lang}' and {tgt.name} like '{src.lang}': the sides look "
                        "swapped, so each is read as the language it is written in (check the order of the files)"]
            src, tgt = replace(src, lang=tgt.lang), replace(tgt, lang=src.lang)
        else:
            warnings = language_warnings(src) + language_warnings(tgt)
        with _timed(timings, "segment"):
            src_segments = self.segment(src)
            tgt_segments = self.segment(tgt)
        for segmented in (src_segments, tgt_segments):
            if not segmented.segments:
                raise InputError("has no sentences to align", segmented.document.path or segmented.document.name)
        with _timed(timings, "embed"):
            src_vectors, tgt_vectors = self._embed(src_segments.texts, tgt_segments.texts)
        with _timed(timings, "align"):
            src_lengths = [len(t) for t in src_segments.texts]
            tgt_lengths = [len(t) for t in tgt_segments.texts]
            raw = align_vectors(
                src_vectors, tgt_vectors, src_lengths, tgt_lengths, self.config.params,
                None if self.config.presplit else src_segments.paragraph_starts,
                None if self.config.presplit else tgt_segments.paragraph_starts,
            )
            deltas = exact_cosine_deltas(raw, src_segments.texts, tgt_segments.texts, src_vectors, tgt_vectors,
                                         src.lang, tgt.lang, self.embedder)
            features = bead_features(raw, src_lengths, tgt_lengths, deltas)
            beads = score_beads(raw, features, self.calibration)
        alignment = Alignment(
            src=src_segments, tgt=tgt_segments, beads=beads, model=self.embedder.name,
            min_score=self.config.min_score, timings=timings, warnings=warnings,
            settings={"src_lang": self.config.src_lang, "tgt_lang": self.config.tgt_lang,
                      "presplit": self.config.presplit, "min_score": self.config.min_score},
        )
        alignment.warnings.extend(alignment_warnings(alignment))
        return alignment

    # ------------------------------------------------------------ stages

    @property
    def calibration(self) -> Calibration:
        if self._calibration is None:
            self._calibration = Calibration.load()
        return self._calibration

    def segment(self, document: Document) -> SegmentedDocument:
        splitter = None if self.config.presplit else self.splitter(document.lang)
        return segment_document(document, splitter, self.config.presplit)

    def _embed(self, src_texts: list[str], tgt_texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        texts = src_texts + tgt_texts
        show = self.progress and len(texts) >= _PROGRESS_FROM
        if show:
            from tqdm import tqdm

            with tqdm(total=len(texts), desc="embedding", unit="sent", leave=False) as bar:
                vectors = embed_in_batches(self.embedder, texts, bar.update)
        else:
            vectors = embed_in_batches(self.embedder, texts)
        return vectors[: len(src_texts)], vectors[len(src_texts):]


def align(src: str | os.PathLike[str], tgt: str | os.PathLike[str], **options: object) -> Alignment:
    """Align two files with default settings; keyword options are AlignConfig fields."""
    return Aligner(AlignConfig(**options)).align_files(src, tgt)  # type: ignore[arg-type]


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


# ---------------------------------------------------------------- sanity checks

_CJK_LANGUAGES = {"ja", "zh", "ko"}


def detect_script(text: str) -> str:
    """'ja', 'zh', 'ko', 'latin', 'cyrillic', or 'other' from the letters of a text sample."""
    counts: dict[str, int] = {}
    for ch in text[:20000]:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        if name.startswith(("HIRAGANA", "KATAKANA")):
            script = "kana"
        elif name.startswith("CJK"):
            script = "han"
        elif name.startswith("HANGUL"):
            script = "ko"
        elif name.startswith("LATIN"):
            script = "latin"
        elif name.startswith("CYRILLIC"):
            script = "cyrillic"
        else:
            script = "other"
        counts[script] = counts.get(script, 0) + 1
    total = sum(counts.values()) or 1
    if counts.get("kana", 0) > 0.05 * total:
        return "ja"
    if counts.get("han", 0) > 0.3 * total:
        return "zh"
    if counts.get("ko", 0) > 0.3 * total:
        return "ko"
    return max(counts, key=counts.get) if counts else "other"


def language_warnings(document: Document) -> list[str]:
    """A warning when a document's script clearly does not fit its language code."""
    if not _script_fits(document, document.lang):
        seen = detect_script(" ".join(document.paragraphs))
        return [f"{document.name}: expected language '{document.lang}' but the text looks like '{seen}' "
                "(check the order of the files or --src-lang/--tgt-lang)"]
    return []


def _script_fits(document: Document, lang: str) -> bool:
    expected = base_language(lang)
    seen = detect_script(" ".join(document.paragraphs))
    if expected in _CJK_LANGUAGES:
        return seen == expected or (expected == "ja" and seen == "zh")
    return seen not in _CJK_LANGUAGES


def looks_swapped(src: Document, tgt: Document) -> bool:
    """Each side is written in the script of the other side's declared language (and not its own)."""
    if _script_fits(src, src.lang) or _script_fits(tgt, tgt.lang):
        return False
    return _script_fits(src, tgt.lang) and _script_fits(tgt, src.lang)


def alignment_warnings(alignment: Alignment) -> list[str]:
    """Warn when the two documents hardly look like translations of each other."""
    pairs = alignment.pairs
    confident = [bead for bead in pairs if bead.score >= alignment.min_score]
    segments = max(len(alignment.src), len(alignment.tgt))
    if segments >= 5 and len(confident) < 0.2 * min(len(alignment.src), len(alignment.tgt)):
        return [f"only {len(confident)} confident pairs for {len(alignment.src)} + {len(alignment.tgt)} segments: "
                "are these two documents translations of each other?"]
    return []
