"""The second core: a helper process that splits paragraphs into sentences and reads their
tokens for the search while the first process embeds (`SegmentationWorker`).

Apart from `segment.py` because it does the work of two stages, splitting
(`segment`) and reading tokens (`names`, `glosses`), and those modules should
not import each other to do it.
"""

from __future__ import annotations

import multiprocessing
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Sequence

from .data import base_language
from .names import TokenReader
from .segment import SentenceSplitter, make_splitter, split_paragraphs


@dataclass(frozen=True)
class SplitChunk:
    """What the worker returns for a chunk of paragraphs."""

    #: The sentences of each paragraph (`split_paragraphs`).
    sentences: list[list[str]]
    #: The tokens for the search (`names.TokenReader.tokens`) of each of `texts`; None unless asked for.
    tokens: list[set[str]] | None = None

    @property
    def texts(self) -> list[str]:
        """The sentences in order, one per segment that `assemble` makes of them (blank ones have none)."""
        return [text for paragraph in self.sentences for text in paragraph if text.strip()]


class SegmentationWorker:
    """Splits paragraphs into sentences in a helper process, so that the caller can embed meanwhile.

    Sentence splitting (spaCy + Sudachi, pysbd) is pure Python and holds the
    GIL, and the embedding's matrix products run best on one BLAS thread when
    the machine is busy, so the two cores are used best by splitting in a
    second process while the first one embeds. The worker also reads the
    sentences' tokens for the search (names and numbers, `names.py`, and for a
    Chinese-English pair dictionary glosses, `glosses.py`), which is Sudachi or
    dictionary work too: it hides behind the embedding, and the aligning
    process needs no Sudachi dictionary or glossary of its own. The process is spawned (not
    forked: the parent has BLAS threads), loads its splitters once, keeps
    them for every later document, and ignores Ctrl-C: the parent handles it
    and ends the worker with `close`. The spaCy vocabulary that grows with
    every new word also stays in the worker, not in the process that holds
    the model and the vectors. Spawning imports the caller's main module
    again, so a script that uses the worker needs `if __name__ == "__main__":`.
    """

    def __init__(self) -> None:
        self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_ignore_interrupts)

    def split(self, lang: str, paragraphs: Sequence[str], tokens_against: str | None = None) -> Future[SplitChunk]:
        """Start splitting; the future's result holds `split_paragraphs(paragraphs, make_splitter(lang))`
        and, given the language of the document these will be aligned with, the tokens of those sentences.

        If the worker dies (killed, out of memory), the result raises
        BrokenProcessPool instead of waiting forever.
        """
        return self._pool.submit(_split_in_worker, base_language(lang), tuple(paragraphs), tokens_against)

    def close(self) -> None:
        """Drop queued work and end the worker (after the chunk it is on, a second or so)."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _split_in_worker(lang: str, paragraphs: tuple[str, ...], tokens_against: str | None) -> SplitChunk:
    chunk = SplitChunk(split_paragraphs(paragraphs, _worker_splitter(lang)))
    if tokens_against is None:
        return chunk
    read = _worker_token_reader().tokens
    return replace(chunk, tokens=[read(text, lang, tokens_against) for text in chunk.texts])


# The worker process keeps what it loads for every later document.


@lru_cache(maxsize=None)
def _worker_splitter(lang: str) -> SentenceSplitter:
    return make_splitter(lang)


@lru_cache(maxsize=None)
def _worker_token_reader() -> TokenReader:
    return TokenReader()
