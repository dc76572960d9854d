import re

from aligner.data import Alignment, Bead, Document, Segment, SegmentedDocument
from aligner.report import render_report, write_report


def test_seed_report_shows_both_documents_scores_and_unaligned_segments(seed_alignment, tmp_path):
    path = tmp_path / "report.html"
    write_report(seed_alignment, path)
    html = path.read_text("utf-8")
    assert "ied10-mic-ja.txt" in html and "ied10-meti-en.txt" in html
    assert html.count('data-status="unaligned"') == sum(1 for bead in seed_alignment.beads if not bead.is_pair)
    assert html.count("<tr id=") == len(seed_alignment.beads)
    assert "両国は、G20大阪サミットの機会における「大阪トラック」プロセスの立ち上げに留意した。" in html
    assert "Japan also highlighted the concept of “data free flow with trust.”" in html


def test_report_is_self_contained():
    html = render_report(_alignment("<p>x</p>", "y"))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "default-src 'none'" in html  # and the browser is told to load nothing


def test_document_text_is_escaped_never_markup():
    html = render_report(_alignment('<script>alert("x")</script>', '<img src=x onerror="alert(1)">'))
    assert '<script>alert("x")</script>' not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=" in html


def _alignment(src_text, tgt_text):
    def side(text, lang):
        return SegmentedDocument(Document("doc", lang, (text,)), (Segment(0, text, 0),))
    return Alignment(side(src_text, "ja"), side(tgt_text, "en"), [Bead((0,), (0,), 0.3)], "m", 0.5)
