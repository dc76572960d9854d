"""PDF input: a PDF's text layer -> paragraphs, read with pdfminer.six.

A PDF holds positioned lines, not paragraphs. The layout says where a
paragraph ends, better than the text does: a line that stops well short of the
column's right edge, a larger gap than between the lines of a paragraph, or a
next line indented by a few characters (Japanese starts every paragraph so).
Elsewhere lines are joined back as wrapped text is (`ingest`), across page and
column breaks too, since a sentence often runs over one.

Page furniture is dropped: a line in the top or bottom margin whose text,
digits aside, recurs there on other pages (page numbers, running titles).

What extraction gets wrong is repaired like PDF-extracted text: spaces between
the characters of a justified Japanese line go (`ingest._tidy`), and Kangxi
radicals that a font's Unicode map gives for common kanji (⽇ for 日) become
the kanji again (`ingest._clean_characters`).
"""

from __future__ import annotations

import io
import itertools
import logging
import re
import statistics
import warnings
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from .errors import InputError

PDF_SIGNATURE = b"%PDF-"
#: A line ending before this share of its column's width ends its paragraph:
#: the paragraph's text would have run on. (`ingest.unwrap_lines` applies it to
#: extracted text, in characters; this module to a PDF's lines, in points.)
SHORT_LINE = 0.75
#: The band at the top and bottom of a page where running headers and footers sit.
_MARGIN_BAND = 0.1
_DIGITS = re.compile(r"\d+")
#: Told after each page is read: (pages read, pages in the file). Reading takes
#: about 0.1 s a page, so a long report is worth a progress bar.
PageProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class _Line:
    """One text line of a page, in PDF points (y grows upwards)."""

    text: str
    left: float
    right: float
    top: float
    bottom: float
    page: int

    @property
    def height(self) -> float:
        return self.top - self.bottom


@dataclass(frozen=True)
class _Column:
    """Where a page's body text runs, and how tightly its lines are set."""

    left: float
    right: float
    line_height: float
    line_gap: float


def is_pdf(data: bytes) -> bool:
    """Whether a file's bytes are a PDF, whatever the file is called."""
    return data[:1024].lstrip().startswith(PDF_SIGNATURE)


def _read_lines(data: bytes, path: str | Path, on_page: PageProgress | None = None) -> list[_Line]:
    """The text lines of every page in reading order (pdfminer's), page furniture left out."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer, LTTextLine
    from pdfminer.pdfdocument import PDFEncryptionError
    from pdfminer.pdfpage import PDFPage
    from pdfminer.psexceptions import PSException

    pages: list[list[_Line]] = []
    heights: list[float] = []
    try:
        with _quiet_pdfminer():
            # Counting the pages reads only the page tree, not the pages' text.
            page_count = sum(1 for _ in PDFPage.get_pages(io.BytesIO(data))) if on_page else 0
            for number, page in enumerate(extract_pages(io.BytesIO(data), laparams=LAParams())):
                heights.append(page.height)
                pages.append([_Line(text, line.x0, line.x1, line.y1, line.y0, number)
                              for box in page if isinstance(box, LTTextContainer)
                              for line in box if isinstance(line, LTTextLine) and (text := line.get_text().strip())])
                if on_page:
                    on_page(number + 1, page_count)
    except PDFEncryptionError:
        raise InputError("is a PDF protected by a password", path,
                         "save a copy without the password, or export its text") from None
    except (PSException, ValueError, KeyError, TypeError, IndexError, EOFError, AssertionError):
        # pdfminer reports a damaged file with whatever error its parser hits first.
        raise InputError("is a damaged or truncated PDF that cannot be read", path,
                         "open it in a PDF viewer and save or print it as a new PDF") from None
    furniture = _page_furniture(pages, heights)
    return [line for page in pages for line in page if line not in furniture]


def pdf_paragraph_lines(data: bytes, path: str | Path, on_page: PageProgress | None = None) -> list[list[str]]:
    """The lines of each paragraph of a PDF's text layer, for `ingest` to join as wrapped text."""
    lines = _read_lines(data, path, on_page)
    if not lines:
        raise InputError("is a PDF without a text layer (a scan?)", path,
                         "run OCR on it first, e.g. with ocrmypdf, or give its text")
    columns = _columns(lines)
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line, following in zip(lines, [*lines[1:], None]):
        current.append(line.text)
        if following is None or _ends_paragraph(line, following, columns):
            paragraphs.append(current)
            current = []
    return paragraphs


def _columns(lines: list[_Line]) -> dict[int, _Column]:
    """Each page's text column, and the document's usual line height and gap between lines."""
    line_height = statistics.median(line.height for line in lines)
    gaps = [above.bottom - below.top for above, below in zip(lines, lines[1:])
            if above.page == below.page and 0 <= above.bottom - below.top < 3 * line_height]
    line_gap = statistics.median(gaps) if gaps else line_height / 2
    columns = {}
    for page, on_page in itertools.groupby(lines, key=lambda line: line.page):
        on_page = list(on_page)
        lefts = sorted(line.left for line in on_page)
        rights = sorted(line.right for line in on_page)
        # The 10th and 90th percentiles: indented, centred and short lines do not move the edges.
        columns[page] = _Column(lefts[int(0.1 * (len(lefts) - 1))], rights[int(0.9 * (len(rights) - 1))],
                                line_height, line_gap)
    return columns


def _ends_paragraph(line: _Line, following: _Line, columns: dict[int, _Column]) -> bool:
    column = columns[line.page]
    if line.right - column.left < SHORT_LINE * (column.right - column.left):
        return True
    if _indented(following, columns[following.page]):
        return True
    same_column = following.page == line.page and following.top <= line.bottom + column.line_height / 2
    return same_column and line.bottom - following.top > column.line_gap + column.line_height / 2


def _indented(line: _Line, column: _Column) -> bool:
    """A first-line indent: a few characters in, not a centred heading."""
    return 0.5 * line.height < line.left - column.left <= 4 * line.height


def _page_furniture(pages: list[list[_Line]], heights: list[float]) -> set[_Line]:
    """Lines in the top or bottom margin whose text, digits aside, recurs there on other pages."""
    if len(pages) < 2:
        return set()
    in_margins = [[line for line in page if line.bottom > (1 - _MARGIN_BAND) * height or line.top < _MARGIN_BAND * height]
                  for page, height in zip(pages, heights)]
    pages_with = Counter(text for lines in in_margins for text in {_without_digits(line.text) for line in lines})
    recurring = {text for text, count in pages_with.items() if count >= max(2, len(pages) // 2)}
    return {line for lines in in_margins for line in lines if _without_digits(line.text) in recurring}


def _without_digits(text: str) -> str:
    """`- 3 -` -> `- # -`: page numbers differ from page to page, the rest of a footer does not."""
    return _DIGITS.sub("#", text)


@contextmanager
def _quiet_pdfminer() -> Iterator[None]:
    """pdfminer logs and warns about every font quirk it works around; the user can do nothing with them."""
    logger = logging.getLogger("pdfminer")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
