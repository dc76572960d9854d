"""Helpers the test files share: the CLI in a subprocess, JSON Lines beads, TMX validation, tiny alignments.

Imported as `from helpers import ...` (pytest puts tests/ on sys.path, as for `from conftest import ...`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from aligner.data import Alignment, Bead, Document, Segment, SegmentedDocument

from conftest import TMX_DTD


def run_cli(*args, background: bool = False, timeout: float = 900, **options):
    """`python -m aligner ARGS...` in a subprocess, text mode, stdout and stderr captured.

    By default it waits (at most `timeout` seconds) and returns the CompletedProcess.
    With background=True it returns the running Popen at once, for tests that signal
    the child or wait themselves; `options` then may replace stdout/stderr.
    Further `options` (cwd, preexec_fn, ...) go to subprocess.run / Popen.
    """
    command = [sys.executable, "-m", "aligner", *map(str, args)]
    if background:
        options = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True, **options}
        return subprocess.Popen(command, **options)
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, **options)


def read_beads(source: Path | str) -> list[dict]:
    """JSON Lines beads, from a file or from text already read (such as a CLI's stdout).

    One record per "\\n" and nothing else: str.splitlines would also cut at U+2028,
    U+2029 and U+0085, which json.dumps(ensure_ascii=False) leaves raw inside a
    segment's text. Only a final empty line (the last record's "\\n") is ignored;
    any other empty or partial line fails to parse.
    """
    text = source.read_text("utf-8") if isinstance(source, Path) else source
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [json.loads(line) for line in lines]


def validate_tmx(path: Path | str) -> etree._ElementTree:
    """Parse a TMX file, assert that it is valid against the TMX 1.4b DTD, and return its tree."""
    tree = etree.parse(str(path))
    dtd = etree.DTD(str(TMX_DTD))
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    return tree


def make_alignment(src: str | Sequence[str] | Document, tgt: str | Sequence[str] | Document,
                   beads: Sequence[Bead] | None = None, *, score: float = 0.9, min_score: float = 0.5,
                   src_lang: str = "ja", tgt_lang: str = "en", src_name: str = "d", tgt_name: str = "d",
                   model: str = "m") -> Alignment:
    """A small hand-made Alignment.

    Each side is one text (one paragraph, one segment), a list of texts (a
    paragraph and a segment each) or a Document (a segment per paragraph; its
    own name and language are kept). Without `beads`, segment i pairs with
    segment i, each pair with confidence `score`.
    """
    def side(content, lang: str, name: str) -> SegmentedDocument:
        if isinstance(content, Document):
            document = content
        else:
            texts = (content,) if isinstance(content, str) else tuple(content)
            document = Document(name, lang, texts)
        return SegmentedDocument(document, tuple(Segment(i, text, i) for i, text in enumerate(document.paragraphs)))

    s, t = side(src, src_lang, src_name), side(tgt, tgt_lang, tgt_name)
    if beads is None:
        beads = [Bead((i,), (i,), score) for i in range(min(len(s), len(t)))]
    return Alignment(s, t, list(beads), model, min_score)
