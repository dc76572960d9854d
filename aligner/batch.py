"""Batch: align many document pairs in one run, the model loaded once.

Pairs come from a folder or a list (see `discover_pairs`):

* a folder of `NAME.SRC.EXT` + `NAME.TGT.EXT` files (`report.ja.txt` +
  `report.en.html`), the language tags being the base codes of --src-lang and
  --tgt-lang;
* a folder with `SRC/` and `TGT/` subfolders (`ja/`, `en/`) holding files of
  the same name (extensions may differ: `ja/a.txt` + `en/a.html`);
* a TSV file of `src<TAB>tgt[<TAB>name]` lines, paths relative to the TSV's
  folder, `#` comments and blank lines ignored.

Each pair NAME gets OUTDIR/NAME.tmx, NAME.html and NAME.jsonl. A pair is up to
date, and skipped unless `force`, when all three exist and none is older than
either input; the writers are atomic, so existing means complete. A pair that
fails (unreadable, empty, wrong language, ...) is recorded with its reason and
the batch goes on. The optional merged TMX is rebuilt at the end from the
per-pair TMX files of every pair aligned or up to date, so it is the same
whichever pairs this run had to redo.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .data import base_language
from .errors import AlignerError, UsageError
from .pipeline import Aligner, write_outputs
from .tmx import write_merged_tmx

#: The three outputs of a pair, by suffix.
OUTPUT_SUFFIXES = (".tmx", ".html", ".jsonl")


@dataclass(frozen=True)
class DocumentPair:
    """Two documents to align, and the name their outputs are written under."""

    name: str
    src: Path
    tgt: Path
    #: Why discovery could not complete the pair (e.g. no target file); the pair then fails.
    problem: str | None = None

    def outputs(self, outdir: Path) -> tuple[Path, Path, Path]:
        """OUTDIR/NAME.tmx, NAME.html, NAME.jsonl."""
        return tuple(outdir / f"{self.name}{suffix}" for suffix in OUTPUT_SUFFIXES)  # type: ignore[return-value]


@dataclass(frozen=True)
class PairResult:
    pair: DocumentPair
    #: "aligned", "up to date" or "failed".
    status: str
    #: Translation units in the pair's TMX (0 when failed; not counted when up to date).
    units: int = 0
    #: How many of them to expect wrong (`Alignment.expected_wrong_units`).
    expected_wrong: float = 0.0
    segments: tuple[int, int] = (0, 0)
    error: str | None = None
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0


@dataclass
class BatchSummary:
    results: list[PairResult] = field(default_factory=list)
    seconds: float = 0.0
    merged: Path | None = None
    merged_units: int = 0

    def count(self, status: str) -> int:
        return sum(1 for result in self.results if result.status == status)

    @property
    def failed(self) -> list[PairResult]:
        return [result for result in self.results if result.status == "failed"]

    @property
    def units(self) -> int:
        """Translation units written in this run."""
        return sum(result.units for result in self.results)

    @property
    def expected_wrong(self) -> float:
        """How many of the units written in this run to expect wrong, by their confidence."""
        return sum(result.expected_wrong for result in self.results)

    def line(self) -> str:
        """One line for the end of a run: pairs, TUs, failures, time."""
        text = (f"{len(self.results)} pairs: {self.count('aligned')} aligned, {self.count('up to date')} up to date, "
                f"{self.count('failed')} failed; {self.units} translation units written "
                f"(about {self.expected_wrong:.1f} expected wrong)")
        if self.merged:
            text += f"; {self.merged_units} in the merged TMX {self.merged}"
        return text + f"; {self.seconds:.1f} s"


# ---------------------------------------------------------------- discovery

_CONVENTIONS = ("expected a TSV file of 'src<TAB>tgt[<TAB>name]' lines, or a folder with NAME.{src}.EXT + "
                "NAME.{tgt}.EXT files, or a folder with {src}/ and {tgt}/ subfolders of files with the same names")


def discover_pairs(source: str | os.PathLike[str], src_lang: str, tgt_lang: str) -> list[DocumentPair]:
    """The pairs of a folder or a TSV list, by the conventions of the module docs.

    Raises UsageError when INPUT is missing, holds no pairs, or two pairs
    would write to the same output names (caught before any work is done).
    """
    path = Path(source)
    src, tgt = base_language(src_lang), base_language(tgt_lang)
    conventions = _CONVENTIONS.format(src=src, tgt=tgt)
    if not path.exists():
        raise UsageError("no such file or folder", path, conventions)
    if path.is_dir():
        if src == tgt:
            raise UsageError(f"both languages are '{src}', so file names cannot tell the sides apart", path,
                             "list the pairs in a TSV file")
        if (path / src).is_dir() and (path / tgt).is_dir():
            pairs = _subfolder_pairs(path / src, path / tgt)
        else:
            pairs = _tagged_file_pairs(path, src, tgt)
    else:
        pairs = read_pair_list(path, src)
    if not pairs:
        raise UsageError("has no document pairs", path, conventions)
    return pairs


def read_pair_list(path: Path, src_lang: str) -> list[DocumentPair]:
    """Pairs from a TSV of `src<TAB>tgt[<TAB>name]` lines.

    Relative paths are relative to the TSV's folder, so a list travels with its
    documents. Without a name, a pair is named after its source file
    (`a/statement.ja.txt` -> `statement`), or after the file's folder when the
    file is named only by its language (`BDS00001/ja.txt` -> `BDS00001`).
    A missing document is not an error here: that pair fails, the rest run.
    """
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot be read as a UTF-8 TSV list: {getattr(error, 'strerror', None) or error}", path) from None
    pairs: list[DocumentPair] = []
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [value.strip() for value in line.split("\t")]
        if len(fields) not in (2, 3) or not all(fields):
            raise UsageError(f"line {number} is not 'src<TAB>tgt' or 'src<TAB>tgt<TAB>name'", path,
                             "separate the fields with one tab")
        src, tgt = (path.parent / value for value in fields[:2])
        name = fields[2] if len(fields) == 3 else _name_from_file(src, src_lang)
        if not name or name.startswith(".") or "/" in name or "\\" in name:
            raise UsageError(f"line {number}: '{name}' cannot name output files", path,
                             "give a name without slashes or leading dot in a third column")
        if name in lines:
            raise UsageError(f"lines {lines[name]} and {number} both name their outputs '{name}'", path,
                             "give each pair its own name in a third column")
        lines[name] = number
        pairs.append(DocumentPair(name, src, tgt))
    return pairs


def _name_from_file(path: Path, lang: str) -> str:
    parts = path.name.split(".")
    if len(parts) >= 3 and base_language(parts[-2]) == lang:
        stem = ".".join(parts[:-2])
    else:
        stem = ".".join(parts[:-1]) if len(parts) >= 2 else path.name
    if not stem or base_language(stem) == lang:
        return path.resolve().parent.name
    return stem


def _tagged_file_pairs(folder: Path, src: str, tgt: str) -> list[DocumentPair]:
    """NAME.SRC.EXT + NAME.TGT.EXT in one folder."""
    sides: dict[str, dict[str, Path]] = {src: {}, tgt: {}}
    for file in sorted(_visible_files(folder)):
        parts = file.name.split(".")
        if len(parts) < 3:
            continue
        lang, name = base_language(parts[-2]), ".".join(parts[:-2])
        if lang in sides and name:
            if name in sides[lang]:
                raise UsageError(f"two '{lang}' files for pair '{name}': {sides[lang][name].name} and {file.name}",
                                 folder, "keep one of them")
            sides[lang][name] = file
    return _match(sides[src], sides[tgt], f"{{name}}.{tgt}.*", f"{{name}}.{src}.*")


def _subfolder_pairs(src_folder: Path, tgt_folder: Path) -> list[DocumentPair]:
    """SRC/NAME.EXT + TGT/NAME.EXT (extensions may differ)."""
    sides = []
    for folder in (src_folder, tgt_folder):
        files: dict[str, Path] = {}
        for file in sorted(_visible_files(folder)):
            name = file.name.rsplit(".", 1)[0] if "." in file.name[1:] else file.name
            if name in files:
                raise UsageError(f"two files for pair '{name}': {files[name].name} and {file.name}", folder,
                                 "keep one of them")
            files[name] = file
        sides.append(files)
    return _match(sides[0], sides[1], f"{tgt_folder.name}/{{name}}.*", f"{src_folder.name}/{{name}}.*")


def _visible_files(folder: Path) -> Iterator[Path]:
    return (file for file in folder.iterdir() if file.is_file() and not file.name.startswith("."))


def _match(src: dict[str, Path], tgt: dict[str, Path], missing_tgt: str, missing_src: str) -> list[DocumentPair]:
    """Pairs by name; a file without its counterpart becomes a pair that fails, so it is not silently dropped."""
    pairs = []
    for name in sorted(set(src) | set(tgt)):
        if name in src and name in tgt:
            pairs.append(DocumentPair(name, src[name], tgt[name]))
        elif name in src:
            pairs.append(DocumentPair(name, src[name], src[name], problem=f"has no counterpart {missing_tgt.format(name=name)}"))
        else:
            pairs.append(DocumentPair(name, tgt[name], tgt[name], problem=f"has no counterpart {missing_src.format(name=name)}"))
    return pairs


# ---------------------------------------------------------------- running


def prepare_outdir(outdir: str | os.PathLike[str]) -> Path:
    """Create OUTDIR if needed; UsageError when it is a file or cannot be written."""
    path = Path(outdir)
    if path.exists() and not path.is_dir():
        raise UsageError("is a file, not a folder", path, "give a folder for the outputs with -o")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot be created: {error.strerror or error}", path, "choose another folder with -o") from None
    if not os.access(path, os.W_OK):
        raise UsageError("is not writable", path, "choose another folder with -o or fix its permissions")
    return path


def is_up_to_date(pair: DocumentPair, outdir: Path) -> bool:
    """All three outputs exist and none is older than either input."""
    try:
        inputs = max(pair.src.stat().st_mtime_ns, pair.tgt.stat().st_mtime_ns)
        return all(output.stat().st_mtime_ns >= inputs for output in pair.outputs(outdir))
    except OSError:
        return False


def run_batch(
    aligner: Aligner,
    pairs: list[DocumentPair],
    outdir: Path,
    merged: Path | None = None,
    force: bool = False,
    on_result: Callable[[PairResult], None] | None = None,
) -> BatchSummary:
    """Align every pair that is not up to date, write its outputs, then the merged TMX.

    The CLI's aligner has `wrong_language_fails` set, so that a file in the
    wrong language fails its pair instead of adding wrong units to the memory.
    `on_result` is called after each pair (progress, messages). A
    KeyboardInterrupt stops the batch at once: every file already written is
    complete, the one being written is removed, no merged TMX is written.
    """
    start = time.perf_counter()
    summary = BatchSummary(merged=merged)
    up_to_date = {pair.name for pair in pairs if not force and pair.problem is None and is_up_to_date(pair, outdir)}
    if any(pair.problem is None and pair.name not in up_to_date for pair in pairs):
        aligner.load()  # a model that cannot load stops the batch here, not once per pair
    for pair in pairs:
        if pair.name in up_to_date:
            result = PairResult(pair, "up to date")
        else:
            result = align_pair(aligner, pair, outdir)
        summary.results.append(result)
        if on_result:
            on_result(result)
    if merged:
        done = [result.pair for result in summary.results if result.status != "failed"]
        summary.merged_units = write_merged_tmx(
            ((pair.name, pair.outputs(outdir)[0]) for pair in done), merged,
            aligner.config.src_lang, aligner.config.model, aligner.config.min_score,
        )
    summary.seconds = time.perf_counter() - start
    return summary


def align_pair(aligner: Aligner, pair: DocumentPair, outdir: Path) -> PairResult:
    """Align one pair and write its three outputs; a problem with the pair becomes a failed result.

    Besides the errors the pipeline reports (AlignerError), any other exception
    fails only this pair: in a batch of thousands one document that trips a
    bug must not cost the others. Its type is named so that it can be reported.
    """
    start = time.perf_counter()
    if pair.problem:
        return PairResult(pair, "failed", error=f"{pair.src}: {pair.problem}")
    try:
        alignment = aligner.align_files(pair.src, pair.tgt)
        tmx, report, beads = pair.outputs(outdir)
        units = write_outputs(alignment, tmx, report, beads)
    except AlignerError as error:
        return PairResult(pair, "failed", error=str(error), seconds=time.perf_counter() - start)
    except Exception as error:  # noqa: BLE001 - see the docstring: one pair's bug must not stop the batch
        return PairResult(pair, "failed", error=f"{pair.src}: internal error {type(error).__name__}: {error} "
                          "(please report it with this document)", seconds=time.perf_counter() - start)
    return PairResult(pair, "aligned", units=units,
                      expected_wrong=alignment.expected_wrong_units(),
                      segments=(len(alignment.src), len(alignment.tgt)),
                      warnings=tuple(alignment.warnings), seconds=time.perf_counter() - start)
