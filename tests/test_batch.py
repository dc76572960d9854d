"""Batch runs on real documents: pair discovery, failures, up-to-date skips, merged TMX, Ctrl-C."""

import os
import shutil
import signal
import time
from dataclasses import replace
from pathlib import Path

import pytest

from aligner.batch import DocumentPair, discover_pairs, is_up_to_date, prepare_outdir, run_batch
from aligner.errors import UsageError

from helpers import EN_SEED, JA_SEED, ROOT, assert_one_clear_error, read_beads, run_cli, validate_tmx

GOLD = ROOT / "corpora" / "gold" / "ja-en"
#: Small real article pairs (Kyoto Wikipedia, NTREX news), a few sentences each.
SMALL_DOCS = [GOLD / "kyoto_wiki" / "HST01053", GOLD / "ntrex_enja" / "bbc.381694", GOLD / "ntrex_enja" / "reuters.218882"]


@pytest.fixture(scope="module")
def batch_aligner(aligner):
    """The session's aligner (model already loaded), with the batch's strict language check."""
    return replace(aligner, wrong_language_fails=True)


def _tagged_folder(folder: Path) -> Path:
    """NAME.ja.txt + NAME.en.txt files: the seed pair and the small gold documents."""
    folder.mkdir()
    shutil.copy(JA_SEED, folder / "ied10.ja.txt")
    shutil.copy(EN_SEED, folder / "ied10.en.txt")
    for doc in SMALL_DOCS:
        shutil.copy(doc / "ja.txt", folder / f"{doc.name}.ja.txt")
        shutil.copy(doc / "en.txt", folder / f"{doc.name}.en.txt")
    return folder


def _mtimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


# ---------------------------------------------------------------- discovery


def test_tagged_files_pair_by_name_and_a_file_without_counterpart_fails(tmp_path):
    folder = _tagged_folder(tmp_path / "in")
    (folder / "orphan.ja.txt").write_text("対になる英語がない。\n", "utf-8")
    (folder / "README.md").write_text("not a document of any pair\n", "utf-8")
    pairs = discover_pairs(folder, "ja", "en")
    assert [p.name for p in pairs] == sorted(["ied10", "orphan"] + [d.name for d in SMALL_DOCS])
    ied10 = next(p for p in pairs if p.name == "ied10")
    assert (ied10.src.name, ied10.tgt.name, ied10.problem) == ("ied10.ja.txt", "ied10.en.txt", None)
    orphan = next(p for p in pairs if p.name == "orphan")
    assert orphan.problem == "has no counterpart orphan.en.*"


def test_language_subfolders_pair_files_of_the_same_name(tmp_path):
    (tmp_path / "ja").mkdir()
    (tmp_path / "en").mkdir()
    shutil.copy(JA_SEED, tmp_path / "ja" / "ied10.txt")
    shutil.copy(EN_SEED, tmp_path / "en" / "ied10.html")  # extensions may differ
    shutil.copy(EN_SEED, tmp_path / "en" / "extra.txt")
    pairs = discover_pairs(tmp_path, "ja-JP", "en")
    assert [(p.name, p.src.parent.name, p.tgt.name, p.problem) for p in pairs] == [
        ("extra", "en", "extra.txt", "has no counterpart ja/extra.*"),
        ("ied10", "ja", "ied10.html", None),
    ]


def test_tsv_paths_are_relative_to_the_list_with_comments_names_and_missing_files(tmp_path):
    (tmp_path / "docs").mkdir()
    tsv = tmp_path / "docs" / "pairs.tsv"
    tsv.write_text(
        "# source\ttarget\tname\n"
        "\n"
        f"{GOLD / 'kyoto_wiki/HST01053/ja.txt'}\t{GOLD / 'kyoto_wiki/HST01053/en.txt'}\n"
        "statement.ja.txt\t../en/statement.html\n"
        "a.txt\tb.txt\tmy pair\n"
        "missing.ja.txt\tmissing.en.txt\n", "utf-8")
    pairs = discover_pairs(tsv, "ja", "en")
    assert [p.name for p in pairs] == ["HST01053", "statement", "my pair", "missing"]
    assert pairs[1].src == tmp_path / "docs" / "statement.ja.txt"
    assert pairs[1].tgt == tmp_path / "docs" / ".." / "en" / "statement.html"


@pytest.mark.parametrize("content, message", [
    ("a/ja.txt\ta/en.txt\nb/a.ja.txt\tb/a.en.txt\n", "lines 1 and 2 both name their outputs 'a'"),
    ("only-one-column.txt\n", "line 1 is not 'src<TAB>tgt'"),
    ("x.txt\ty.txt\t../escape\n", "cannot name output files"),
    ("# nothing but a comment\n", "has no document pairs"),
])
def test_a_bad_tsv_is_a_usage_error_naming_the_line(tmp_path, content, message):
    tsv = tmp_path / "pairs.tsv"
    tsv.write_text(content, "utf-8")
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        discover_pairs(tsv, "ja", "en")


def test_a_folder_without_pairs_says_which_conventions_were_expected(tmp_path):
    (tmp_path / "notes.txt").write_text("hello\n", "utf-8")
    with pytest.raises(UsageError) as error:
        discover_pairs(tmp_path, "ja", "en")
    assert "has no document pairs" in str(error.value)
    assert "NAME.ja.EXT + NAME.en.EXT" in str(error.value) and "ja/ and en/ subfolders" in str(error.value)


def test_outdir_that_is_a_file_is_a_usage_error(tmp_path):
    afile = tmp_path / "out"
    afile.write_text("", "utf-8")
    with pytest.raises(UsageError, match="is a file"):
        prepare_outdir(afile)
    assert prepare_outdir(tmp_path / "new" / "out").is_dir()


# ---------------------------------------------------------------- runs


def test_batch_writes_every_pair_and_a_valid_merged_tmx_with_all_their_units(batch_aligner, tmp_path):
    pairs = discover_pairs(_tagged_folder(tmp_path / "in"), "ja", "en")
    outdir, merged = tmp_path / "out", tmp_path / "all.tmx"
    outdir.mkdir()
    summary = run_batch(batch_aligner, pairs, outdir, merged)
    assert [r.status for r in summary.results] == ["aligned"] * len(pairs)
    assert sorted(p.name for p in outdir.iterdir()) == sorted(
        f"{p.name}{suffix}" for p in pairs for suffix in (".tmx", ".html", ".jsonl"))
    per_pair = {p.name: len(validate_tmx(p.outputs(outdir)[0]).findall("body/tu")) for p in pairs}
    assert all(count > 0 for count in per_pair.values()), per_pair
    assert {r.pair.name: r.units for r in summary.results} == per_pair
    # How many units to expect wrong: what the TMX files' confidences (4 decimals) add up to.
    confidences = [float(prop.text) for p in pairs for prop in validate_tmx(p.outputs(outdir)[0]).iter("prop")
                   if prop.get("type") == "x-confidence"]
    assert abs(summary.expected_wrong - sum(1 - c for c in confidences)) < 1e-3 * len(confidences)
    assert f"translation units written (about {summary.expected_wrong:.1f} expected wrong)" in summary.line()

    tree = validate_tmx(merged)
    units = tree.findall("body/tu")
    assert len(units) == summary.merged_units == sum(per_pair.values())
    assert [u.get("tuid") for u in units] == [str(k) for k in range(1, len(units) + 1)]
    by_pair = {}
    for unit in units:
        props = {prop.get("type"): prop.text for prop in unit.findall("prop")}
        by_pair.setdefault(props["x-pair"], set()).add(props["x-source-document"])
    assert by_pair == {p.name: {p.src.name} for p in pairs}
    assert tree.find("header").get("srclang") == "ja"


def test_second_run_skips_up_to_date_pairs_touch_redoes_one_force_redoes_all(batch_aligner, tmp_path):
    pairs = discover_pairs(_tagged_folder(tmp_path / "in"), "ja", "en")[:3]
    outdir, merged = tmp_path / "out", tmp_path / "all.tmx"
    outdir.mkdir()
    first = run_batch(batch_aligner, pairs, outdir, merged)
    before = _mtimes(outdir)
    assert all(is_up_to_date(p, outdir) for p in pairs)

    second = run_batch(batch_aligner, pairs, outdir, merged)
    assert [r.status for r in second.results] == ["up to date"] * 3
    assert _mtimes(outdir) == before
    assert second.merged_units == first.merged_units  # rebuilt from the per-pair files
    assert len(validate_tmx(merged).findall("body/tu")) == first.merged_units

    later = time.time() + 5
    os.utime(pairs[1].tgt, (later, later))
    third = run_batch(batch_aligner, pairs, outdir, merged)
    assert [r.status for r in third.results] == ["up to date", "aligned", "up to date"]
    after = _mtimes(outdir)
    for pair in pairs:
        changed = [after[o.name] != before[o.name] for o in pair.outputs(outdir)]
        assert changed == [pair is pairs[1]] * 3

    forced = run_batch(batch_aligner, pairs, outdir, merged, force=True)
    assert [r.status for r in forced.results] == ["aligned"] * 3


def test_pairs_that_fail_are_reported_and_the_others_complete(batch_aligner, tmp_path):
    folder = _tagged_folder(tmp_path / "in")
    (folder / "empty.ja.txt").write_text("\n \n", "utf-8")
    shutil.copy(EN_SEED, folder / "empty.en.txt")
    shutil.copy(EN_SEED, folder / "english.ja.txt")  # wrong language on the Japanese side
    shutil.copy(EN_SEED, folder / "english.en.txt")
    pairs = discover_pairs(folder, "ja", "en")
    outdir = tmp_path / "out"
    outdir.mkdir()
    summary = run_batch(batch_aligner, pairs, outdir, tmp_path / "all.tmx")
    failed = {r.pair.name: r.error for r in summary.failed}
    assert set(failed) == {"empty", "english"}
    assert "empty.ja.txt: has no text" in failed["empty"]
    assert "english.ja.txt: expected language 'ja' but the text looks like a Latin-script language" in failed["english"]
    assert summary.count("aligned") == len(pairs) - 2
    assert not any(outdir.glob("empty.*")) and not any(outdir.glob("english.*"))
    assert "2 failed" in summary.line()


# ---------------------------------------------------------------- command line


def test_cli_exit_1_when_a_pair_fails_naming_it_with_the_others_written(tmp_path):
    tsv = tmp_path / "pairs.tsv"
    tsv.write_text(f"{JA_SEED}\t{EN_SEED}\tied10\n"
                   f"{SMALL_DOCS[0] / 'ja.txt'}\t{SMALL_DOCS[0] / 'en.txt'}\n"
                   f"gone.ja.txt\t{EN_SEED}\tgone\n", "utf-8")
    result = run_cli("batch", tsv, "-o", tmp_path / "out", "--merged", tmp_path / "out" / "all.tmx", timeout=600)
    stderr = result.stderr
    assert result.returncode == 1, stderr
    assert f"pair 'gone': {tmp_path / 'gone.ja.txt'}: no such file" in stderr
    assert "3 pairs: 2 aligned, 0 up to date, 1 failed" in stderr
    assert "Traceback" not in stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "HST01053.html", "HST01053.jsonl", "HST01053.tmx", "all.tmx", "ied10.html", "ied10.jsonl", "ied10.tmx"]


def test_cli_usage_errors_exit_2_in_one_line(tmp_path):
    pairs = _tagged_folder(tmp_path / "pairs")
    afile = tmp_path / "file.txt"
    afile.write_text("x", "utf-8")
    for source, outdir, message in [
        (tmp_path / "nothing-here", tmp_path / "out", "no such file or folder"),
        (JA_SEED.parent, tmp_path / "out", "has no document pairs"),  # the seeds are not named NAME.ja.txt
        (pairs, afile, "is a file, not a folder"),
    ]:
        assert_one_clear_error(run_cli("batch", source, "-o", outdir, timeout=120), 2, message)


def test_ctrl_c_mid_batch_exits_1_promptly_leaving_only_complete_files(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    kyoto = sorted((GOLD / "kyoto_wiki").iterdir(), key=lambda d: (d / "ja.txt").stat().st_size)[-12:]
    for doc in kyoto:  # a dozen long articles: far more work than the test waits for
        shutil.copy(doc / "ja.txt", folder / f"{doc.name}.ja.txt")
        shutil.copy(doc / "en.txt", folder / f"{doc.name}.en.txt")
    outdir = tmp_path / "out"
    process = run_cli("batch", folder, "-o", outdir, "--merged", outdir / "all.tmx", "-q", background=True)
    deadline = time.monotonic() + 300
    while not any(outdir.glob("*.tmx")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    assert process.poll() is None, "the batch ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "interrupted" in stderr and "Traceback" not in stderr
    names = [p.name for p in outdir.iterdir()]
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")], names
    assert "all.tmx" not in names and len(names) < 3 * len(kyoto)
    for path in outdir.glob("*.tmx"):
        validate_tmx(path)
    for path in outdir.glob("*.jsonl"):
        read_beads(path)  # complete records only


def test_batch_help_documents_the_conventions():
    result = run_cli("batch", "--help", timeout=60)
    stdout = result.stdout
    assert result.returncode == 0
    for text in ("NAME.ja.EXT", "src<TAB>tgt", "--merged", "--force", "--min-score", "--presplit"):
        assert text in stdout


def test_document_pair_outputs_are_named_after_the_pair(tmp_path):
    pair = DocumentPair("report", tmp_path / "a.ja.txt", tmp_path / "a.en.txt")
    assert [p.name for p in pair.outputs(tmp_path)] == ["report.tmx", "report.html", "report.jsonl"]

