"""The whole pipeline on the real 10th-meeting pair: what a translator must get."""

from dataclasses import replace
from pathlib import Path

import pypdf
import pytest

from aligner import AlignConfig, Aligner, pipeline
from aligner.data import language_pair
from aligner.evaluate import _documents, evaluation_aligner, find_set
from aligner.ingest import read_document
from aligner.names import TokenReader
from aligner.score import candidates_with_features, score_beads

from helpers import EN_SEED, JA_SEED, SEEDS, assert_each_segment_once, gold_document


def _tu_texts(alignment):
    return [alignment.bead_texts(bead) for bead in alignment.translation_units()]


def _find(alignment, ja_start, en_start):
    for src, tgt in _tu_texts(alignment):
        if src.startswith(ja_start) and tgt.startswith(en_start):
            return True
    return False


def test_every_segment_is_in_exactly_one_bead(seed_alignment):
    assert_each_segment_once([(b.src, b.tgt) for b in seed_alignment.beads], len(seed_alignment.src),
                             len(seed_alignment.tgt))


def test_known_translation_pairs_come_out_as_translation_units(seed_alignment):
    known = [
        ("日本及び米国は、2019年10月10日から11日にかけ", "The United States and Japan emphasized their continued commitment to an open"),
        ("両国は、G20大阪サミットの機会における「大阪トラック」", "Both countries noted the launch of the “Osaka Track”"),
        ("また、日本は、データ・フリー・フロー・ウィズ・トラスト", "Japan also highlighted the concept of “data free flow with trust.”"),
        ("参加者は、「自由で開かれたインド太平洋」に賛同し", "Participants welcomed the continued cooperation"),
        ("本対話に並行して、両国は", "Alongside the dialogue, both countries held an expert-level consultation"),
    ]
    for ja, en in known:
        assert _find(seed_alignment, ja, en), (ja, en)
    assert len(seed_alignment.translation_units()) >= 18


def test_text_without_counterpart_stays_unaligned(seed_alignment):
    unaligned_src = [seed_alignment.src.segments[i].text for b in seed_alignment.beads if not b.tgt for i in b.src]
    unaligned_tgt = [seed_alignment.tgt.segments[j].text for b in seed_alignment.beads if not b.src for j in b.tgt]
    assert any(text.startswith("更に両国は、セキュリティ及びベンダー多様性") for text in unaligned_src)  # 5G architecture
    assert any(text.startswith("米国側は、ロバート・ストレイヤー") for text in unaligned_src)  # U.S. participants
    assert any(text.startswith("日本側は、巻口英司総務省国際戦略局長") for text in unaligned_src)  # Japanese participants
    for chrome in ("1. Home", "October 18, 2019", "(1) Summary", "(5) 5G and other issues", "Related website"):
        assert chrome in unaligned_tgt
    assert any(text.startswith("The Ministry of Economy, Trade and Industry (METI)") for text in unaligned_tgt)


def test_no_translation_unit_pairs_participants_or_chrome(seed_alignment):
    for src, tgt in _tu_texts(seed_alignment):
        assert "米国側は" not in src and "日本側は" not in src
        assert not tgt.startswith(("Division in Charge", "Office of International Affairs", "1. Home"))


def test_scores_are_probabilities_and_unaligned_score_zero(seed_alignment):
    for bead in seed_alignment.beads:
        assert 0.0 <= bead.score <= 1.0
        if not bead.is_pair:
            assert bead.score == 0.0


def test_timings_cover_every_stage(seed_alignment):
    assert set(seed_alignment.timings) == {"ingest", "segment", "embed", "align"}


@pytest.fixture(scope="module")
def two_cores():
    """The command line's aligner: a worker splits, this process embeds with one BLAS thread."""
    with Aligner(segment_in_worker=True) as aligner:
        yield aligner


@pytest.mark.parametrize("chunk", [256, 3])
def test_splitting_in_the_worker_gives_the_same_alignment_as_in_process(two_cores, seed_alignment, monkeypatch, chunk):
    """The two-core path (worker splits, this process embeds chunk by chunk) changes speed, not results."""
    monkeypatch.setattr("aligner.pipeline._CHUNK_PARAGRAPHS", chunk)  # 3: the seed pair in many chunks
    alignment = two_cores.align_files(JA_SEED, EN_SEED)
    assert two_cores.worker is not None
    assert alignment.src.segments == seed_alignment.src.segments
    assert alignment.tgt.segments == seed_alignment.tgt.segments
    assert [(b.src, b.tgt, b.score) for b in alignment.beads] == [(b.src, b.tgt, b.score) for b in seed_alignment.beads]
    assert set(alignment.timings) == set(seed_alignment.timings)


def test_the_worker_reads_the_names_and_numbers_and_this_process_reads_none(two_cores, seed_alignment, monkeypatch):
    """Beside splitting, the worker reads each segment's tokens for the search (`names.py`), so
    that the aligning process needs no Sudachi dictionary and the reading hides behind embedding."""
    paragraphs = [line for line in JA_SEED.read_text("utf-8").splitlines() if line.strip()]
    chunk = two_cores.worker.split("ja-JP", paragraphs, tokens_against="en").result()
    read = TokenReader().tokens
    assert chunk.tokens == [read(text, "ja", "en") for paragraph in chunk.sentences for text in paragraph if text.strip()]
    assert {"2019", "osaka"} <= set().union(*chunk.tokens)
    chinese = (Path(__file__).resolve().parent / "data" / "udhr-zh.txt").read_text("utf-8").splitlines()
    glossed = two_cores.worker.split("zh", chinese, tokens_against="en").result()
    assert glossed.tokens == [read(text, "zh", "en") for text in chinese]
    assert "gloss:liberti" in glossed.tokens[4]

    class NoReading:
        def tokens(self, text, lang, partner=None):
            raise AssertionError("the aligning process read tokens the worker had read")

    monkeypatch.setattr(two_cores, "_token_reader", NoReading())
    alignment = two_cores.align_files(JA_SEED, EN_SEED)
    assert [(b.src, b.tgt, b.score) for b in alignment.beads] == [(b.src, b.tgt, b.score) for b in seed_alignment.beads]


def test_swapped_sides_are_detected_and_still_align(aligner):
    swapped = aligner.align_files(EN_SEED, JA_SEED)  # English given as SRC (declared ja)
    assert any("swapped" in warning for warning in swapped.warnings)
    assert swapped.src.document.lang == "en" and swapped.tgt.document.lang == "ja"
    pairs = {swapped.bead_texts(b) for b in swapped.translation_units()}
    assert ("Both countries noted the launch of the “Osaka Track” process at the sideline of the G20 Osaka Summit.",
            "両国は、G20大阪サミットの機会における「大阪トラック」プロセスの立ち上げに留意した。") in pairs
    assert len(pairs) >= 18


def test_both_documents_in_one_language_give_a_warning_naming_it(aligner, tmp_path):
    copy = tmp_path / "en-copy.txt"
    copy.write_text(EN_SEED.read_text("utf-8"), "utf-8")
    alignment = aligner.align_files(copy, EN_SEED)
    assert any("en-copy.txt and ied10-meti-en.txt both look like a Latin-script language" in w for w in alignment.warnings)


def test_an_untranslated_line_is_not_paired_with_an_unrelated_sentence_in_its_language(aligner):
    """A Kyoto article whose English lacks the translation of one sentence and holds, in its
    place, a Japanese sentence of another article (as in a hard variant of `make eval`): the
    model finds two Japanese sentences alike, and before `untranslated_unlike` the pair got 0.96."""
    article = gold_document("ja-en/kyoto_wiki", "BLD00240")
    missing = article.src.index("相の間の床だけ低いのが古式である。")
    (translation,) = next(tgt for src, tgt in article.gold if src == (missing,))
    untranslated = "日本各地に仏像を残した遊行僧としては、木喰より1世紀ほど前の時代に活動した円空がよく知られる。"
    english = article.tgt[:translation] + [untranslated] + article.tgt[translation + 1:]
    alignment = aligner.align_texts("\n".join(article.src), "\n".join(english))
    pairs = _tu_texts(alignment)
    assert not [pair for pair in pairs if untranslated in pair[1]]
    assert len(pairs) >= len(article.gold) - 3


def test_a_sentence_the_model_finds_too_loose_is_paired_by_the_names_both_sides_share():
    """Kyoto article CLT00103 (the project's copy): the English of 書院造の上段の間は… glosses every
    term in parentheses, and the model's similarity is too weak for a pair; the readings of the
    nouns the two sides share (shoin, jodan, hiroen, `names.py`) make it one. Without the
    shared names the pair is missed and the English left unaligned (the Japanese sentence
    then rides in a doubtful merge with the next one, or is left unaligned too, as the
    calibration of the day puts that merge just above or below 0.5)."""
    article = gold_document("ja-en/kyoto_wiki", "CLT00103")
    k = next(i for i, text in enumerate(article.src) if text.startswith("書院造の上段の間は"))
    assert article.tgt[k].startswith("In the jodan no ma") and ((k,), (k,)) in article.gold
    aligner = evaluation_aligner()  # one model for both runs
    with_names = aligner.config
    without_names = replace(with_names, params=replace(with_names.params, shared_token_weight=0.0))
    pairs = {}
    for name, config in (("with", with_names), ("without", without_names)):
        aligner.config = config
        alignment = aligner.align_texts("\n".join(article.src), "\n".join(article.tgt))
        pairs[name] = {(b.src, b.tgt) for b in alignment.beads if b.src and b.tgt}
    assert ((k,), (k,)) in pairs["with"]
    assert ((k,), (k,)) not in pairs["without"]
    assert not any(k in tgt for src, tgt in pairs["without"])


def test_the_documents_languages_choose_the_calibration_that_scores_them():
    """A real en-is ParIce document: scored with the ja-en fit (no dev data for en-is), and with
    the pooled fit once en-is is among its pairs, both in the cutting and in the final scores."""
    document = find_set("other/parice_enis")[1]
    src, tgt = _documents(document)
    aligner = Aligner(AlignConfig(presplit=True))
    shipped = aligner.calibrations
    scored = []
    for calibration, pooled_pairs in ((shipped.japanese_english, shipped.pooled_pairs),
                                      (shipped.pooled, shipped.pooled_pairs | {language_pair("en", "is")})):
        aligner.calibrations = replace(shipped, pooled_pairs=pooled_pairs)
        proposal = aligner.propose(src, tgt)
        raw, features = candidates_with_features(proposal.searched, proposal.src.texts, proposal.tgt.texts,
                                                 proposal.src_vectors, proposal.tgt_vectors, calibration)
        assert proposal.raw == raw
        scored.append(aligner.score(proposal))
        assert scored[-1] == score_beads(raw, features, calibration)
    assert scored[0] != scored[1]


def test_a_long_pdf_is_read_with_a_bar_of_its_pages_and_a_short_one_without(capsys, monkeypatch):
    """The seed PDFs are 4 and 3 pages; the bar's threshold is set between them to see both sides of it."""
    long_pdf, short_pdf = SEEDS / "ied10-meti-en.pdf", SEEDS / "ied10-mic-ja.pdf"
    pages = len(pypdf.PdfReader(long_pdf).pages)
    assert len(pypdf.PdfReader(short_pdf).pages) < pages
    monkeypatch.setattr(pipeline, "_PDF_PROGRESS_FROM", pages)
    aligner = Aligner(progress=True)
    assert aligner.read(long_pdf, "en") == read_document(long_pdf, "en")
    shown = capsys.readouterr().err
    assert "reading ied10-meti-en.pdf" in shown and f"/{pages} [" in shown  # tqdm: "3/4 [00:00<00:00, ...]"
    assert aligner.read(short_pdf, "ja") == read_document(short_pdf, "ja")
    assert capsys.readouterr().err == ""
    Aligner(progress=False).read(long_pdf, "en")
    assert capsys.readouterr().err == ""
