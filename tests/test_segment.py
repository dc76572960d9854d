import re

import pytest

from aligner.data import Document
from aligner.evaluate import find_set
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
    tags = ["補助記号-括弧開", "名詞-普通名詞-一般", "補助記号-句点", "名詞-普通名詞-一般", "補助記号-句点"]
    assert japanese_sentence_starts(tokens, tags) == [True, False, False, True, False]


@pytest.mark.parametrize("text, sentences", [
    ("「雨だ。」彼はそう思った。", ["「雨だ。」", "彼はそう思った。"]),
    ("声明は次のとおり。「我々は合意した。」「会議は終わった。」", ["声明は次のとおり。", "「我々は合意した。」", "「会議は終わった。」"]),
    ("彼は「明日行きます。」と言った。「はい。」って返事だった。", ["彼は「明日行きます。」と言った。", "「はい。」って返事だった。"]),
    ("「本を読む。」など、「…。」、「注。」（2019年）の三つ。", ["「本を読む。」など、「…。」、「注。」（2019年）の三つ。"]),
])
def test_a_quote_closed_on_a_full_stop_ends_the_sentence_unless_a_particle_carries_it_on(text, sentences):
    assert make_splitter("ja").split(text) == sentences


@pytest.mark.parametrize("folder", ["ntrex_enja", "kyoto_wiki"])
def test_corpus_sentences_ending_in_a_quote_split_back_when_joined_with_the_next(folder):
    """The corpora's own sentence boundaries after 「…。」: every such line joined with the next one
    (a line that ends a sentence) splits back into the two (NTREX 89 of them, Kyoto 67; before the
    rule, 51 and 2)."""
    joined = [(a.strip(), b.strip()) for document in find_set(f"ja-en/{folder}")
              for a, b in zip(document.src, document.src[1:])
              if re.search(r"[。！？][」』]$", a.rstrip()) and re.search(r"[。！？」』]$", b.rstrip())]
    splitter = make_splitter("ja")
    assert len(joined) > 50
    assert [pair for pair in joined if splitter.split(pair[0] + pair[1]) != list(pair)] == []


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
