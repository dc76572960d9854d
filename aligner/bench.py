"""`make bench`: time per stage, throughput, peak memory and growth with length; batch vs separate runs.

Three parts, each printed as it is measured:

1. the seed pair and the longest Kyoto Wikipedia article, per stage, with the
   model loaded once beforehand (load time reported apart);
2. long documents of about 1k, 2k, 4k, 10k and 50k sentences a side, made by
   concatenating whole Kyoto Wikipedia gold documents (one sentence per line,
   segmented for real, not --presplit), each aligned in a fresh process so
   that its peak memory is its own; then the growth exponent, the slope of
   log(time) against log(sentences) (1 = linear). Compared with the
   single-process configuration (one process splits and embeds, BLAS on all
   cores: how the pipeline ran before the segmentation worker) on the first
   size;
3. 150 WMT22 ja-en documents in one `aligner batch` run against 150 separate
   `aligner align` runs, estimated from a few measured ones (each loads the
   model), both as real subprocesses.

    python -m aligner.bench                          # everything (several minutes)
    python -m aligner.bench --sizes 1000,10000 --pairs 0
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .config import AlignConfig
from .data import Alignment
from .evaluate import ROOT, corpus_folder, non_empty_lines
from .pipeline import Aligner, write_outputs

STAGES = ("ingest", "segment", "embed", "align", "write")
DEFAULT_SIZES = (1000, 2000, 4000, 10000, 50000)
DEFAULT_PAIRS = 150
#: Separate `aligner align` runs measured to estimate the time of all of them.
SEPARATE_RUNS = 3


def kyoto_documents() -> list[Path]:
    folder = corpus_folder("ja-en/kyoto_wiki")
    return sorted(d for d in folder.iterdir() if (d / "ja.txt").exists()) if folder else []


def longest_kyoto_article() -> tuple[Path, Path] | None:
    docs = kyoto_documents()
    if not docs:
        return None
    longest = max(docs, key=lambda d: (d / "ja.txt").stat().st_size)
    return longest / "ja.txt", longest / "en.txt"


def timed_run(aligner: Aligner, src: Path, tgt: Path) -> Alignment:
    alignment = aligner.align_files(src, tgt)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        write_outputs(alignment, Path(folder) / "x.tmx", Path(folder) / "x.html", Path(folder) / "x.jsonl")
    alignment.timings["write"] = time.perf_counter() - start
    return alignment


# ---------------------------------------------------------------- 1. per stage


def stage_table(segment_in_worker: bool) -> None:
    start = time.perf_counter()
    with Aligner(AlignConfig(), segment_in_worker=segment_in_worker) as aligner:
        aligner.load()
        print(f"model and splitters loaded in {time.perf_counter() - start:.1f} s", flush=True)
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
                  + f" {total:8.2f} {segments / total:7.0f}", flush=True)
    print(f"peak memory {_peak_mb():.0f} MB (this process) + {_peak_mb(children=True):.0f} MB (segmentation worker)")


# ---------------------------------------------------------------- 2. long documents


def build_long_document(size: int, folder: Path) -> tuple[Path, Path]:
    """About `size` sentences a side: whole Kyoto Wikipedia documents, repeated from the start when needed."""
    docs = kyoto_documents()
    ja: list[str] = []
    en: list[str] = []
    k = 0
    while len(ja) < size:
        doc = docs[k % len(docs)]
        ja += non_empty_lines(doc / "ja.txt")
        en += non_empty_lines(doc / "en.txt")
        k += 1
    src, tgt = folder / f"long{size}.ja.txt", folder / f"long{size}.en.txt"
    src.write_text("\n".join(ja) + "\n", "utf-8")
    tgt.write_text("\n".join(en) + "\n", "utf-8")
    return src, tgt


def measure_document(src: str, tgt: str, segment_in_worker: bool) -> dict[str, object]:
    """Align one pair as the CLI does and return figures (runs inside the fresh process)."""
    start = time.perf_counter()
    with Aligner(AlignConfig(), segment_in_worker=segment_in_worker) as aligner:
        aligner.load()
        load = time.perf_counter() - start
        alignment = timed_run(aligner, Path(src), Path(tgt))
    return {"load": load, "timings": alignment.timings, "src": len(alignment.src), "tgt": len(alignment.tgt),
            "peak_mb": _peak_mb(), "worker_peak_mb": _peak_mb(children=True)}


def _measure_in_fresh_process(src: Path, tgt: Path, segment_in_worker: bool) -> dict[str, object]:
    command = [sys.executable, "-m", "aligner.bench", "--measure", str(src), str(tgt)]
    if not segment_in_worker:
        command.append("--single-process")
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"measuring {src.name} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def long_documents(sizes: list[int]) -> None:
    if not kyoto_documents():
        print("long documents: kyoto_wiki corpus not found; skipped")
        return
    print("\nlong documents (Kyoto Wikipedia articles concatenated), each in a fresh process; times in seconds")
    print(f"{'sentences':>9s} {'mode':>8s} {'segments':>13s} {'load':>6s} " + " ".join(f"{s:>7s}" for s in STAGES)
          + f" {'total':>7s} {'sent/s':>7s} {'peak MB':>13s}")
    points = []
    with tempfile.TemporaryDirectory() as folder:
        for number, size in enumerate(sizes):
            src, tgt = build_long_document(size, Path(folder))
            modes = [True, False] if number == 0 else [True]
            for worker in modes:
                figures = _measure_in_fresh_process(src, tgt, worker)
                timings = figures["timings"]
                total = sum(timings.get(s, 0.0) for s in STAGES)
                segments = figures["src"] + figures["tgt"]
                print(f"{size:>9d} {'worker' if worker else 'single':>8s} {figures['src']:>6d}+{figures['tgt']:<6d} "
                      f"{figures['load']:6.1f} " + " ".join(f"{timings.get(s, 0.0):7.2f}" for s in STAGES)
                      + f" {total:7.1f} {segments / total:7.0f} {figures['peak_mb']:6.0f}+{figures['worker_peak_mb']:<6.0f}",
                      flush=True)
                if worker:
                    points.append((segments, total))
    if len(points) >= 2:
        print(f"growth exponent (slope of log time vs log sentences, 1 = linear): {growth_exponent(points):.2f}")
    print("peak MB: the aligning process + the segmentation worker ('single': splitting and embedding in one process, "
          "BLAS on all cores)")


def growth_exponent(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of log(time) against log(size)."""
    xs = [math.log(size) for size, _ in points]
    ys = [math.log(seconds) for _, seconds in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


# ---------------------------------------------------------------- 3. batch


def batch_versus_separate(count: int) -> None:
    folder = corpus_folder("ja-en/wmt22_jaen")
    if count <= 0:
        return
    if folder is None:
        print("\nbatch: wmt22_jaen corpus not found; skipped")
        return
    docs = sorted(d for d in folder.iterdir() if (d / "ja.txt").exists())[:count]
    print(f"\nbatch of {len(docs)} WMT22 ja-en documents ({folder})", flush=True)
    with tempfile.TemporaryDirectory() as work:
        work_path = Path(work)
        pairs = work_path / "pairs.tsv"
        pairs.write_text("".join(f"{d / 'ja.txt'}\t{d / 'en.txt'}\t{d.name}\n" for d in docs), "utf-8")
        start = time.perf_counter()
        batch = subprocess.run([sys.executable, "-m", "aligner", "batch", str(pairs), "-o", str(work_path / "out"), "-q"],
                               capture_output=True, text=True, check=False)
        batch_seconds = time.perf_counter() - start
        if batch.returncode != 0:
            print(f"  the batch run failed: {batch.stderr.strip()}")
        separate = []
        for doc in docs[:SEPARATE_RUNS]:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "aligner", "align", str(doc / "ja.txt"), str(doc / "en.txt"),
                            "-o", str(work_path / "x.tmx"), "--report", str(work_path / "x.html"),
                            "--beads", str(work_path / "x.jsonl"), "-q"], capture_output=True, check=True)
            separate.append(time.perf_counter() - start)
    per_run = sum(separate) / len(separate)
    print(f"  one 'aligner batch' run:          {batch_seconds:7.1f} s ({batch_seconds / len(docs):.2f} s a pair, model loaded once)")
    print(f"  {len(docs)} separate 'aligner align' runs: {per_run * len(docs):7.1f} s, estimated: mean of "
          f"{len(separate)} measured runs ({per_run:.1f} s each, model load included) x {len(docs)}")
    print(f"  speed-up {per_run * len(docs) / batch_seconds:.0f}x")


# ---------------------------------------------------------------- main


def _peak_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of numbers") from None
    if any(size <= 0 for size in sizes):
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aligner.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=_sizes, default=list(DEFAULT_SIZES), metavar="N,N,...",
                        help="sentences a side of the long documents (default: %(default)s; '' for none)")
    parser.add_argument("--pairs", type=int, default=DEFAULT_PAIRS, metavar="N",
                        help="WMT22 documents in the batch comparison (default: %(default)s; 0 for none)")
    parser.add_argument("--measure", nargs=2, metavar=("SRC", "TGT"), help=argparse.SUPPRESS)
    parser.add_argument("--single-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:  # the fresh process of part 2
        print(json.dumps(measure_document(*args.measure, segment_in_worker=not args.single_process)))
        return 0
    print(f"{Path(sys.executable).name} on {_cores()} cores; load average {os.getloadavg()[0]:.1f} at the start")
    stage_table(segment_in_worker=True)
    if args.sizes:
        long_documents(args.sizes)
    batch_versus_separate(args.pairs)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
