"""Write the alignment as JSON Lines: one bead per line, in document order (SPEC.md).

Besides the required `src`, `tgt` and `score`, each line carries the bead type
and both texts, so that a script can read a result without the inputs.
"""

from __future__ import annotations

import json
import os
from typing import Iterable, TextIO

from .data import Alignment
from .outputs import atomic_writer


def bead_records(alignment: Alignment) -> Iterable[dict[str, object]]:
    for bead in alignment.beads:
        src_text, tgt_text = alignment.bead_texts(bead)
        yield {
            "src": list(bead.src),
            "tgt": list(bead.tgt),
            "score": bead.score,
            "type": bead.kind,
            "in_tmx": alignment.in_tmx(bead),
            "src_text": src_text,
            "tgt_text": tgt_text,
        }


def write_beads_to(alignment: Alignment, handle: TextIO) -> None:
    for record in bead_records(alignment):
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def write_beads(alignment: Alignment, path: str | os.PathLike[str]) -> None:
    """Write the beads file atomically; `-` writes to stdout."""
    with atomic_writer(path) as handle:
        write_beads_to(alignment, handle)
