from pathlib import Path

import pypdf
import pytest
from pdfminer.high_level import extract_text

from aligner.errors import UsageError
from aligner.ingest import (
    SCRIPT_SAMPLE_CHARS, check_encoding, decode, detect_script, document_from_text, main_script, read_document,
    script_sample, text_paragraphs,
)

from helpers import EN_SEED, JA_SEED, SEEDS


def test_pdf_repair_gives_back_whole_words_and_sentences():
    document = read_document(JA_SEED, "ja")
    assert document.unwrapped
    text = "\n".join(document.paragraphs)
    # the PDF broke インターネット as インタ / ーネット; every piece must be whole again
    assert text.count("インタ") == text.count("インターネット") > 0
    assert "第10回インターネットエコノミー" in text  # no space left from "第 10回"
    assert "5Gネットワーク" in text and "5G ネットワーク" not in text
    # a page break fell between 協力 and を歓迎した
    assert "両国間の継続的な協力を歓迎した。" in text
    # paragraph ends (lines ending in a space) are kept: the title is its own paragraph
    assert document.paragraphs[0] == "第10回インターネットエコノミーに関する日米政策協力対話に係る共同記者発表"
    assert all(not paragraph.startswith(" ") for paragraph in document.paragraphs)


def test_latin_word_at_a_pdf_line_end_is_not_a_paragraph_end():
    document = read_document(SEEDS / "ied05-mic-ja.txt", "ja")
    assert any("（SG1：Study Group1）" in paragraph for paragraph in document.paragraphs)


@pytest.mark.parametrize("seed, lang", [("ied10-mic-ja", "ja"), ("ied10-meti-en", "en")])
def test_a_pdf_reads_as_the_text_it_was_typeset_from(seed, lang):
    """The seed pair typeset as PDFs (tests/make_pdf_fixture.py) gives back the seeds' paragraphs.

    The fixtures hold what makes PDFs hard; the assertions on pdfminer's own text
    below make sure they still do, so that the equality is not won on easy files.
    """
    pdf = SEEDS / f"{seed}.pdf"
    extracted = extract_text(pdf).split("\f")
    assert len([page for page in extracted if page.strip()]) >= 3
    if lang == "ja":
        assert "⽇⽶" in extracted[0] and "⺠間" in extracted[0]  # Kangxi radicals and a supplement radical
        assert "⽇ 本 及 び ⽶ 国" in extracted[0]  # a justified line, a space between every character
        assert all(f"- {number} -" in page for number, page in enumerate(extracted[:3], 1))  # page numbers
        assert "AIの社会実\n" in extracted[0] and extracted[1].lstrip().startswith("装")  # a word over a page break
    else:
        assert "ﬁfth" in extracted[0] or "ﬁfth" in extracted[1]  # a ligature
        assert all(f"METI News Release, page {number}" in page for number, page in enumerate(extracted[:3], 1))
    document = read_document(pdf, lang)
    assert document.format == "pdf"
    assert document.paragraphs == read_document(SEEDS / f"{seed}.txt", lang).paragraphs


@pytest.mark.parametrize("seed, lang", [("ied10-mic-ja", "ja"), ("ied10-meti-en", "en")])
def test_reading_a_pdf_tells_of_each_page_out_of_the_pages_it_has(seed, lang):
    pdf = SEEDS / f"{seed}.pdf"
    pages = len(pypdf.PdfReader(pdf).pages)  # another library's count
    heard = []
    document = read_document(pdf, lang, on_pdf_page=lambda read, count: heard.append((read, count)))
    assert pages >= 3
    assert heard == [(read, pages) for read in range(1, pages + 1)]
    assert document == read_document(pdf, lang)


def test_radicals_and_ligatures_from_pdf_fonts_become_the_characters_they_show():
    assert document_from_text("⽇本及び⽶国の⺠間部⾨\nﬁfth generation of Aﬀairs", "ja").paragraphs == (
        "日本及び米国の民間部門", "fifth generation of Affairs")


def test_a_pdf_is_known_by_its_content_whatever_its_name(tmp_path: Path):
    renamed = tmp_path / "statement.txt"
    renamed.write_bytes((SEEDS / "ied10-mic-ja.pdf").read_bytes())
    assert read_document(renamed, "ja").paragraphs == read_document(JA_SEED, "ja").paragraphs


def test_web_page_text_keeps_one_paragraph_per_line_including_chrome():
    document = read_document(EN_SEED, "en")
    assert not document.unwrapped
    assert document.paragraphs[0] == "1. Home"
    assert "October 18, 2019" in document.paragraphs
    assert document.paragraphs[-1] == "Related website"


def test_japanese_web_page_is_not_mistaken_for_pdf_text():
    paragraphs, unwrapped = text_paragraphs((SEEDS / "ied12-mic-ja.txt").read_text("utf-8"))
    assert not unwrapped
    assert "(1)総括" in paragraphs


@pytest.mark.parametrize("encoding", ["cp932", "euc_jp", "iso2022_jp", "utf-16", "utf-8-sig"])
def test_common_japanese_encodings_read_the_same_as_utf8(tmp_path: Path, encoding: str):
    original = read_document(JA_SEED, "ja")
    converted = tmp_path / "ja.txt"
    converted.write_bytes(JA_SEED.read_text("utf-8").encode(encoding))
    document = read_document(converted, "ja")
    assert document.paragraphs == original.paragraphs


def test_html_page_gives_visible_text_by_block(tmp_path: Path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>T</title><style>p{}</style><script>var x = 1;</script></head><body>"
        "<nav><a href='/'>Home</a> &gt; <a>News</a></nav><h1>Joint statement</h1>"
        "<p>The United States and <b>Japan</b> met.\nThey agreed.</p><ul><li>One</li><li>Two</li></ul>"
        "<p>インター\nネット</p></body></html>", "utf-8")
    document = read_document(page, "en")
    assert document.format == "html"
    assert document.paragraphs == ("Home > News", "Joint statement", "The United States and Japan met. They agreed.",
                                   "One", "Two", "インターネット")


def test_presplit_keeps_every_non_empty_line_as_given(tmp_path: Path):
    source = tmp_path / "lines.txt"
    source.write_text("  first line \n\nsecond.  Two sentences.\n   \nthird", "utf-8")
    document = read_document(source, "en", presplit=True)
    assert document.paragraphs == ("  first line ", "second.  Two sentences.", "third")


def test_characters_xml_cannot_hold_are_dropped_on_reading(tmp_path: Path):
    """A file and a string alike: controls and U+FFFE/U+FFFF go, and a line of nothing else with them."""
    source = tmp_path / "debris.txt"
    source.write_text("本文\uffff。\n\ufffe\x01\nend\x0b.\n", "utf-8")
    assert read_document(source, "ja", presplit=True).paragraphs == ("本文。", "end.")
    assert document_from_text("本文\uffff。\n\ud800\nend\x0b.", "ja", presplit=True).paragraphs == ("本文。", "end.")


def test_html_character_references_are_cleaned_like_decoded_text(tmp_path: Path):
    """lxml decodes &#xFFFF; and &#1; after ingest has cleaned the page's text: they are dropped
    there too (a paragraph of nothing else with them), and a decomposed é is composed."""
    page = tmp_path / "refs.html"
    page.write_bytes(b"<html><body><p>&#xFFFF;&#1;</p><p>A caf&#x65;&#x301; sleeps.&#xFFFE;</p></body></html>")
    assert read_document(page, "en").paragraphs == ("A caf\u00e9 sleeps.",)


# ---------------------------------------------------------------- encodings by name: errors name the file


@pytest.mark.parametrize("name", ["utf-8", "UTF8", "cp932", "Shift_JIS", "euc-jp", "iso-2022-jp", "utf-16",
                                  "utf-16-le", "utf-8-sig", "latin-1"])
def test_real_text_encodings_are_accepted(name):
    assert check_encoding(name) == name


@pytest.mark.parametrize("name, problem", [
    ("sjis-x", "unknown encoding 'sjis-x'"),
    ("hex", "'hex' is not a text encoding"),
    ("rot13", "'rot13' is not a text encoding"),
    ("base64", "'base64' is not a text encoding"),
    ("undefined", "'undefined' is not a text encoding"),  # refuses every input (a bare UnicodeError): it crashed
])
def test_the_library_names_the_file_when_its_encoding_is_bad(tmp_path, name, problem):
    path = tmp_path / "ja.txt"
    path.write_text("猫が眠る。\n", "utf-8")
    with pytest.raises(UsageError) as error_info:
        read_document(path, "ja", encoding=name)
    assert str(error_info.value) == f"{path}: {problem} (try utf-8, cp932, euc-jp, iso-2022-jp or utf-16)"
    with pytest.raises(UsageError, match=f"^ja.txt: {problem}"):
        decode(b"abc", "ja.txt", name)


@pytest.mark.parametrize("codec", ["hex", "undefined"])
def test_an_html_page_declaring_a_codec_that_is_not_a_text_encoding_is_read_by_detection(tmp_path, codec):
    page = tmp_path / "en.html"
    page.write_bytes(b'<html><head><meta charset="%s"></head><body><p>A cat sleeps.</p></body></html>' % codec.encode())
    document = read_document(page, "en")
    assert document.paragraphs == ("A cat sleeps.",)
    assert document.encoding == "utf-8"


def test_a_lines_main_script_is_its_majority_where_a_documents_script_is_its_language():
    english_with_japanese = "ページトップへ戻る The old style has a lower floor."
    assert main_script(english_with_japanese) == "latin" and detect_script(english_with_japanese) == "ja"
    assert main_script("第二巻 論諸国自然之権") == main_script("かなの文。") == "han"
    assert main_script("2019 (1)") is None and main_script("Ｆｕｌｌｗｉｄｔｈ") == "other"


def test_a_documents_script_sample_is_the_start_of_its_joined_text_without_joining_it_all():
    lines = ["松花堂は京都府にある。" * 7, "Shokado"] * 10_000
    # Lines reaching exactly to the limit: the full join's last sampled character is a separator.
    exact = ["a" * 99] * (SCRIPT_SAMPLE_CHARS // 100) + ["b" * 99]
    for texts in (lines, exact, ["short", "text"], []):
        assert script_sample(texts) == " ".join(texts)[:SCRIPT_SAMPLE_CHARS]
    consumed = []
    script_sample(consumed.append(line) or line for line in lines)
    assert len(consumed) < len(lines) / 10
