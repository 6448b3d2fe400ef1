"""`status`: one row per entry saying where it stands and what a bibliography would still miss."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .model import ABSTAINED_PREFIX, UNKNOWN_ID_PREFIX, Catalog, Resolved

# Fields a reader expects of a citation of each type; absent ones are listed as missing.
EXPECTED = {
    "paper-conference": ("author", "issued", "container_title"),
    "article-journal": ("author", "issued", "container_title", "volume", "page", "doi"),
    "article": ("author", "issued"),
    "dataset": ("author", "issued", "url"),
    "post-weblog": ("author", "issued", "url"),
    "webpage": ("issued", "url"),
}
NAMES = {
    "author": "authors",
    "issued": "year",
    "container_title": "venue",
    "volume": "volume",
    "page": "pages",
    "doi": "DOI",
    "url": "URL",
}


@dataclass(frozen=True, slots=True)
class StatusRow:
    id: str
    key: str
    status: str
    evidence: str
    venue: str
    missing: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        row = asdict(self)
        row["key"] = self.key or None  # an entry never resolved has no key yet
        row["missing"] = list(self.missing)
        return row


def status_rows(catalog: Catalog) -> list[StatusRow]:
    return [_row(item) for item in catalog.items]


def _row(item: Resolved) -> StatusRow:
    record = item.record
    if item.status == "published":
        venue = record.venue or record.container_title or ""
    else:
        venue = item.entry.venue or record.venue or record.container_title or ""
    missing: list[str] = []
    if item.status == "unresolved":
        missing.append("lookup (run `geoemb-bib refresh`)" if not item.steps else "any record")
    elif item.status == "preprint":
        missing.append("version of record")
    elif item.status == "conflict":
        missing.append("a decision on the conflict")
    # Why no version of record was taken, in one line: the evidence each search that found the title was missing.
    why = [p for p in item.problems if p.startswith((ABSTAINED_PREFIX, UNKNOWN_ID_PREFIX))]
    if why and item.status in ("unresolved", "preprint"):
        missing.append("; ".join(why))
    if item.status != "unresolved":
        missing.extend(
            NAMES[name] for name in EXPECTED.get(record.type, ("author", "issued")) if not getattr(record, name)
        )
    return StatusRow(
        id=item.entry.id, key=item.key, status=item.status, evidence=item.evidence, venue=venue, missing=tuple(missing)
    )
