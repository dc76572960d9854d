"""Bad and unusual input, as users feed it: the real CLI in a subprocess, on real files made here.

For every case: the exit status of SPEC.md (0 ok, 1 failed run, 2 usage error),
one line on stderr that names the file, the problem and the fix, never a
traceback, and no partial or temporary file beside the outputs. Arbitrary
Unicode (controls, XML-forbidden characters) through ingest -> TMX is the
hypothesis test in test_tmx.py; bad arguments (option values, stray arguments,
unknown options, encodings) are in test_cli.py.
"""

from __future__ import annotations

import ctypes
import io
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from aligner.config import DEFAULT_MIN_SCORE

from helpers import EN_SEED, JA_SEED, ROOT, SEEDS, assert_one_clear_error, outputs, parse_beads, read_beads, run_cli

KYOTO_DOC = ROOT / "corpora" / "gold" / "ja-en" / "kyoto_wiki" / "EPR00400"


def warnings_of(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("aligner: warning: ")]


# ---------------------------------------------------------------- files that cannot be read


def _drop_root_file_permissions() -> None:
    """In the child, before exec: give up root's right to ignore file permissions.

    Dropping CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding set
    (prctl PR_CAPBSET_DROP) means the exec'd process runs as root without them,
    so a chmod 000 file is unreadable for it as for any user.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop, cap_dac_override, cap_dac_read_search = 24, 1, 2
    for capability in (cap_dac_override, cap_dac_read_search):
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


#: Run in a child: can it read the file, or create a file in the folder, given as argv[1]?
_ACCESS_PROBE = ("import os, sys; path = sys.argv[1]; "
                 "open(os.path.join(path, 'probe'), 'w') if os.path.isdir(path) else open(path, 'rb')")


def without_permission(path: Path):
    """chmod `path` to 000 and return the preexec_fn under which a child cannot get through it."""
    path.chmod(0)
    if os.geteuid() != 0:
        return None
    probe = subprocess.run([sys.executable, "-c", _ACCESS_PROBE, str(path)], capture_output=True,
                           preexec_fn=_drop_root_file_permissions)
    if probe.returncode == 0:
        pytest.skip("running as root and cannot drop CAP_DAC_OVERRIDE here: no way to make a file unreadable")
    return _drop_root_file_permissions


@pytest.mark.parametrize("case", ["missing", "directory", "unreadable"])
def test_a_file_that_cannot_be_read_exits_1_naming_it(tmp_path, case):
    out = tmp_path / "out"
    out.mkdir()
    source = tmp_path / "ja.txt"
    preexec_fn = None
    if case == "directory":
        source.mkdir()
    elif case == "unreadable":
        source.write_text("猫が眠っている。", "utf-8")
        preexec_fn = without_permission(source)
    expected = {"missing": ("no such file", "check the path"),
                "directory": ("is a directory", "give a text, HTML or PDF file"),
                "unreadable": ("permission denied", "check the file's permissions")}[case]
    result = run_cli("align", source, EN_SEED, *outputs(out), preexec_fn=preexec_fn)
    assert_one_clear_error(result, 1, str(source), *expected)
    assert os.listdir(out) == []


@pytest.mark.parametrize("content, problem", [
    (b"", "is empty"),
    (b" \r\n\t\n", "has no text, only whitespace or markup"),
    ("\u3000\n\u3000\u3000\n".encode("utf-8"), "has no text, only whitespace or markup"),  # ideographic spaces
])
def test_an_empty_file_exits_1_naming_it(tmp_path, content, problem):
    out = tmp_path / "out"
    out.mkdir()
    empty = tmp_path / "en.txt"
    empty.write_bytes(content)
    result = run_cli("align", JA_SEED, empty, *outputs(out))
    assert_one_clear_error(result, 1, str(empty), problem, "give a file with text in it")
    assert os.listdir(out) == []


def _png(width: int = 8, height: int = 8) -> bytes:
    """A real PNG image (8-bit greyscale gradient), written by Pillow."""
    image = Image.new("L", (width, height))
    image.putdata([(x * 32 + y) % 256 for y in range(height) for x in range(width)])
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["random bytes", "random bytes without NUL", "PNG renamed .txt", "NUL inside text"])
def test_binary_data_exits_1_saying_it_is_not_text(tmp_path, kind):
    generator = random.Random(20261123)
    content, problem, fix = {
        "random bytes": (generator.randbytes(20000), "NUL bytes", "--encoding"),
        "random bytes without NUL": (bytes(generator.randrange(1, 256) for _ in range(20000)),
                                     "is not text", "--encoding"),
        "PNG renamed .txt": (_png(), "is a PNG image", "convert it to plain text"),
        "NUL inside text": (JA_SEED.read_bytes().replace("。".encode(), "。\x00".encode(), 1),
                            "NUL bytes", "save it as UTF-8"),
    }[kind]
    out = tmp_path / "out"
    out.mkdir()
    binary = tmp_path / "ja.txt"
    binary.write_bytes(content)
    if kind == "PNG renamed .txt":  # the bytes really are an image: Pillow reads them
        assert Image.open(binary).size == (8, 8)
    result = run_cli("align", binary, EN_SEED, *outputs(out))
    assert_one_clear_error(result, 1, str(binary), problem, fix)
    assert os.listdir(out) == []


# ---------------------------------------------------------------- encodings that must work


@pytest.fixture(scope="module")
def utf8_beads(tmp_path_factory) -> str:
    """The seed pair aligned from its UTF-8 originals by the CLI."""
    beads = tmp_path_factory.mktemp("utf8") / "beads.jsonl"
    result = run_cli("align", JA_SEED, EN_SEED, "--beads", beads, "-q")
    assert result.returncode == 0, result.stderr
    return beads.read_text("utf-8")


@pytest.mark.parametrize("japanese_encoding", ["cp932", "euc_jp", "iso2022_jp"])
def test_japanese_encodings_and_utf16_english_align_as_the_utf8_originals(tmp_path, utf8_beads, japanese_encoding):
    """Japanese re-encoded with Python's codecs, English as UTF-16 with a byte-order mark.

    (Shift_JIS gives this text the very bytes of CP932, its superset, so one run covers both.)
    """
    ja, en = tmp_path / "ja.txt", tmp_path / "en.txt"
    ja.write_bytes(JA_SEED.read_text("utf-8").encode(japanese_encoding))
    en.write_bytes(EN_SEED.read_text("utf-8").encode("utf-16"))
    assert en.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    beads = tmp_path / "beads.jsonl"
    result = run_cli("align", ja, en, "--beads", beads, "-q")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert beads.read_text("utf-8") == utf8_beads


def test_the_seed_pair_as_pdfs_aligns_as_the_text_originals(tmp_path, utf8_beads):
    """Typeset PDFs of the seed pair (tests/make_pdf_fixture.py): page numbers, running titles, words over
    page breaks, radicals and ligatures from the fonts; the same beads, texts included, as from the seeds."""
    beads = tmp_path / "beads.jsonl"
    result = run_cli("align", SEEDS / "ied10-mic-ja.pdf", SEEDS / "ied10-meti-en.pdf", "--beads", beads, "-q")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert beads.read_text("utf-8") == utf8_beads


# ---------------------------------------------------------------- PDFs that cannot be read


def _scanned_pdf() -> bytes:
    """A page that is only an image, as a scanner makes it (written by Pillow)."""
    buffer = io.BytesIO()
    Image.new("L", (420, 595), 255).save(buffer, "PDF")
    return buffer.getvalue()


def _password_protected_pdf() -> bytes:
    """The Japanese seed PDF encrypted (AES) with a password, by pypdf."""
    writer = pypdf.PdfWriter(clone_from=SEEDS / "ied10-mic-ja.pdf")
    writer.encrypt("secret", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("case", ["truncated", "scanned", "password", "presplit"])
def test_a_pdf_that_cannot_be_read_exits_1_saying_what_to_do(tmp_path, case):
    original = (SEEDS / "ied10-mic-ja.pdf").read_bytes()
    content, options, problem, fix = {
        "truncated": (original[: len(original) // 2], [], "damaged or truncated PDF", "save or print it as a new PDF"),
        "scanned": (_scanned_pdf(), [], "without a text layer", "run OCR"),
        "password": (_password_protected_pdf(), [], "protected by a password", "without the password"),
        "presplit": (original, ["--presplit"], "is a PDF, and --presplit reads plain text", "without --presplit"),
    }[case]
    out = tmp_path / "out"
    out.mkdir()
    ja = tmp_path / "ja.pdf"
    ja.write_bytes(content)
    result = run_cli("align", ja, EN_SEED, *options, *outputs(out))
    assert_one_clear_error(result, 1, str(ja), problem, fix)
    assert os.listdir(out) == []


# ---------------------------------------------------------------- a megabyte line


def _unpunctuated(text: str, size: int) -> str:
    """`text` without sentence punctuation or line breaks, repeated to `size` bytes of UTF-8 on one line."""
    words = re.sub(r"[。．！？!?.\s]+", " ", text)
    return words * (size // len(words.encode("utf-8")) + 1)


@pytest.mark.parametrize("side, options, problem, fix", [
    ("ja", [], "characters without a sentence end", "break the text into lines"),
    ("en", [], "characters without a sentence end", "break the text into lines"),
    ("ja", ["--presplit"], "too long for one segment", "give one sentence per line"),
])
def test_a_line_of_megabytes_without_punctuation_fails_fast_and_clearly(tmp_path, side, options, problem, fix):
    """Bounded: a clear error within a generous CPU-time and memory budget, not minutes of cutting and embedding.

    (Before the length check this took 10 minutes for 3 MB a side: 4,572
    segments of 1,000 characters, aligned as noise.)
    """
    seed = {"ja": JA_SEED, "en": EN_SEED}[side]
    huge = tmp_path / f"{side}.txt"
    huge.write_text(_unpunctuated(seed.read_text("utf-8"), 3_000_000) + "\n", "utf-8")
    assert huge.stat().st_size > 3_000_000
    out = tmp_path / "out"
    out.mkdir()
    pair = (huge, EN_SEED) if side == "ja" else (JA_SEED, huge)
    stderr = tmp_path / "stderr.txt"
    with stderr.open("w") as sink:
        child = run_cli("align", *pair, *outputs(out), *options, background=True, stdout=subprocess.DEVNULL, stderr=sink)
        _, status, usage = os.wait4(child.pid, 0)
    cpu_seconds, peak_mb = usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
    print(f"{side}: {cpu_seconds:.1f} s CPU, {peak_mb:.0f} MB peak")
    assert cpu_seconds < 120 and peak_mb < 1500
    result = subprocess.CompletedProcess(child.args, os.waitstatus_to_exitcode(status), "", stderr.read_text())
    assert_one_clear_error(result, 1, str(huge), problem, fix)
    assert os.listdir(out) == []


# ---------------------------------------------------------------- wrong languages


@pytest.mark.parametrize("case", ["swapped", "same language"])
def test_wrong_languages_warn_naming_the_detected_ones(tmp_path, utf8_beads, case):
    beads = tmp_path / "beads.jsonl"
    if case == "swapped":
        result = run_cli("align", EN_SEED, JA_SEED, "--beads", beads)
        assert result.returncode == 0, result.stderr
        assert warnings_of(result) == [
            "aligner: warning: ied10-meti-en.txt looks like 'en' and ied10-mic-ja.txt like 'ja': the sides look "
            "swapped, so each is read as the language it is written in (check the order of the files)"]
        # the alignment still works: the confident pairs of the right order, sides exchanged (the
        # length model measures in source characters, so doubtful pairs may differ slightly)
        def confident(rows, swap):
            return sorted((b["tgt"], b["src"]) if swap else (b["src"], b["tgt"])
                          for b in rows if b["src"] and b["tgt"] and b["score"] >= DEFAULT_MIN_SCORE)
        right_order = confident(parse_beads(utf8_beads), swap=True)
        assert len(right_order) >= 19 and confident(read_beads(beads), swap=False) == right_order
    else:
        copy = tmp_path / "en-copy.txt"
        copy.write_text(EN_SEED.read_text("utf-8"), "utf-8")
        result = run_cli("align", copy, EN_SEED, "--beads", beads)
        assert result.returncode == 0, result.stderr
        assert warnings_of(result)[0] == (
            "aligner: warning: en-copy.txt and ied10-meti-en.txt both look like a Latin-script language (such as "
            "'en'), but 'ja' and 'en' were expected (give a document and its translation, or set "
            "--src-lang/--tgt-lang)")
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- unrelated documents

UNRELATED = {
    "5th and 10th meeting": (SEEDS / "ied05-mic-ja.txt", EN_SEED),
    "statement and temple article": (JA_SEED, KYOTO_DOC / "en.txt"),
}


@pytest.fixture(scope="module", params=list(UNRELATED))
def unrelated_run(request, tmp_path_factory):
    """Two documents that are not translations of each other, aligned by the CLI (TMX and beads)."""
    folder = tmp_path_factory.mktemp("unrelated")
    src, tgt = UNRELATED[request.param]
    result = run_cli("align", src, tgt, "-o", folder / "a.tmx", "--beads", folder / "a.jsonl")
    assert result.returncode == 0, result.stderr
    return result, folder


def test_unrelated_documents_warn_that_few_pairs_were_found(unrelated_run):
    result, _ = unrelated_run
    assert any("confident pairs" in line and "translations of each other?" in line for line in warnings_of(result))


def test_unrelated_documents_give_no_confident_translation_units(unrelated_run):
    from lxml import etree

    _, folder = unrelated_run
    confident = [b for b in read_beads(folder / "a.jsonl") if b["src"] and b["tgt"] and b["score"] >= DEFAULT_MIN_SCORE]
    assert confident == []
    assert etree.parse(str(folder / "a.tmx")).findall("body/tu") == []


# ---------------------------------------------------------------- outputs that cannot be written


@pytest.mark.parametrize("case", ["missing folder", "folder is a file", "read-only folder", "path is a folder"])
def test_an_output_that_cannot_be_written_exits_1_naming_it(tmp_path, case):
    preexec_fn = None
    if case == "missing folder":
        target, problem = tmp_path / "no" / "such" / "a.tmx", "does not exist"
    elif case == "folder is a file":
        (tmp_path / "file.txt").write_text("x", "utf-8")
        target, problem = tmp_path / "file.txt" / "a.tmx", "is not a folder"
    elif case == "read-only folder":
        (tmp_path / "locked").mkdir()
        target, problem = tmp_path / "locked" / "a.tmx", "is not writable"
        preexec_fn = without_permission(tmp_path / "locked")
        (tmp_path / "locked").chmod(0o555)  # readable, listable, not writable
    else:
        (tmp_path / "a.tmx").mkdir()
        target, problem = tmp_path / "a.tmx", "is a directory"
    before = sorted(tmp_path.rglob("*"))
    result = run_cli("align", JA_SEED, EN_SEED, "-o", target, preexec_fn=preexec_fn)
    assert_one_clear_error(result, 1, str(target), problem)
    assert sorted(tmp_path.rglob("*")) == before


# ---------------------------------------------------------------- Ctrl-C


def test_ctrl_c_in_a_long_run_exits_promptly_leaving_no_output(tmp_path):
    """SIGINT once the model is embedding (its progress bar is up): exit 1 within seconds, nothing written."""
    ja, en = tmp_path / "ja.txt", tmp_path / "en.txt"
    ja.write_text((JA_SEED.read_text("utf-8") + "\n") * 200, "utf-8")  # ~4,400 + 8,000 sentences
    en.write_text((EN_SEED.read_text("utf-8") + "\n") * 200, "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    stderr = tmp_path / "stderr.txt"
    with stderr.open("w") as sink:
        child = run_cli("align", ja, en, *outputs(out), background=True, stdout=subprocess.DEVNULL, stderr=sink)
        try:
            deadline = time.monotonic() + 600
            while "embedding" not in stderr.read_text() and time.monotonic() < deadline:
                assert child.poll() is None, stderr.read_text()
                time.sleep(0.2)
            assert "embedding" in stderr.read_text()
            interrupted = time.monotonic()
            child.send_signal(signal.SIGINT)
            exit_code = child.wait(timeout=60)
            waited = time.monotonic() - interrupted
        finally:
            if child.poll() is None:
                child.kill()
    print(f"exited {waited:.1f} s after SIGINT")
    assert waited < 15
    assert exit_code == 1
    text = stderr.read_text()
    assert "Traceback" not in text
    progress = ("embedding", "segmenting and embedding")  # the bar's lines, redrawn with \r
    messages = [line for line in text.splitlines() if line.strip() and not line.lstrip("\r").startswith(progress)]
    assert messages == ["aligner: interrupted; no output was left half-written"]
    assert os.listdir(out) == []
