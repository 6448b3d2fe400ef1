"""What the citation formats (BibTeX, CSL-JSON) both say about an item, decided once so they agree: its form,
cleaned text, people, date, landing URL, arXiv id, DOI and keywords. Nothing here is invented: every value comes
from the merged record or from what the curator wrote."""

from __future__ import annotations

import datetime
import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from .. import ids
from ..errors import ExportError
from ..model import KIND_TYPES, UNKNOWN_ID_PREFIX, Catalog, PartialDate, Person, Resolved
from ..text import TRAILING_YEAR, first_year

Form = Literal[
    "conference", "journal", "preprint", "book", "chapter", "report", "thesis", "dataset", "post", "webpage", "misc"
]

# Record types that mean a version of record; `article` (a preprint or an unknown kind of paper) is not one.
RECORD_FORMS: Mapping[str, Form] = {
    "paper-conference": "conference",
    "article-journal": "journal",
    "book": "book",
    "chapter": "chapter",
    "report": "report",
    "thesis": "thesis",
    "dataset": "dataset",
    "post-weblog": "post",
    "webpage": "webpage",
}
KIND_FORMS: Mapping[str, Form] = {kind: RECORD_FORMS[item_type] for kind, item_type in KIND_TYPES.items()}
# Printed before the platform for items that are not papers, so a reader of plainnat's output sees what it is.
GENRES: Mapping[str, str] = {
    "dataset": "Dataset",
    "blog-post": "Blog post",
    "challenge": "Challenge",
    "software": "Software",
}
PUBLISHED_FORMS: frozenset[Form] = frozenset({"conference", "journal", "book", "chapter", "report", "thesis"})

# Inline markup services put in titles and abstracts (Crossref JATS, arXiv HTML): the ones worth keeping, by tag.
MARKUP_STYLES: Mapping[str, str] = {
    "i": "i",
    "em": "i",
    "italic": "i",
    "b": "b",
    "strong": "b",
    "bold": "b",
    "sub": "sub",
    "sup": "sup",
    "sc": "sc",
}
_TAG = re.compile(r"<(/?)(?:[A-Za-z][A-Za-z0-9_-]*:)?([A-Za-z][A-Za-z0-9_-]*)(?:\s[^<>]*)?/?>")
_URL_SAFE = re.compile(r"^[A-Za-z0-9!#$%&'()*+,\-./:;=?@\[\]_~]*$")
_NEW_ARXIV = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}$")


@dataclass(frozen=True, slots=True)
class Citation:
    """One item as a citation: all that BibTeX, CSL-JSON and Zotero RDF print, already chosen and cleaned (titles
    keep markup)."""

    key: str
    form: Form
    title: str
    authors: tuple[Person, ...]
    issued: PartialDate | None
    container: str | None = None
    event: str | None = None
    publisher: str | None = None
    series: str | None = None
    volume: str | None = None
    issue: str | None = None
    page: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    arxiv_class: str | None = None
    url: str | None = None
    platform: str | None = None
    genre: str | None = None
    listed_note: str | None = None
    keywords: tuple[str, ...] = ()
    abstract: str | None = None
    abbr: str | None = None


def citations(catalog: Catalog) -> list[Citation]:
    titles = section_keywords(catalog)
    return [citation(item, titles.get(item.entry.section, ())) for item in catalog.items]


def check_unique_keys(keys: Iterable[str]) -> None:
    """Every format cites by key: two items with one key would make one of them unreachable."""
    duplicates = sorted(key for key, count in Counter(keys).items() if count > 1)
    if duplicates:
        raise ExportError(
            f"duplicate citation keys: {', '.join(duplicates)}", hint="give each entry its own `key` in entries.yaml"
        )


def section_keywords(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """Per section id, the one tag an item of that section gets: its title, after its parent's for a subsection
    ("Related Works (for context): Remote Sensing Representation Learning"), so that a reference manager shows one
    tag per section of the list rather than the parent and the child as two unrelated tags."""
    by_id = {s.id: s for s in catalog.sections}
    result: dict[str, tuple[str, ...]] = {}
    for section in catalog.sections:
        parent = by_id.get(section.parent) if section.parent else None
        path = ((parent.title,) if parent else ()) + (section.title,)
        result[section.id] = (tag(SECTION_PATH_SEPARATOR.join(clean(t) for t in path)),)
    return result


# Between a parent section's title and a subsection's in a tag: ASCII, so every flavour spells it the same.
SECTION_PATH_SEPARATOR = ": "
# Zotero's BibTeX importer splits `keywords` at commas and semicolons, biblatex and citation-js at commas.
_TAG_DELIMITERS = re.compile(r"\s*[,;]\s*")


def tag(text: str) -> str:
    """A keyword that every importer reads as one tag: its own commas and semicolons become dashes."""
    return _TAG_DELIMITERS.sub(" - ", clean(text))


def citation(item: Resolved, keywords: tuple[str, ...] = ()) -> Citation:
    entry, record = item.entry, item.record
    arxiv_id = _arxiv_id(item)
    form = _form(item, arxiv_id)
    authors = record.author or entry.authors
    if not authors and entry.kind == "challenge" and entry.host:
        # A challenge is known by who runs it; the host column names that organisation.
        authors = (Person(literal=entry.host),)
    doi = _doi(item)
    if form == "preprint":
        doi = ids.ARXIV_DOI_PREFIX.replace("arxiv", "arXiv") + arxiv_id if arxiv_id else None
    container = clean_or_none(record.container_title)
    event = clean_or_none(record.event_title)
    if form == "conference" and not container:
        container = event or clean_or_none(_short_venue(record.venue)) or clean_or_none(entry.venue)
    return Citation(
        key=item.key,
        form=form,
        title=clean(record.title or entry.title),
        authors=authors,
        issued=_issued(item, arxiv_id),
        container=container,
        event=event,
        publisher=clean_or_none(record.publisher),
        series=clean_or_none(record.collection_title),
        volume=clean_or_none(record.volume),
        issue=clean_or_none(record.issue),
        page=clean_or_none(record.page),
        doi=doi,
        arxiv_id=arxiv_id,
        arxiv_class=clean_or_none(record.arxiv_primary_class) if arxiv_id else None,
        url=_url(item, form, arxiv_id, doi),
        platform=_platform(item),
        genre=GENRES.get(entry.kind),
        listed_note=_listed_note(item, form),
        keywords=keywords + tuple(tag(t) for t in entry.tags),
        abstract=clean_or_none(record.abstract),
        abbr=clean_or_none(entry.abbr),
    )


def _arxiv_id(item: Resolved) -> str | None:
    if item.record.arxiv_id:
        return _safe_arxiv(item.record.arxiv_id)
    if any(problem.startswith(UNKNOWN_ID_PREFIX + "arxiv:") for problem in item.problems):
        # arXiv answered that it does not know the id the entry names: it must not be cited.
        return None
    return item.entry.work_ids.arxiv_id


def _safe_arxiv(text: str) -> str | None:
    try:
        return ids.parse_arxiv_id(text)[0]
    except ValueError:
        return None


def _form(item: Resolved, arxiv_id: str | None) -> Form:
    entry = item.entry
    if entry.kind in KIND_FORMS:
        return KIND_FORMS[entry.kind]
    if item.status == "preprint" and arxiv_id:
        return "preprint"
    form = RECORD_FORMS.get(item.record.type)
    if form is not None and (form not in PUBLISHED_FORMS or item.record.source != "curated"):
        return form
    return "preprint" if arxiv_id else "misc"


def _doi(item: Resolved) -> str | None:
    if item.record.doi:
        try:
            doi = ids.normalize_doi(item.record.doi)
        except ValueError:
            doi = ""
        if doi and not ids.is_arxiv_doi(doi):
            return doi
    return item.entry.work_ids.doi


def _issued(item: Resolved, arxiv_id: str | None) -> PartialDate | None:
    """The record's date; else the curated year; else the month the arXiv id was registered; else the venue's year."""
    if item.record.issued:
        return _valid_date(item.record.issued)
    if item.entry.year:
        return PartialDate(item.entry.year)
    match = _NEW_ARXIV.match(arxiv_id or "")
    if match and 1 <= int(match.group(2)) <= 12:
        return PartialDate(2000 + int(match.group(1)), int(match.group(2)))
    year = first_year(item.entry.venue)
    return PartialDate(year) if year else None


def _valid_date(date: PartialDate) -> PartialDate:
    """The date as far as it is a real calendar date (biber refuses 2025-02-30 and drops it whole)."""
    if date.month is None or not 1 <= date.month <= 12:
        return PartialDate(date.year)
    if date.day is not None:
        try:
            datetime.date(date.year, date.month, date.day)
        except ValueError:
            return PartialDate(date.year, date.month)
    return date


def _url(item: Resolved, form: Form, arxiv_id: str | None, doi: str | None) -> str | None:
    """The most useful landing page: the version of record's page (as its source gave it, else the DOI resolver) for
    published forms, the arXiv abstract page for preprints, the curated link for datasets, posts and challenges."""
    entry, record = item.entry, item.record
    paper = entry.link("paper")
    if entry.kind != "paper":
        link = entry.cited_link
        chosen = record.url or (link.url if link else None)
    elif form == "preprint" and arxiv_id:
        chosen = f"https://arxiv.org/abs/{arxiv_id}"
    elif form in PUBLISHED_FORMS:
        identified = ids.identify(record.url) if record.url else None
        record_url = record.url if record.url and (identified is None or identified.scheme != "arxiv") else None
        chosen = record_url or (f"https://doi.org/{doi}" if doi else None) or (paper.url if paper else record.url)
    else:
        chosen = record.url or (paper.url if paper else None)
    return clean_url(chosen) if chosen else None


def _platform(item: Resolved) -> str | None:
    entry = item.entry
    if entry.kind == "challenge":
        return None
    if entry.host:
        return clean(entry.host)
    if entry.kind != "paper" and entry.venue:
        return clean_or_none(TRAILING_YEAR.sub("", entry.venue))
    return None


def _listed_note(item: Resolved, form: Form) -> str | None:
    """A remark for the reader when the list names a venue the record does not confirm (never a made-up booktitle)."""
    venue = item.entry.venue
    if item.entry.kind != "paper" or not venue or form in PUBLISHED_FORMS or venue.lower().startswith("arxiv"):
        return None
    state = "not resolved yet" if item.status in ("unresolved", "conflict") else "no version of record found"
    return f"Listed as {clean(venue)}; {state}"


def _short_venue(venue: str | None) -> str | None:
    """OpenReview's display venue without the presentation kind: 'NeurIPS 2023 poster' -> 'NeurIPS 2023'."""
    if not venue:
        return None
    return re.sub(
        r"\s+(poster|oral|spotlight|notable[- ]top[- ]\d+%?|top[- ]\d+%?)\s*$", "", venue, flags=re.IGNORECASE
    )


# -- text ---------------------------------------------------------------------------------------------------------


class _CleanTable(dict):  # type: ignore[type-arg]
    """str.translate table that drops control, format, private-use and unassigned characters (bidi overrides,
    zero-width joiners, NUL, ...) and keeps everything else; filled lazily, one lookup per distinct character."""

    def __missing__(self, code: int) -> str | None:
        category = unicodedata.category(chr(code))
        value = None if category in ("Cc", "Cf", "Cs", "Co", "Cn") else chr(code)
        self[code] = value
        return value


_CLEAN_TABLE = _CleanTable()


def clean(text: str) -> str:
    """NFC, no invisible or control characters, whitespace runs (line breaks included) as one space."""
    if text.isascii() and text.isprintable():
        return " ".join(text.split())
    return " ".join(unicodedata.normalize("NFC", text).translate(_CLEAN_TABLE).split())


def clean_or_none(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = clean(text)
    return cleaned or None


def clean_url(url: str) -> str:
    """A URL safe in any field: characters that would break BibTeX braces, a LaTeX \\url or JSON are percent-encoded."""
    cleaned = clean(url).replace(" ", "%20")
    if _URL_SAFE.match(cleaned):
        return cleaned
    return "".join(c if c.isascii() and c not in '{}\\"<>^`|' and c.isprintable() else _percent(c) for c in cleaned)


def _percent(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))


def segments(text: str) -> list[tuple[str | None, str]]:
    """Split text with inline markup into (style, text) runs; style is i, b, sub, sup, sc or None. Unknown tags and
    unbalanced ones are dropped (their text kept); HTML entities become characters."""
    if "<" not in text and "&" not in text:
        return [(None, text)]
    runs: list[tuple[str | None, str]] = []
    stack: list[str] = []
    position = 0
    for match in _TAG.finditer(text):
        if match.start() > position:
            runs.append((stack[-1] if stack else None, text[position : match.start()]))
        position = match.end()
        closing, name = match.group(1), match.group(2).lower()
        style = MARKUP_STYLES.get(name)
        if style is None:
            continue
        if not closing:
            stack.append(style)
        elif style in stack:
            while stack and stack.pop() != style:
                pass
    if position < len(text):
        runs.append((stack[-1] if stack else None, text[position:]))
    merged: list[tuple[str | None, str]] = []
    for style, run in runs:
        run = html.unescape(run)
        if merged and merged[-1][0] == style:
            merged[-1] = (style, merged[-1][1] + run)
        elif run:
            merged.append((style, run))
    return merged


def plain(text: str) -> str:
    """Text without inline markup."""
    return clean("".join(run for _, run in segments(text)))
