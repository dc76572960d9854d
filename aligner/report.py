"""Write a self-contained HTML report for a person to review an alignment.

One file, no network: both documents side by side in document order, one row
per bead with its confidence, doubtful pairs and unaligned segments coloured
and filterable. Document text is always escaped by Jinja2's autoescape: a
segment is data, never markup or script.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, select_autoescape

from .data import Alignment, Bead
from .outputs import atomic_writer

#: Pairs below --min-score are doubtful; below this they are marked as likely wrong.
LOW_SCORE = 0.2


@dataclass(frozen=True)
class ReportRow:
    number: int
    status: str
    paired: bool
    score: float
    kind: str
    src: list[tuple[int, str]]
    tgt: list[tuple[int, str]]


def bead_status(bead: Bead, min_score: float) -> str:
    """good (in the TMX), doubtful (below --min-score), low (likely wrong) or unaligned."""
    if not bead.is_pair:
        return "unaligned"
    if bead.score >= min_score:
        return "good"
    return "low" if bead.score < LOW_SCORE else "doubtful"


def render_report(alignment: Alignment) -> str:
    environment = Environment(loader=PackageLoader("aligner", "templates"), autoescape=select_autoescape(default=True))
    template = environment.get_template("report.html.j2")
    src_segments, tgt_segments = alignment.src.segments, alignment.tgt.segments
    rows = [
        ReportRow(
            number=number,
            status=bead_status(bead, alignment.min_score),
            paired=bead.is_pair,
            score=bead.score,
            kind=bead.kind,
            src=[(i, src_segments[i].text) for i in bead.src],
            tgt=[(j, tgt_segments[j].text) for j in bead.tgt],
        )
        for number, bead in enumerate(alignment.beads, start=1)
    ]
    pairs = alignment.pairs
    histogram = [0] * 10
    for bead in pairs:
        histogram[min(int(bead.score * 10), 9)] += 1
    return template.render(
        src_name=alignment.src.document.name,
        tgt_name=alignment.tgt.document.name,
        src_lang=alignment.src.document.lang,
        tgt_lang=alignment.tgt.document.lang,
        src_count=len(src_segments),
        tgt_count=len(tgt_segments),
        model=alignment.model,
        settings=alignment.settings,
        min_score=alignment.min_score,
        tmx_count=len(alignment.translation_units()),
        doubtful_count=sum(1 for bead in pairs if bead.score < alignment.min_score),
        unaligned_src=sum(len(bead.src) for bead in alignment.beads if not bead.tgt),
        unaligned_tgt=sum(len(bead.tgt) for bead in alignment.beads if not bead.src),
        kinds=sorted(Counter(bead.kind for bead in alignment.beads).items(), key=lambda item: -item[1]),
        histogram=histogram,
        histogram_max=max(histogram) or 1,
        warnings=alignment.warnings,
        rows=rows,
    )


def write_report(alignment: Alignment, path: str | os.PathLike[str]) -> None:
    html = render_report(alignment)
    with atomic_writer(path) as handle:
        handle.write(html)
