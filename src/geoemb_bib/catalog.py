"""Assembling the `Catalog` exporters receive: the curated list's text and sections, and one item per entry."""

from __future__ import annotations

from collections.abc import Mapping

from .model import Catalog, CuratedList, Entry, PartialDate, Record, Resolved


def build_catalog(curated: CuratedList, resolved: Mapping[str, Resolved]) -> Catalog:
    """Items in list order; an entry nothing is known about yet appears as `unresolved` with its curated data."""
    items = tuple(resolved.get(entry.id) or unresolved_item(entry) for entry in curated.entries)
    return Catalog(meta=curated.meta, sections=curated.sections, items=items)


def unresolved_item(entry: Entry) -> Resolved:
    """An entry before any refresh: the curated title, authors and year, nothing asserted by a service, and no
    citation key unless the curator pinned one (keys.py: a key is given when the entry is first resolved)."""
    record = Record(
        source="curated",
        standard_id=f"entry:{entry.id}",
        title=entry.title,
        author=entry.authors,
        issued=PartialDate(entry.year) if entry.year else None,
    )
    return Resolved(entry=entry, key=entry.key or "", status="unresolved", evidence="curated-only", record=record)
