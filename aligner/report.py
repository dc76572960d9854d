"""Write a self-contained HTML report for a person to review and correct an alignment.

One file, no network: both documents side by side in document order, one row
per bead with its confidence, doubtful pairs and unaligned segments coloured
and filterable, and editing (accept, reject, join, split, re-link) with the
corrected TMX and beads downloaded from the page itself.

The page's script builds the rows from the alignment embedded as JSON, with
`textContent` only, so a segment is always text, never markup or script. The
JSON is escaped so that no segment can close its `<script>` block, and the
Content-Security-Policy allows exactly one script, named by its SHA-256 hash.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
from collections import Counter
from pathlib import PurePath

from jinja2 import Environment, PackageLoader, Template, select_autoescape
from markupsafe import Markup

from .data import Alignment, SegmentedDocument, segment_separator
from .outputs import atomic_writer
from .tmx import TMX_VERSION, header_element, normalize_language

#: What the page may not let through literally inside its JSON block: `</script>`
#: or `<!--` would end or confuse the block. JSON allows these escapes anywhere in a string.
_JSON_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


@functools.lru_cache(maxsize=1)
def _template() -> Template:
    """The compiled page template: built once, not once per report (a batch writes thousands)."""
    environment = Environment(loader=PackageLoader("aligner", "templates"), autoescape=select_autoescape(default=True))
    environment.filters["csp_hash"] = csp_hash
    return environment.get_template("report.html.j2")


def render_report(alignment: Alignment) -> str:
    template = _template()
    pairs = alignment.pairs
    units = len(alignment.translation_units())
    histogram = [0] * 10
    for bead in pairs:
        histogram[min(int(bead.score * 10), 9)] += 1
    return template.render(
        src_name=alignment.src.document.name,
        tgt_name=alignment.tgt.document.name,
        src_lang=alignment.src.document.lang,
        tgt_lang=alignment.tgt.document.lang,
        src_count=len(alignment.src),
        tgt_count=len(alignment.tgt),
        model=alignment.model,
        settings=alignment.settings,
        min_score=alignment.min_score,
        tmx_count=units,
        expected_wrong=alignment.expected_wrong_units(),
        doubtful_count=len(pairs) - units,
        unaligned_src=sum(len(bead.src) for bead in alignment.beads if not bead.tgt),
        unaligned_tgt=sum(len(bead.tgt) for bead in alignment.beads if not bead.src),
        kinds=sorted(Counter(bead.kind for bead in alignment.beads).items(), key=lambda item: -item[1]),
        histogram=histogram,
        histogram_max=max(histogram) or 1,
        warnings=alignment.warnings,
        page_data=Markup(json.dumps(page_data(alignment), ensure_ascii=False).translate(_JSON_ESCAPES)),
    )


def page_data(alignment: Alignment) -> dict[str, object]:
    """Everything the page's script needs to show, edit and export the alignment."""
    return {
        "src": _side(alignment.src),
        "tgt": _side(alignment.tgt),
        "beads": [{"src": list(bead.src), "tgt": list(bead.tgt), "score": bead.score} for bead in alignment.beads],
        "minScore": alignment.min_score,
        "tmx": _tmx_header(alignment),
        "downloadName": PurePath(alignment.src.document.name).stem + ".reviewed",
    }


def _side(side: SegmentedDocument) -> dict[str, object]:
    lang = side.document.lang
    return {
        "name": side.document.name,
        "lang": normalize_language(lang),
        # As data.join_segments joins sentences, so the page's TMX and beads texts are the same.
        "separator": segment_separator(lang),
        "segments": side.texts,
    }


def _tmx_header(alignment: Alignment) -> dict[str, object]:
    """The <tmx> version and <header> that tmx.py writes, so the corrected TMX has exactly the same ones."""
    header = header_element(normalize_language(alignment.src.document.lang), alignment.model,
                            alignment.min_score, created="")
    return {
        "version": TMX_VERSION,
        "attributes": dict(header.attrib),
        "props": [[prop.get("type"), prop.text or ""] for prop in header.findall("prop")],
    }


def csp_hash(script: str) -> str:
    """The CSP source that allows exactly this inline script and no other."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def write_report(alignment: Alignment, path: str | os.PathLike[str]) -> None:
    html = render_report(alignment)
    with atomic_writer(path) as handle:
        handle.write(html)
