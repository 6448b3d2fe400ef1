"""CSL-JSON export, for Zotero, pandoc and citeproc-js: the same key and facts as the BibTeX export, original
spellings kept (Unicode, CJK names), only the mainstream item types Zotero's importer accepts, numbers as strings."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..model import Catalog, PartialDate, Person
from ..text import PAGE_RANGE_DASH
from . import ExportOptions
from ._citation import Citation, check_unique_keys, citations, clean, segments

# One unknown type makes Zotero refuse the whole file (seen with `software`, `inproceedings`): these types only.
CSL_TYPES: Mapping[str, str] = {
    "conference": "paper-conference",
    "journal": "article-journal",
    "preprint": "article",
    "book": "book",
    "chapter": "chapter",
    "report": "report",
    "thesis": "thesis",
    "dataset": "dataset",
    "post": "post-weblog",
    "webpage": "webpage",
    "misc": "article",
}
# The subset of HTML that CSL processors and Zotero understand in titles.
HTML_TAGS: Mapping[str, tuple[str, str]] = {
    "i": ("<i>", "</i>"),
    "b": ("<b>", "</b>"),
    "sub": ("<sub>", "</sub>"),
    "sup": ("<sup>", "</sup>"),
    "sc": ('<span style="font-variant:small-caps;">', "</span>"),
}


def export(catalog: Catalog, options: ExportOptions) -> str:
    items = [csl_item(c, options) for c in citations(catalog)]
    check_unique_keys(item["id"] for item in items)
    if options.sort == "key":
        items.sort(key=lambda item: (item["id"].casefold(), item["id"]))
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def csl_item(c: Citation, options: ExportOptions) -> dict[str, Any]:
    """One CSL item; fields in a fixed order, empty ones left out."""
    item: dict[str, Any] = {"id": c.key, "citation-key": c.key, "type": CSL_TYPES[c.form]}
    if c.title:
        item["title"] = _html(c.title)
    if c.authors:
        item["author"] = [_name(p) for p in c.authors]
    if c.issued:
        item["issued"] = _date(c.issued)
    container = (
        c.container if c.form in ("conference", "journal", "chapter") else c.platform if c.form == "post" else None
    )
    _put(item, "container-title", container)
    if c.form == "conference":
        _put(item, "event-title", c.event)
    publisher = {"preprint": "arXiv", "dataset": c.platform, "webpage": c.platform}.get(c.form, c.publisher)
    _put(item, "publisher", publisher)
    _put(item, "collection-title", c.series if c.form in ("conference", "chapter", "book") else None)
    _put(item, "genre", c.genre if c.form in ("dataset", "webpage") else None)
    # citeproc-js crashes in APA on a numeric volume: numbers stay strings.
    _put(item, "volume", c.volume)
    _put(item, "issue", c.issue)
    _put(item, "page", PAGE_RANGE_DASH.sub("-", c.page) if c.page else None)
    # Zotero reads `number` as a preprint's Archive ID, which its own arXiv importer writes as "arXiv:2412.05600".
    _put(item, "number", f"arXiv:{c.arxiv_id}" if c.form == "preprint" and c.arxiv_id else None)
    _put(item, "DOI", c.doi)
    _put(item, "URL", c.url)
    if options.urldate and c.url and c.form in ("dataset", "post", "webpage", "misc"):
        item["accessed"] = _date(PartialDate.parse(options.urldate))
    if c.keywords:
        # For pandoc and citeproc-js, one keyword per section; Zotero's CSL-JSON importer ignores `keyword` (its
        # tags come through the Zotero RDF export).
        item["keyword"] = ", ".join(c.keywords)
    notes = []
    if c.arxiv_id and c.form != "preprint":
        # Zotero reads "arXiv: <id>" in Extra; a published item keeps its preprint that way.
        notes.append(f"arXiv: {c.arxiv_id}")
    if c.listed_note:
        notes.append(c.listed_note)
    _put(item, "note", "\n".join(notes))
    if c.abstract:
        item["abstract"] = "".join(run for _, run in segments(c.abstract))
    return item


def _put(item: dict[str, Any], name: str, value: str | None) -> None:
    if value:
        item[name] = value


def _html(text: str) -> str:
    pieces = []
    for style, run in segments(text):
        if style is None:
            pieces.append(run)
        else:
            opening, closing = HTML_TAGS[style]
            pieces.append(f"{opening}{run}{closing}")
    return "".join(pieces)


def _name(person: Person) -> dict[str, str]:
    # Cleaned like every other text: a bidi override or a NUL in a name from a service must not reach a reference
    # manager (a name that displays as something else).
    literal, family, given = clean(person.literal), clean(person.family), clean(person.given)
    if literal:
        return {"literal": literal}
    if not family:
        return {"literal": given or "Anonymous"}
    name = {"family": family}
    if given:
        name["given"] = given
    if clean(person.particle):
        name["non-dropping-particle"] = clean(person.particle)
    if clean(person.suffix):
        name["suffix"] = clean(person.suffix)
    return name


def _date(date: PartialDate) -> dict[str, list[list[int]]]:
    return {"date-parts": [list(date.parts())]}
