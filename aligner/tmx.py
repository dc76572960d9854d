"""Write a TMX 1.4b translation memory that CAT tools import and match on.

What CAT tools insist on, learnt from their importers:
* every header attribute the DTD requires (OmegaT 6.1+ rejects a file that
  lacks one) and `xml:lang` on every `<tuv>`;
* BCP-47 codes with a hyphen: OmegaT silently ignores `ja_JP`;
* `segtype="paragraph"`: OmegaT re-segments such TUs into sentences, so a TU
  that joins two sentences still gives matches; with "sentence" it would only
  match the joined text as a whole;
* no characters that XML 1.0 forbids (a stray form feed from a PDF would make
  the whole file unreadable).
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from typing import Iterable

from lxml import etree

from . import __version__
from .data import NOT_XML_CHARS, Alignment, Bead
from .outputs import atomic_writer

_WHITESPACE_RUN = re.compile(r"\s+")
TMX_VERSION = "1.4"
_DOCTYPE = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
#: Reads a TMX without its indentation, so that copied units are indented afresh.
_COMPACT = etree.XMLParser(remove_blank_text=True)
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def normalize_language(code: str) -> str:
    """`ja_JP` -> `ja-JP`; raises ValueError for something that is not a language tag."""
    tag = code.strip().replace("_", "-")
    if not _LANGUAGE_TAG.match(tag):
        raise ValueError(f"'{code}' is not a BCP-47 language code such as ja, en or en-US")
    parts = tag.split("-")
    # Canonical case: language lower, region upper, script title case.
    parts = [parts[0].lower()] + [p.upper() if len(p) == 2 else p.title() if len(p) == 4 else p for p in parts[1:]]
    return "-".join(parts)


def clean_segment(text: str) -> str:
    """What a translator wants in a <seg>: one line, trimmed, only characters XML allows."""
    return _WHITESPACE_RUN.sub(" ", NOT_XML_CHARS.sub("", text)).strip()


def tmx_tree(alignment: Alignment, creation_date: datetime | None = None) -> etree._ElementTree:
    """Build the TMX document for the alignment's translation units."""
    created = _timestamp(creation_date)
    src_lang = normalize_language(alignment.src.document.lang)
    tgt_lang = normalize_language(alignment.tgt.document.lang)
    root = etree.Element("tmx", version=TMX_VERSION)
    root.append(header_element(src_lang, alignment.model, alignment.min_score, created))
    body = etree.SubElement(root, "body")
    for number, bead in enumerate(alignment.translation_units(), start=1):
        src_text, tgt_text = (clean_segment(text) for text in alignment.bead_texts(bead))
        tu = etree.SubElement(body, "tu", tuid=str(number), creationdate=created)
        _unit_props(tu, alignment, bead)
        for lang, text in ((src_lang, src_text), (tgt_lang, tgt_text)):
            tuv = etree.SubElement(tu, "tuv", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
            etree.SubElement(tuv, "seg").text = text
    return etree.ElementTree(root)


def _timestamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def header_element(src_lang: str, model: str, min_score: float, created: str) -> etree._Element:
    """The header every CAT tool needs (all DTD-required attributes), with the run's settings as props.

    Also what the report copies into a corrected TMX, so that both agree.
    """
    header = etree.Element("header", {
        "creationtool": "aligner",
        "creationtoolversion": __version__,
        "segtype": "paragraph",
        "o-tmf": "aligner",
        "adminlang": "en",
        "srclang": src_lang,
        "datatype": "plaintext",
        "creationdate": created,
    })
    _prop(header, "x-model", model)
    _prop(header, "x-min-score", f"{min_score:g}")
    return header


def _unit_props(tu: etree._Element, alignment: Alignment, bead: Bead) -> None:
    _prop(tu, "x-confidence", f"{bead.score:.4f}")
    _prop(tu, "x-bead", bead.kind)
    _prop(tu, "x-source-document", alignment.src.document.name)
    _prop(tu, "x-target-document", alignment.tgt.document.name)
    _prop(tu, "x-source-segments", ",".join(str(i) for i in bead.src))
    _prop(tu, "x-target-segments", ",".join(str(j) for j in bead.tgt))


def _prop(parent: etree._Element, kind: str, value: str) -> None:
    etree.SubElement(parent, "prop", type=kind).text = clean_segment(value)


def write_tmx(alignment: Alignment, path: str | os.PathLike[str]) -> int:
    """Write the TMX atomically; returns the number of translation units written."""
    tree = tmx_tree(alignment)
    data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True, doctype=_DOCTYPE)
    with atomic_writer(path, "wb") as handle:
        handle.write(data)
    return len(tree.getroot().find("body"))


def write_merged_tmx(
    parts: Iterable[tuple[str, str | os.PathLike[str]]],
    path: str | os.PathLike[str],
    src_lang: str,
    model: str,
    min_score: float,
) -> int:
    """Join the translation units of per-pair TMX files (from `write_tmx`) into one TMX.

    `parts` are (pair name, TMX path). Units are copied as written, so the
    merged memory always agrees with the per-pair files (also for pairs a
    batch found up to date and did not realign); each gets a `x-pair` prop
    with its pair name and a new running `tuid`. The file is streamed, one
    pair in memory at a time, and written atomically. Returns the units written.
    """
    created = _timestamp()
    count = 0
    with atomic_writer(path, "wb") as handle, etree.xmlfile(handle, encoding="UTF-8") as xml:
        xml.write_declaration()
        xml.write_doctype(_DOCTYPE)
        with xml.element("tmx", version=TMX_VERSION):
            xml.write("\n", header_element(normalize_language(src_lang), model, min_score, created), pretty_print=True)
            with xml.element("body"):
                xml.write("\n")
                for name, part in parts:
                    for tu in etree.parse(os.fspath(part), _COMPACT).iterfind("body/tu"):
                        count += 1
                        tu.set("tuid", str(count))
                        pair = etree.Element("prop", type="x-pair")
                        pair.text = clean_segment(name)
                        tu.insert(0, pair)
                        tu.tail = None
                        xml.write(tu, pretty_print=True)
            xml.write("\n")
    return count
