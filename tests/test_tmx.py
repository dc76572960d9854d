from dataclasses import replace
from datetime import datetime, timezone

import pytest

from aligner.tmx import clean_segment, normalize_language, tmx_tree, write_tmx

from helpers import make_alignment, validate_tmx


def test_seed_tmx_is_valid_tmx14_with_the_required_header(seed_alignment, tmp_path):
    path = tmp_path / "seed.tmx"
    count = write_tmx(seed_alignment, path)
    tree = validate_tmx(path)
    header = tree.find("header")
    for attribute in ("creationtool", "creationtoolversion", "segtype", "o-tmf", "adminlang", "srclang", "datatype"):
        assert header.get(attribute)
    assert header.get("srclang") == "ja" and header.get("datatype") == "plaintext"
    assert header.get("segtype") == "paragraph"
    datetime.strptime(header.get("creationdate"), "%Y%m%dT%H%M%SZ")
    units = tree.findall("body/tu")
    assert len(units) == count == len(seed_alignment.translation_units())
    first = units[0]
    assert {prop.get("type") for prop in first.findall("prop")} >= {
        "x-confidence", "x-bead", "x-source-document", "x-target-document"}
    langs = [tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in first.findall("tuv")]
    assert langs == ["ja", "en"]


def test_translate_toolkit_reads_our_tmx_back(seed_alignment, tmp_path):
    from translate.storage.tmx import tmxfile

    path = tmp_path / "seed.tmx"
    write_tmx(seed_alignment, path)
    with open(path, "rb") as handle:
        store = tmxfile(handle, "ja", "en")
    units = [unit for unit in store.units if unit.source]
    expected = [seed_alignment.bead_texts(bead) for bead in seed_alignment.translation_units()]
    assert [(unit.source, unit.target) for unit in units] == expected


def test_min_score_keeps_doubtful_pairs_out_of_the_tmx(seed_alignment, tmp_path):
    strict = replace(seed_alignment, min_score=1.01)
    path = tmp_path / "empty.tmx"
    assert write_tmx(strict, path) == 0
    validate_tmx(path)


def test_forbidden_xml_characters_are_removed_and_text_trimmed(tmp_path):
    alignment = make_alignment(" 制御\x0c文字\x01 ", "control\x1b chars\ufffe ", src_lang="ja_JP", tgt_lang="en_us")
    path = tmp_path / "x.tmx"
    write_tmx(alignment, path)
    tree = validate_tmx(path)
    segs = [seg.text for seg in tree.iter("seg")]
    assert segs == ["制御文字", "control chars"]
    assert [tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in tree.iter("tuv")] == ["ja-JP", "en-US"]


@pytest.mark.parametrize("code, expected", [("ja", "ja"), ("ja_JP", "ja-JP"), ("EN-us", "en-US"), ("zh-hant-tw", "zh-Hant-TW")])
def test_language_codes_are_bcp47_with_hyphens(code, expected):
    assert normalize_language(code) == expected


def test_something_that_is_not_a_language_code_is_refused():
    with pytest.raises(ValueError):
        normalize_language("japanese!")


def test_creation_date_is_utc():
    tree = tmx_tree(make_alignment("あ", "a"), datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    assert tree.find("header").get("creationdate") == "20260102T030405Z"


def test_clean_segment_joins_lines():
    assert clean_segment("a\n b\t c ") == "a b c"


from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aligner.errors import InputError
from aligner.ingest import document_from_text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(src=st.text(st.characters(exclude_categories=()), min_size=1, max_size=300),
       tgt=st.text(st.characters(exclude_categories=()), min_size=1, max_size=300))
def test_any_unicode_text_through_ingest_gives_a_valid_tmx(tmp_path, src, tgt):
    """Control characters, lone surrogates, XML-forbidden code points: the TMX stays valid
    and holds every translation unit of the alignment, none of them empty (ingest drops
    what XML cannot hold, so no segment is lost on writing)."""
    try:
        src_doc, tgt_doc = document_from_text(src, "ja"), document_from_text(tgt, "en")
    except InputError:
        return  # nothing but whitespace, or mostly control characters: refused with a clear error, which is right
    path = tmp_path / "property.tmx"
    alignment = make_alignment(src_doc, tgt_doc)  # segment i of one side paired with segment i of the other
    write_tmx(alignment, path)
    tree = validate_tmx(path)
    assert len(tree.findall("body/tu")) == len(alignment.translation_units())
    assert all(seg.text and seg.text.strip() for seg in tree.iter("seg"))
