"""The review report in a real headless Chromium, driven by Playwright.

Opens the seed pair's report, checks what a reviewer sees (segments, scores,
filters, search, keys), that document text stays text and the page loads
nothing, performs edits, and checks the TMX and beads downloaded from the page
(TMX 1.4b DTD, translate-toolkit, the SPEC beads invariant). Screenshots and the
downloaded files go to tests/artifacts/ for a person to look at.

Chromium and the CJK fonts are Debian packages, installed on first use when
missing (see helpers.ensure_debian_packages); Playwright drives the system
browser (its own browser download is never used).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from aligner.beads import bead_records
from aligner.data import Alignment, Bead, join_segments
from aligner.report import write_report
from aligner.tmx import tmx_tree

from helpers import assert_each_segment_once, ensure_debian_packages, make_alignment, read_beads, validate_tmx

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: Per row: status, badge, review label, source and target segment texts (without the index and ✂).
ROWS_JS = """() => Array.from(document.querySelectorAll('#beads > .row')).map(row => {
  const texts = cell => Array.from(cell.querySelectorAll('.seg')).map(
      seg => Array.from(seg.childNodes).filter(n => n.nodeType === 3).map(n => n.data).join(''));
  const indices = cell => Array.from(cell.querySelectorAll('.idx')).map(idx => Number(idx.textContent));
  const cells = row.querySelectorAll('.cell.text');
  return {status: row.dataset.status, badge: row.querySelector('.badge').textContent,
          review: row.dataset.review || null, hidden: row.classList.contains('hidden'),
          current: row.classList.contains('current'),
          src: indices(cells[0]), tgt: indices(cells[1]), src_text: texts(cells[0]), tgt_text: texts(cells[1])};
})"""


def _has_cjk_font() -> bool:
    fc_list = shutil.which("fc-list")
    return bool(fc_list) and bool(subprocess.run([fc_list, ":lang=ja"], capture_output=True, text=True).stdout.strip())


@pytest.fixture(scope="module")
def browser():
    ensure_debian_packages({"chromium": lambda: Path(CHROMIUM).exists(), "fonts-noto-cjk": _has_cjk_font},
                           "the browser tests of the report")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright for Python is missing: `make test` installs it from requirements-test.lock")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class ReportPage:
    """A report opened in a fresh browser context, with everything it asked the network for."""

    page: object
    url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def rows(self) -> list[dict]:
        return self.page.evaluate(ROWS_JS)

    def select(self, *, src: int | None = None, tgt: int | None = None) -> None:
        """Click the row of the bead holding source segment `src` (or target segment `tgt`)."""
        index = next(i for i, row in enumerate(self.rows()) if (src in row["src"]) or (tgt in row["tgt"]))
        self.page.locator("#beads > .row").nth(index).locator(".cell.num").click()

    def act(self, action: str) -> None:
        self.page.click(f"#actions button[data-action={action}]")

    def download(self, button: str, folder: Path) -> Path:
        with self.page.expect_download() as info:
            self.page.click(button)
        path = folder / info.value.suggested_filename
        info.value.save_as(path)
        return path

    def assert_loaded_nothing_and_ran_no_foreign_script(self) -> None:
        foreign = [url for url in self.requests if url != self.url and not url.startswith("blob:")]
        assert foreign == [], f"the report asked for {foreign}"
        assert self.errors == []


@pytest.fixture
def open_report(browser, tmp_path):
    contexts = []

    def open_(alignment: Alignment, viewport=(1400, 900)) -> ReportPage:
        path = tmp_path / f"report{len(contexts)}.html"
        write_report(alignment, path)
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        report = ReportPage(page, path.as_uri())
        # Nothing but the report itself may load, even if the page asked for it.
        context.route("**/*", lambda route: route.continue_() if route.request.url == report.url else route.abort())
        page.on("request", lambda request: report.requests.append(request.url))
        page.on("pageerror", lambda error: report.errors.append(f"page error: {error}"))
        page.on("console", lambda message: message.type == "error" and report.errors.append(f"console: {message.text}"))
        page.on("dialog", lambda dialog: (report.errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        page.goto(report.url)
        page.wait_for_selector("body[data-ready]")
        return report

    yield open_
    for context in contexts:
        context.close()


def _status(bead: Bead, min_score: float) -> str:
    if not bead.is_pair:
        return "unaligned"
    return "good" if bead.score >= min_score else "doubtful"


def test_seed_report_shows_both_documents_side_by_side_with_scores(seed_alignment, open_report, artifacts):
    report = open_report(seed_alignment)
    rows = report.rows()
    assert len(rows) == len(seed_alignment.beads)
    src, tgt = seed_alignment.src.texts, seed_alignment.tgt.texts
    for row, bead in zip(rows, seed_alignment.beads):
        assert (row["src"], row["tgt"]) == (list(bead.src), list(bead.tgt))
        assert row["src_text"] == [src[i] for i in bead.src] and row["tgt_text"] == [tgt[j] for j in bead.tgt]
        assert row["badge"] == (f"{bead.score:.2f}" if bead.is_pair else "—")
        assert row["status"] == _status(bead, seed_alignment.min_score)
    assert report.page.inner_text("#live").startswith(f"{len(seed_alignment.translation_units())} translation units")
    report.page.screenshot(path=artifacts / "report-seed.png", full_page=True)
    report.assert_loaded_nothing_and_ran_no_foreign_script()


def test_filters_search_and_keyboard_navigation(seed_alignment, open_report, artifacts):
    strict = replace(seed_alignment, min_score=0.98)  # some doubtful pairs to filter for
    report = open_report(strict)
    page = report.page
    doubtful = [b for b in strict.beads if b.is_pair and b.score < 0.98]
    unaligned = [b for b in strict.beads if not b.is_pair]
    assert doubtful and unaligned

    page.check("input[value=doubtful]")
    shown = [row for row in report.rows() if not row["hidden"]]
    assert [(row["src"], row["tgt"]) for row in shown] == [(list(b.src), list(b.tgt)) for b in doubtful]
    assert {row["status"] for row in shown} == {"doubtful"}
    page.screenshot(path=artifacts / "report-doubtful-only.png")

    page.check("input[value=unaligned]")
    shown = [row for row in report.rows() if not row["hidden"]]
    assert len(shown) == len(unaligned) and {row["status"] for row in shown} == {"unaligned"}
    assert page.inner_text("#shown") == f"{len(unaligned)} of {len(strict.beads)} rows"

    page.check("input[value=all]")
    for needle in ("osaka track", "大阪トラック"):
        page.fill("#search", needle)
        shown = [row for row in report.rows() if not row["hidden"]]
        assert len(shown) == 1
        assert "「大阪トラック」" in shown[0]["src_text"][0] and "“Osaka Track”" in shown[0]["tgt_text"][0]
    page.fill("#search", "")
    page.keyboard.press("Escape")  # leaves the search box
    assert page.evaluate("document.activeElement.id") != "search"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search"
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert [row["current"] for row in report.rows()].index(True) == 0
    page.keyboard.press("d")  # the next row that is doubtful or unaligned
    rows = report.rows()
    current = [row["current"] for row in rows].index(True)
    assert rows[current]["status"] != "good"
    assert all(row["status"] == "good" for row in rows[1:current])
    report.assert_loaded_nothing_and_ran_no_foreign_script()


def test_document_text_is_shown_as_text_and_runs_nothing(open_report, artifacts):
    evil_src = ['<script>window.pwned = 1; alert("script")</script>', "</script><script>window.pwned = 3</script>"]
    evil_tgt = ['<img src=x onerror="window.pwned = 2; alert(2)">', "<!-- <b>bold</b> & &amp; -->"]
    alignment = make_alignment(evil_src, evil_tgt, [Bead((0,), (0,), 0.9), Bead((1,), (1,), 0.3)],
                               src_name="evil-ja.txt", tgt_name="evil-en.txt")
    report = open_report(alignment)
    rows = report.rows()
    assert [row["src_text"] for row in rows] == [[text] for text in evil_src]
    assert [row["tgt_text"] for row in rows] == [[text] for text in evil_tgt]
    page = report.page
    assert page.evaluate("window.pwned") is None
    assert not page.is_visible("#actions")  # until a row is selected
    assert page.locator("#beads img, #beads b, #beads script").count() == 0
    assert page.locator("script").count() == 2  # the JSON block and the page's own script, nothing more
    page.screenshot(path=artifacts / "report-xss-as-text.png")
    report.assert_loaded_nothing_and_ran_no_foreign_script()


def _tricky_alignment() -> Alignment:
    """Whitespace of every kind, XML-forbidden characters and multi-sentence beads."""
    src = ["\u3000制御\x0c文字\x01です。 ", "二文目\u00a0です。", "\ufeff三文目。", "孤立\x85した文。"]
    tgt = [" Control\x1b chars\ufffe here. ", "Second\u2028line\t\tjoined.", "Third one.\u3000", "Lonely \x00one."]
    beads = [Bead((0, 1), (0,), 0.91), Bead((2,), (1, 2), 0.6), Bead((3,), (), 0.0), Bead((), (3,), 0.0)]
    return make_alignment(src, tgt, beads)


@pytest.mark.parametrize("which", ["seed", "tricky"])
def test_download_without_edits_is_what_the_library_writes(which, seed_alignment, open_report, tmp_path):
    alignment = seed_alignment if which == "seed" else _tricky_alignment()
    report = open_report(alignment)
    tmx_path = report.download("#download-tmx", tmp_path)
    beads_path = report.download("#download-beads", tmp_path)

    ours, theirs = validate_tmx(tmx_path), tmx_tree(alignment).getroot()
    assert ours.getroot().get("version") == theirs.get("version")
    header, expected_header = ours.find("header"), theirs.find("header")
    assert {k: v for k, v in header.attrib.items() if k != "creationdate"} == \
           {k: v for k, v in expected_header.attrib.items() if k != "creationdate"}
    assert _props(header) == _props(expected_header)
    assert [_unit(tu) for tu in ours.iter("tu")] == [_unit(tu) for tu in theirs.iter("tu")]
    assert read_beads(beads_path) == list(bead_records(alignment))
    report.assert_loaded_nothing_and_ran_no_foreign_script()


def test_edits_give_a_valid_corrected_tmx_and_beads_file(seed_alignment, open_report, artifacts, tmp_path):
    by_src = {bead.src[0]: bead for bead in seed_alignment.beads if bead.src}
    assert [by_src[i].kind for i in (1, 2, 7, 8, 17, 19)] == ["1-1"] * 6
    assert [by_src[i].kind for i in (18, 20)] == ["1-0"] * 2
    linked_tgt = 36  # unaligned "The next director general-level meeting ..."
    assert next(b for b in seed_alignment.beads if linked_tgt in b.tgt).kind == "0-1"
    report = open_report(seed_alignment)
    page = report.page

    report.select(src=1); report.act("accept")
    report.select(src=2); report.act("reject")
    report.select(src=7); report.act("join-down")           # (7, 8) -> (21, 22): a 2-2 bead
    report.select(src=7); page.click("#beads > .row.current button.split[data-side=src]")  # split it back
    report.select(src=18); report.act("join-up")            # unaligned 18 joins the pair of 17: 2-1
    report.select(src=19); report.act("unlink")             # 19 <-> 34 becomes two unaligned segments
    report.select(src=20); report.act("link")
    report.select(tgt=linked_tgt); report.act("link")       # pairs unaligned 20 with unaligned 36
    assert page.inner_text("#message") == ""
    report.select(src=3); page.keyboard.press("a"); page.keyboard.press("z")  # accepted, then undone
    live = page.inner_text("#live")
    report.select(src=17)
    page.evaluate("document.querySelector('#beads > .row.current').scrollIntoView({block: 'center'})")
    page.screenshot(path=artifacts / "report-seed-edited.png")

    tmx_path = report.download("#download-tmx", artifacts)
    beads_path = report.download("#download-beads", artifacts)
    tree = validate_tmx(tmx_path)
    units = {tuple(_prop_values(unit)["x-source-segments"].split(",")): unit for unit in map(_unit, tree.iter("tu"))}
    assert len(units) == 18
    assert ("2",) not in units and ("19",) not in units and ("3",) in units
    assert _prop_values(units[("1",)])["x-confidence"] == "1.0000"
    assert _prop_values(units[("3",)])["x-confidence"] == f"{by_src[3].score:.4f}"
    for src, tgt, kind in ((("7",), "21", "1-1"), (("8",), "22", "1-1"), (("17", "18"), "33", "2-1"), (("20",), "36", "1-1")):
        props = _prop_values(units[src])
        assert (props["x-target-segments"], props["x-bead"], props["x-confidence"]) == (tgt, kind, "1.0000")
    ja = seed_alignment.src.texts
    assert units[("17", "18")]["segs"][0] == join_segments([ja[17], ja[18]], "ja")

    from translate.storage.tmx import tmxfile
    with open(tmx_path, "rb") as handle:
        store = tmxfile(handle, "ja", "en")
    assert [(u.source, u.target) for u in store.units] == [tuple(unit["segs"]) for unit in units.values()]

    records = read_beads(beads_path)
    _assert_beads_invariant(records, len(seed_alignment.src), len(seed_alignment.tgt))
    reviewed = {tuple(r["src"]): (r["tgt"], r.get("review"), r["score"], r["in_tmx"]) for r in records if r["src"]}
    assert reviewed[(1,)] == ([by_src[1].tgt[0]], "accepted", 1, True)
    assert reviewed[(2,)] == ([by_src[2].tgt[0]], "rejected", 0, False)
    assert reviewed[(3,)] == ([by_src[3].tgt[0]], None, by_src[3].score, True)
    assert reviewed[(19,)] == ([], "edited", 0, False)
    assert reviewed[(20,)] == ([linked_tgt], "edited", 1, True)
    # The live count: accepted and edited pairs are no longer expected wrong,
    # the untouched ones as their confidence says.
    expected_wrong = sum(1 - r["score"] for r in records if r["in_tmx"])
    assert live == f"18 translation units in the TMX · about {expected_wrong:.1f} expected wrong · 7 edits"
    assert expected_wrong < sum(1 - b.score for b in seed_alignment.translation_units())

    for _ in range(7):
        page.keyboard.press("z")
    assert page.inner_text("#live").endswith("· 0 edits")
    assert read_beads(report.download("#download-beads", tmp_path)) == list(bead_records(seed_alignment))
    report.assert_loaded_nothing_and_ran_no_foreign_script()


def test_a_rejected_pair_is_no_translation_unit_even_at_min_score_zero(seed_alignment, open_report):
    everything = replace(seed_alignment, min_score=0.0)  # every pair is a TU
    report = open_report(everything)
    report.select(src=2); report.act("reject")
    assert next(row for row in report.rows() if row["src"] == [2])["status"] == "rejected"
    assert report.page.inner_text("#live").startswith(f"{len(everything.pairs) - 1} translation units")
    report.assert_loaded_nothing_and_ran_no_foreign_script()


def test_link_is_refused_across_a_pair(seed_alignment, open_report):
    report = open_report(seed_alignment)
    report.select(src=18); report.act("link")
    report.select(tgt=0); report.act("link")  # pair beads lie between: refused, nothing changes
    assert "Cannot link" in report.page.inner_text("#message")
    assert report.page.inner_text("#live").endswith("· 0 edits")
    report.assert_loaded_nothing_and_ran_no_foreign_script()


def test_five_thousand_beads_open_filter_scroll_and_edit(open_report, artifacts):
    alignment = _long_alignment(5000)
    report = open_report(alignment)
    page = report.page
    figures = {
        "rows built (ms after navigation start)":
            page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"),
        "rows drawn (ms after navigation start)": page.evaluate(f"async () => {{ {_TWO_FRAMES} return performance.now(); }}"),
    }
    assert page.locator("#beads > .row").count() == 5000
    figures["filter doubtful only (ms)"] = page.evaluate(_TIMED_JS % (
        "document.querySelector('input[value=doubtful]').click();"))
    assert page.inner_text("#shown") == f"{sum(1 for b in alignment.pairs if b.score < 0.5)} of 5000 rows"
    figures["search (ms)"] = page.evaluate(_TIMED_JS % (
        "document.querySelector('input[value=all]').click(); const s = document.getElementById('search');"
        "s.value = 'sentence 4321 '; s.dispatchEvent(new Event('input'));"))
    assert page.inner_text("#shown") == "1 of 5000 rows"
    page.fill("#search", "")
    figures["scroll to the end (ms)"] = page.evaluate(_TIMED_JS % "window.scrollTo(0, document.body.scrollHeight);")
    figures["join two beads in the middle (ms)"] = page.evaluate(_TIMED_JS % (
        "const rows = document.querySelectorAll('#beads > .row'); rows[2500].firstChild.click();"
        "document.querySelector('#actions button[data-action=join-down]').click();"))
    assert page.locator("#beads > .row").count() == 4999
    assert page.locator("#beads > .row").nth(4998).locator(".cell.num").text_content() == "4999"
    page.screenshot(path=artifacts / "report-5000-beads.png")
    lines = [f"{name}: {value:.0f}" for name, value in figures.items()]
    (artifacts / "report-5000-beads.txt").write_text("\n".join(lines) + "\n", "utf-8")
    print("\n5,000-bead report in headless Chromium: " + "; ".join(lines))
    report.assert_loaded_nothing_and_ran_no_foreign_script()


_TWO_FRAMES = "await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));"
#: Runs a step, waits until the browser has drawn the result, and returns the milliseconds taken.
_TIMED_JS = "async () => { const t = performance.now(); %s " + _TWO_FRAMES + " return performance.now() - t; }"


def _long_alignment(count: int) -> Alignment:
    """A synthetic alignment of `count` beads: mostly pairs, some doubtful, some unaligned, some 2-1."""
    src, tgt, beads = [], [], []
    for n in range(count):
        kind = n % 10
        src_new = 0 if kind == 9 else 2 if kind == 7 else 1
        tgt_new = 0 if kind == 8 else 1
        s0, t0 = len(src), len(tgt)
        src += [f"これは{n}番目の文で、長い文書でもページが滑らかに動くことを確かめる。"] * src_new
        tgt += [f"This is sentence {n} of a long document, to check the page stays smooth."] * tgt_new
        score = 0.0 if not (src_new and tgt_new) else 0.35 if kind == 3 else 0.9
        beads.append(Bead(tuple(range(s0, len(src))), tuple(range(t0, len(tgt))), score))
    return make_alignment(src, tgt, beads)


def _props(element) -> list[tuple[str, str]]:
    return [(prop.get("type"), prop.text) for prop in element.findall("prop")]


def _prop_values(unit: dict) -> dict[str, str]:
    """The <prop> values of a unit as `_unit` gives it, by type."""
    return dict(unit["props"])


def _unit(tu) -> dict:
    """A <tu> as comparable data (its creationdate is the time of writing, so left out)."""
    return {"tuid": tu.get("tuid"), "props": _props(tu),
            "langs": [tuv.get(XML_LANG) for tuv in tu.findall("tuv")], "segs": [seg.text for seg in tu.iter("seg")]}


def _assert_beads_invariant(records: list[dict], src_count: int, tgt_count: int) -> None:
    """SPEC: every segment in exactly one bead, in document order, consecutive indices within a bead."""
    assert_each_segment_once([(record["src"], record["tgt"]) for record in records], src_count, tgt_count)
    for record in records:
        assert record["type"] == f"{len(record['src'])}-{len(record['tgt'])}"
        assert 0 <= record["score"] <= 1
