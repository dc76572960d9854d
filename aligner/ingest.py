"""Ingest: a file on disk -> a `Document` (decoded text cut into paragraphs).

Real inputs are messy, and this is the stage that absorbs it:

* encodings: UTF-8 (with or without BOM), UTF-16/32 with BOM, Shift_JIS/CP932,
  EUC-JP and ISO-2022-JP, detected with charset-normalizer or named by the user;
* HTML pages, whose visible text is read with lxml, one paragraph per block;
* text extracted from PDFs, whose lines were hard-wrapped in the middle of
  words and sentences, with blank lines and page breaks between the halves and
  spaces inserted between Japanese and half-width characters (`第 10回`);
* PDFs themselves, whose text layer is read with pdfminer.six (`pdf.py`) and
  repaired the same way;
* in every input, the Kangxi radicals that PDF fonts give for common kanji
  (⽇ for 日; folded back with cjkfold) and Latin ligatures (ﬁ).

Web-page chrome (breadcrumbs, dates, headings, footers) is kept: it becomes
segments that the aligner leaves unaligned, so nothing is silently dropped.
"""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import cjkfold

from .data import NOT_XML_CHARS, Document
from .errors import InputError, UsageError
from .pdf import SHORT_LINE, PageProgress, is_pdf, pdf_paragraph_lines

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})

#: Magic numbers of common binary formats, to name them in the error message.
_BINARY_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF-": "a PDF file",
    b"PK\x03\x04": "a ZIP archive (or DOCX/XLSX)",
    b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "an executable",
}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: Encodings charset-normalizer may choose from. Restricting it to what users
#: really have keeps short Japanese files from being read as, say, Big5.
_CANDIDATE_ENCODINGS = ["utf_8", "cp932", "shift_jis", "euc_jp", "iso2022_jp", "cp1252", "latin_1"]

_SENTENCE_END = "。．！？!?.」』）)\"'”’"
_CJK = "\u2e80-\u2fff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_SPACE_AFTER_CJK = re.compile(f"(?<=[{_CJK}])[ \u00a0]+(?=[A-Za-z0-9%&(])")
_SPACE_BEFORE_CJK = re.compile(f"(?<=[A-Za-z0-9%&.)])[ \u00a0]+(?=[{_CJK}])")
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}])[ \u00a0]+(?=[{_CJK}])")
_RUN_OF_SPACES = re.compile(r"[ \t\u00a0]{2,}")
#: Longest run of text without any sentence end (and longest --presplit line)
#: that is accepted. Longer runs are not prose but a file whose line breaks were
#: lost, data, or an unpunctuated transcript: cut into pieces they would align
#: as noise after minutes of sentence splitting, so they are refused on reading.
MAX_RUN_CHARS = 20_000
_RUN_WITHOUT_SENTENCE_END = re.compile("[^。．！？!?.]+")
#: ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ: typesetting, not text (see _clean_characters).
_LATIN_LIGATURE = re.compile("[\ufb00-\ufb06]")
#: C0/C1 controls other than tab and newline: never meaningful in a document.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def read_document(
    path: str | os.PathLike[str],
    lang: str,
    encoding: str | None = None,
    presplit: bool = False,
    on_pdf_page: PageProgress | None = None,
) -> Document:
    """Read and decode `path` and cut it into paragraphs.

    In `presplit` mode every non-empty line is one paragraph, kept exactly as
    given, because evaluations count on line numbers being segment indices.
    A PDF is known by its content, whatever its name; a page by its name.
    `on_pdf_page`, when the file is a PDF, hears of each page read (`pdf.PageProgress`).
    """
    path = Path(path)
    data = _read_bytes(path)
    if is_pdf(data):
        if presplit:
            raise InputError("is a PDF, and --presplit reads plain text with one segment per line", path,
                             "align it without --presplit, or give its text with one segment per line")
        paragraphs, used_encoding, file_format, unwrapped = _pdf_paragraphs(data, path, on_pdf_page), "pdf", "pdf", True
    elif path.suffix.lower() in HTML_SUFFIXES and not presplit:
        paragraphs, used_encoding = _html_paragraphs(data, path, encoding)
        file_format, unwrapped = "html", False
    else:
        text, used_encoding = decode(data, path, encoding)
        paragraphs, unwrapped = _paragraphs(text, presplit)
        file_format = "text"
    if not paragraphs:
        raise InputError("has no text, only whitespace or markup", path, "give a file with text in it")
    _check_run_lengths(paragraphs, presplit, path)
    return Document(
        name=path.name,
        lang=lang,
        paragraphs=tuple(paragraphs),
        encoding=used_encoding,
        format=file_format,
        unwrapped=unwrapped,
        path=path,
    )


def document_from_text(text: str, lang: str, name: str = "<text>", presplit: bool = False) -> Document:
    """Build a Document from a string already in memory (the library API's entry point).

    The text is cleaned as a file's is after decoding (line ends, Unicode form,
    control and XML-forbidden characters).
    """
    paragraphs, unwrapped = _paragraphs(_clean(text, name), presplit)
    if not paragraphs:
        raise InputError("has no text", name)
    _check_run_lengths(paragraphs, presplit, name)
    return Document(name=name, lang=lang, paragraphs=tuple(paragraphs), unwrapped=unwrapped)


def _paragraphs(text: str, presplit: bool) -> tuple[list[str], bool]:
    """Presplit: every non-empty line as given; otherwise paragraphs with PDF repair."""
    if presplit:
        return [line.rstrip("\r") for line in text.split("\n") if line.strip()], False
    return text_paragraphs(text)


def _check_run_lengths(paragraphs: list[str], presplit: bool, where: str | Path) -> None:
    """Refuse a run of more than MAX_RUN_CHARS characters without a sentence end (see there).

    Checked on reading, before any sentence splitter sees the text, so that a
    file of megabytes on one line fails in a second instead of after minutes.
    """
    for index, paragraph in enumerate(paragraphs):
        if len(paragraph) <= MAX_RUN_CHARS:
            continue
        if presplit:
            raise InputError(f"non-empty line {index + 1} has {len(paragraph):,} characters, too long for one "
                             "segment", where, "with --presplit give one sentence per line")
        longest = max(match.end() - match.start() for match in _RUN_WITHOUT_SENTENCE_END.finditer(paragraph))
        if longest > MAX_RUN_CHARS:
            raise InputError(f"has {longest:,} characters without a sentence end (in the paragraph starting "
                             f"'{paragraph[:30]}…'), too long to split into sentences", where,
                             "break the text into lines or sentences, or check that this is the right file")


# ---------------------------------------------------------------- bytes and decoding


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputError("no such file", path, "check the path")
    if path.is_dir():
        raise InputError("is a directory, not a file", path, "give a text, HTML or PDF file; use 'aligner batch' for folders")
    try:
        data = path.read_bytes()
    except PermissionError:
        raise InputError("cannot be read: permission denied", path, "check the file's permissions") from None
    except OSError as error:
        raise InputError(f"cannot be read: {error.strerror or error}", path) from None
    if not data:
        raise InputError("is empty", path, "give a file with text in it")
    return data


def decode(data: bytes, path: str | Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode bytes to text; returns (text, encoding used).

    Order matters: a byte-order mark is certain; ISO-2022-JP is 7-bit and so
    also valid UTF-8, so its escape sequences are checked before UTF-8; UTF-8
    is tried strictly before any statistical guess because it almost never
    decodes a file that is not UTF-8.
    """
    if encoding:
        try:
            return _clean(data.decode(encoding), path), encoding
        except UnicodeDecodeError as error:
            raise InputError(
                f"is not valid {encoding} (byte {error.start})", path, "check --encoding, or leave it out to detect"
            ) from None
        except (LookupError, UnicodeError):  # a bad name only from the library: the CLI checks it while parsing
            problem = _encoding_problem(encoding)
            if problem:
                raise UsageError(problem, path, _ENCODING_HINT) from None
            raise InputError(f"is not valid {encoding}", path, "check --encoding, or leave it out to detect") from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return _clean(data.decode(name), path), name
            except UnicodeDecodeError:
                raise InputError(f"starts with a {name} byte-order mark but is not valid {name}", path) from None
    _reject_binary(data, path)
    if b"\x1b$B" in data or b"\x1b$@" in data or b"\x1b(J" in data:
        try:
            return _clean(data.decode("iso2022_jp"), path), "iso-2022-jp"
        except UnicodeDecodeError:
            pass
    try:
        return _clean(data.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_CANDIDATE_ENCODINGS).best()
    if best is None:
        raise InputError("is not text in any known encoding", path, "name it with --encoding, or check that it is a text file")
    return _clean(str(best), path), best.encoding.replace("_", "-")


def check_encoding(name: str) -> str:
    """Return `name` if Python can decode text with it; raise UsageError naming common choices otherwise.

    The CLI calls this while parsing arguments, so that a typo is a usage
    error (exit 2) before any file is read. The library does not check the
    name ahead: `decode` finds a bad one on first use and names the file.
    """
    problem = _encoding_problem(name)
    if problem:
        raise UsageError(problem, hint=_ENCODING_HINT)
    return name


_ENCODING_HINT = "try utf-8, cp932, euc-jp, iso-2022-jp or utf-16"


def _encoding_problem(name: str) -> str | None:
    """Why `bytes.decode` cannot make text with `name`, or None if it can.

    `codecs.lookup` alone is not enough: it also knows codecs from bytes to
    bytes ('hex', 'rot13') and ones that refuse everything ('undefined').
    """
    try:
        b"a".decode(name)  # not b"": empty bytes decode to "" without looking the codec up
    except LookupError:
        try:
            codecs.lookup(name)
        except LookupError:
            return f"unknown encoding '{name}'"
        return f"'{name}' is not a text encoding"
    except UnicodeDecodeError:  # a text encoding that cannot decode this one byte (UTF-16 needs two)
        return None
    except UnicodeError:  # 'undefined' raises the base class for any input
        return f"'{name}' is not a text encoding"
    return None


def _reject_binary(data: bytes, path: str | Path) -> None:
    head = data[:16]
    for signature, kind in _BINARY_SIGNATURES.items():
        if head.startswith(signature):
            raise InputError(f"is {kind}, not text", path, "convert it to plain text or HTML first")
    if b"\x00" in data:
        raise InputError("contains NUL bytes: it is binary, or UTF-16 without a byte-order mark", path,
                         "save it as UTF-8, or name the encoding with --encoding utf-16-le")


def _clean(text: str, path: str | Path) -> str:
    """Normalise line ends and Unicode form; drop control characters and what XML cannot hold."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = len(_CONTROL_CHARS.findall(text))
    if controls > max(8, len(text) // 20):
        raise InputError("looks like binary data, not text", path, "convert it to plain text first")
    return _clean_characters(text)


def _clean_characters(text: str) -> str:
    """NFC, without control characters or what XML cannot hold (data.NOT_XML_CHARS): every
    segment then fits in the TMX as it is, and counts built on the beads match the TMX.
    Radicals become the kanji they stand for (cjkfold) and Latin ligatures
    letters (ﬁ -> fi): in running text both come from typesetting, mostly a
    PDF font's Unicode map, and to the model and a CAT tool's search ⽇本 is not
    日本, nor ﬁfth fifth. For decoded text, and again for HTML text, whose
    character references lxml decodes, and PDF text."""
    text = unicodedata.normalize("NFC", NOT_XML_CHARS.sub("", _CONTROL_CHARS.sub("", text)))
    return cjkfold.fold(_LATIN_LIGATURE.sub(lambda match: unicodedata.normalize("NFKC", match[0]), text))


# ---------------------------------------------------------------- plain text


def text_paragraphs(text: str) -> tuple[list[str], bool]:
    """Cut plain text into paragraphs; returns (paragraphs, unwrapped).

    Text whose lines are hard-wrapped (PDF extraction, e-mail, Project
    Gutenberg) is joined back into paragraphs first; otherwise every non-blank
    line is a paragraph, as in text saved from a web page or a word processor.
    """
    lines = text.split("\n")
    if is_hard_wrapped(lines):
        return unwrap_lines(lines), True
    return [_tidy(line, repair_cjk_spacing=False) for line in lines if line.strip()], False


def display_width(text: str) -> int:
    """Width in columns: full-width (CJK) characters count twice, as PDF layout does."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wrap_width(widths: list[int]) -> int:
    ordered = sorted(widths)
    return ordered[int(0.9 * (len(ordered) - 1))]


def _is_wrapped_line(raw: str, width: int, wrap_width: int) -> bool:
    """A line that runs to the wrap width and stops mid-sentence: a line the layout broke."""
    stripped = raw.rstrip()
    return (
        width >= 0.85 * wrap_width
        and raw == stripped  # a trailing space marks a paragraph end in PDF extraction
        and not stripped.endswith(tuple(_SENTENCE_END))
    )


def is_hard_wrapped(lines: list[str]) -> bool:
    """Whether many lines were broken by layout rather than by the author."""
    content = [line for line in lines if line.strip()]
    if len(content) < 4:
        return False
    widths = [display_width(line.strip()) for line in content]
    wrap_width = _wrap_width(widths)
    if wrap_width < 30:
        return False
    broken = sum(_is_wrapped_line(line, width, wrap_width) for line, width in zip(content, widths))
    return broken >= 3 and broken >= 0.3 * len(content)


def unwrap_lines(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines into paragraphs.

    A paragraph ends at a line with trailing whitespace (PDF extraction marks
    paragraph ends so), at a line clearly shorter than the wrap width, or at a
    blank line when blank lines do not also separate every wrapped line.
    Blank lines and page breaks between the halves of a broken line are skipped.
    In CJK text the spaces extraction put next to half-width characters go too;
    that is decided by the text's script, not the declared language, so a
    document given on the wrong side is still repaired.
    """
    cjk = _is_cjk(lines)
    content = [line for line in lines if line.strip()]
    wrap_width = _wrap_width([display_width(line.strip()) for line in content])
    blank_between_all = sum(1 for line in lines if not line.strip()) >= 0.8 * len(content)

    paragraphs: list[str] = []
    current: list[str] = []
    for raw in lines:
        if not raw.strip():
            if not blank_between_all and current:
                paragraphs.append(_join_wrapped(current, cjk))
                current = []
            continue
        current.append(raw.strip())
        width = display_width(raw.strip())
        trailing_space = raw != raw.rstrip()
        # At full width a trailing space after a Latin word is only the word
        # separator the extraction kept ("（SG1：Study " / "Group1）").
        latin_word_break = width >= 0.85 * wrap_width and raw.rstrip()[-1].isascii() and raw.rstrip()[-1].isalnum()
        ends_paragraph = (trailing_space and not latin_word_break) or width < SHORT_LINE * wrap_width
        if ends_paragraph:
            paragraphs.append(_join_wrapped(current, cjk))
            current = []
    if current:
        paragraphs.append(_join_wrapped(current, cjk))
    return [paragraph for paragraph in paragraphs if paragraph]


def _pdf_paragraphs(data: bytes, path: Path, on_page: PageProgress | None = None) -> list[str]:
    """A PDF's paragraphs (`pdf.py`), their lines joined and repaired as extracted text's are."""
    paragraphs = [[_clean_characters(line) for line in lines] for lines in pdf_paragraph_lines(data, path, on_page)]
    cjk = _is_cjk(line for lines in paragraphs for line in lines)
    return [text for text in (_join_wrapped(lines, cjk) for lines in paragraphs) if text]


def _is_cjk(texts: Iterable[str]) -> bool:
    """Whether a document is written in Chinese or Japanese script, whose wrapped lines join without a space."""
    return detect_script(script_sample(texts)) in ("ja", "zh")


def _join_wrapped(parts: list[str], cjk: bool) -> str:
    text = parts[0]
    for part in parts[1:]:
        glue = "" if (_CJK_CHAR.match(text[-1]) or _CJK_CHAR.match(part[0]) or text.endswith("-")) else " "
        text += glue + part
    return _tidy(text, repair_cjk_spacing=cjk)


def _tidy(text: str, repair_cjk_spacing: bool) -> str:
    """Strip the ends, collapse runs of spaces, and in CJK PDF text drop the
    spaces that extraction inserted between CJK and half-width characters."""
    text = _RUN_OF_SPACES.sub(" ", text.strip())
    if repair_cjk_spacing:
        text = _SPACE_AFTER_CJK.sub("", text)
        text = _SPACE_BEFORE_CJK.sub("", text)
        text = _SPACE_BETWEEN_CJK.sub("", text)
    return text


#: How much of a document tells its script: plenty for any language, and a bounded
#: cost on long documents.
SCRIPT_SAMPLE_CHARS = 20_000


def script_sample(texts: Iterable[str]) -> str:
    """The start of a document's text joined, as much of it as `detect_script` and
    `main_script` need to tell the document's script, without joining all of a long one."""
    sample, joined_length = [], -1  # the length of " ".join(sample)
    for text in texts:
        if joined_length >= SCRIPT_SAMPLE_CHARS:
            break
        sample.append(text)
        joined_length += len(text) + 1
    return " ".join(sample)[:SCRIPT_SAMPLE_CHARS]


def detect_script(text: str) -> str:
    """'ja', 'zh', 'ko', 'latin', 'cyrillic', or 'other' from the letters of a text sample."""
    counts = Counter(map(_letter_script, text[:SCRIPT_SAMPLE_CHARS]))
    del counts[None]
    total = sum(counts.values()) or 1
    if counts["kana"] > 0.05 * total:
        return "ja"
    if counts["han"] > 0.3 * total:
        return "zh"
    if counts["ko"] > 0.3 * total:
        return "ko"
    return max(counts, key=counts.__getitem__) if counts else "other"


def main_script(text: str) -> str | None:
    """The script most of a line's letters are in ('han' for kana and kanji alike, 'ko',
    'latin', 'cyrillic', 'other'; None without letters).

    Unlike `detect_script`, which names a document's language (a little kana makes
    it Japanese), this is the majority: an English line quoting a Japanese phrase
    is Latin. Scoring compares the two sides of every pair with it (`score.py`).
    """
    if text.isascii():  # most English lines: no need to look at each letter
        return "latin" if any(c.isalpha() for c in text) else None
    counts = Counter(map(_letter_family, text))
    del counts[None]
    return max(counts, key=counts.__getitem__) if counts else None


#: Latin letters as a regular-expression character class: ASCII, and the letters of
#: Latin-1 and Latin Extended-A and -B (Kyōto, Þórsmörk, résumé), without the × and ÷
#: that sit among them. Names and the glossary read words with it.
LATIN_LETTERS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"


def letters_in_script(text: str, script: str) -> list[str]:
    """The letters of `text` in `script`, as `main_script` names scripts."""
    return [c for c in text if _letter_family(c) == script]


@lru_cache(maxsize=None)
def _letter_family(ch: str) -> str | None:
    """`_letter_script`, with kana and kanji as one: Japanese lines are written with both."""
    script = _letter_script(ch)
    return "han" if script == "kana" else script


@lru_cache(maxsize=None)
def _letter_script(ch: str) -> str | None:
    """The script of a letter ('kana', 'han', 'ko', 'latin', 'cyrillic', 'other'; None for
    anything but a letter), by its Unicode name.

    Cached (a text uses a few thousand distinct characters at most): scoring asks
    for the script of every pair's sides.
    """
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    if name.startswith(("HIRAGANA", "KATAKANA")):
        return "kana"
    if name.startswith("CJK"):
        return "han"
    if name.startswith("HANGUL"):
        return "ko"
    if name.startswith("LATIN"):
        return "latin"
    if name.startswith("CYRILLIC"):
        return "cyrillic"
    return "other"


# ---------------------------------------------------------------- HTML

_BLOCK_TAGS = frozenset(
    """address article aside blockquote body br caption center dd details dialog div dl dt
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main nav
    ol option p pre section summary table tbody td tfoot th thead title tr ul""".split()
)
_INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "math", "head", "iframe", "object"})


def _html_paragraphs(data: bytes, path: Path, encoding: str | None) -> tuple[list[str], str]:
    """Visible text of an HTML page, one paragraph per block element."""
    import lxml.etree
    import lxml.html

    declared = encoding or _declared_html_encoding(data)
    try:
        text, used = decode(data, path, declared)
    except InputError:
        if encoding or not declared:
            raise
        text, used = decode(data, path)  # the page lied about its encoding
    text = _XML_DECLARATION.sub("", text, count=1)  # lxml refuses str input that declares an encoding
    try:
        root = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as error:
        raise InputError(f"is not readable HTML: {error}", path) from None

    paragraphs: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = _remove_cjk_segment_breaks(" ".join(_clean_characters("".join(buffer)).split()))
        if text:
            paragraphs.append(text)
        buffer.clear()

    def walk(element: lxml.html.HtmlElement) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _INVISIBLE_TAGS:
            if element.tail:
                buffer.append(element.tail)
            return
        is_block = tag in _BLOCK_TAGS
        if is_block:
            flush()
        if element.text and tag:
            buffer.append(element.text)
        for child in element:
            walk(child)
        if is_block:
            flush()
        if element.tail:
            buffer.append(element.tail)

    walk(root)
    flush()
    return paragraphs, used


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _declared_html_encoding(data: bytes) -> str | None:
    """The charset a page declares in a <meta> tag, if Python decodes text with it."""
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii")
    return None if _encoding_problem(name) else name


def _remove_cjk_segment_breaks(text: str) -> str:
    """A source line break between two CJK characters renders as nothing (CSS Text 3)."""
    return _SPACE_BETWEEN_CJK.sub("", text)
