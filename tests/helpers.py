"""Helpers the test files share: paths, the CLI in a subprocess and its errors, JSON Lines beads, TMX
validation, tiny alignments, Debian packages for the browser and OmegaT tests.

Imported as `from helpers import ...` (pytest puts tests/ on sys.path, beside conftest.py, which holds the fixtures).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Callable

import pytest
from lxml import etree

from aligner.data import Alignment, Bead, Document, Segment, SegmentedDocument
from aligner.evaluate import GoldDocument, find_set

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpora" / "seeds"
JA_SEED = SEEDS / "ied10-mic-ja.txt"
EN_SEED = SEEDS / "ied10-meti-en.txt"
TMX_DTD = Path(__file__).resolve().parent / "data" / "tmx14.dtd"
#: tests/artifacts/ (git-ignored), for the `artifacts` fixture.
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def run_cli(*args, background: bool = False, timeout: float = 900, **options):
    """`python -m aligner ARGS...` in a subprocess, text mode, stdout and stderr captured.

    By default it waits (at most `timeout` seconds) and returns the CompletedProcess.
    With background=True it returns the running Popen at once, for tests that signal
    the child or wait themselves; `options` then may replace stdout/stderr. Such a
    child takes SIGINT as at a terminal (KeyboardInterrupt) even when the tests run
    as a background job, where the shell hands every child SIGINT ignored.
    Further `options` (cwd, preexec_fn, ...) go to subprocess.run / Popen.
    """
    command = [sys.executable, "-m", "aligner", *map(str, args)]
    if background:
        options = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True,
                   "preexec_fn": _interrupt_as_at_a_terminal, **options}
        return subprocess.Popen(command, **options)
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, **options)


def _interrupt_as_at_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def assert_one_clear_error(result: subprocess.CompletedProcess, exit_code: int, *words: str) -> str:
    """Exit status as SPEC says; one 'aligner: error:' line on stderr containing every word; no traceback.

    `result` is run_cli's, or built from `cli.main`'s status and captured stderr
    for a run in this process. Returns the error line.
    """
    assert "Traceback" not in result.stderr
    assert result.returncode == exit_code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("aligner: error: "), result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def parse_beads(text: str) -> list[dict]:
    """JSON Lines beads from text (such as a CLI's stdout).

    One record per "\\n" and nothing else: str.splitlines would also cut at U+2028,
    U+2029 and U+0085, which json.dumps(ensure_ascii=False) leaves raw inside a
    segment's text. Only a final empty line (the last record's "\\n") is ignored;
    any other empty or partial line fails to parse.
    """
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [json.loads(line) for line in lines]


def read_beads(path: Path) -> list[dict]:
    """JSON Lines beads from a UTF-8 file, as parse_beads reads them."""
    return parse_beads(path.read_text("utf-8"))


def validate_tmx(path: Path | str) -> etree._ElementTree:
    """Parse a TMX file, assert that it is valid against the TMX 1.4b DTD, and return its tree."""
    tree = etree.parse(str(path))
    dtd = etree.DTD(str(TMX_DTD))
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    return tree


def make_alignment(src: str | Sequence[str] | Document, tgt: str | Sequence[str] | Document,
                   beads: Sequence[Bead] | None = None, *, src_lang: str = "ja", tgt_lang: str = "en",
                   src_name: str = "d", tgt_name: str = "d") -> Alignment:
    """A small hand-made Alignment (model "m", min_score 0.5).

    Each side is one text (one paragraph, one segment), a list of texts (a
    paragraph and a segment each) or a Document (a segment per paragraph; its
    own name and language are kept). Without `beads`, segment i pairs with
    segment i, each pair with confidence 0.9, and the longer side's rest unaligned.
    """
    def side(content, lang: str, name: str) -> SegmentedDocument:
        if isinstance(content, Document):
            document = content
        else:
            texts = (content,) if isinstance(content, str) else tuple(content)
            document = Document(name, lang, texts)
        return SegmentedDocument(document, tuple(Segment(i, text, i) for i, text in enumerate(document.paragraphs)))

    s, t = side(src, src_lang, src_name), side(tgt, tgt_lang, tgt_name)
    if beads is None:  # leftover segments of the longer side unaligned, so that every segment has its bead
        paired = min(len(s), len(t))
        beads = ([Bead((i,), (i,), 0.9) for i in range(paired)] + [Bead((i,), (), 0.0) for i in range(paired, len(s))]
                 + [Bead((), (j,), 0.0) for j in range(paired, len(t))])
    return Alignment(s, t, list(beads), "m", 0.5)


def assert_each_segment_once(pairs: Iterable[tuple[Sequence[int], Sequence[int]]], src_count: int,
                             tgt_count: int) -> None:
    """SPEC: every segment in exactly one bead, and the beads in document order on both sides."""
    pairs = list(pairs)
    for side, count in ((0, src_count), (1, tgt_count)):
        indices = [i for pair in pairs for i in pair[side]]
        assert indices == list(range(count)), f"{('src', 'tgt')[side]} segments not each once and in order: {indices}"


def outputs(folder: Path) -> list[Path | str]:
    """The CLI options that write all three outputs into `folder` (a.tmx, a.html, a.jsonl)."""
    return ["-o", folder / "a.tmx", "--report", folder / "a.html", "--beads", folder / "a.jsonl"]


def ensure_debian_packages(probes: dict[str, Callable[[], bool]], purpose: str) -> None:
    """Install the Debian packages whose probe fails, or skip the calling test saying why.

    The browser and OmegaT tests need programs that pip cannot install. As root
    with apt-get (a developer's machine or CI here) they are installed on first
    use, so a fresh clone's `make test` runs these tests instead of skipping them.
    """
    missing = [package for package, present in probes.items() if not present()]
    if not missing:
        return
    command = " ".join(["apt-get install -y", *missing])
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.skip(f"{purpose} need the Debian packages {', '.join(missing)}, which are missing; "
                    f"install them with `sudo {command}` (not root or no apt-get here)")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "-o", "DPkg::Lock::Timeout=600", *missing]
    result = subprocess.run(install, capture_output=True, text=True, env=environment)
    if result.returncode != 0:  # a fresh machine has no package lists yet
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, env=environment)
        result = subprocess.run(install, capture_output=True, text=True, env=environment)
    still_missing = [package for package in missing if not probes[package]()]
    if still_missing:
        reason = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no message"]
        pytest.skip(f"{purpose} need the Debian packages {', '.join(still_missing)}, "
                    f"and `{command}` failed: {reason[0]}")


def gold_document(spec: str, name: str) -> GoldDocument:
    """The document `name` (its folder's name) of a gold set, e.g. ("ja-en/ntrex_enja", "bbc.381746")."""
    return next(document for document in find_set(spec) if document.name.endswith("/" + name))
