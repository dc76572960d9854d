"""The pipeline: ingest -> segment -> embed -> align -> score, as a library API.

`Aligner` holds what is expensive to load (the embedding model, the sentence
splitters) so that a batch of thousands of pairs loads each once. `align()` is
the one-call convenience for a single pair.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

import numpy as np

from .align import RawBead, SharedTokens, SpanEmbedder, align_vectors
from .beads import write_beads
from .config import AlignConfig
from .data import Alignment, Bead, Document, SegmentedDocument, base_language, join_segments
from .embed import Embedder, RememberingEmbedder, embed_in_batches, load_embedder
from .errors import InputError, ModelError
from .ingest import detect_script, document_from_text, read_document, script_sample
from .names import TokenReader, shared_tokens
from .score import Calibration, Calibrations, candidates_with_features, score_beads
from .report import write_report
from .segment import SentenceSplitter, assemble, make_splitter, segment_document
from .tmx import write_tmx
from .worker import SegmentationWorker, SplitChunk

#: Each segment's tokens for the search (names, numbers, glosses; `names.TokenReader.tokens`):
#: the source's, the target's.
SegmentTokens = tuple[list[set[str]], list[set[str]]]
#: Show a progress bar for embedding from this many sentences on.
_PROGRESS_FROM = 2000
#: Show a progress bar for reading a PDF from this many pages on (about 0.1 s a page).
_PDF_PROGRESS_FROM = 20
#: Paragraphs per job for the segmentation worker: small enough that embedding
#: starts soon and memory stays bounded, large enough that messages are few.
_CHUNK_PARAGRAPHS = 256


@dataclass
class Proposal:
    """A document pair after the search, before scoring: what evaluation and calibration start from."""

    src: SegmentedDocument
    tgt: SegmentedDocument
    src_vectors: np.ndarray
    tgt_vectors: np.ndarray
    #: The search's own beads. Which of its merges are cut depends on the
    #: calibration, so a new fit re-cuts these (`aligner.evaluate.fit_calibration`)
    #: instead of searching again.
    searched: list[RawBead]
    #: The search's beads, with rejected merges cut to their best pair (`score.candidates_with_features`).
    raw: list[RawBead]
    #: One row of calibration features per pair bead of `raw` (`score.bead_features`).
    features: np.ndarray
    #: Language warnings for the user.
    warnings: list[str]


@dataclass
class Aligner:
    """Aligns document pairs with one configuration; reuse it for many pairs."""

    config: AlignConfig = field(default_factory=AlignConfig)
    #: Show progress bars on stderr for long work.
    progress: bool = False
    #: Fail (InputError) instead of warning when a document's script does not
    #: match its declared language: in a batch, a wrong file in the list should
    #: be reported and skipped rather than pollute the merged memory.
    wrong_language_fails: bool = False
    #: Split sentences in a helper process while this one embeds (two cores;
    #: see `SegmentationWorker`). Call `close()` (or use `with`) when done.
    segment_in_worker: bool = False
    #: Embed each distinct text once for the aligner's lifetime (`embed.RememberingEmbedder`;
    #: evaluation aligns the same sentences in several variants).
    remember_vectors: bool = False
    #: The confidence models (`score.Calibrations`, one chosen per language
    #: pair): those the package ships, unless `aligner.evaluate --calibrate`
    #: has just fitted others.
    calibrations: Calibrations = field(default_factory=Calibrations.load)
    _embedder: Embedder | None = None
    _splitters: dict[str, SentenceSplitter] = field(default_factory=dict)
    _worker: SegmentationWorker | None = None
    _token_reader: TokenReader = field(default_factory=TokenReader)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            # With a worker splitting on the other core, one BLAS thread (see _blas_threads).
            embedder = load_embedder(self.config.model, threads=1 if self.segment_in_worker else None)
            self._embedder = RememberingEmbedder(embedder) if self.remember_vectors else embedder
        return self._embedder

    @property
    def worker(self) -> SegmentationWorker | None:
        """The helper process for sentence splitting, started on first use (None when not wanted)."""
        if self._worker is None and self.segment_in_worker and not self.config.presplit:
            self._worker = SegmentationWorker()
        return self._worker

    def _worker_result(self, pending: Future[SplitChunk]) -> SplitChunk:
        """The worker's sentences; if the worker died, this document fails and the next one gets a new worker."""
        try:
            return pending.result()
        except BrokenProcessPool:
            self.close()
            raise ModelError("the sentence-splitting process died (out of memory, or killed)",
                             hint="run again; with very long documents, free some memory first") from None

    def close(self) -> None:
        """End the helper process, if any."""
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def __enter__(self) -> "Aligner":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def splitter(self, lang: str) -> SentenceSplitter:
        key = base_language(lang)
        if key not in self._splitters:
            self._splitters[key] = make_splitter(key)
        return self._splitters[key]

    def load(self) -> None:
        """Load the model and the splitters now: a batch fails at once, not at its first pair, if one cannot load."""
        languages = () if self.config.presplit else (self.config.src_lang, self.config.tgt_lang)
        worker = self.worker
        warm_up = [worker.split(lang, ["."]) for lang in languages] if worker else []
        self.embedder.embed(["."])  # meanwhile the worker loads its splitters
        for pending in warm_up:
            self._worker_result(pending)
        if not worker:
            for lang in languages:
                self.splitter(lang).split(".")

    # ------------------------------------------------------------ entry points

    def align_files(self, src_path: str | os.PathLike[str], tgt_path: str | os.PathLike[str]) -> Alignment:
        timings: dict[str, float] = {}
        with _timed(timings, "ingest"):
            src = self.read(src_path, self.config.src_lang)
            tgt = self.read(tgt_path, self.config.tgt_lang)
        return self.align_documents(src, tgt, timings)

    def read(self, path: str | os.PathLike[str], lang: str) -> Document:
        """Read one document with this aligner's settings; a long PDF shows a bar of its pages."""
        page_bar = _PageBar(Path(path).name) if self.progress else None
        try:
            return read_document(path, lang, self.config.encoding, self.config.presplit, page_bar)
        finally:
            if page_bar:
                page_bar.close()

    def align_texts(self, src_text: str, tgt_text: str) -> Alignment:
        src = document_from_text(src_text, self.config.src_lang, "source", self.config.presplit)
        tgt = document_from_text(tgt_text, self.config.tgt_lang, "target", self.config.presplit)
        return self.align_documents(src, tgt)

    def align_documents(self, src: Document, tgt: Document, timings: dict[str, float] | None = None) -> Alignment:
        timings = dict(timings or {})
        proposal = self.propose(src, tgt, timings)
        with _timed(timings, "align"):
            beads = self.score(proposal)
        alignment = Alignment(
            src=proposal.src, tgt=proposal.tgt, beads=beads, model=self.embedder.name,
            min_score=self.config.min_score, timings=timings, warnings=proposal.warnings,
            settings={"src_lang": proposal.src.document.lang, "tgt_lang": proposal.tgt.document.lang,
                      "presplit": self.config.presplit, "min_score": self.config.min_score},
        )
        alignment.warnings.extend(alignment_warnings(alignment))
        return alignment

    def _blas_threads(self) -> AbstractContextManager[object]:
        """One BLAS thread for the embedding and the search when the worker has the other core.

        OpenBLAS threads spin while they wait, so on a busy machine two of them
        make the search's many small products several times slower (README, Speed).
        """
        if not self.segment_in_worker:
            return nullcontext()
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=1, user_api="blas")

    def propose(self, src: Document, tgt: Document, timings: dict[str, float] | None = None) -> Proposal:
        """Every stage before scoring: language check, segmentation, embedding, the search and
        the cutting of rejected merges (judged by the documents' languages' calibration).

        `aligner.evaluate` fits the calibration on exactly these proposals and
        scores them with `score`, so fitting and use cannot drift apart.
        """
        timings = {} if timings is None else timings
        with self._blas_threads():
            src, tgt, warnings, mismatched = language_check(src, tgt)
            if mismatched and self.wrong_language_fails:
                document, message = mismatched[0]
                raise InputError(message, document.path or document.name, _LANGUAGE_HINT)
            tokens: SegmentTokens | None = None
            if self.worker:
                (src_segments, src_vectors), (tgt_segments, tgt_vectors), tokens = \
                    self._segment_and_embed(src, tgt, timings)
            else:
                with _timed(timings, "segment"):
                    src_segments = _non_empty(self.segment(src))
                    tgt_segments = _non_empty(self.segment(tgt))
                with _timed(timings, "embed"):
                    src_vectors, tgt_vectors = self.embed_pair(src_segments.texts, tgt_segments.texts)
            with _timed(timings, "align"):
                searched = self._search(src_segments, tgt_segments, src_vectors, tgt_vectors, tokens)
                raw, features = candidates_with_features(searched, src_segments.texts, tgt_segments.texts,
                                                         src_vectors, tgt_vectors,
                                                         self._calibration(src_segments, tgt_segments))
            return Proposal(src_segments, tgt_segments, src_vectors, tgt_vectors, searched, raw, features, warnings)

    def score(self, proposal: Proposal) -> list[Bead]:
        """The proposal's beads with their calibrated confidence; unlikely pairs become unaligned segments."""
        return score_beads(proposal.raw, proposal.features, self._calibration(proposal.src, proposal.tgt))

    def _calibration(self, src: SegmentedDocument, tgt: SegmentedDocument) -> Calibration:
        """The fit for these documents' languages: the one that cuts a proposal's merges also scores it."""
        return self.calibrations.for_languages(src.document.lang, tgt.document.lang)

    # ------------------------------------------------------------ stages

    def segment(self, document: Document) -> SegmentedDocument:
        splitter = None if self.config.presplit else self.splitter(document.lang)
        return segment_document(document, splitter, self.config.presplit)

    def _search(
        self, src: SegmentedDocument, tgt: SegmentedDocument, src_vectors: np.ndarray, tgt_vectors: np.ndarray,
        tokens: SegmentTokens | None = None,
    ) -> list[RawBead]:
        """The search's beads; `tokens`, each segment's tokens (names, numbers, glosses) if the worker has read them."""
        return align_vectors(
            src_vectors, tgt_vectors, [len(t) for t in src.texts], [len(t) for t in tgt.texts], self.config.params,
            None if self.config.presplit else src.paragraph_starts,
            None if self.config.presplit else tgt.paragraph_starts,
            embed_spans=self._span_embedder(src, tgt),
            shared_tokens=self._shared_tokens(src, tgt, tokens) if self.config.params.shared_token_weight else None,
        )

    def _shared_tokens(self, src: SegmentedDocument, tgt: SegmentedDocument,
                       tokens: SegmentTokens | None) -> SharedTokens:
        if tokens is None:
            read = self._token_reader.tokens
            src_lang, tgt_lang = src.document.lang, tgt.document.lang
            tokens = ([read(text, src_lang, tgt_lang) for text in src.texts],
                      [read(text, tgt_lang, src_lang) for text in tgt.texts])
        return shared_tokens(*tokens)

    def _span_embedder(self, src: SegmentedDocument, tgt: SegmentedDocument) -> SpanEmbedder:
        """Embeds the joined text of the spans the search asks for (see `align.py`)."""

        def embed_spans(src_spans: list[tuple[int, int]],
                        tgt_spans: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
            return self.embed_pair(
                [join_segments(src.texts[start : start + size], src.document.lang) for start, size in src_spans],
                [join_segments(tgt.texts[start : start + size], tgt.document.lang) for start, size in tgt_spans],
            )

        return embed_spans

    def _segment_and_embed(
        self, src: Document, tgt: Document, timings: dict[str, float]
    ) -> tuple[tuple[SegmentedDocument, np.ndarray], tuple[SegmentedDocument, np.ndarray], SegmentTokens | None]:
        """Split in the worker, chunk by chunk, and embed each chunk here as soon as it is split;
        the worker also reads each segment's tokens for the search (None if the search needs none).

        Both documents' chunks are queued at once, so the worker is always a
        chunk ahead of the embedding. "segment" times only the wait for the
        worker, i.e. the splitting that embedding did not hide.
        """
        worker = self.worker
        assert worker is not None
        read_tokens = bool(self.config.params.shared_token_weight)
        pending = [[worker.split(d.lang, d.paragraphs[k : k + _CHUNK_PARAGRAPHS], partner.lang if read_tokens else None)
                    for k in range(0, len(d.paragraphs), _CHUNK_PARAGRAPHS)] for d, partner in ((src, tgt), (tgt, src))]
        embedder = self.embedder  # on a first run, the model loads while the worker starts and splits
        total = len(src.paragraphs) + len(tgt.paragraphs)
        show = self.progress and total >= _PROGRESS_FROM
        bar = _progress_bar(total, "segmenting and embedding", "par") if show else None
        results = []
        tokens: list[list[set[str]]] = [[], []]
        try:
            for document, chunks, document_tokens in zip((src, tgt), pending, tokens):
                sentences: list[list[str]] = []
                vectors = []
                for chunk in chunks:
                    with _timed(timings, "segment"):
                        split = self._worker_result(chunk)
                    with _timed(timings, "embed"):
                        vectors.append(embed_in_batches(embedder, split.texts))
                    sentences.extend(split.sentences)
                    document_tokens.extend(split.tokens or ())
                    if bar:
                        bar.update(len(split.sentences))
                segmented = _non_empty(assemble(document, sentences))
                results.append((segmented, np.concatenate([v for v in vectors if len(v)])))
        finally:
            if bar:
                bar.close()
        return results[0], results[1], (tokens[0], tokens[1]) if read_tokens else None

    def embed_pair(self, src_texts: list[str], tgt_texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Embed both sides in one batched pass, with a progress bar for long documents."""
        texts = src_texts + tgt_texts
        show = self.progress and len(texts) >= _PROGRESS_FROM
        if show:
            with _progress_bar(len(texts), "embedding", "sent") as bar:
                vectors = embed_in_batches(self.embedder, texts, bar.update)
        else:
            vectors = embed_in_batches(self.embedder, texts)
        return vectors[: len(src_texts)], vectors[len(src_texts):]


def align(src: str | os.PathLike[str], tgt: str | os.PathLike[str], **options: object) -> Alignment:
    """Align two files with default settings; keyword options are AlignConfig fields."""
    return Aligner(AlignConfig(**options)).align_files(src, tgt)  # type: ignore[arg-type]


def write_outputs(alignment: Alignment, tmx: str | os.PathLike[str] | None = None,
                  report: str | os.PathLike[str] | None = None,
                  beads: str | os.PathLike[str] | None = None) -> int:
    """Write each output that has a path (beads may be "-", stdout); returns the TMX's translation units.

    The TMX goes last: if another output cannot be written, no TMX (the file a
    CAT tool imports) is left behind for an alignment reported as failed.
    """
    if beads:
        write_beads(alignment, beads)
    if report:
        write_report(alignment, report)
    return write_tmx(alignment, tmx) if tmx else 0


def _non_empty(segmented: SegmentedDocument) -> SegmentedDocument:
    if not segmented.segments:
        raise InputError("has no sentences to align", segmented.document.path or segmented.document.name)
    return segmented


def _progress_bar(total: int, description: str, unit: str):  # noqa: ANN202 - a tqdm bar
    from tqdm import tqdm

    return tqdm(total=total, desc=description, unit=unit, leave=False)


class _PageBar:
    """A `pdf.PageProgress` that shows a bar once the PDF turns out to have `_PDF_PROGRESS_FROM` pages or more."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._bar = None

    def __call__(self, pages_read: int, page_count: int) -> None:
        if self._bar is None:
            if page_count < _PDF_PROGRESS_FROM:
                return
            self._bar = _progress_bar(page_count, f"reading {self.name}", "page")
        self._bar.update(pages_read - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


# ---------------------------------------------------------------- sanity checks

_CJK_LANGUAGES = {"ja", "zh", "ko"}
_LANGUAGE_HINT = "check the order of the files or --src-lang/--tgt-lang"


def language_check(
    src: Document, tgt: Document
) -> tuple[Document, Document, list[str], list[tuple[Document, str]]]:
    """Compare each document's script with its declared language.

    Returns the documents (with their languages exchanged when the sides were
    clearly given the wrong way round, so that each is segmented as what it
    is), the warnings to show, and the documents whose script does not fit
    their language with what is wrong (`batch` fails such a pair).
    """
    src_script = detect_script(script_sample(src.paragraphs))
    tgt_script = detect_script(script_sample(tgt.paragraphs))
    src_fits, tgt_fits = _script_fits(src_script, src.lang), _script_fits(tgt_script, tgt.lang)
    if not src_fits and not tgt_fits and _script_fits(src_script, tgt.lang) and _script_fits(tgt_script, src.lang):
        warning = (f"{src.name} looks like '{tgt.lang}' and {tgt.name} like '{src.lang}': the sides look swapped, "
                   "so each is read as the language it is written in (check the order of the files)")
        return replace(src, lang=tgt.lang), replace(tgt, lang=src.lang), [warning], []
    mismatched = [
        (document, f"expected language '{document.lang}' but the text looks like {_describe(script)}")
        for document, script, fits in ((src, src_script, src_fits), (tgt, tgt_script, tgt_fits))
        if not fits
    ]
    if src_script == tgt_script and mismatched:  # one warning says it for both documents
        warnings = [f"{src.name} and {tgt.name} both look like {_describe(src_script)}, but '{src.lang}' and "
                    f"'{tgt.lang}' were expected (give a document and its translation, or set --src-lang/--tgt-lang)"]
    else:
        warnings = [f"{document.name}: {message} ({_LANGUAGE_HINT})" for document, message in mismatched]
    return src, tgt, warnings, mismatched


#: How a script detected by `detect_script` is named in a warning.
_SCRIPT_NAMES = {
    "ja": "Japanese ('ja')", "zh": "Chinese ('zh')", "ko": "Korean ('ko')",
    "latin": "a Latin-script language (such as 'en')", "cyrillic": "a Cyrillic-script language (such as 'ru')",
    "other": "a language in another script",
}


def _describe(script: str) -> str:
    return _SCRIPT_NAMES.get(script, f"text in '{script}' script")


def _script_fits(script: str, lang: str) -> bool:
    expected = base_language(lang)
    if expected in _CJK_LANGUAGES:
        return script == expected or (expected == "ja" and script == "zh")
    return script not in _CJK_LANGUAGES


def alignment_warnings(alignment: Alignment) -> list[str]:
    """Warn when the two documents hardly look like translations of each other."""
    confident = alignment.translation_units()
    segments = max(len(alignment.src), len(alignment.tgt))
    if segments >= 5 and len(confident) < 0.2 * min(len(alignment.src), len(alignment.tgt)):
        return [f"only {len(confident)} confident pairs for {len(alignment.src)} + {len(alignment.tgt)} segments: "
                "are these two documents translations of each other?"]
    return []
