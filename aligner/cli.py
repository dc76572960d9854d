"""Command line: parses arguments, calls the library, reports in one line.

No alignment logic lives here. Errors the user can fix are printed as one
line naming the file and the problem, with the exit status of SPEC.md:
0 success, 1 the run failed, 2 a usage error; never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Sequence, TypeVar

from . import __version__
from .config import DEFAULT_MIN_SCORE, AlignConfig
from .embed import DEFAULT_MODEL, check_model_name, coverage_warning
from .errors import AlignerError, UsageError
from .ingest import check_encoding

T = TypeVar("T")

ALIGN_EXAMPLES = """\
examples:
  aligner align statement-ja.txt statement-en.html -o memory.tmx --report review.html
      Japanese text (any common encoding) against an English web page; writes
      a TMX for your CAT tool and a report to review in a browser.
  aligner align statement-ja.pdf statement-en.pdf -o memory.tmx
      PDFs with a text layer: lines joined back into sentences, page numbers
      and running titles left out.
  aligner align ja.txt en.txt --presplit --beads -
      one sentence per line on both sides; the alignment as JSON Lines on stdout.
  aligner align de.txt fr.txt --src-lang de --tgt-lang fr -o de-fr.tmx --min-score 0.8
      any language pair the model covers; a stricter TMX.

Each bead's confidence is a probability that the pair is right, fitted on
Japanese-English, German-French and Chinese-English dev data (for other
language pairs, a guide). Pairs below --min-score stay out of the TMX but are
shown, marked doubtful, in the report.
"""

BATCH_EXAMPLES = """\
examples:
  aligner batch statements/ -o memories/ --merged all.tmx
      statements/ holds report.ja.txt + report.en.html, minutes.ja.txt +
      minutes.en.txt, ...; writes memories/report.tmx, report.html,
      report.jsonl, ... and one TMX with every pair's units.
  aligner batch pairs.tsv -o out/ --presplit -q
      pairs.tsv lists 'ja-path<TAB>en-path' (or '...<TAB>name') per line,
      relative to its own folder; '#' starts a comment.

Re-running skips pairs whose three outputs are newer than both inputs
(--force realigns them). Exit status 1 when any pair failed.
"""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line that says where to read more."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """What is left over is refused by the (sub)command that received it, in its own terms.

        (argparse would report it from the top-level parser, which knows none of the command's options.)
        """
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            raise self._unrecognized(extras)
        return parsed, extras

    def _unrecognized(self, extras: list[str]) -> UsageError:
        """Unknown options, listing the valid ones; arguments beyond the positionals, showing the usage."""
        positionals = [action.metavar if isinstance(action.metavar, str) else action.dest
                       for action in self._actions if not action.option_strings]
        usage = " ".join([self.prog, "[options]", *positionals])
        if any(self._is_option(token) for token in extras):
            options = [max(action.option_strings, key=len) for action in self._actions  # argparse has no public list
                       if action.option_strings and action.dest != "help"]
            hint = f"valid options: {', '.join(options)}"
            if not all(self._is_option(token) for token in extras):  # a stray argument, or an unknown option's value
                hint += f"; usage: '{usage}'"
        else:
            hint = f"{'an extra argument' if len(extras) == 1 else 'extra arguments'}: the usage is '{usage}'"
        return UsageError(f"unrecognized arguments: {' '.join(extras)}", hint=f"{hint}; see '{self.prog} --help'")

    def _is_option(self, token: str) -> bool:
        """Whether argparse reads `token` as an option: '-x', '--xx', not '-' (stdin) nor a negative number.

        The negative-number pattern is argparse's own, which differs between Python versions.
        """
        return token.startswith("-") and token != "-" and not self._negative_number_matcher.match(token)


def _score(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number; give a value from 0 to 1") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is out of range; give a value from 0 to 1")
    return value


def argument_type(check: Callable[[str], T]) -> Callable[[str], T]:
    """An argparse `type=` from a check that raises UsageError: argparse then reports a bad
    value as a usage error (exit 2) with the check's message and hint."""

    def convert(text: str) -> T:
        try:
            return check(text)
        except UsageError as error:
            raise argparse.ArgumentTypeError(f"{error.message}; {error.hint}" if error.hint else error.message) from None

    return convert


def _language(text: str) -> str:
    from .tmx import normalize_language

    try:
        return normalize_language(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="aligner",
        description="Align a document with its translation sentence by sentence, "
        "and write a translation memory (TMX), a review report (HTML) and the alignment (JSON Lines).",
    )
    parser.add_argument("--version", action="version", version=f"aligner {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    align = commands.add_parser(
        "align", help="align one document pair", description="Align one document with its translation.",
        epilog=ALIGN_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    align.add_argument("src", metavar="SRC", help="source document: plain text (UTF-8, Shift_JIS, EUC-JP, "
                       "ISO-2022-JP, UTF-16 with BOM), an HTML page or a PDF with a text layer")
    align.add_argument("tgt", metavar="TGT", help="target document, in the same formats")
    outputs = align.add_argument_group("outputs (with none of them, the beads go to stdout)")
    outputs.add_argument("-o", "--tmx", metavar="PATH", help="write a TMX 1.4b translation memory")
    outputs.add_argument("--report", metavar="PATH", help="write a self-contained HTML review report")
    outputs.add_argument("--beads", metavar="PATH", help="write the alignment as JSON Lines ('-' for stdout)")
    _add_alignment_options(align)

    batch = commands.add_parser(
        "batch", help="align many document pairs, the model loaded once",
        description="Align many document pairs: one TMX, report and beads file per pair in OUTDIR, "
        "and optionally one merged TMX. A pair that fails is reported and skipped; pairs whose outputs "
        "are newer than their inputs are skipped unless --force.",
        epilog=BATCH_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    batch.add_argument("input", metavar="INPUT", help="a folder of pairs (NAME.ja.EXT + NAME.en.EXT, or ja/ and en/ "
                       "subfolders with the same file names) or a TSV file of 'src<TAB>tgt[<TAB>name]' lines")
    batch_outputs = batch.add_argument_group("outputs")
    batch_outputs.add_argument("-o", "--outdir", metavar="OUTDIR", required=True,
                               help="folder for NAME.tmx, NAME.html and NAME.jsonl of each pair (created if missing)")
    batch_outputs.add_argument("--merged", metavar="PATH", help="also write one TMX with the units of all pairs")
    batch_outputs.add_argument("--force", action="store_true", help="realign pairs whose outputs are up to date")
    _add_alignment_options(batch)
    return parser


def _add_alignment_options(parser: argparse.ArgumentParser) -> None:
    """The options `align` and `batch` share, defined once."""
    languages = parser.add_argument_group("languages and input")
    languages.add_argument("--src-lang", type=_language, default="ja", metavar="CODE",
                           help="BCP-47 code of the source documents (default: ja)")
    languages.add_argument("--tgt-lang", type=_language, default="en", metavar="CODE",
                           help="BCP-47 code of the target documents (default: en)")
    languages.add_argument("--encoding", type=argument_type(check_encoding), metavar="NAME",
                           help="encoding of all inputs, e.g. cp932 or euc-jp (default: detected)")
    languages.add_argument("--presplit", action="store_true",
                           help="each non-empty line is one segment, as given: no cleanup, no sentence splitting")
    model = parser.add_argument_group("alignment")
    model.add_argument("--model", type=argument_type(check_model_name), default=DEFAULT_MODEL, metavar="NAME",
                       help=f"sentence-embedding model: {DEFAULT_MODEL} (default, bundled, offline), "
                       "e5-small (needs aligner[e5]), use+e5 (both, cosines averaged; needs aligner[e5], "
                       "~20x slower) or st:NAME_OR_PATH (a sentence-transformers model; needs aligner[st])")
    model.add_argument("--min-score", type=_score, default=DEFAULT_MIN_SCORE, metavar="X",
                       help=f"leave pairs below this confidence out of the TMX (default: {DEFAULT_MIN_SCORE})")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress, warnings or summary on stderr")


def _config(args: argparse.Namespace) -> AlignConfig:
    return AlignConfig(src_lang=args.src_lang, tgt_lang=args.tgt_lang, model=args.model,
                       min_score=args.min_score, presplit=args.presplit, encoding=args.encoding)


def _warn_about_model_coverage(args: argparse.Namespace) -> None:
    """Once per run, before the work: a language the model does not know aligns poorly."""
    warning = coverage_warning(args.model, [args.src_lang, args.tgt_lang])
    if warning and not args.quiet:
        print(f"aligner: warning: {warning}", file=sys.stderr)


def run_align(args: argparse.Namespace) -> int:
    from .outputs import check_writable
    from .pipeline import Aligner, write_outputs

    beads_path = args.beads or (None if (args.tmx or args.report) else "-")
    for path in (args.tmx, args.report, beads_path):
        if path and path != "-":
            check_writable(path)
    _warn_about_model_coverage(args)
    with Aligner(_config(args), progress=not args.quiet, segment_in_worker=True) as aligner:
        alignment = aligner.align_files(args.src, args.tgt)
    units = write_outputs(alignment, args.tmx, args.report, beads_path)
    written = []
    if args.tmx:
        written.append(f"{units} translation units (about {alignment.expected_wrong_units():.1f} expected wrong) "
                       f"to {args.tmx}")
    if args.report:
        written.append(f"report to {args.report}")
    if beads_path and beads_path != "-":
        written.append(f"beads to {beads_path}")
    if not args.quiet:
        for warning in alignment.warnings:
            print(f"aligner: warning: {warning}", file=sys.stderr)
        pairs = len(alignment.pairs)
        doubtful = pairs - len(alignment.translation_units())
        print(f"aligner: {Path(args.src).name} ({len(alignment.src)} segments) ↔ {Path(args.tgt).name} "
              f"({len(alignment.tgt)} segments): {pairs} pairs, {doubtful} below --min-score"
              + (f"; wrote {', '.join(written)}" if written else ""), file=sys.stderr)
    return 0


def run_batch(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from . import batch
    from .outputs import check_writable
    from .pipeline import Aligner

    pairs = batch.discover_pairs(args.input, args.src_lang, args.tgt_lang)
    outdir = batch.prepare_outdir(args.outdir)
    merged = check_writable(args.merged) if args.merged else None
    _warn_about_model_coverage(args)
    aligner = Aligner(_config(args), wrong_language_fails=True, segment_in_worker=True)
    with aligner, tqdm(total=len(pairs), desc="pairs", unit="pair", disable=args.quiet, file=sys.stderr) as bar:
        def report(result: batch.PairResult) -> None:
            bar.update()
            if result.status == "failed":
                bar.write(f"aligner: error: pair '{result.pair.name}': {result.error}", file=sys.stderr)
            elif not args.quiet:
                for warning in result.warnings:
                    bar.write(f"aligner: warning: pair '{result.pair.name}': {warning}", file=sys.stderr)

        summary = batch.run_batch(aligner, pairs, outdir, merged, args.force, report)
    if not args.quiet:
        print(f"aligner: batch: {summary.line()}", file=sys.stderr)
    return 1 if summary.failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "align":
            return run_align(args)
        if args.command == "batch":
            return run_batch(args)
        raise UsageError(f"unknown command '{args.command}'")
    except AlignerError as error:
        print(f"aligner: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("aligner: interrupted; no output was left half-written", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `aligner align ... | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
