"""`make bench`: wall time per stage (ingest, segment, embed, align, write).

Runs the real pipeline on the bundled seed pair and on the longest Kyoto
Wikipedia article found (project copy or the shared corpora), with the model
loaded once beforehand so that load time is reported apart.

    python -m aligner.bench
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from .beads import write_beads
from .config import AlignConfig
from .data import Alignment
from .evaluate import CORPUS_ROOTS, ROOT
from .pipeline import Aligner
from .report import write_report
from .tmx import write_tmx

STAGES = ("ingest", "segment", "embed", "align", "write")


def longest_kyoto_article() -> tuple[Path, Path] | None:
    for root in CORPUS_ROOTS:
        folder = root / "ja-en" / "kyoto_wiki"
        if folder.is_dir():
            docs = [d for d in folder.iterdir() if (d / "ja.txt").exists()]
            longest = max(docs, key=lambda d: (d / "ja.txt").stat().st_size)
            return longest / "ja.txt", longest / "en.txt"
    return None


def timed_run(aligner: Aligner, src: Path, tgt: Path) -> Alignment:
    alignment = aligner.align_files(src, tgt)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        write_tmx(alignment, Path(folder) / "x.tmx")
        write_report(alignment, Path(folder) / "x.html")
        write_beads(alignment, Path(folder) / "x.jsonl")
    alignment.timings["write"] = time.perf_counter() - start
    return alignment


def main() -> int:
    start = time.perf_counter()
    aligner = Aligner(AlignConfig())
    aligner.embedder.embed(["warm-up"])
    aligner.splitter("ja").split("準備。")
    aligner.splitter("en").split("Warm up.")
    print(f"model and splitters loaded in {time.perf_counter() - start:.1f} s")
    cases = [("seed pair ied10", ROOT / "corpora/seeds/ied10-mic-ja.txt", ROOT / "corpora/seeds/ied10-meti-en.txt")]
    kyoto = longest_kyoto_article()
    if kyoto:
        cases.append((f"kyoto_wiki/{kyoto[0].parent.name}", *kyoto))
    print(f"{'document':24s} {'segments':>15s} " + " ".join(f"{s:>8s}" for s in STAGES) + f" {'total':>8s} {'seg/s':>7s}")
    for name, src, tgt in cases:
        alignment = timed_run(aligner, src, tgt)
        total = sum(alignment.timings.get(s, 0.0) for s in STAGES)
        segments = len(alignment.src) + len(alignment.tgt)
        print(f"{name:24s} {len(alignment.src):>7d}+{len(alignment.tgt):<7d} "
              + " ".join(f"{alignment.timings.get(s, 0.0):8.2f}" for s in STAGES)
              + f" {total:8.2f} {segments / total:7.0f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB; times in seconds; {Path(sys.executable).name} on {_cores()} cores")
    return 0


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
