"""Typeset the seed pair as PDFs: `corpora/seeds/ied10-mic-ja.pdf` and `ied10-meti-en.pdf`.

The seed's original PDF (MIC's) is not in the project, only the text extracted
from it. This makes PDFs with the same paragraphs and the troubles of real
ones. Chromium prints them on A5 pages, so lines break inside words and a
sentence runs over each page break, and the footer holds page numbers. The
Japanese, in Noto Serif CJK, is justified with indented paragraphs: some lines
come out with a space between every character, and the font's ToUnicode map
gives Kangxi radicals (⽇, ⽶, ⺠) for common kanji, as many Japanese PDFs do.
The English is set ragged-right in block paragraphs with a running title.
The tests read them (`tests/test_ingest.py`, `tests/test_bad_input.py`); the
committed files are the fixtures, so this script only needs running to change them:

    .venv/bin/python tests/make_pdf_fixture.py

It needs Playwright (`make test` installs it), Debian's chromium and fonts-noto-cjk.
"""

from __future__ import annotations

import shutil
from html import escape
from pathlib import Path

from playwright.sync_api import sync_playwright

from aligner.ingest import read_document

SEEDS = Path(__file__).resolve().parent.parent / "corpora" / "seeds"
JAPANESE_STYLE = """
@page { size: A5; margin: 18mm 16mm 20mm; }
body { font-family: 'Noto Serif CJK JP', serif; font-size: 10.5pt; line-height: 1.7; text-align: justify; }
h1 { font-size: 12pt; text-align: center; }
p { text-indent: 1em; margin: 0 0 0.8em; }
"""
ENGLISH_STYLE = """
@page { size: A5; margin: 20mm 16mm; }
body { font-family: 'DejaVu Serif', serif; font-size: 10pt; line-height: 1.4; text-align: left; }
p { margin: 0 0 0.9em; }
"""
SMALL = "width: 100%; text-align: center; font-size: 8pt;"
PAGE_NUMBER = f'<div style="{SMALL}">- <span class="pageNumber"></span> -</div>'
RUNNING_TITLE = f'<div style="{SMALL}">METI News Release, page <span class="pageNumber"></span></div>'


def main() -> None:
    title, *body = read_document(SEEDS / "ied10-mic-ja.txt", "ja").paragraphs
    japanese = f"<h1>{escape(title)}</h1>" + "".join(f"<p>{escape(paragraph)}</p>" for paragraph in body)
    english = "".join(f"<p>{escape(paragraph)}</p>" for paragraph in read_document(SEEDS / "ied10-meti-en.txt", "en").paragraphs)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        for name, lang, style, content, header, footer in [
                ("ied10-mic-ja.pdf", "ja", JAPANESE_STYLE, japanese, "<span></span>", PAGE_NUMBER),
                ("ied10-meti-en.pdf", "en", ENGLISH_STYLE, english, RUNNING_TITLE, "<span></span>")]:
            page.set_content(f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
                             f"<style>{style}</style></head><body>{content}</body></html>")
            page.pdf(path=str(SEEDS / name), format="A5", display_header_footer=True,
                     header_template=header, footer_template=footer)
        browser.close()


if __name__ == "__main__":
    main()
