"""Argument parsing of the command line: what is left over or malformed is refused, in whose words.

Parsing runs in-process through `cli.main` (it prints the error and returns the
exit status, as the real CLI does); one test runs the real CLI in a subprocess.
"""

from __future__ import annotations

import pytest

from aligner import cli
from aligner.errors import UsageError
from aligner.ingest import check_encoding, decode, read_document

from helpers import run_cli


def error_line(capsys, *argv: str) -> str:
    """`aligner ARGV...` in-process: assert exit status 2 and one 'aligner: error:' line; return that line."""
    status = cli.main(list(argv))
    stderr = capsys.readouterr().err
    assert status == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("aligner: error: "), stderr
    return lines[0]


# ---------------------------------------------------------------- what is left over, refused by its receiver


@pytest.mark.parametrize("argv, extra, usage", [
    (["align", "ja.txt", "en.txt", "c"], "c (an extra argument", "aligner align [options] SRC TGT"),
    (["align", "ja.txt", "en.txt", "c", "d"], "c d (extra arguments", "aligner align [options] SRC TGT"),
    (["align", "ja.txt", "en.txt", "-1"], "-1 (an extra argument", "aligner align [options] SRC TGT"),
    (["batch", "in", "-o", "out", "extra"], "extra (an extra argument", "aligner batch [options] INPUT"),
])
def test_a_stray_argument_is_called_extra_and_shows_the_usage(capsys, argv, extra, usage):
    line = error_line(capsys, *argv)
    command = argv[0]
    assert f"unrecognized arguments: {extra}: the usage is '{usage}'; see 'aligner {command} --help')" in line
    assert "valid options" not in line


@pytest.mark.parametrize("argv, command", [
    (["align", "ja.txt", "en.txt", "--frobnicate"], "align"),
    (["batch", "in", "-o", "out", "--frobnicate"], "batch"),
])
def test_an_unknown_option_after_the_command_lists_that_commands_options(capsys, argv, command):
    """The README's message, unchanged."""
    line = error_line(capsys, *argv)
    assert line.startswith("aligner: error: unrecognized arguments: --frobnicate (valid options: --")
    assert line.endswith(f"; see 'aligner {command} --help')")
    own = "--tmx" if command == "align" else "--outdir"
    assert own in line and "--version" not in line and "usage" not in line


def test_an_unknown_option_with_a_stray_argument_gives_both_the_options_and_the_usage(capsys):
    line = error_line(capsys, "align", "ja.txt", "en.txt", "c", "--frobnicate")
    assert "unrecognized arguments: c --frobnicate (valid options: --tmx, " in line
    assert "; usage: 'aligner align [options] SRC TGT'; see 'aligner align --help')" in line


def test_the_real_cli_refuses_a_stray_argument_in_one_line_without_a_traceback():
    result = run_cli("align", "ja.txt", "en.txt", "c", timeout=120)
    assert result.returncode == 2
    assert result.stderr == ("aligner: error: unrecognized arguments: c (an extra argument: the usage is "
                             "'aligner align [options] SRC TGT'; see 'aligner align --help')\n")


# ---------------------------------------------------------------- --encoding: checked once, errors name the file


@pytest.mark.parametrize("name", ["utf-8", "UTF8", "cp932", "Shift_JIS", "euc-jp", "iso-2022-jp", "utf-16",
                                  "utf-16-le", "utf-8-sig", "latin-1"])
def test_real_text_encodings_are_accepted(name):
    assert check_encoding(name) == name


@pytest.mark.parametrize("name, problem", [
    ("sjis-x", "unknown encoding 'sjis-x'"),
    ("hex", "'hex' is not a text encoding"),
    ("rot13", "'rot13' is not a text encoding"),
    ("base64", "'base64' is not a text encoding"),
])
def test_a_bad_encoding_is_a_usage_error_while_parsing(capsys, tmp_path, name, problem):
    """Codecs that are not bytes -> text ('hex') used to pass the check and crash on decoding."""
    (tmp_path / "ja.txt").write_text("猫が眠る。\n", "utf-8")
    (tmp_path / "en.txt").write_text("A cat sleeps.\n", "utf-8")
    line = error_line(capsys, "align", str(tmp_path / "ja.txt"), str(tmp_path / "en.txt"), "--encoding", name)
    assert line == (f"aligner: error: argument --encoding: {problem}; try utf-8, cp932, euc-jp, iso-2022-jp or "
                    "utf-16 (see 'aligner align --help')")


def test_the_encoding_is_checked_once_while_parsing_not_again_per_document(monkeypatch, tmp_path):
    import aligner.ingest as ingest

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


@pytest.mark.parametrize("name, problem", [
    ("sjis-x", "unknown encoding 'sjis-x'"),
    ("hex", "'hex' is not a text encoding"),
])
def test_the_library_names_the_file_when_its_encoding_is_bad(tmp_path, name, problem):
    path = tmp_path / "ja.txt"
    path.write_text("猫が眠る。\n", "utf-8")
    with pytest.raises(UsageError) as error_info:
        read_document(path, "ja", encoding=name)
    assert str(error_info.value) == f"{path}: {problem} (try utf-8, cp932, euc-jp, iso-2022-jp or utf-16)"
    with pytest.raises(UsageError, match=f"^ja.txt: {problem}"):
        decode(b"abc", "ja.txt", name)


def test_an_html_page_declaring_a_codec_that_is_not_a_text_encoding_is_read_by_detection(tmp_path):
    page = tmp_path / "en.html"
    page.write_bytes(b'<html><head><meta charset="hex"></head><body><p>A cat sleeps.</p></body></html>')
    document = read_document(page, "en")
    assert document.paragraphs == ("A cat sleeps.",)
    assert document.encoding == "utf-8"
