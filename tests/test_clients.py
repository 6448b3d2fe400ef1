"""The BibTeX export read by the clients people import it into: citation-js (both flavours, every field compared
with what the export meant), pandoc's biblatex and bibtex readers (each entry's CSL type) and biber's data-model
validation. Each test runs the real tool and is skipped, with the reason, where the tool is absent."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import bibtexparser
import pytest

from catalog_samples import realistic_catalog
from geoemb_bib.exporters import ExportOptions, export
from geoemb_bib.exporters._citation import Citation, citations, plain
from geoemb_bib.model import Catalog, Person
from resolved_replay import resolved_bundled_catalog
from test_export_bibtex import bundled_catalog
from test_tex_compile import BIBLATEX_DOCUMENT, _document
from test_tex_compile import _latex as latex
from test_tex_compile import _run as run

JS = Path(__file__).parent / "js"
CATALOGS = {"bundled": bundled_catalog, "realistic": realistic_catalog, "resolved": resolved_bundled_catalog}
FLAVOURS = ("bibtex", "biblatex")

needs_citation_js = pytest.mark.skipif(
    shutil.which("node") is None or not (JS / "node_modules" / "@citation-js" / "plugin-bibtex").is_dir(),
    reason="node or citation-js is absent (install with `npm ci --prefix tests/js`)",
)
needs_pandoc = pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is absent (Debian: pandoc)")
needs_biber = pytest.mark.skipif(
    shutil.which("biber") is None or shutil.which("pdflatex") is None,
    reason="biber or pdflatex is absent (Debian: biber texlive-bibtex-extra)",
)

# The CSL type pandoc should give each form, per flavour: the biblatex flavour's types all have one; the classic
# flavour keeps to plainnat's types, so what is not published reads as a manuscript (@unpublished).
PANDOC_TYPES: dict[str, dict[str, str]] = {
    "biblatex": {
        "conference": "paper-conference",
        "journal": "article-journal",
        "preprint": "webpage",
        "book": "book",
        "chapter": "chapter",
        "report": "report",
        "thesis": "thesis",
        "dataset": "dataset",
        "post": "webpage",
        "webpage": "webpage",
        "misc": "webpage",
    },
    "bibtex": {
        "conference": "paper-conference",
        "journal": "article-journal",
        "preprint": "manuscript",
        "book": "book",
        "chapter": "chapter",
        "report": "report",
        "thesis": "thesis",
        "dataset": "manuscript",
        "post": "manuscript",
        "webpage": "manuscript",
        "misc": "manuscript",
    },
}


def _bib(catalog: Catalog, flavour: str) -> str:
    return export("bibtex", catalog, ExportOptions(bibtex_flavour=flavour))  # type: ignore[arg-type]


def _written(bib: str) -> dict[str, tuple[str, dict[str, str]]]:
    library = bibtexparser.parse_string(bib)
    return {e.key: (e.entry_type, {f.key: f.value for f in e.fields}) for e in library.entries}


def _kept_in_ascii(text: str) -> bool:
    """Whether the classic flavour keeps every letter of the text (Latin, Greek) rather than spelling it in ASCII."""
    return all(c.isascii() or unicodedata.name(c, "").startswith(("LATIN", "GREEK")) for c in text)


def _family(person: Person) -> str:
    return person.literal or person.family or person.given


def _citation_js(bib: str, tmp_path: Path) -> dict[str, dict[str, Any]]:
    path = tmp_path / "references.bib"
    path.write_text(bib, encoding="utf-8")
    result = subprocess.run(
        ["node", str(JS / "bibtex.js"), str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return {item["id"]: item for item in json.loads(result.stdout)}


def _publisher_written(c: Citation, fields: dict[str, str]) -> str | None:
    """The publisher-like name the entry carries (publisher, institution, school or organization), as meant."""
    if any(name in fields for name in ("publisher", "institution", "school")):
        return c.publisher if c.form not in ("dataset",) else c.platform
    if "organization" in fields:
        return c.platform
    return None


def check_names_and_dates(c: Citation, item: dict[str, Any]) -> None:
    if c.authors:
        authors = item.get("author", [])
        assert len(authors) == len(c.authors), (c.key, authors)
        for person, read in zip(c.authors, authors, strict=True):
            if _kept_in_ascii(_family(person)):
                assert read.get("literal", read.get("family")) == _family(person), (c.key, read)
    if c.issued:
        parts = item["issued"]["date-parts"][0]
        assert parts[0] == c.issued.year, (c.key, parts)
        if c.issued.month:
            assert parts[1] == c.issued.month, (c.key, parts)


def check_read_by_citation_js(c: Citation, fields: dict[str, str], item: dict[str, Any]) -> None:
    check_names_and_dates(c, item)
    if c.page:
        assert item["page"].replace("\u2013", "-") == re.sub(r"\s*[-\u2010-\u2015]+\s*", "-", c.page), (c.key, item)
    if c.doi:
        assert item["DOI"].lower() == c.doi.lower(), (c.key, item)
    if c.url:
        assert item["URL"] == c.url, (c.key, item)
    if c.arxiv_id:
        # A preprint keeps it in its DOI and URL; a published item in annote (citation-js drops eprint).
        places = (item.get("annote", ""), item.get("DOI", ""), item.get("URL", ""), item.get("note", ""))
        assert any(c.arxiv_id in place for place in places), (c.key, item)
    publisher = _publisher_written(c, fields)
    if publisher and _kept_in_ascii(publisher):
        assert item["publisher"] == publisher, (c.key, item.get("publisher"))
    if c.form in ("conference", "journal", "chapter") and c.container and _kept_in_ascii(c.container):
        # Without authors the work is @misc/@online, its venue in howpublished or note.
        venue = item.get("container-title") if c.authors else item.get("container-title", item.get("note"))
        assert venue == c.container, (c.key, item)
    if c.title and _kept_in_ascii(plain(c.title)):
        assert re.sub(r"<[^>]+>", "", item["title"]) == plain(c.title), (c.key, item["title"])
    if c.keywords and all(_kept_in_ascii(k) for k in c.keywords):
        assert item["keyword"].split(",") == list(c.keywords), (c.key, item["keyword"])


@needs_citation_js
@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("name", sorted(CATALOGS))
def test_citation_js_reads_every_field_of_each_entry(name: str, flavour: str, tmp_path: Path) -> None:
    catalog = CATALOGS[name]()
    bib = _bib(catalog, flavour)
    read = _citation_js(bib, tmp_path)
    written = _written(bib)
    assert set(read) == set(written)
    for c in citations(catalog):
        check_read_by_citation_js(c, written[c.key][1], read[c.key])


def _pandoc_types(bib: str, reader: str, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "references.bib"
    path.write_text(bib, encoding="utf-8")
    result = subprocess.run(
        ["pandoc", "-f", reader, "-t", "csljson", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return {item["id"]: item["type"] for item in json.loads(result.stdout)}


@needs_pandoc
@pytest.mark.parametrize("reader", ("biblatex", "bibtex"))
@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("name", ("realistic", "resolved"))
def test_pandoc_gives_every_entry_its_intended_csl_type(name: str, flavour: str, reader: str, tmp_path: Path) -> None:
    catalog = CATALOGS[name]()
    types = _pandoc_types(_bib(catalog, flavour), reader, tmp_path)
    for c in citations(catalog):
        assert types[c.key] == intended_pandoc_type(c, flavour), (c.key, c.form, types[c.key])


def intended_pandoc_type(c: Citation, flavour: str) -> str:
    if c.authors or c.form in ("book", "dataset"):
        return PANDOC_TYPES[flavour][c.form]
    # Without authors a typed entry would fail biber's validation or make plainnat warn: biblatex writes @online
    # (a webpage to pandoc); classic BibTeX has only @misc, which pandoc leaves untyped.
    return "webpage" if flavour == "biblatex" and (c.url or c.doi or c.arxiv_id) else ""


@needs_pandoc
def test_pandoc_reads_an_entry_without_authors_in_the_biblatex_flavour_as_typed(tmp_path: Path) -> None:
    # Before a refresh no entry has authors: the biblatex flavour still gives pandoc a type for each (classic
    # styles allow no author on @unpublished, so the classic flavour writes those as @misc).
    catalog = bundled_catalog()
    types = _pandoc_types(_bib(catalog, "biblatex"), "biblatex", tmp_path)
    assert "" not in types.values(), types


@needs_biber
@pytest.mark.parametrize("name", sorted(CATALOGS))
def test_biber_validates_the_biblatex_flavour_against_its_data_model(name: str, tmp_path: Path) -> None:
    (tmp_path / "references.bib").write_text(_bib(CATALOGS[name](), "biblatex"), encoding="utf-8")
    # Without T1: only the .bcf is needed, and no bitmap font has to be made (mktexpk) while other TeX runs do so.
    (tmp_path / "document.tex").write_text(_document(BIBLATEX_DOCUMENT, t1=False), encoding="utf-8")
    latex(tmp_path)  # writes the .bcf biber reads
    assert (tmp_path / "document.bcf").exists(), (tmp_path / "document.log").read_text(errors="replace")[-2000:]
    result = run(["biber", "--validate-datamodel", "document"], tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    blg = (tmp_path / "document.blg").read_text(encoding="utf-8", errors="replace")
    assert not re.findall(r"^.*\b(?:WARN|ERROR)\b.*$", blg, re.MULTILINE), blg
