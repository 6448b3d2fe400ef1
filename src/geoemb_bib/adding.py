"""`add`: from an identifier to a new curated entry, looked up once and checked against the list first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from . import ids, keys, venues
from .errors import NotFound, ServiceError
from .model import CuratedIds, CuratedList, Entry, Link, Record, Resolved
from .sources import arxiv as arxiv_source
from .sources import crossref as crossref_source
from .sources import openreview as openreview_source

if TYPE_CHECKING:
    from .fetch import Fetcher


def duplicate_of(
    curated: CuratedList,
    identifier: ids.Identifier,
    key: str | None,
    resolved: Mapping[str, Resolved] | None = None,
) -> str | None:
    """A sentence naming the entry that already lists this work (or pins this key), or None.

    `resolved` (enriched.yaml's items by entry id) counts too: a DOI that only a refresh found (the published
    version of a listed preprint) is as much "already listed" as one the curator wrote.
    """
    wanted = identifier.standard_id if identifier.scheme != "arxiv" else ids.standard_id("arxiv", identifier.value)
    for entry in curated.entries:
        if wanted in entry.work_ids.standard_ids:
            return f"entry '{entry.id}' (line {entry.line}) already lists {wanted}"
        if key is not None and entry.key == key:
            return f"entry '{entry.id}' (line {entry.line}) already pins the key '{key}'"
    lines = {entry.id: entry.line for entry in curated.entries}
    for entry_id, item in (resolved or {}).items():
        if entry_id in lines and wanted in resolved_ids(item.record):
            return f"entry '{entry_id}' (line {lines[entry_id]}) resolved to {wanted} (enriched.yaml)"
    return None


def resolved_ids(record: Record) -> set[str]:
    """The standard ids a service confirmed for a resolved record: its DOI, arXiv id and OpenReview id."""
    found = set()
    if record.doi:
        found.add(ids.standard_id("doi", record.doi.lower()))
    if record.arxiv_id:
        found.add(ids.standard_id("arxiv", record.arxiv_id))
    if record.openreview_id:
        found.add(ids.standard_id("openreview", record.openreview_id))
    return found


def shared_dois(curated: CuratedList, resolved: Mapping[str, Resolved]) -> list[tuple[Entry, Entry, str]]:
    """Pairs of curated entries whose resolved records carry one DOI: (first listed, later, the DOI)."""
    first: dict[str, Entry] = {}
    pairs = []
    for entry in curated.entries:
        item = resolved.get(entry.id)
        if item is None or not item.record.doi:
            continue
        doi = item.record.doi.lower()
        if doi in first:
            pairs.append((first[doi], entry, doi))
        else:
            first[doi] = entry
    return pairs


def look_up(fetcher: Fetcher, identifier: ids.Identifier) -> tuple[Record | None, str | None]:
    """The service's record for the identifier, or None and a sentence saying why not."""
    try:
        if identifier.scheme == "arxiv":
            query = arxiv_source.batch_queries([identifier.value])[0]
            response = fetcher.get(query, validate=arxiv_source.validate)
            feed = arxiv_source.parse_feed(response.body, fetched_at=response.fetched_at, status=response.status)
            if feed.errors:
                return None, f"arXiv: {'; '.join(feed.errors)}"
            record = feed.records.get(identifier.value)
            return (record, None) if record is not None else (None, f"arXiv does not know {identifier.value}")
        if identifier.scheme == "doi":
            response = fetcher.get(crossref_source.work_query(identifier.value), validate=crossref_source.validate)
            return crossref_source.parse_work(
                response.body, fetched_at=response.fetched_at, status=response.status
            ), None
        for api in ("v2", "v1"):
            response = fetcher.get(
                openreview_source.note_query(identifier.value, api), validate=openreview_source.validate
            )
            try:
                notes = openreview_source.parse_notes(response.body, fetched_at=response.fetched_at, api=api)
            except NotFound:
                continue
            note = next((n for n in notes if n.openreview_id == identifier.value), None)
            if note is not None:
                return note, None
        return None, f"OpenReview does not know {identifier.value}"
    except NotFound as exc:
        return None, exc.message
    except ServiceError as exc:
        return None, exc.message


def build_entry(
    curated: CuratedList,
    identifier: ids.Identifier,
    *,
    section: str,
    record: Record | None,
    title: str | None,
    code: str | None = None,
    dataset: str | None = None,
    key: str | None = None,
    entry_id: str | None = None,
    abbr: str | None = None,
) -> Entry:
    """The curated entry for an identifier: the looked-up title and venue as a curator would list them."""
    links = [Link("paper", landing_url(identifier))]
    links += [Link("code", code)] if code else []
    links += [Link("dataset", dataset)] if dataset else []
    draft = Entry(
        id="new",
        section=section,
        title=(record.title if record is not None and record.title else title) or "",
        abbr=abbr,
        venue=listed_venue(record),
        links=tuple(links),
        key=key,
    )
    if record is not None and identifier.scheme == "doi" and record.arxiv_id:
        draft = replace(draft, ids=CuratedIds(arxiv=record.arxiv_id))
    base = entry_id or keys.entry_id_for(draft.title, abbr)
    taken = {entry.id for entry in curated.entries}
    chosen, number = base, 2
    while chosen in taken:
        chosen, number = f"{base}-{number}", number + 1
    return replace(draft, id=chosen)


def landing_url(identifier: ids.Identifier) -> str:
    if identifier.scheme == "arxiv":
        return f"https://arxiv.org/abs/{identifier.value}"
    if identifier.scheme == "doi":
        return f"https://doi.org/{identifier.value}"
    return f"https://openreview.net/forum?id={identifier.value}"


def listed_venue(record: Record | None) -> str | None:
    """The "Publication" column as the list writes it: `NeurIPS 2023`, `Arxiv 2025`, or the container and year."""
    if record is None:
        return None
    year = record.issued.year if record.issued else None
    if record.source == "arxiv":
        return f"Arxiv {year}" if year else "Arxiv"
    text = record.venue or record.container_title_short or record.container_title
    if not text:
        return str(year) if year else None
    claim = venues.parse_venue_text(text if year is None or str(year) in text else f"{text} {year}")
    if claim.venue is not None and claim.year:
        return claim.label
    return f"{text} {year}" if year and str(year) not in text else text
