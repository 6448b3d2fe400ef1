"""One trustworthy record per curated entry: field precedence, preprint -> published, provenance, status and conflicts.

Pure: it receives the records and verdicts resolve.py gathered (see `merge_entry`) and never fetches.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Literal

from . import ids
from .matching import (
    IdentifierCheck,
    MatchDecision,
    Reference,
    check_identified,
    corroborate_venue,
    describe_record,
    normalize_title,
    reference_for,
    strip_column_tag,
)
from .model import (
    ABSTAINED_PREFIX,
    KIND_TYPES,
    UNKNOWN_ID_PREFIX,
    Decision,
    Entry,
    Evidence,
    IdAssertion,
    ItemType,
    PartialDate,
    Provenance,
    Record,
    Resolved,
    Status,
)
from .venues import VenueText, canonical_container, parse_venue_text, record_venue, record_years

Layer = Literal["override", "version-of-record", "linked", "arxiv", "curated"]

# Which source wins, field by field: the first layer that has a value. The README quotes this table.
#   override           the curator's `override:` in entries.yaml; beats everything, always
#   version-of-record  the published record: a Crossref work, or an OpenReview note whose decision is ACCEPTED,
#                      linked by an identifier or accepted by matching
#   linked             an OpenReview note linked by identifier that is not a version of record (rejected,
#                      under review): it still names the work's forum
#   arxiv              the latest arXiv version
#   curated            the entry as listed (title, venue text, year, host, links, authors of non-papers)
PRECEDENCE: Mapping[str, tuple[Layer, ...]] = {
    "type": ("override", "version-of-record", "arxiv", "curated"),
    "title": ("override", "version-of-record", "arxiv", "curated"),
    "author": ("override", "version-of-record", "arxiv", "curated"),
    "issued": ("override", "version-of-record", "arxiv", "curated"),
    "container_title": ("override", "version-of-record", "curated"),
    "event_title": ("override", "version-of-record"),
    "collection_title": ("override", "version-of-record"),
    "publisher": ("override", "version-of-record", "arxiv", "curated"),
    "volume": ("override", "version-of-record"),
    "issue": ("override", "version-of-record"),
    "page": ("override", "version-of-record"),
    "doi": ("override", "version-of-record", "curated", "arxiv"),
    "url": ("override", "version-of-record", "arxiv", "curated"),
    "abstract": ("override", "version-of-record", "arxiv"),
    "venue": ("override", "version-of-record", "curated"),
    "arxiv_id": ("arxiv", "curated"),
    "arxiv_version": ("arxiv", "curated"),
    "arxiv_primary_class": ("arxiv",),
    "arxiv_categories": ("arxiv",),
    "arxiv_comment": ("arxiv",),
    "journal_ref": ("arxiv",),
    "updated": ("arxiv",),
    "openreview_id": ("version-of-record", "linked", "curated"),
    "venueid": ("version-of-record", "linked"),
    "decision": ("version-of-record", "linked"),
    "relations": ("version-of-record", "arxiv"),
}

# Why some rows of PRECEDENCE read the way they do (quoted by the README next to the table).
PRECEDENCE_NOTES: Mapping[str, str] = {
    "type": "Crossref deposits AAAI's proceedings as journal-article: a version of record whose venue is a known"
    " conference becomes paper-conference; an accepted OpenReview note is paper-conference (article-journal"
    " for a journal such as TMLR); arXiv gives article; a non-paper's kind gives dataset/post-weblog/webpage",
    "title": "the version of record's title even when it differs from arXiv's only in case ('A review');"
    " an all-capitals"
    " title is the one exception, replaced by an arXiv title that normalises to the same words",
    "author": "an empty list never wins: Crossref omits authors for some records (10.1145/3736539.3754446)",
    "issued": "a version of record without a date takes the curated year before arXiv's,"
    " since arXiv dates the preprint",
    "container_title": "an accepted OpenReview note gets its venue's canonical name from the venue table"
    " (OpenReview's booktitles differ by API and year);"
    " a non-paper's host or platform ('Source Cooperative', 'Medium')",
    "doi": "the publisher DOI; only a preprint gets arXiv's DataCite DOI (10.48550/arxiv.<id>), which identity always"
    " keeps; a version of record without a DOI (OpenReview) has none",
    "publisher": "arXiv names itself publisher of a preprint only; a version of record without a publisher has none",
    "abstract": "arXiv's abstract unless the version of record has one",
    "venue": "a short label (acronym and year, e.g. 'ICCV 2021') derived from the version of record; the curated text"
    " when it names the same venue and year (keeps 'Oral'); with no version of record the venue as listed,"
    " which never makes an entry published",
    "arxiv_id": "always kept, also after the upgrade to a version of record",
}

# Fields that describe the published version: once a version of record exists, arXiv never fills them,
# so an OpenReview paper without a DOI does not get arXiv's DOI or "arXiv" as its publisher.
PUBLICATION_FIELDS = ("doi", "publisher")
# Fields a merged Record carries; `source`, `standard_id`, `fetched_at` and `score` are set by merge itself.
MERGED_FIELDS = tuple(PRECEDENCE)
# Problems that say a service failed start with this, so a kept previous result can shed the old ones.
FAILURE_PREFIX = "service failure: "
_UNACCEPTED = (Decision.REJECTED, Decision.WITHDRAWN, Decision.DESK_REJECTED)


@dataclass(frozen=True, slots=True)
class _Source:
    """One record contributing a layer, with the provenance its fields get."""

    record: Record
    provenance: Provenance


def merge_entry(
    entry: Entry,
    *,
    preprint: Record | None = None,
    earlier_preprints: Sequence[Record] = (),
    identified: Sequence[IdentifierCheck] = (),
    searches: Sequence[MatchDecision] = (),
    steps: Sequence[str] = (),
    failures: Sequence[str] = (),
    previous: Resolved | None = None,
    key: str = "",
    resolved_at: str | None = None,
    reference: Reference | None = None,
    abstentions: Sequence[str] = (),
    unknown_ids: Sequence[str] = (),
) -> Resolved:
    """Merge everything known about one entry into a `Resolved`.

    preprint           the arXiv record (latest version) of the entry, if any
    earlier_preprints  earlier arXiv versions; their titles become aliases
    identified         records reached by identifier, each checked with `matching.check_identified` against
                       `matching.reference_for(entry, preprint, earlier_preprints)`; order = preference (put
                       curated identifiers before arXiv-reported ones)
    searches           `matching.choose` verdicts of title searches (Crossref first, then OpenReview)
    steps              resolve.py's own steps (queries made, cache hits), kept in front of merge's
    failures           one sentence per service that failed for this entry in this run; with a `previous`
                       result that is not unresolved, that result is kept as is (plus a problem), never degraded
    previous           this entry's Resolved from the last enriched.yaml, if any
    key                the citation key when already known (keys.assign_keys fills it in otherwise)
    resolved_at        when this run resolved the entry (ISO 8601), for the record
    reference          `matching.reference_for(entry, preprint, earlier_preprints)` when the caller has it already
    abstentions        one line per search that found the entry's title but not the evidence to accept it
                       (`MatchDecision.missing`); they become problems when no version of record was found
    unknown_ids        standard ids (`arxiv:2212.1453`) the entry names that their service answered it does not
                       know: never written into the record, each reported
    """
    if failures and previous is not None and previous.status != "unresolved":
        return _keep_previous(entry, previous, failures)
    if not entry.is_paper:
        return _merge_curated_item(
            entry, steps=steps, key=key or (previous.key if previous else ""), resolved_at=resolved_at
        )
    return _merge_paper(
        entry,
        preprint=preprint,
        earlier=earlier_preprints,
        identified=identified,
        searches=searches,
        steps=steps,
        failures=failures,
        key=key or (previous.key if previous else ""),
        resolved_at=resolved_at,
        reference=reference,
        abstentions=abstentions,
        unknown_ids=unknown_ids,
    )


# --- papers ------------------------------------------------------------------------------------------------


@dataclass
class _Findings:
    """What the records reached for one paper say, gathered before its merged record is built."""

    steps: list[str]
    problems: list[str]
    identity: list[IdAssertion]
    conflicts: list[str] = field(default_factory=list)
    vor: _Source | None = None
    evidence: Evidence | None = None
    linked: list[_Source] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)

    def add_identified(self, check: IdentifierCheck) -> None:
        """A record reached by an identifier: the version of record, a linked record, or refused as another paper."""
        self.identity += _record_identity(check.record, check.asserted_by)
        self.steps.extend(check.steps)
        if check.conflict:
            self.conflicts.extend(check.problems)
            self.refused.add(check.record.standard_id.lower())
            return
        self.problems.extend(check.problems)
        source = _Source(check.record, _provenance(check.record, None))
        if check.is_version_of_record and (self.vor is None or _same_work_id(self.vor.record, check.record)):
            if self.vor is None:
                self.vor, self.evidence = source, "identifier"
        else:
            self.linked.append(source)

    def add_search(self, decision: MatchDecision) -> None:
        """A title search's verdict: its record is the version of record unless one is known already."""
        self.steps.extend(decision.lasting_steps)
        if decision.outcome == "abstained":
            self.problems.append(decision.steps[-1])
        if decision.record is None:
            return
        record = decision.record
        asserted_by = record.source if decision.evidence == "identifier" else "matching"
        self.identity += _record_identity(record, asserted_by)
        source = _Source(record, _provenance(record, decision.score if decision.evidence == "verified" else None))
        if self.vor is None:
            self.vor, self.evidence = source, decision.evidence
        elif not _same_work_id(self.vor.record, record):
            kept = describe_record(self.vor.record)
            also = f"{record.source} search also matched {describe_record(record)}; kept {kept}"
            # Another service's record of the same paper (its OpenReview forum beside its DOI) corroborates;
            # a second record of the same service is a second candidate version and worth a look.
            (self.steps if record.source != self.vor.record.source else self.problems).append(also)
            self.linked.append(source)

    def verdict(
        self, has_preprint: bool, failed: bool, abstentions: Sequence[str] = ()
    ) -> tuple[Status, Evidence, list[str]]:
        """Status, evidence and the problems to show (conflicts first); without a version of record, each search's
        abstention with its missing evidence."""
        problems = self.problems
        if self.conflicts:
            status: Status = "conflict"
            problems = self.conflicts + problems
        elif self.vor is not None:
            status = "published"
        elif has_preprint:
            status = "preprint"
        else:
            status = "unresolved"
            if not failed and not abstentions and not any(p.startswith(UNKNOWN_ID_PREFIX) for p in problems):
                problems.append("no record found for this entry in any source")
        if self.vor is None:
            problems.extend(f"{ABSTAINED_PREFIX}{line}" for line in abstentions)
        if self.vor is not None:
            evidence: Evidence = self.evidence or "verified"
        elif has_preprint or self.linked:
            evidence = "identifier"
        else:
            evidence = "curated-only"
        return status, evidence, problems


def _merge_paper(
    entry: Entry,
    *,
    preprint: Record | None,
    earlier: Sequence[Record],
    identified: Sequence[IdentifierCheck],
    searches: Sequence[MatchDecision],
    steps: Sequence[str],
    failures: Sequence[str],
    key: str,
    resolved_at: str | None,
    reference: Reference | None,
    abstentions: Sequence[str] = (),
    unknown_ids: Sequence[str] = (),
) -> Resolved:
    found = _Findings(
        steps=list(steps),
        problems=[FAILURE_PREFIX + failure for failure in failures]
        + [
            f"{UNKNOWN_ID_PREFIX}{standard} is not known to its service; not exported (check it)"
            for standard in unknown_ids
        ],
        identity=_curated_identity(entry),
        refused={standard.lower() for standard in unknown_ids},
    )
    if preprint is not None:
        found.identity += _arxiv_identity(preprint)
        curated_check = _check_curated_against_preprint(entry, preprint, earlier)
        found.steps.extend(curated_check.steps)
        if curated_check.conflict:
            found.conflicts.extend(curated_check.problems)
            preprint = None
            reference = None  # it read the refused preprint's journal-ref and comment as venue hints
            found.steps.append("arXiv record not merged: it does not look like the listed paper")
    if reference is None:
        reference = reference_for(entry, preprint, earlier)
    for check in identified:
        found.add_identified(check)
    for decision in searches:
        found.add_search(decision)
    vor, linked = found.vor, found.linked

    found.conflicts.extend(_doi_conflicts(entry, preprint))
    venue_conflicts, venue_problems = _venue_findings(entry, reference.venue_hints, vor, linked, searches)
    found.conflicts.extend(venue_conflicts)
    found.problems.extend(venue_problems)

    arxiv_source = _Source(preprint, _provenance(preprint, None)) if preprint is not None else None
    record, provenance, merge_steps = _build_record(
        entry, vor=vor, linked=linked, arxiv=arxiv_source, refused=found.refused
    )
    found.steps.extend(merge_steps)
    if vor is not None and not record.author:
        found.problems.append("no author list in any source")
    status, evidence, problems = found.verdict(preprint is not None, bool(failures), abstentions)
    found.steps.append(
        f"status {status} ({evidence})" + (f": version of record {vor.record.standard_id}" if vor else "")
    )

    titles = [entry.title, *(r.title for r in (preprint, *earlier) if r is not None)]
    titles += [d.record.title for d in searches if d.record is not None]
    titles += [c.record.title for c in identified if not c.conflict]
    return Resolved(
        entry=entry,
        key=key,
        status=status,
        evidence=evidence,
        record=record,
        provenance=provenance,
        identity=_dedupe(found.identity),
        aliases=_aliases(record.title, titles),
        steps=tuple(_dedupe(found.steps)),
        problems=tuple(_dedupe(problems)),
        resolved_at=resolved_at,
    )


def _check_curated_against_preprint(entry: Entry, preprint: Record, earlier: Sequence[Record]) -> IdentifierCheck:
    """The arXiv record named by the curated id, checked against the title (and authors) as listed."""
    curated = Reference(titles=(entry.title,), authors=entry.authors)
    first = check_identified(curated, preprint, asserted_by="curated")
    if not first.conflict:
        return first
    # The listed title may be an earlier version's (GAIR lists v1's title).
    for record in earlier:
        check = check_identified(curated, record, asserted_by="curated")
        if not check.conflict:
            return check
    return first


def _venue_findings(
    entry: Entry,
    hints: Sequence[str],
    vor: _Source | None,
    linked: Sequence[_Source],
    searches: Sequence[MatchDecision],
) -> tuple[list[str], list[str]]:
    """Conflicts and notes about the venue the entry is listed with versus what the records say."""
    conflicts: list[str] = []
    problems: list[str] = []
    listed = parse_venue_text(entry.venue) if entry.venue else None
    claims_venue = listed is not None and listed.venue is not None and listed.venue.kind not in ("preprint", "platform")
    notes = [s.record for s in linked if s.record.source == "openreview"]
    notes += [a.record for d in searches for a in d.refuting if a.record.source == "openreview"]
    if listed is not None and claims_venue:
        for note in notes:
            if note.decision is None or note.decision is Decision.ACCEPTED:
                continue
            if record_venue(note) is not listed.venue or (
                listed.year is not None and listed.year not in record_years(note)
            ):
                continue
            says = (
                f"OpenReview {note.openreview_id or note.standard_id} says {note.decision.value} "
                f"(venueid {note.venueid})"
            )
            if note.decision in _UNACCEPTED:
                conflicts.append(f"listed as {listed.raw} but {says}")
            else:
                problems.append(f"listed as {listed.raw}; {says}")
    if vor is None:
        problems.extend(_venues_without_record(entry, listed, claims_venue, hints))
    elif listed is not None and claims_venue:
        verdict = corroborate_venue((entry.venue or "",), vor.record)
        if verdict.corroborates is False:
            problems.append(
                f"listed as {listed.raw}; the version of record is "
                f"{verdict.found or vor.record.container_title or 'elsewhere'}"
            )
    return conflicts, problems


def _venues_without_record(
    entry: Entry, listed: VenueText | None, claims_venue: bool, hints: Sequence[str]
) -> list[str]:
    """What claims a venue while no version of record was found: the listing, when it names a venue that publishes,
    and arXiv's journal-ref or comment when they name another."""
    problems = [f"listed as {listed.raw}; no version of record found"] if listed is not None and claims_venue else []
    for hint in hints:
        if hint == entry.venue:
            continue
        claimed = parse_venue_text(hint)
        if (
            claimed.venue is not None
            and claimed.venue.kind not in ("preprint", "platform")
            and (listed is None or claimed.label != listed.label)
        ):
            problems.append(f"arXiv says '{hint}'; no version of record found")
    return problems


def _doi_conflicts(entry: Entry, preprint: Record | None) -> list[str]:
    """The curated DOI and the publisher DOI arXiv reports must agree."""
    if not entry.ids.doi or preprint is None or not preprint.doi or ids.is_arxiv_doi(preprint.doi):
        return []
    reported = preprint.doi.lower()
    if reported == entry.ids.doi.lower():
        return []
    return [f"curated DOI {entry.ids.doi} differs from the DOI arXiv {preprint.arxiv_id} reports ({reported})"]


# --- building the merged record ---------------------------------------------------------------------------------


def _build_record(
    entry: Entry,
    *,
    vor: _Source | None,
    linked: Sequence[_Source],
    arxiv: _Source | None,
    refused: AbstractSet[str] = frozenset(),
) -> tuple[Record, dict[str, Provenance], list[str]]:
    """Apply PRECEDENCE: for each field the first layer with a value, and where it came from.

    `refused` holds standard ids of identifier-linked records found to be another paper: a curated DOI among
    them is not written into the record (identity still shows who asserted it, problems say why).
    """
    entry_ref = f"entry:{entry.id}"
    arxiv_record = arxiv.record if arxiv is not None else None
    layers: dict[Layer, tuple[Callable[[str], Any], Provenance]] = {
        "override": (functools.partial(_override_value, entry), Provenance("override", entry_ref)),
        "curated": (functools.partial(_curated_value, entry, refused=refused), Provenance("curated", entry_ref)),
    }
    if vor is not None:
        layers["version-of-record"] = (
            functools.partial(_vor_value, vor.record, entry=entry, arxiv=arxiv_record),
            vor.provenance,
        )
    if arxiv is not None:
        layers["arxiv"] = (functools.partial(_arxiv_value, arxiv.record, has_vor=vor is not None), arxiv.provenance)
    linked_note = next((s for s in linked if s.record.source == "openreview"), None)
    if linked_note is not None:
        layers["linked"] = (functools.partial(getattr, linked_note.record), linked_note.provenance)
    values: dict[str, Any] = {}
    provenance: dict[str, Provenance] = {}
    for name, order in PRECEDENCE.items():
        for layer in order:
            if layer not in layers:
                continue
            read, origin = layers[layer]
            value = read(name)
            if _present(value):
                values[name] = value
                provenance[name] = origin
                break
    steps: list[str] = []
    if (
        vor is not None
        and arxiv is not None
        and vor.record.author
        and arxiv.record.author
        and len(vor.record.author) != len(arxiv.record.author)
    ):
        steps.append(
            f"authors: {vor.record.source} lists {len(vor.record.author)}, arXiv {len(arxiv.record.author)};"
            f" using {provenance['author'].source}'s"
        )
    main = vor or arxiv
    fetched = [s.provenance.fetched_at for s in (vor, arxiv, *linked) if s is not None and s.provenance.fetched_at]
    record = Record(
        source="merged",
        standard_id=main.record.standard_id if main else entry_ref,
        fetched_at=max(fetched) if fetched else None,
        **values,
    )
    return record, provenance, steps


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != ()


def _override_value(entry: Entry, name: str) -> Any:
    value = entry.override.get(name)
    if value is None:
        return None
    if name == "issued" and isinstance(value, str):
        return PartialDate.parse(value)
    if name == "author":
        return tuple(value)
    return value


def _vor_value(record: Record, name: str, *, entry: Entry, arxiv: Record | None) -> Any:
    rule = _VOR_RULES.get(name)
    return rule(record, entry, arxiv) if rule is not None else getattr(record, name)


def _vor_title(record: Record, entry: Entry, arxiv: Record | None) -> str:
    """An all-capitals title is the one a same-words arXiv title replaces."""
    if record.title.isupper() and arxiv is not None and normalize_title(arxiv.title) == normalize_title(record.title):
        return arxiv.title
    # An IEEE magazine's column tag ("[Software and Data Sets]") is a label, not part of the title.
    return strip_column_tag(record.title)


def _vor_container_title(record: Record, entry: Entry, arxiv: Record | None) -> str | None:
    """One name per venue whatever OpenReview's API and year call it (venues.canonical_container)."""
    return canonical_container(record)


# The version of record's fields that are more than its own value (PRECEDENCE_NOTES says why); the others are read
# from the record as they are.
_VOR_RULES: Mapping[str, Callable[[Record, Entry, Record | None], Any]] = {
    "type": lambda record, entry, arxiv: _vor_type(record),
    "title": _vor_title,
    "issued": lambda record, entry, arxiv: record.issued if record.issued is not None else _curated_issued(entry),
    "container_title": _vor_container_title,
    "url": lambda record, entry, arxiv: record.url or (f"https://doi.org/{record.doi}" if record.doi else record.url),
    "venue": lambda record, entry, arxiv: _vor_venue_label(record, entry),
}


def _vor_type(record: Record) -> ItemType:
    """The CSL type of a version of record, corrected by what its venue is (AAAI's 'journal' is a conference)."""
    venue = record_venue(record)
    if venue is not None and record.type in ("article-journal", "article"):
        if venue.kind == "conference":
            return "paper-conference"
        if venue.kind == "journal" and record.type == "article":
            return "article-journal"
    if record.source == "openreview" and record.type == "article":
        return "paper-conference"
    return record.type


def _vor_venue_label(record: Record, entry: Entry) -> str | None:
    venue = record_venue(record)
    if venue is None:
        return record.venue
    years = record_years(record)
    year = record.issued.year if record.issued else (min(years) if years else None)
    if entry.venue:
        listed = parse_venue_text(entry.venue)
        if listed.venue is venue and (listed.year is None or listed.year == year):
            return entry.venue
    return f"{venue.acronym} {year}" if year else venue.acronym


def _arxiv_value(record: Record, name: str, *, has_vor: bool) -> Any:
    if has_vor and name in PUBLICATION_FIELDS:
        return None
    rule = _ARXIV_RULES.get(name)
    return rule(record) if rule is not None else getattr(record, name)


# arXiv's fields that are more than the feed's own value: its DataCite DOI, and every arXiv paper is an article.
_ARXIV_RULES: Mapping[str, Callable[[Record], Any]] = {
    "doi": lambda record: ids.arxiv_doi(record.arxiv_id) if record.arxiv_id else None,
    "type": lambda record: "article",
}


def _curated_value(entry: Entry, name: str, *, refused: AbstractSet[str] = frozenset()) -> Any:
    rule = _CURATED_RULES.get(name)
    return rule(entry, refused) if rule is not None else None


def _curated_issued(entry: Entry) -> PartialDate | None:
    listed = parse_venue_text(entry.venue) if entry.venue else None
    year = entry.year or (listed.year if listed else None)
    return PartialDate(year) if year else None


# A paper listed at a known venue is of that venue's kind.
_LISTED_VENUE_TYPES: Mapping[str, ItemType] = {"conference": "paper-conference", "journal": "article-journal"}


def _curated_type(entry: Entry) -> ItemType:
    if not entry.is_paper:
        return KIND_TYPES.get(entry.kind, "webpage")
    listed = parse_venue_text(entry.venue) if entry.venue else None
    if listed is not None and listed.venue is not None:
        return _LISTED_VENUE_TYPES.get(listed.venue.kind, "article")
    return "article"


def _curated_host(entry: Entry, field_name: str) -> str | None:
    """A dataset's host is its publisher (CSL: the repository); a post's or page's host is its container."""
    if entry.is_paper or field_name != ("publisher" if entry.kind == "dataset" else "container_title"):
        return None
    listed = parse_venue_text(entry.venue) if entry.venue else None
    return entry.host or (listed.name if listed is not None else None)


def _curated_arxiv(entry: Entry, refused: AbstractSet[str]) -> tuple[str | None, int | None]:
    """The stated arXiv id and version, unless arXiv answered that it does not know the id."""
    stated = entry.work_ids
    if stated.arxiv_id is None or f"arxiv:{stated.arxiv_id}".lower() in refused:
        return None, None
    return stated.arxiv_id, stated.arxiv_version


def _curated_doi(entry: Entry, refused: AbstractSet[str]) -> str | None:
    doi = entry.work_ids.doi
    return doi if doi and f"doi:{doi.lower()}" not in refused else None


# What the entry as listed says for each field PRECEDENCE asks the curated layer about.
_CURATED_RULES: Mapping[str, Callable[[Entry, AbstractSet[str]], Any]] = {
    "title": lambda entry, refused: entry.title,
    "author": lambda entry, refused: entry.authors,
    "issued": lambda entry, refused: _curated_issued(entry),
    "type": lambda entry, refused: _curated_type(entry),
    "venue": lambda entry, refused: entry.venue or (entry.host if not entry.is_paper else None),
    "url": lambda entry, refused: _curated_url(entry),
    "doi": _curated_doi,
    "arxiv_id": lambda entry, refused: _curated_arxiv(entry, refused)[0],
    "arxiv_version": lambda entry, refused: _curated_arxiv(entry, refused)[1],
    "openreview_id": lambda entry, refused: entry.work_ids.openreview_id,
    "publisher": lambda entry, refused: _curated_host(entry, "publisher"),
    "container_title": lambda entry, refused: _curated_host(entry, "container_title"),
}


def _curated_url(entry: Entry) -> str | None:
    link = entry.cited_link
    return link.url if link is not None else None


def _provenance(record: Record, score: float | None) -> Provenance:
    return Provenance(record.source, record.standard_id, record.fetched_at, score)


def _same_work_id(a: Record, b: Record) -> bool:
    return a.standard_id.lower() == b.standard_id.lower()


# --- identity, aliases --------------------------------------------------------------------------------------


def _curated_identity(entry: Entry) -> list[IdAssertion]:
    found: list[IdAssertion] = []
    if entry.ids.arxiv:
        found.append(IdAssertion("arxiv", entry.ids.arxiv, "curated"))
    if entry.ids.doi:
        found.append(IdAssertion("doi", entry.ids.doi, "curated"))
    if entry.ids.openreview:
        found.append(IdAssertion("openreview", entry.ids.openreview, "curated"))
    for link in entry.links:
        if link.role != "paper":
            continue
        identifier = ids.identify(link.url)
        if identifier is not None:
            value = f"{identifier.value}v{identifier.version}" if identifier.version else identifier.value
            found.append(IdAssertion(identifier.scheme, value, "curated"))
    return found


def _arxiv_identity(record: Record) -> list[IdAssertion]:
    if not record.arxiv_id:
        return []
    version = f"v{record.arxiv_version}" if record.arxiv_version else ""
    found = [
        IdAssertion("arxiv", record.arxiv_id + version, "arxiv"),
        IdAssertion("doi", ids.arxiv_doi(record.arxiv_id), "arxiv"),
    ]
    if record.doi and not ids.is_arxiv_doi(record.doi):
        found.append(IdAssertion("doi", record.doi.lower(), "arxiv"))
    return found


def _record_identity(record: Record, asserted_by: str) -> list[IdAssertion]:
    found = []
    if record.doi:
        found.append(IdAssertion("doi", record.doi.lower(), asserted_by))
    if record.openreview_id:
        found.append(IdAssertion("openreview", record.openreview_id, asserted_by))
    return found


def _dedupe(items: Sequence[Any]) -> tuple[Any, ...]:
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return tuple(seen)


def _aliases(title: str, titles: Sequence[str]) -> tuple[str, ...]:
    """Titles the work is also known by: those that differ from the merged title beyond case and punctuation."""
    kept: list[str] = []
    seen = {normalize_title(title)}
    for candidate in titles:
        norm = normalize_title(candidate or "")
        if norm and norm not in seen:
            seen.add(norm)
            kept.append(candidate)
    return tuple(kept)


# --- non-paper items and kept results -----------------------------------------------------------------------


def _merge_curated_item(entry: Entry, *, steps: Sequence[str], key: str, resolved_at: str | None) -> Resolved:
    """A dataset, blog post, challenge, software or web page: no service knows it, the curated data is the record."""
    record, provenance, _ = _build_record(entry, vor=None, linked=(), arxiv=None)
    problems = [] if record.url else ["no link to cite"]
    return Resolved(
        entry=entry,
        key=key,
        status="resolved",
        evidence="curated-only",
        record=record,
        provenance=provenance,
        identity=_dedupe(_curated_identity(entry)),
        aliases=(),
        steps=(*steps, f"{entry.kind}: built from the curated entry"),
        problems=tuple(problems),
        resolved_at=resolved_at,
    )


def _keep_previous(entry: Entry, previous: Resolved, failures: Sequence[str]) -> Resolved:
    """Services failed: keep the last good result (with the curator's current entry and overrides on top)."""
    record = previous.record
    provenance = dict(previous.provenance)
    for name in PRECEDENCE:
        value = _override_value(entry, name)
        if _present(value):
            record = dataclasses.replace(record, **{name: value})
            provenance[name] = Provenance("override", f"entry:{entry.id}")
    # The run reports the failure; the lock file keeps the last good result unchanged, so a flaky week does not
    # show up as a diff (and the next healthy run has nothing to undo).
    kept = tuple(p for p in previous.problems if not p.startswith(FAILURE_PREFIX))
    return dataclasses.replace(previous, entry=entry, record=record, provenance=provenance, problems=kept)
