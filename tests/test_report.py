import json
import re

from lxml import html as lxml_html

from aligner.data import Bead
from aligner.report import csp_hash, render_report, write_report

from helpers import make_alignment


def _page(html: str):
    page = lxml_html.fromstring(html)
    return page, json.loads(page.get_element_by_id("alignment-data").text)


def test_seed_report_embeds_both_documents_and_every_bead(seed_alignment, tmp_path):
    path = tmp_path / "report.html"
    write_report(seed_alignment, path)
    html = path.read_text("utf-8")
    assert "ied10-mic-ja.txt" in html and "ied10-meti-en.txt" in html
    _, data = _page(html)
    assert data["src"]["segments"] == seed_alignment.src.texts and data["tgt"]["segments"] == seed_alignment.tgt.texts
    assert [(b["src"], b["tgt"], b["score"]) for b in data["beads"]] == \
           [(list(b.src), list(b.tgt), b.score) for b in seed_alignment.beads]
    assert (data["src"]["lang"], data["src"]["separator"], data["tgt"]["lang"], data["tgt"]["separator"]) == ("ja", "", "en", " ")
    assert data["tmx"]["attributes"]["segtype"] == "paragraph" and data["tmx"]["attributes"]["srclang"] == "ja"
    assert "両国は、G20大阪サミットの機会における「大阪トラック」プロセスの立ち上げに留意した。" in html  # readable source
    assert f"{len(seed_alignment.translation_units())} translation units" in html


def test_the_summary_says_how_many_translation_units_to_expect_wrong():
    """The confidence is a probability: the TMX's units are expected wrong as often as their
    confidences fall short of 1, and beads left out of the TMX do not count."""
    beads = [Bead((0,), (0,), 0.95), Bead((1,), (1,), 0.75), Bead((2,), (2,), 0.40), Bead((3,), (), 0.0)]
    page, _ = _page(render_report(make_alignment(["a", "b", "c", "d"], ["A", "B", "C"], beads)))
    summary = page.xpath("//table[@aria-label='Summary']//tr[th='In the TMX']/td")[0].text_content()
    assert summary == ("2 translation units (confidence ≥ 0.5); "
                       "by their confidence, expect about 0.3 of them to be wrong")


def test_report_is_self_contained():
    html = render_report(make_alignment("<p>x</p>", "y"))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "default-src 'none'" in html  # and the browser is told to load nothing


def test_only_the_pages_own_script_may_run():
    html = render_report(make_alignment("a", "b"))
    page, _ = _page(html)
    policy = page.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1).split()
    scripts = [script for script in page.iter("script") if script.get("type") != "application/json"]
    assert len(scripts) == 1
    assert script_src == [f"'{csp_hash(scripts[0].text)}'"]  # no 'unsafe-inline'


def test_document_text_cannot_close_the_data_block_or_become_markup():
    src, tgt = '</script><script>alert("x")</script>', '<img src=x onerror="alert(1)"> <!-- & -->'
    html = render_report(make_alignment(src, tgt))
    assert html.count("</script>") == 2  # the data block's and the page script's own
    assert "<img src=x" not in html and "<!-- &" not in html
    _, data = _page(html)
    assert data["src"]["segments"] == [src] and data["tgt"]["segments"] == [tgt]
