"""The command line as users run it: a real subprocess, real files, exit codes per SPEC.

Bad input, bad options and Ctrl-C are in test_bad_input.py.
"""

from conftest import EN_SEED, JA_SEED
from helpers import read_beads, run_cli


def test_align_writes_tmx_report_and_beads(tmp_path):
    tmx, report, beads = tmp_path / "a.tmx", tmp_path / "a.html", tmp_path / "a.jsonl"
    result = run_cli("align", JA_SEED, EN_SEED, "-o", tmx, "--report", report, "--beads", beads)
    assert result.returncode == 0, result.stderr
    assert tmx.stat().st_size > 0 and report.stat().st_size > 0
    records = read_beads(beads)
    assert {"src", "tgt", "score"} <= set(records[0])
    assert "translation units" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "a.jsonl", "a.tmx"]  # no temporaries left


def test_without_outputs_the_beads_go_to_stdout(tmp_path):
    src, tgt = tmp_path / "ja.txt", tmp_path / "en.txt"
    src.write_text("猫が窓辺で眠っている。\n今日は雨が降った。\n", "utf-8")
    tgt.write_text("A cat is sleeping by the window.\nIt rained today.\n", "utf-8")
    result = run_cli("align", src, tgt, "--presplit", "-q")
    assert result.returncode == 0, result.stderr
    records = read_beads(result.stdout)
    assert [(r["src"], r["tgt"]) for r in records] == [([0], [0]), ([1], [1])]
    assert result.stderr == ""


def test_help_teaches_with_examples():
    result = run_cli("align", "--help")
    assert result.returncode == 0
    assert "examples:" in result.stdout and "--min-score" in result.stdout and "--presplit" in result.stdout
