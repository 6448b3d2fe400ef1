"""Zotero RDF export: the file for Zotero users. Zotero's RDF importer ("RDF.js") takes the item type from
`z:itemType` and every other `z:` property as the Zotero field of that name, so each item arrives with its real type
(preprints as `preprint`), DOI, arXiv id, venue, pages and one tag per section of the list (`dc:subject`), which
neither of Zotero's other importers can do at once (BibTeX has no preprint type, CSL-JSON no tags).

Fields are written only where Zotero's schema v29 (what translation-server ships) has them for the type; the rest go
to Extra as `Label: value` lines, which Zotero reads there and moves into a real field once its schema has one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from xml.etree import ElementTree

from ..model import Catalog, Person
from . import ExportOptions
from ._citation import Citation, Form, check_unique_keys, citations, plain, segments

NAMESPACES: Mapping[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "z": "http://www.zotero.org/namespaces/export#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "bib": "http://purl.org/net/biblio#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}
for _prefix, _uri in NAMESPACES.items():
    ElementTree.register_namespace(_prefix, _uri)

_RANGE = re.compile(r"\s*[-\u2010-\u2015\u2212]+\s*")

# Zotero item type per citation form. A paper nobody has published yet is a preprint, as in the CSL-JSON export.
ITEM_TYPES: Mapping[Form, str] = {
    "conference": "conferencePaper",
    "journal": "journalArticle",
    "preprint": "preprint",
    "book": "book",
    "chapter": "bookSection",
    "report": "report",
    "thesis": "thesis",
    "dataset": "dataset",
    "post": "blogPost",
    "webpage": "webpage",
    "misc": "preprint",
}
# Per item type, the fields written here that Zotero's schema v29 has for it (schema.json of zotero-schema 1f5331e9);
# `container` and `publisher` name the type's own field for the venue and the publisher.
SCHEMA_V29: Mapping[str, Mapping[str, str]] = {
    "conferencePaper": {"container": "proceedingsTitle", "event": "conferenceName", "publisher": "publisher"},
    "journalArticle": {"container": "publicationTitle", "issue": "issue"},
    "preprint": {"publisher": "repository", "archive_id": "archiveID", "genre": "genre"},
    "book": {"publisher": "publisher"},
    "bookSection": {"container": "bookTitle", "publisher": "publisher"},
    "report": {"publisher": "institution", "issue": "reportNumber"},
    "thesis": {"publisher": "university"},
    "dataset": {"publisher": "repository", "genre": "type"},
    "blogPost": {"container": "blogTitle", "genre": "websiteType"},
    "webpage": {"container": "websiteTitle", "genre": "websiteType"},
}
# Fields v29 has on every type written here but not all: which types have them.
VOLUME_TYPES = frozenset({"conferencePaper", "journalArticle", "book", "bookSection"})
PAGE_TYPES = frozenset({"conferencePaper", "journalArticle", "bookSection", "report"})
DOI_TYPES = frozenset({"conferencePaper", "journalArticle", "preprint", "dataset"})
CITATION_KEY_TYPES = frozenset({"preprint", "dataset"})
# The Extra label Zotero reads for a value whose field the type lacks in v29 (Zotero.Utilities.Internal's parser).
EXTRA_LABELS: Mapping[str, str] = {
    "container": "Container Title",
    "event": "Event Title",
    "publisher": "Publisher",
    "issue": "Issue",
    "volume": "Volume",
    "pages": "Pages",
    "doi": "DOI",
    "citation_key": "Citation Key",
    "genre": "Genre",
}


def export(catalog: Catalog, options: ExportOptions) -> str:
    items = citations(catalog)
    check_unique_keys(c.key for c in items)
    if options.sort == "key":
        items.sort(key=lambda c: (c.key.casefold(), c.key))
    root = ElementTree.Element(_name("rdf", "RDF"))
    for c in items:
        root.append(item_element(c))
    ElementTree.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def item_element(c: Citation) -> ElementTree.Element:
    """One item as an rdf:Description in Zotero's own vocabulary, fields in a fixed order, empty ones left out."""
    item_type = ITEM_TYPES[c.form]
    element = ElementTree.Element(_name("rdf", "Description"), {_name("rdf", "about"): f"#{c.key}"})
    _add(element, "z", "itemType", item_type)
    _add(element, "dc", "title", plain(c.title) if c.title else None)
    if c.authors:
        authors = ElementTree.SubElement(element, _name("bib", "authors"))
        sequence = ElementTree.SubElement(authors, _name("rdf", "Seq"))
        for person in c.authors:
            ElementTree.SubElement(sequence, _name("rdf", "li")).append(_person(person))
    _add(element, "dc", "date", str(c.issued) if c.issued else None)
    extra: list[str] = []
    own = SCHEMA_V29.get(item_type, {})
    values = _values(c)
    for name, value in values.items():
        if not value:
            continue
        field = own.get(name) or _shared_field(name, item_type)
        if field:
            _add(element, "z", field, value)
        elif name in EXTRA_LABELS:
            extra.append(f"{EXTRA_LABELS[name]}: {value}")
    _add(element, "z", "url", c.url)
    _add(element, "z", "abstractNote", "".join(run for _, run in segments(c.abstract)) if c.abstract else None)
    if c.arxiv_id and item_type != "preprint":
        # Zotero's own arXiv importer notes a published item's preprint this way; no published type has the field.
        extra.append(f"arXiv: {c.arxiv_id}")
    if c.listed_note:
        extra.append(c.listed_note)
    _add(element, "z", "extra", "\n".join(extra) or None)
    for keyword in c.keywords:
        _add(element, "dc", "subject", keyword)
    return element


def _values(c: Citation) -> dict[str, str | None]:
    preprint = c.form in ("preprint", "misc")
    publisher = c.platform if c.form == "dataset" else "arXiv" if c.form == "preprint" and c.arxiv_id else c.publisher
    return {
        "container": c.container
        if c.form in ("conference", "journal", "chapter")
        else c.platform
        if c.form in ("post", "webpage")
        else None,
        "event": c.event if c.form == "conference" and c.event != c.container else None,
        "publisher": publisher,
        "volume": c.volume,
        "issue": c.issue,
        "pages": _RANGE.sub("-", c.page) if c.page else None,
        # Zotero's arXiv importer writes the archive id with its scheme: "arXiv:2412.05600".
        "archive_id": f"arXiv:{c.arxiv_id}" if preprint and c.arxiv_id else None,
        "doi": c.doi,
        "genre": c.genre,
        "citation_key": c.key,
    }


def _shared_field(name: str, item_type: str) -> str | None:
    if name == "volume" and item_type in VOLUME_TYPES:
        return "volume"
    if name == "pages" and item_type in PAGE_TYPES:
        return "pages"
    if name == "doi" and item_type in DOI_TYPES:
        return "DOI"
    if name == "citation_key" and item_type in CITATION_KEY_TYPES:
        return "citationKey"
    return None


def _person(person: Person) -> ElementTree.Element:
    element = ElementTree.Element(_name("foaf", "Person"))
    if person.literal or not person.family:
        # One field: an organisation, or a person known by one name.
        _add(element, "foaf", "surname", person.literal or person.given or "Anonymous")
        return element
    _add(element, "foaf", "surname", " ".join(p for p in (person.particle, person.family) if p))
    given = ", ".join(p for p in (person.given, person.suffix) if p)
    _add(element, "foaf", "givenName", given or None)
    return element


def _add(parent: ElementTree.Element, prefix: str, tag: str, value: str | None) -> None:
    if value:
        ElementTree.SubElement(parent, _name(prefix, tag)).text = value


def _name(prefix: str, tag: str) -> str:
    return f"{{{NAMESPACES[prefix]}}}{tag}"
