from aligner.data import Document
from aligner.ingest import read_document
from aligner.segment import cap_length, japanese_sentence_starts, make_splitter, segment_document

from helpers import EN_SEED, JA_SEED


def test_japanese_seed_splits_into_sentences_at_the_full_stop():
    segmented = segment_document(read_document(JA_SEED, "ja"), make_splitter("ja"))
    texts = segmented.texts
    assert texts[0] == "第10回インターネットエコノミーに関する日米政策協力対話に係る共同記者発表"
    assert "両国は、G20大阪サミットの機会における「大阪トラック」プロセスの立ち上げに留意した。" in texts
    assert all(text.count("。") <= 1 for text in texts)
    assert len(texts) == 22


def test_japanese_quotes_keep_their_inner_full_stops():
    splitter = make_splitter("ja")
    text = "彼は「明日行く。必ず行く。」と言った。次の文です。"
    assert splitter.split(text) == ["彼は「明日行く。必ず行く。」と言った。", "次の文です。"]


def test_an_unclosed_bracket_does_not_glue_the_paragraph_together():
    tokens = ["「", "開始", "。", "次", "。"]
    assert japanese_sentence_starts(tokens) == [True, False, False, True, False]


def test_english_abbreviations_are_not_sentence_ends_but_a_final_abbreviation_is():
    segmented = segment_document(read_document(EN_SEED, "en"), make_splitter("en"))
    texts = segmented.texts
    assert any(t.startswith("Both countries welcomed the recent signing of the Japan–U.S. Digital Trade Agreement")
               for t in texts)
    # "... to the Governments of Japan and the U.S. This dialogue consisted of ..." is two sentences
    assert any(t.endswith("the Governments of Japan and the U.S.") for t in texts)
    assert any(t.startswith("This dialogue consisted of two parts") for t in texts)


def test_presplit_gives_one_segment_per_line_untouched():
    document = Document(name="x", lang="en", paragraphs=("  A. B. ", "C"))
    segmented = segment_document(document, None, presplit=True)
    assert segmented.texts == ["  A. B. ", "C"]


def test_huge_run_without_punctuation_is_cut_at_spaces_to_a_bounded_length():
    text = "word " * 10000
    parts = cap_length(text.strip(), limit=1000)
    assert all(len(part) <= 1000 for part in parts)
    assert " ".join(parts).split() == text.split()
