"""Our TMX in a real CAT tool: OmegaT (Debian package `omegat`) in console mode.

A project translates the Japanese side of the seed pair with our TMX in
tm/auto/, whose exact matches OmegaT puts into the translated document. Every
translation unit must come back, also a 1-2 unit (its source is one sentence)
and a 2-2 unit, which joins two sentences on each side: OmegaT
re-segments a TU into sentences when the TMX header says segtype="paragraph"
(and the project segments by sentence, its default) and pairs the sentences up
when both sides give the same number. With segtype="sentence" it would only
ever match the joined text as a whole, which no sentence of a document is.
The pairing needs OmegaT's segmentation rules to find the sentences ours found;
its English rules miss a sentence that ends inside quotes, which one project
rule fixes (the last test, and README.md).

OmegaT (with a Java runtime) is installed on first use when missing, see
helpers.ensure_debian_packages. The translated document is kept in
tests/artifacts/ for a person to read.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree
from lxml.builder import E

from aligner.data import Alignment, Bead
from aligner.tmx import write_tmx

from helpers import ensure_debian_packages

OMEGAT_JAR = Path("/usr/share/omegat/OmegaT.jar")

PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
  <project version="1.0">
    <source_dir>__DEFAULT__</source_dir>
    <target_dir>__DEFAULT__</target_dir>
    <tm_dir>__DEFAULT__</tm_dir>
    <glossary_dir>__DEFAULT__</glossary_dir>
    <glossary_file>__DEFAULT__</glossary_file>
    <dictionary_dir>__DEFAULT__</dictionary_dir>
    <source_lang>ja</source_lang>
    <target_lang>en</target_lang>
    <source_tok>org.omegat.tokenizer.LuceneJapaneseTokenizer</source_tok>
    <target_tok>org.omegat.tokenizer.LuceneEnglishTokenizer</target_tok>
    <sentence_seg>true</sentence_seg>
    <support_default_translations>true</support_default_translations>
    <remove_tags>false</remove_tags>
  </project>
</omegat>
"""


@pytest.fixture(scope="module")
def omegat() -> Path:
    ensure_debian_packages({"omegat": lambda: OMEGAT_JAR.exists() and shutil.which("java") is not None},
                           "the OmegaT tests of the TMX")
    return OMEGAT_JAR


def _translate(jar: Path, alignment: Alignment, folder: Path, segtype: str = "paragraph",
               segmentation: bytes | None = None) -> str:
    """Run OmegaT's console translation of the source document with our TMX in tm/auto/."""
    for sub in ("source", "target", "tm/auto", "omegat", "glossary", "dictionary", "config"):
        (folder / sub).mkdir(parents=True)
    (folder / "omegat.project").write_text(PROJECT, "utf-8")
    if segmentation:
        (folder / "omegat" / "segmentation.conf").write_bytes(segmentation)
    # The Japanese document as a translator has it: one paragraph per line, PDF wrapping repaired.
    (folder / "source" / "ied10-ja.txt").write_text("\n\n".join(alignment.src.document.paragraphs) + "\n", "utf-8")
    tmx = folder / "tm" / "auto" / "aligner.tmx"
    write_tmx(alignment, tmx)
    if segtype != "paragraph":
        tmx.write_text(tmx.read_text("utf-8").replace('segtype="paragraph"', f'segtype="{segtype}"'), "utf-8")
    command = ["java", "-Djava.awt.headless=true", "-jar", str(jar), str(folder),
               "--mode=console-translate", f"--config-dir={folder / 'config'}"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    return (folder / "target" / "ied10-ja.txt").read_text("utf-8")


def _with_two_sentence_unit(alignment: Alignment, first_src: int) -> tuple[Alignment, Bead]:
    """The seed alignment with the 1-1 pairs of source sentences `first_src` and the next joined into a 2-2 unit."""
    beads = list(alignment.beads)
    at = next(i for i, bead in enumerate(beads) if bead.src == (first_src,))
    first, second = beads[at], beads[at + 1]
    assert first.kind == second.kind == "1-1"
    joined = Bead(first.src + second.src, first.tgt + second.tgt, min(first.score, second.score))
    beads[at:at + 2] = [joined]
    return replace(alignment, beads=beads), joined


def _with_one_to_two_unit(alignment: Alignment, src: int) -> tuple[Alignment, Bead]:
    """Source sentence `src` given the English of the next pair too (a 1-2 unit); that pair's source left unaligned."""
    beads = list(alignment.beads)
    at = next(i for i, bead in enumerate(beads) if bead.src == (src,))
    first, second = beads[at], beads[at + 1]
    assert first.kind == second.kind == "1-1"
    one_to_two = Bead(first.src, first.tgt + second.tgt, first.score)
    beads[at:at + 2] = [one_to_two, Bead(second.src, (), 0.0)]
    return replace(alignment, beads=beads), one_to_two


def test_omegat_translates_the_seed_document_with_every_unit_of_our_tmx(seed_alignment, omegat, tmp_path, artifacts):
    alignment, two_to_two = _with_two_sentence_unit(seed_alignment, 7)
    alignment, one_to_two = _with_one_to_two_unit(alignment, 10)
    target = _translate(omegat, alignment, tmp_path / "project")
    shutil.copy(tmp_path / "project" / "target" / "ied10-ja.txt", artifacts / "omegat-ied10-ja-translated.txt")
    units = alignment.translation_units()
    assert {two_to_two, one_to_two} <= set(units) and len(units) == len(seed_alignment.translation_units()) - 2
    for bead in units:
        ja, en = alignment.bead_texts(bead)
        assert en in target, f"OmegaT did not use the {bead.kind} unit for {ja}"
        assert ja not in target
    # What stays Japanese is exactly the unaligned source text.
    untranslated = [alignment.src.segments[i].text for bead in alignment.beads if not bead.tgt for i in bead.src]
    assert untranslated and all(text in target for text in untranslated)


def test_a_two_sentence_unit_matches_only_because_the_header_says_paragraph(seed_alignment, omegat, tmp_path):
    alignment, joined = _with_two_sentence_unit(seed_alignment, 7)
    ja, en = alignment.bead_texts(joined)
    target = _translate(omegat, alignment, tmp_path / "sentence", segtype="sentence")
    assert en not in target and all(alignment.src.segments[i].text in target for i in joined.src)
    one_to_one = next(bead for bead in alignment.translation_units() if bead.kind == "1-1")
    assert alignment.bead_texts(one_to_one)[1] in target  # the rest of the file was read and used


def test_an_english_sentence_ending_in_a_closing_quote_needs_a_project_segmentation_rule(seed_alignment, omegat, tmp_path):
    """OmegaT's default English rules break after `. ` but not after `.” `, so a 2-2 unit whose first
    English sentence ends inside quotes counts as 2-1 and gives no match, until the project has the rule."""
    alignment, joined = _with_two_sentence_unit(seed_alignment, 13)
    en = alignment.bead_texts(joined)[1]
    assert ".” Both" in en
    assert en not in _translate(omegat, alignment, tmp_path / "default-rules")
    assert en in _translate(omegat, alignment, tmp_path / "quote-rule", segmentation=_rules_with_closing_quote_break(omegat))


#: The rule README.md tells OmegaT users to add for English: a sentence may end inside quotes or brackets.
CLOSING_QUOTE_BREAK = (True, r'[.?!]+[”"’)]', r'\s')


def _rules_with_closing_quote_break(jar: Path) -> bytes:
    """OmegaT's default segmentation rules plus CLOSING_QUOTE_BREAK for English, as a project's own rules.

    OmegaT 3.6 keeps a project's rules in omegat/segmentation.conf, a java.beans XML
    encoding of its SRX object (what Project > Properties > Segmentation writes).
    """
    srx = "{http://www.lisa.org/srx20}"
    with zipfile.ZipFile(jar) as archive:
        defaults = etree.fromstring(archive.read("org/omegat/core/segmentation/defaultRules.srx"))
    rules = {
        language.get("languagerulename"): [
            (rule.get("break", "yes") == "yes", rule.findtext(f"{srx}beforebreak", ""), rule.findtext(f"{srx}afterbreak", ""))
            for rule in language.iter(f"{srx}rule")]
        for language in defaults.iter(f"{srx}languagerule")}
    rules["English"].insert(0, CLOSING_QUOTE_BREAK)

    def prop(name, value):
        return E.void(value, property=name)

    def rule_object(rule):
        breaks, before, after = rule
        return E.void(E.object(prop("afterbreak", E.string(after)), prop("beforebreak", E.string(before)),
                               prop("breakRule", E.boolean(str(breaks).lower())),
                               **{"class": "org.omegat.core.segmentation.Rule"}), method="add")

    mappings = [
        E.void(E.object(prop("language", E.string(mapping.get("languagerulename"))),
                        prop("pattern", E.string(mapping.get("languagepattern"))),
                        prop("rules", E.object(*map(rule_object, rules[mapping.get("languagerulename")]),
                                               **{"class": "java.util.ArrayList"})),
                        **{"class": "org.omegat.core.segmentation.MapRule"}), method="add")
        for mapping in defaults.iter(f"{srx}languagemap")]
    encoded = E.java(E.object(E.void(*mappings, property="mappingRules"), prop("version", E.string("0.2.2")),
                              **{"class": "org.omegat.core.segmentation.SRX"}),
                     version="17", **{"class": "java.beans.XMLDecoder"})
    return etree.tostring(encoded, xml_declaration=True, encoding="UTF-8")
