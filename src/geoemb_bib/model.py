"""The data every module shares: curated entries, what a service says, and resolved items.

All classes are frozen: a stage never edits what an earlier stage produced, it builds a new value.
Field names follow CSL semantics in snake_case (`container_title`, `issued`, `author`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal, get_args

from . import ids as _ids
from .services import SourceName as ServiceSource

Status = Literal["published", "preprint", "resolved", "unresolved", "conflict"]
STATUSES: tuple[Status, ...] = get_args(Status)

Evidence = Literal["identifier", "verified", "curated-only"]
EVIDENCE_LEVELS: tuple[Evidence, ...] = get_args(Evidence)

Kind = Literal["paper", "dataset", "blog-post", "challenge", "software", "webpage"]
KINDS: tuple[Kind, ...] = get_args(Kind)
# The fields of an entry in entries.yaml (after its `id`), in the order the tool writes them.
CURATED_FIELDS = (
    "section",
    "kind",
    "title",
    "abbr",
    "venue",
    "year",
    "host",
    "authors",
    "links",
    "ids",
    "key",
    "override",
    "tags",
    "notes",
    "also_in",
)
# Fields of a Record a curator may pin in an entry's `override`; the tool never overwrites them.
OVERRIDE_FIELDS = (
    "title",
    "author",
    "type",
    "issued",
    "container_title",
    "event_title",
    "publisher",
    "volume",
    "issue",
    "page",
    "doi",
    "url",
    "abstract",
    "venue",
    "note",
)
# The columns a section shows when the curator names none.
DEFAULT_COLUMNS: tuple[str, ...] = ("abbr", "title", "venue", "paper", "code")

# CSL item types the exporters map; limited to the ones Zotero's CSL-JSON importer accepts,
# because one unknown type makes Zotero reject the whole file.
ItemType = Literal[
    "paper-conference",
    "article-journal",
    "article",
    "dataset",
    "post-weblog",
    "webpage",
    "report",
    "chapter",
    "book",
    "thesis",
]
ITEM_TYPES: tuple[ItemType, ...] = get_args(ItemType)
# Kinds of non-paper items and the CSL type each becomes (Zotero-safe types only).
KIND_TYPES: Mapping[str, ItemType] = {
    "dataset": "dataset",
    "blog-post": "post-weblog",
    "challenge": "webpage",
    "software": "webpage",
    "webpage": "webpage",
}
# The link a non-paper item is cited by, in order of preference per kind (a blog post's dataset link is not the
# post, a tool is its code); a paper, or an item without any of these, is cited by its paper link, else its first.
KIND_LINK_ROLES: Mapping[str, tuple[str, ...]] = {
    "dataset": ("dataset", "paper", "project", "code"),
    "blog-post": ("paper", "blog", "project", "dataset"),
    "challenge": ("challenge", "paper", "project"),
    "software": ("code", "project", "paper"),
    "webpage": ("paper", "project", "challenge", "dataset", "code"),
}

# How a Resolved's problems say that a search found the entry's title but not the evidence to accept it (and which
# evidence was missing), and that an identifier the entry names is unknown to its service: merge writes them, status
# and the change report show them.
ABSTAINED_PREFIX = "abstained: "
UNKNOWN_ID_PREFIX = "unknown identifier: "

# Where a record comes from: a service's source, the curator (entries.yaml, its override), or the merge of them.
SourceName = Literal[ServiceSource, "curated", "override", "merged"]


class Decision(str, Enum):
    """What a venue decided about a submission, read from OpenReview's `venueid` (never from its display text)."""

    ACCEPTED = "accepted"
    UNDER_REVIEW = "under-review"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    DESK_REJECTED = "desk-rejected"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A publication date known to the year, month or day."""

    year: int
    month: int | None = None
    day: int | None = None

    def parts(self) -> tuple[int, ...]:
        if self.month is None:
            return (self.year,)
        if self.day is None:
            return (self.year, self.month)
        return (self.year, self.month, self.day)

    def __str__(self) -> str:
        return "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(self.parts()))

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Read `2025`, `2025-04` or `2025-04-11` (a trailing time is ignored)."""
        head = text.strip()[:10]
        pieces = [int(p) for p in head.split("-") if p]
        if not pieces:
            raise ValueError(f"not a date: {text!r}")
        return cls(*pieces[:3])


@dataclass(frozen=True, slots=True)
class Person:
    """An author: a person split into name parts, or an organisation kept whole in `literal`."""

    family: str = ""
    given: str = ""
    particle: str = ""
    suffix: str = ""
    literal: str = ""
    affiliations: tuple[str, ...] = ()
    orcid: str = ""

    @property
    def is_organisation(self) -> bool:
        return bool(self.literal)

    def display(self) -> str:
        """The name as written in running text: `Given particle Family, suffix` or the literal."""
        if self.literal:
            return self.literal
        name = " ".join(p for p in (self.given, self.particle, self.family) if p)
        return f"{name}, {self.suffix}" if self.suffix else name

    @property
    def sort_family(self) -> str:
        """The family name a citation key and a match compare on (an organisation's first word)."""
        return self.family or self.literal


@dataclass(frozen=True, slots=True)
class Link:
    """A link of a curated entry as listed: its role (paper, code, dataset, challenge, ...), URL and label."""

    role: str
    url: str
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Section:
    """A section of the list; `parent` makes it a subsection. Numbers are generated, never stored."""

    id: str
    title: str
    icon: str = ""
    description: str = ""
    comment: str = ""
    hidden: bool = False
    parent: str | None = None
    columns: tuple[str, ...] = DEFAULT_COLUMNS
    column_titles: Mapping[str, str] = field(default_factory=dict)
    see_also: str = ""
    line: int | None = None


@dataclass(frozen=True, slots=True)
class ListMeta:
    """The list's own text: title, badges, introduction, notes and the closing contributing note."""

    title: str
    icon: str = ""
    badges: tuple[str, ...] = ()
    intro: str = ""
    notes: tuple[str, ...] = ()
    contributing_title: str = "Contributing"
    contributing_icon: str = ""
    contributing: str = ""
    empty_cell: str = "null"


@dataclass(frozen=True, slots=True)
class CuratedIds:
    """Identifiers a curator states beyond the links (e.g. the arXiv id of a paper linked on IEEE Xplore)."""

    arxiv: str | None = None
    doi: str | None = None
    openreview: str | None = None


@dataclass(frozen=True, slots=True)
class WorkIds:
    """The identifiers of an entry's work as its curator gives them (`Entry.work_ids`); each may be missing."""

    arxiv_id: str | None = None  # without version
    arxiv_version: int | None = None
    doi: str | None = None
    openreview_id: str | None = None

    @property
    def standard_ids(self) -> tuple[str, ...]:
        """`arxiv:<id>` (no version), `doi:<doi>`, `openreview:<id>`, for those present."""
        found = (("arxiv", self.arxiv_id), ("doi", self.doi), ("openreview", self.openreview_id))
        return tuple(_ids.standard_id(scheme, value) for scheme, value in found if value)


@dataclass(frozen=True, slots=True)
class Entry:
    """One curated row of the list, exactly as the curator wrote it."""

    id: str
    section: str
    title: str
    kind: Kind = "paper"
    abbr: str | None = None
    venue: str | None = None
    year: int | None = None
    host: str | None = None
    authors: tuple[Person, ...] = ()
    links: tuple[Link, ...] = ()
    ids: CuratedIds = CuratedIds()
    key: str | None = None
    override: Mapping[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    notes: str | None = None
    # further sections the work is listed in (a list may show one paper under two headings)
    also_in: tuple[str, ...] = ()
    line: int | None = None

    def link(self, role: str) -> Link | None:
        return next((link for link in self.links if link.role == role), None)

    @property
    def cited_link(self) -> Link | None:
        """The link the item is cited by (KIND_LINK_ROLES)."""
        for role in KIND_LINK_ROLES.get(self.kind, ("paper",)):
            link = self.link(role)
            if link is not None:
                return link
        return self.links[0] if self.links else None

    @property
    def work_ids(self) -> WorkIds:
        """The identifiers of the entry's work, worked out here only: each from `ids` if stated there, else from the
        first paper link that carries one of its scheme. entries.yaml's validation makes `ids` and the links agree
        (ids.arxiv may add a version), so the order decides only between two paper links of one scheme."""
        return _work_ids(self.links, self.ids)

    @property
    def is_paper(self) -> bool:
        return self.kind == "paper"


# resolve, merge, matching and the exporters each ask for an entry's identifiers; they are worked out once.
@functools.lru_cache(maxsize=1 << 16)
def _work_ids(links: tuple[Link, ...], stated: CuratedIds) -> WorkIds:
    linked: dict[str, _ids.Identifier] = {}
    for link in links:
        found = _ids.identify(link.url) if link.role == "paper" else None
        if found is not None:
            linked.setdefault(found.scheme, found)
    arxiv_id, arxiv_version = _arxiv_parts(stated.arxiv) if stated.arxiv else (None, None)
    if arxiv_id is None and "arxiv" in linked:
        arxiv_id, arxiv_version = linked["arxiv"].value, linked["arxiv"].version
    return WorkIds(
        arxiv_id=arxiv_id,
        arxiv_version=arxiv_version,
        doi=stated.doi or (linked["doi"].value if "doi" in linked else None),
        openreview_id=stated.openreview or (linked["openreview"].value if "openreview" in linked else None),
    )


def _arxiv_parts(text: str) -> tuple[str | None, int | None]:
    try:
        return _ids.parse_arxiv_id(text)
    except ValueError:  # only an Entry built in code can hold one; entries.yaml's validation refuses it
        return None, None


@dataclass(frozen=True, slots=True)
class CuratedList:
    """Everything entries.yaml says: the list's text, its sections and its entries in list order."""

    meta: ListMeta
    sections: tuple[Section, ...]
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class Record:
    """What one source says about one work, in CSL terms, plus the source-specific facts merge needs."""

    source: SourceName
    standard_id: str
    type: ItemType = "article"
    title: str = ""
    author: tuple[Person, ...] = ()
    issued: PartialDate | None = None
    container_title: str | None = None
    event_title: str | None = None
    publisher: str | None = None
    volume: str | None = None
    issue: str | None = None
    page: str | None = None
    doi: str | None = None
    url: str | None = None
    abstract: str | None = None
    arxiv_id: str | None = None
    arxiv_version: int | None = None
    arxiv_primary_class: str | None = None
    arxiv_categories: tuple[str, ...] = ()
    arxiv_comment: str | None = None
    journal_ref: str | None = None
    updated: str | None = None
    openreview_id: str | None = None
    venue: str | None = None
    venueid: str | None = None
    decision: Decision | None = None
    relations: tuple[tuple[str, str], ...] = ()
    fetched_at: str | None = None
    score: float | None = None
    # The type as the source spells it (Crossref `posted-content`, an OpenReview BibTeX `inproceedings`):
    # `type` is the CSL mapping, this keeps what the matcher needs to tell a preprint server's record apart.
    source_type: str | None = None
    container_title_short: str | None = None
    pdf_url: str | None = None
    # The book series a proceedings volume belongs to (Springer's "Lecture Notes in Computer Science"): kept beside
    # the volume title, which is the container.
    collection_title: str | None = None


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a merged field came from: the source, the record's standard id, when it was fetched and the match score."""

    source: SourceName
    standard_id: str
    fetched_at: str | None = None
    score: float | None = None


@dataclass(frozen=True, slots=True)
class IdAssertion:
    """An identifier of the entry's work and who asserted it (`curated`, a service name, or `matching`)."""

    scheme: str
    value: str
    asserted_by: str


@dataclass(frozen=True, slots=True)
class Resolved:
    """A curated entry with everything the tool decided about it: the merged record, its key, status and why."""

    entry: Entry
    key: str
    status: Status
    evidence: Evidence
    record: Record
    provenance: Mapping[str, Provenance] = field(default_factory=dict)
    identity: tuple[IdAssertion, ...] = ()
    aliases: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    resolved_at: str | None = None


@dataclass(frozen=True, slots=True)
class Catalog:
    """The whole list: its text, its sections and its items in list order. What every exporter receives."""

    meta: ListMeta
    sections: tuple[Section, ...]
    items: tuple[Resolved, ...]

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def keyed(self) -> Catalog:
        """The catalog without the entries that have no citation key yet (never resolved, no pinned key): what the
        citation formats export, since a key made before the services answer would change (keys.py)."""
        return Catalog(self.meta, self.sections, tuple(item for item in self.items if item.key))


@dataclass(frozen=True, slots=True)
class Query:
    """One HTTP GET a source wants made: service, path below the service root, and parameters in order."""

    service: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
