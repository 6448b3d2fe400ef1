"""A bibliography item (a .bib entry, a CSL-JSON item) to a curated entry: key pinned, identifiers in `ids`.

The item's own fields become `override`s only where the user asked (`--overrides`); otherwise they are the
curated title, venue and authors the refresh starts from and checks the services' answers against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .. import ids
from ..entries import _CITATION_KEY, DEFAULT_SECTION, url_problem
from ..model import ITEM_TYPES, CuratedIds, CuratedList, Entry, Kind, Link, ListMeta, Person
from . import IdAllocator, Imported, ImportOptions, Notice, slug

_ARXIV_IN_TEXT = re.compile(r"arxiv[:\s/]*(?:abs/)?(?P<id>\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[A-Z]{2})?/\d{7})", re.I)
# CSL types (as the importers map them) that are not papers.
_KINDS: dict[str, Kind] = {
    "dataset": "dataset",
    "software": "software",
    "webpage": "webpage",
    "post-weblog": "blog-post",
}


@dataclass
class Item:
    """What one bibliography item says, in CSL terms (snake_case), with the line it starts on."""

    key: str
    line: int | None
    type: str = "article"
    title: str = ""
    author: tuple[Person, ...] = ()
    issued: str | None = None
    container_title: str | None = None
    publisher: str | None = None
    volume: str | None = None
    issue: str | None = None
    page: str | None = None
    doi: str | None = None
    url: str | None = None
    abstract: str | None = None
    note: str | None = None
    # texts that may carry an arXiv id (eprint, journal "arXiv preprint arXiv:...", CSL number)
    arxiv_hints: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)


def curated_list(items: list[Item], title: str, options: ImportOptions, notices: list[Notice]) -> Imported:
    allocator = IdAllocator()
    entries: list[Entry] = []
    keys: set[str] = set()
    works: dict[str, str] = {}
    for item in items:
        entry = entry_for(item, allocator, options, notices)
        if entry is None:
            continue
        if entry.key in keys:
            notices.append(Notice(item.line, f"key '{entry.key}' is given twice: the second item is not imported"))
            continue
        same = next((works[work] for work in entry.work_ids.standard_ids if work in works), None)
        if same is not None:
            notices.append(Notice(item.line, f"item '{item.key}' is the same work as '{same}': not imported"))
            continue
        keys.add(entry.key or "")
        works.update(dict.fromkeys(entry.work_ids.standard_ids, item.key))
        entries.append(entry)
    meta = ListMeta(title=title)
    listed = frozenset(("title", "venue", "paper"))
    return Imported(CuratedList(meta, (DEFAULT_SECTION,), tuple(entries)), tuple(notices), listed)


def entry_for(item: Item, allocator: IdAllocator, options: ImportOptions, notices: list[Notice]) -> Entry | None:
    where = f"item '{item.key}'"
    if not item.title:
        notices.append(Notice(item.line, f"{where} has no title: not imported"))
        return None
    key: str | None = item.key
    if not _CITATION_KEY.match(item.key):
        notices.append(Notice(item.line, f"{where}: the key cannot be pinned (letters, digits, '_:.-' only)"))
        key = None
    found = _identifiers(item)
    paper = _paper_link(item, found)
    carried = ids.identify(paper.url) if paper else None
    stated = {scheme: value for scheme, value in found.items() if carried is None or carried.scheme != scheme}
    if item.unused:
        notices.append(Notice(item.line, f"{where}: {', '.join(sorted(set(item.unused)))} not imported"))
    year = int(item.issued[:4]) if item.issued and item.issued[:4].isdigit() else None
    kind = _KINDS.get(item.type, "paper")
    return Entry(
        id=allocator.allocate(slug(item.key, max_words=8), "entry"),
        section=DEFAULT_SECTION.id,
        title=item.title,
        kind=kind,
        venue=_venue(item, year, "arxiv" in found),
        year=year if kind != "paper" else None,
        authors=item.author,
        links=(paper,) if paper else (),
        ids=CuratedIds(arxiv=stated.get("arxiv"), doi=stated.get("doi"), openreview=stated.get("openreview")),
        key=key,
        override=_overrides(item, options),
        line=item.line,
    )


def _identifiers(item: Item) -> dict[str, str]:
    found: dict[str, str] = {}
    if item.doi:
        identifier = ids.identify(item.doi) or ids.identify(f"https://doi.org/{item.doi}")
        if identifier is not None and identifier.scheme in ("doi", "arxiv"):
            found[identifier.scheme] = identifier.value
    for hint in item.arxiv_hints:
        match = _ARXIV_IN_TEXT.search(hint) or _ARXIV_IN_TEXT.search(f"arXiv:{hint}")
        if match and "arxiv" not in found:
            found["arxiv"] = ids.parse_arxiv_id(match.group("id"))[0]
    if item.url:
        identifier = ids.identify(item.url)
        if identifier is not None and identifier.scheme in ("arxiv", "openreview", "doi"):
            found.setdefault(identifier.scheme, identifier.value)
    return found


def _paper_link(item: Item, found: dict[str, str]) -> Link | None:
    """The item's URL when it is a usable link, else the landing page its DOI or arXiv id names."""
    if item.url and url_problem(item.url) is None:
        identifier = ids.identify(item.url)
        # a link naming another work than the stated id would make the entry contradict itself
        if identifier is None or identifier.scheme not in found or _same(identifier, found[identifier.scheme]):
            return Link("paper", item.url)
    if "doi" in found:
        return Link("paper", f"https://doi.org/{found['doi']}")
    if "arxiv" in found:
        return Link("paper", f"https://arxiv.org/abs/{found['arxiv']}")
    if "openreview" in found:
        return Link("paper", f"https://openreview.net/forum?id={found['openreview']}")
    return None


def _same(identifier: ids.Identifier, value: str) -> bool:
    if identifier.scheme == "arxiv":
        return ids.parse_arxiv_id(value)[0] == identifier.value
    return identifier.value == value


def _venue(item: Item, year: int | None, has_arxiv: bool) -> str | None:
    """The venue as a list would write it: the container and year, or `Arxiv YEAR` for a preprint."""
    container = item.container_title
    if container and "arxiv" in container.casefold():
        container = None
    if not container and (has_arxiv or (item.publisher or "").casefold() == "arxiv"):
        return f"Arxiv {year}" if year else "Arxiv"
    if not container:
        return None
    return f"{container} {year}" if year and str(year) not in container else container


def _overrides(item: Item, options: ImportOptions) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in sorted(options.overrides):
        value = getattr(item, name, None)
        if (name == "type" and value not in ITEM_TYPES) or (name == "url" and value and url_problem(value)):
            continue
        if name == "doi" and value and ids.is_arxiv_doi(ids.normalize_doi(value)):
            continue
        if value:
            values[name] = value
    return values
