"""Orchestration of a refresh: which requests each entry needs, in rounds, then matching, merging and keys.

Every round asks all services at once (the fetcher paces each within its limits); an entry asks for a title
search only once its identifier lookups have not found the version of record, so no request is wasted.
Per-entry failures are values: a service that fails leaves the entry's previous good data in place.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Literal

from . import carryover, ids, keys, landing, matching, merge, services, sources, venues
from .catalog import unresolved_item
from .errors import NotFound, ServiceError, UsageError, did_you_mean
from .model import CuratedList, Entry, Query, Record, Resolved
from .report import Change, describe_changes
from .sources import arxiv as arxiv_source
from .sources import crossref as crossref_source
from .sources import openreview as openreview_source
from .sources.interface import Answer

if TYPE_CHECKING:
    from .fetch import Fetcher, Response

logger = logging.getLogger(__name__)

# arXiv categories whose papers go to venues that review on OpenReview (NeurIPS, ICLR, ICML, TMLR...): a preprint
# in one of them, without a venue claim pointing elsewhere, is searched there by title.
OPENREVIEW_CATEGORIES = frozenset(
    {"cs.LG", "cs.CV", "cs.CL", "cs.AI", "stat.ML", "cs.NE", "cs.IR", "cs.RO", "cs.MA", "cs.SD", "eess.IV"}
)


@dataclass(frozen=True, slots=True)
class RefreshOptions:
    """Which entries a refresh looks up (`only`: entry ids or citation keys; `section`: a section id and its
    subsections) and whether keys may be recomputed."""

    only: tuple[str, ...] = ()
    section: str | None = None
    rekey: bool = False
    key_scheme: keys.KeyScheme = "author-year-word"


@dataclass(frozen=True, slots=True)
class Progress:
    """One finished request, for a progress display: `done` of `total` requests so far in the run."""

    service: str
    done: int
    total: int
    from_cache: bool
    failed: bool


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """Everything a refresh decided: the items in list order, what changed, and what could not be done."""

    items: tuple[Resolved, ...]
    refreshed: tuple[str, ...]
    changes: tuple[Change, ...]
    key_changes: tuple[keys.KeyChange, ...]
    failures: Mapping[str, str]
    service_problems: Mapping[str, str]
    # entry id -> service -> the first failure message, for summaries that group entries by service
    failed_services: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # service -> (queries answered, from the cache, failed): the numbers the progress display showed
    queries: Mapping[str, tuple[int, int, int]] = field(default_factory=dict)
    # entry id -> what its item was made from, for every item a later refresh may carry over (carryover.py)
    fingerprints: Mapping[str, carryover.Fingerprint] = field(default_factory=dict)
    # the entries kept as they were, their curated fields and answers being unchanged
    carried: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failures and not self.service_problems


ProgressCallback = Callable[[Progress], None]
_Handler = Callable[["Response | ServiceError"], None]


@dataclass
class _Work:
    """What one entry has gathered so far in this run (mutable while the rounds go on)."""

    entry: Entry
    arxiv_id: str | None = None
    curated_doi: str | None = None
    curated_openreview: str | None = None
    # the OpenReview APIs still to try for the curated note id, in order (a venue lives on one of the two)
    openreview_apis: list[str] = field(default_factory=list)
    preprint: Record | None = None
    arxiv_asked: bool = False
    # earlier arXiv versions, asked for when the listed title is not the latest version's
    earlier: list[Record] = field(default_factory=list)
    earlier_asked: bool = False
    asked_dois: set[str] = field(default_factory=set)
    # (preference, record, who asserted the identifier): curated DOI 0, curated OpenReview 1, arXiv-reported DOI 2
    linked: list[tuple[int, Record, str]] = field(default_factory=list)
    searched: bool = False
    search_results: dict[str, list[Record]] = field(default_factory=dict)
    # what the paper link revealed (landing.py), and the identifiers it implies that are still to be asked for
    link: landing.LinkFacts | None = None
    pii: str | None = None
    doi_to_verify: str | None = None
    # an arXiv id (from the link or `ids`) that arXiv answered it does not know: never exported
    unknown_arxiv: str | None = None
    # the arXiv title search (for entries whose preprint is not known by id) and its verdict
    arxiv_title_asked: bool = False
    preprint_search: matching.MatchDecision | None = None
    # the OpenReview APIs still to search by title: the second only when the first had nothing near the title
    openreview_search_apis: list[str] = field(default_factory=list)
    openreview_search_near: bool = False
    steps: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    # service -> its first failure for this entry; kept apart from the sentences so that a summary never has to
    # parse them back (a message may itself hold "; " or ": ")
    failed: dict[str, str] = field(default_factory=dict)
    # The entry as matching sees it, and the arXiv answers it was worked out from (see `reference`).
    _reference: tuple[Record | None, int, matching.Reference] | None = None
    # the queries whose answers this entry read, for its fingerprint
    reads: list[Query] = field(default_factory=list)

    def fail(self, service: str, message: str) -> None:
        self.failures.append(f"{service}: {message}")
        self.failed.setdefault(service, message)

    def reference(self) -> matching.Reference:
        """What candidates are compared with: worked out once, and again only when an arXiv answer adds to it."""
        known = self._reference
        if known is None or known[0] is not self.preprint or known[1] != len(self.earlier):
            known = (self.preprint, len(self.earlier), matching.reference_for(self.entry, self.preprint, self.earlier))
            self._reference = known
        return known[2]

    def identified(self) -> list[matching.IdentifierCheck]:
        reference = self.reference()
        ordered = sorted(self.linked, key=lambda item: item[0])
        return [
            matching.check_identified(reference, record, asserted_by=asserted_by) for _, record, asserted_by in ordered
        ]

    @property
    def has_version_of_record(self) -> bool:
        return any(check.is_version_of_record for check in self.identified())


def select_entries(curated: CuratedList, previous: Mapping[str, Resolved], options: RefreshOptions) -> list[Entry]:
    """The entries a refresh looks up; a name in `only`/`section` that matches nothing is a UsageError saying
    which, with the closest name that exists."""
    entries = list(curated.entries)
    if options.section is not None:
        known = [section.id for section in curated.sections]
        if options.section not in known:
            raise UsageError(
                f"no section '{options.section}'{did_you_mean(options.section, known)}",
                hint=f"sections: {', '.join(known)}",
            )
        sections = {options.section} | {section.id for section in curated.sections if section.parent == options.section}
        entries = [entry for entry in entries if entry.section in sections]
    if options.only:
        ids = {entry.id for entry in curated.entries}
        by_key = {item.key: entry_id for entry_id, item in previous.items() if item.key}
        for name in options.only:
            if name not in ids and name not in by_key:
                raise UsageError(
                    f"no entry with the id or key '{name}'{did_you_mean(name, [*by_key, *sorted(ids)])}",
                    hint="`geoemb-bib status` lists every entry's key",
                )
        chosen = {name if name in ids else by_key[name] for name in options.only}
        entries = [entry for entry in entries if entry.id in chosen]
    return entries


def refresh(
    curated: CuratedList,
    previous: Mapping[str, Resolved],
    fetcher: Fetcher,
    options: RefreshOptions = RefreshOptions(),
    *,
    now: str | None = None,
    on_progress: ProgressCallback | None = None,
    fingerprints: Mapping[str, carryover.Fingerprint] | None = None,
) -> RefreshResult:
    """Look up the selected entries, merge what the services say, and assign keys to every entry of the list.

    `fingerprints` say what each previous item was made from: an entry whose curated fields and answers are all
    unchanged keeps its previous item without a request, a parse or a merge (carryover.py).
    """
    resolved_at = now or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    selected = select_entries(curated, previous, options)
    known = {entry_id: fingerprint for entry_id, fingerprint in (fingerprints or {}).items() if entry_id in previous}
    carried = carryover.carried_over(selected, known, fetcher) if known else {}
    works = {entry.id: _start(entry) for entry in selected if entry.id not in carried}
    runner = _Rounds(fetcher, on_progress, _arxiv_hints(known, works))
    while True:
        requests = [
            dataclasses.replace(request, work=work) for work in works.values() for request in _next_requests(work)
        ]
        if not requests:
            break
        runner.run(requests)
    merged: dict[str, Resolved] = {}
    for entry in curated.entries:
        work = works.get(entry.id)
        if work is None:
            # A carried item keeps the entry it was written with: the same fields (the fingerprint says so), without
            # the line it sits on, which nothing read from an item needs.
            merged[entry.id] = previous.get(entry.id) or unresolved_item(entry)
            continue
        merged[entry.id] = _settled(_merge(work, previous.get(entry.id), resolved_at), previous.get(entry.id))
    items = list(merged.values())
    final, key_changes = _keyed(items, previous, options)
    failures = {work.entry.id: "; ".join(work.failures) for work in works.values() if work.failures}
    made = carryover.fingerprints_for(
        [(work.entry, work.reads) for work in works.values() if not work.failures], fetcher
    )
    renamed = {change.entry_id for change in key_changes}
    described = [item for item in final if item.entry.id in works or item.entry.id in renamed]
    return RefreshResult(
        items=final,
        refreshed=tuple(entry.id for entry in selected),
        changes=tuple(describe_changes(previous, described, key_changes)),
        key_changes=tuple(key_changes),
        failures=failures,
        service_problems=dict(fetcher.tripped),
        failed_services={work.entry.id: dict(work.failed) for work in works.values() if work.failed},
        queries=dict(runner.queries),
        fingerprints=_fingerprints(curated, works, carried, made, known),
        carried=tuple(carried),
    )


def _keyed(
    items: Sequence[Resolved], previous: Mapping[str, Resolved], options: RefreshOptions
) -> tuple[tuple[Resolved, ...], list[keys.KeyChange]]:
    """The items with their keys (keys.py's rule: given at the first resolution, kept for good), and the changes.

    An entry never resolved has no key yet (unless pinned): a key made from the listing alone would change when the
    services first answer, and a survey author cites the first key they see. Every key enriched.yaml holds is final.
    """
    previous_keys = {entry_id: item.key for entry_id, item in previous.items() if item.key}
    keyed = [item for item in items if item.status != "unresolved" or item.entry.key or item.entry.id in previous_keys]
    assignment = keys.assign_keys(keyed, previous_keys, rekey=options.rekey, scheme=options.key_scheme)
    final = tuple(dataclasses.replace(item, key=assignment.keys.get(item.entry.id, "")) for item in items)
    return final, list(assignment.changes)


def _fingerprints(
    curated: CuratedList,
    works: Mapping[str, _Work],
    carried: Mapping[str, carryover.Fingerprint],
    made: Mapping[str, carryover.Fingerprint],
    known: Mapping[str, carryover.Fingerprint],
) -> dict[str, carryover.Fingerprint]:
    """What each item of this result was made from: the fingerprint just made for an entry redone, the old one for
    an entry carried over or not looked up this time (its item is the previous one), none for an entry that failed."""
    found: dict[str, carryover.Fingerprint] = {}
    for entry in curated.entries:
        fingerprint = made.get(entry.id) if entry.id in works else carried.get(entry.id) or known.get(entry.id)
        if fingerprint is not None:
            found[entry.id] = fingerprint
    return found


def _arxiv_hints(known: Mapping[str, carryover.Fingerprint], works: Mapping[str, _Work]) -> dict[str, Query]:
    """For the entries redone this time, the arXiv batch each of their ids was read from last time: asking the
    same batch again is answered by the cache, where a batch of only the redone ids would go to arXiv."""
    hints: dict[str, Query] = {}
    for entry_id in works:
        fingerprint = known.get(entry_id)
        for query in fingerprint.reads if fingerprint is not None else ():
            if query.service == "arxiv":
                for arxiv_id in dict(query.params).get("id_list", "").split(","):
                    hints.setdefault(arxiv_id, query)
    return hints


# -- what each entry asks for ------------------------------------------------------------------------------


def _start(entry: Entry) -> _Work:
    work = _Work(entry=entry)
    if not entry.is_paper:
        return work
    stated = entry.work_ids
    facts = work.link = matching.paper_link(entry)
    # The link's reader knows each publisher's layout (an IOP path ends in /meta, a Nature slug is a DOI suffix).
    work.arxiv_id = (facts.arxiv_id if facts is not None else None) or stated.arxiv_id
    work.curated_doi = (facts.doi if facts is not None else None) or stated.doi
    work.curated_openreview = (facts.openreview_id if facts is not None else None) or stated.openreview_id
    if facts is not None:
        work.pii, work.doi_to_verify = facts.pii, facts.doi_to_verify
        if facts.site is not None and not facts.has_identifier:
            work.steps.append(f"link: {facts.describe()}")
    if work.curated_openreview:
        first = openreview_source.choose_api(entry.venue)
        work.openreview_apis = [first, "v1" if first == "v2" else "v2"]
    return work


@dataclass(frozen=True, slots=True)
class _Request:
    """One query an entry wants answered (or one arXiv id to batch), and what to do with the answer."""

    handle: _Handler
    query: Query | None = None
    arxiv_id: str | None = None
    # a title to search arXiv for: titles of one round share `ti:` queries (arxiv.title_search_queries)
    arxiv_title: str | None = None
    # the entry asking, which records the answers it reads
    work: _Work | None = None


def _next_requests(work: _Work) -> list[_Request]:
    """The queries this entry needs now, given what it has gathered; empty when it is done.

    Identifier lookups come first; title searches only once they are answered and found no version of record.
    """
    if not work.entry.is_paper:
        return []
    requests: list[_Request] = []
    if work.arxiv_id and not work.arxiv_asked:
        work.arxiv_asked = True
        requests.append(_Request(_arxiv_handler(work), arxiv_id=work.arxiv_id))
    if work.curated_doi:
        requests += _crossref_work(work, work.curated_doi, "curated", preference=0)
    if work.doi_to_verify:
        requests += _crossref_work(work, work.doi_to_verify, "link", preference=0)
    if work.pii:
        requests.append(_pii_lookup(work, work.pii))
        work.pii = None
    if work.openreview_apis:
        requests.append(_openreview_note(work, work.openreview_apis.pop(0)))
    reported = work.preprint.doi if work.preprint is not None else None
    if reported and not ids.is_arxiv_doi(reported) and not requests and not work.has_version_of_record:
        requests += _crossref_work(work, reported, "arxiv", preference=2)
    if requests:
        return requests
    requests += _earlier_version(work)
    if work.preprint is None and not work.arxiv_id and not work.arxiv_title_asked:
        # The preprint, by title: its authors carry the searches that follow (and name the work in the key).
        work.arxiv_title_asked = True
        return [*requests, _Request(_arxiv_title_handler(work), arxiv_title=_search_title(work))]
    if not work.searched and not work.has_version_of_record:
        work.searched = True
        requests += _searches(work)
    elif work.openreview_search_apis and not work.openreview_search_near and not work.has_version_of_record:
        requests.append(_openreview_search(work, work.openreview_search_apis.pop(0)))
    return requests


def _earlier_version(work: _Work) -> list[_Request]:
    """The first arXiv version, when the listed title is far from the latest one: a listing made from v1 (GAIR)
    is then recognised by v1's title instead of being taken for another paper."""
    preprint = work.preprint
    if work.earlier_asked or preprint is None or not preprint.arxiv_id or (preprint.arxiv_version or 1) <= 1:
        return []
    work.earlier_asked = True
    if matching.compare_titles([work.entry.title], preprint.title).score >= matching.TITLE_CONFLICT:
        return []
    versioned = f"{preprint.arxiv_id}v1"

    def handle(result: Response | ServiceError) -> None:
        feed = _arxiv_feed(work, result)
        record = feed.records.get(preprint.arxiv_id or "") if feed is not None else None
        if record is not None and record.arxiv_version == 1:
            work.earlier.append(record)
            work.steps.append(f"arxiv: {versioned} (the listed title differs from the latest version's)")

    return [_Request(handle, arxiv_id=versioned)]


def _crossref_work(work: _Work, doi: str, asserted_by: str, *, preference: int) -> list[_Request]:
    if doi.lower() in work.asked_dois:
        return []
    work.asked_dois.add(doi.lower())
    try:
        query = crossref_source.work_query(doi)
    except ValueError as exc:
        work.steps.append(f"crossref: {doi} not asked ({exc})")
        return []

    def handle(result: Response | ServiceError) -> None:
        if isinstance(result, ServiceError):
            work.fail("crossref", result.message)
            return
        try:
            record = crossref_source.parse_work(result.body, fetched_at=result.fetched_at, status=result.status)
        except NotFound:
            work.steps.append(f"crossref: {doi} (given by {asserted_by}) is not a Crossref DOI")
            return
        except ServiceError as exc:
            work.fail("crossref", exc.message)
            return
        work.steps.append(f"crossref: doi:{doi} (given by {asserted_by})")
        work.linked.append((preference, record, asserted_by))

    return [_Request(handle, query=query)]


def _openreview_note(work: _Work, api: str) -> _Request:
    note_id = work.curated_openreview or ""

    def handle(result: Response | ServiceError) -> None:
        if isinstance(result, ServiceError):
            work.fail("openreview", result.message)
            work.openreview_apis.clear()
            return
        try:
            notes = openreview_source.parse_notes(result.body, fetched_at=result.fetched_at, api=api)
        except NotFound:
            notes = []
        except ServiceError as exc:
            work.fail("openreview", exc.message)
            work.openreview_apis.clear()
            return
        note = next((n for n in notes if n.openreview_id == note_id), None)
        if note is None:
            where = "on neither OpenReview API" if not work.openreview_apis else f"not on OpenReview API {api}"
            work.steps.append(f"openreview: {note_id} {where}")
            return
        decision = note.decision.value if note.decision else "no decision"
        work.steps.append(f"openreview: {note_id} on API {api}, {decision}")
        work.linked.append((1, note, "curated"))
        work.openreview_apis.clear()

    return _Request(handle, query=openreview_source.note_query(note_id, api))  # type: ignore[arg-type]


def _arxiv_feed(work: _Work, result: Response | ServiceError) -> arxiv_source.ArxivFeed | None:
    """The parsed arXiv answer, or None after recording why there is none as the entry's arXiv failure."""
    if isinstance(result, ServiceError):
        work.fail("arxiv", result.message)
        return None
    try:
        feed = arxiv_source.parse_feed(result.body, fetched_at=result.fetched_at, status=result.status)
    except ServiceError as exc:
        work.fail("arxiv", exc.message)
        return None
    if feed.errors:
        work.fail("arxiv", "; ".join(feed.errors))
        return None
    return feed


def _arxiv_handler(work: _Work) -> _Handler:
    def handle(result: Response | ServiceError) -> None:
        arxiv_id = work.arxiv_id or ""
        feed = _arxiv_feed(work, result)
        if feed is None:
            return
        record = feed.records.get(arxiv_id)
        if record is None:
            work.steps.append(f"arxiv: {arxiv_id} is not known to arXiv")
            work.unknown_arxiv = arxiv_id
            return
        work.preprint = record
        work.steps.append(f"arxiv: {ids.standard_id('arxiv', arxiv_id, record.arxiv_version)}")

    return handle


def _search_title(work: _Work) -> str:
    """The title to search for: as listed (or overridden), or the link's title words when the listed title is only
    a model's name ("SatMAE" on a CVF page named Cong_SatMAE_Pre-training_Transformers_...)."""
    title = str(work.entry.override.get("title") or work.entry.title)
    words = matching.link_title(work.entry, work.link)
    return words if words and matching.is_name_only(title, work.entry.abbr) else title


def _searches(work: _Work) -> list[_Request]:
    """Title searches for an entry whose identifiers did not lead to a version of record.

    With a preprint, its first author goes with the title; without one, nothing but the listing can carry a match, so
    the search is narrowed by what it says: the ISSN of the listed journal (or of the MDPI link) and the years around
    the listed year.
    """
    entry, preprint = work.entry, work.preprint
    titles = [_search_title(work)]
    if (
        preprint is not None
        and preprint.title
        and matching.normalize_title(preprint.title) != matching.normalize_title(titles[0])
    ):
        titles.append(preprint.title)
    authors = preprint.author if preprint is not None and preprint.author else entry.authors
    first_family = authors[0].sort_family if authors else None
    filters: tuple[tuple[str, str], ...] = ()
    if not authors:
        reference = matching.reference_for(entry)
        listed = venues.parse_venue_text(entry.venue) if entry.venue else None
        issns: tuple[str, ...] = (work.link.issn,) if work.link is not None and work.link.issn else ()
        if not issns and listed is not None and listed.venue is not None:
            issns = listed.venue.issn
        claims = (listed is not None and listed.claims_venue) or (work.link is not None and work.link.year is not None)
        filters = crossref_source.narrowing(issns=issns, year=reference.listed_year if claims else None)
    requests = [
        _Request(
            _search_handler(work, "crossref", title),
            query=crossref_source.search_query(title, first_family, filters=filters),
        )
        for title in titles
    ]
    if _worth_asking_openreview(work):
        hint = entry.venue if entry.venue and venues.is_ml_venue(entry.venue) else None
        if hint is None and work.link is not None and work.link.venue and work.link.year:
            hint = f"{work.link.venue} {work.link.year}"
        first = openreview_source.choose_api(hint or (preprint.arxiv_comment if preprint else None))
        second = "v1" if first == "v2" else "v2"
        years = [
            year
            for year in (_listed_year(work), preprint.issued.year if preprint and preprint.issued else None)
            if year
        ]
        # No venue stayed on API v1 after V1_UNTIL's last year: a later paper is searched on v2 alone.
        last_v1_year = max(openreview_source.V1_UNTIL.values())
        work.openreview_search_apis = (
            [first] if second == "v1" and years and min(years) > last_v1_year else [first, second]
        )
        requests.append(_openreview_search(work, work.openreview_search_apis.pop(0)))
    return requests


def _listed_year(work: _Work) -> int | None:
    return matching.reference_for(work.entry).listed_year


def _openreview_search(work: _Work, api: str) -> _Request:
    # OpenReview holds the submitted title, which the latest arXiv version tracks more closely than a listing.
    preprint = work.preprint
    title = preprint.title if preprint is not None and preprint.title else _search_title(work)
    return _Request(
        _search_handler(work, "openreview", title, api=api),
        query=openreview_source.search_query(title, api),  # type: ignore[arg-type]
    )


def _pii_lookup(work: _Work, pii: str) -> _Request:
    """The Crossref work Elsevier deposited under a ScienceDirect PII (`filter=alternative-id:`)."""

    def handle(result: Response | ServiceError) -> None:
        if isinstance(result, ServiceError):
            work.fail("crossref", result.message)
            return
        try:
            records = crossref_source.parse_search(result.body, fetched_at=result.fetched_at)
        except ServiceError as exc:
            work.fail("crossref", exc.message)
            return
        if len(records) != 1:
            found = "no work" if not records else f"{len(records)} works"
            work.steps.append(f"crossref: {found} deposited under PII {pii}; searching by title")
            return
        work.steps.append(f"crossref: doi:{records[0].doi} deposited under PII {pii} (given by the link)")
        work.linked.append((0, records[0], "link"))

    return _Request(handle, query=crossref_source.alternative_id_query(pii))


def _arxiv_title_handler(work: _Work) -> _Handler:
    def handle(result: Response | ServiceError) -> None:
        feed = _arxiv_feed(work, result)
        if feed is None:
            return
        checks = work.identified()
        vor = next((check.record for check in checks if check.is_version_of_record), None)
        reference = (
            matching.reference_from_record(work.entry, vor) if vor is not None else matching.reference_for(work.entry)
        )
        decision = matching.choose_preprint(reference, list(feed.records.values()))
        work.preprint_search = decision
        work.steps.extend(decision.steps)
        if decision.record is not None:
            work.preprint = decision.record
            work.arxiv_id = decision.record.arxiv_id
            work.arxiv_asked = True

    return handle


def _worth_asking_openreview(work: _Work) -> bool:
    """OpenReview is asked about ML venues: a claim of one, or a preprint in an ML category with no other claim."""
    preprint = work.preprint
    link_venue = f"{work.link.venue} {work.link.year}" if work.link is not None and work.link.venue else None
    hints = [
        work.entry.venue,
        link_venue,
        preprint.arxiv_comment if preprint else None,
        preprint.journal_ref if preprint else None,
    ]
    if any(venues.is_ml_venue(hint) for hint in hints if hint):
        return True
    claims = [claim for hint in hints if hint for claim in venues.venue_claims(hint) if not claim.is_preprint]
    if claims:
        return False
    categories = set(preprint.arxiv_categories) | {preprint.arxiv_primary_class or ""} if preprint else set()
    return bool(categories & OPENREVIEW_CATEGORIES)


def _search_handler(work: _Work, source: Literal["crossref", "openreview"], title: str, *, api: str = "v2") -> _Handler:
    def fail(message: str) -> None:
        work.fail(source, message)
        if source == "openreview":
            # A failed search says nothing about where the paper is: the other API is not asked instead.
            work.openreview_search_apis.clear()

    def handle(result: Response | ServiceError) -> None:
        if isinstance(result, ServiceError):
            fail(result.message)
            return
        try:
            if source == "crossref":
                records = crossref_source.parse_search(result.body, fetched_at=result.fetched_at)
            else:
                records = openreview_source.parse_notes(result.body, fetched_at=result.fetched_at, api=api)
        except ServiceError as exc:
            fail(exc.message)
            return
        work.search_results.setdefault(source, []).extend(records)
        where = f"{source} search" + (f" (API {api})" if source == "openreview" else "")
        # Not how many candidates came back: that number moves daily without changing anything (see _settled).
        work.steps.append(f"{where} for {title!r}")
        logger.info("%s for %r: %d candidates", where, title, len(records))
        if source == "openreview":
            known = matching.reference_for(work.entry, work.preprint, work.earlier).titles
            work.openreview_search_near |= any(matching.compare_titles(known, r.title).near_identical for r in records)

    return handle


# -- running the rounds ------------------------------------------------------------------------------------

# Every answer is checked by the parser of the source its service answers for.
VALIDATORS: Mapping[str, Callable[[Answer], None]] = {
    service.name: sources.BY_NAME[service.source].validate for service in services.SERVICES
}


class _Rounds:
    """Sends each round's requests through the fetcher and hands every answer to its entry."""

    def __init__(
        self, fetcher: Fetcher, on_progress: ProgressCallback | None, arxiv_hints: Mapping[str, Query] | None = None
    ) -> None:
        self.fetcher = fetcher
        self.on_progress = on_progress
        self.arxiv_hints = arxiv_hints or {}
        self.done = 0
        self.total = 0
        self.queries: dict[str, tuple[int, int, int]] = {}

    def run(self, requests: list[_Request]) -> None:
        batches = _batch(requests, self.arxiv_hints)
        self.total += len(batches)

        def progress(index: int, query: Query, result: Response | ServiceError) -> None:
            self.done += 1
            # "Not found" is an answer, not a failure.
            failed = isinstance(result, ServiceError) and not isinstance(result, NotFound)
            from_cache = bool(not failed and getattr(result, "from_cache", False))
            asked, cached, failures = self.queries.get(query.service, (0, 0, 0))
            self.queries[query.service] = (asked + 1, cached + from_cache, failures + failed)
            if self.on_progress is not None:
                self.on_progress(Progress(query.service, self.done, self.total, from_cache, failed))

        results = self.fetcher.get_many([batch.query for batch in batches], validate=VALIDATORS, on_result=progress)
        for batch, result in zip(batches, results, strict=True):
            for request in batch.requests:
                if request.work is not None:
                    request.work.reads.append(batch.query)
                request.handle(result)


@dataclass(frozen=True, slots=True)
class _Batch:
    query: Query
    requests: tuple[_Request, ...]


def _batch(requests: list[_Request], hints: Mapping[str, Query] | None = None) -> list[_Batch]:
    """The round's queries: every arXiv id in as few `id_list` queries as the batch size allows, first (their
    answers feed the other handlers of the round), then the others as they are. An id `hints` names goes in the
    batch it was read from last time (whose answer the cache holds)."""
    by_id: dict[str, list[_Request]] = {}
    for request in requests:
        if request.arxiv_id is not None:
            by_id.setdefault(request.arxiv_id, []).append(request)
    hinted: dict[Query, list[_Request]] = {}
    fresh: list[str] = []
    for arxiv_id, asking in by_id.items():
        hint = (hints or {}).get(arxiv_id)
        if hint is not None:
            hinted.setdefault(hint, []).extend(asking)
        else:
            fresh.append(arxiv_id)
    batches = [_Batch(query, tuple(asking)) for query, asking in hinted.items()]
    batches += [
        _Batch(
            query, tuple(r for arxiv_id in dict(query.params)["id_list"].split(",") for r in by_id.get(arxiv_id, []))
        )
        for query in (arxiv_source.batch_queries(fresh) if fresh else [])
    ]
    by_phrase: dict[str, list[_Request]] = {}
    for request in requests:
        if request.arxiv_title is not None:
            phrase = arxiv_source.title_phrase(request.arxiv_title)
            by_phrase.setdefault(phrase.strip('"'), []).append(request)
    titles = [phrase for phrase in by_phrase if phrase]
    for query in arxiv_source.title_search_queries(titles) if titles else []:
        asking = [r for phrase in arxiv_source.phrases_of(query) for r in by_phrase.get(phrase, [])]
        batches.append(_Batch(query, tuple(asking)))
    batches += [_Batch(request.query, (request,)) for request in requests if request.query is not None]
    return batches


# -- from gathered answers to a Resolved -------------------------------------------------------------------


def _merge(work: _Work, previous: Resolved | None, resolved_at: str) -> Resolved:
    entry, preprint = work.entry, work.preprint
    reference = work.reference()
    searches = [
        matching.choose(reference, _unique(work.search_results[source]), context=f"{source} search")
        for source in ("crossref", "openreview")
        if source in work.search_results
    ]
    return merge.merge_entry(
        entry,
        preprint=preprint,
        earlier_preprints=work.earlier,
        identified=work.identified(),
        searches=searches,
        reference=reference,
        steps=work.steps,
        failures=work.failures,
        previous=previous,
        key=previous.key if previous else "",
        resolved_at=resolved_at,
        abstentions=[
            f"{decision.steps[0].split(':', 1)[0]}: {missing}"
            for decision in (work.preprint_search, *searches)
            if decision is not None and (missing := decision.missing) is not None
        ],
        unknown_ids=[f"arxiv:{work.unknown_arxiv}"] if work.unknown_arxiv and preprint is None else [],
    )


def _settled(item: Resolved, previous: Resolved | None) -> Resolved:
    """The previous result itself when nothing but timestamps changed: enriched.yaml is committed, and a refresh
    that learnt nothing new must not rewrite it (a re-fetch after the cache expired changes `fetched_at`)."""
    if previous is None or _without_timestamps(item) != _without_timestamps(previous):
        return item
    return dataclasses.replace(previous, entry=item.entry, key=item.key or previous.key)


def _without_timestamps(item: Resolved) -> Resolved:
    # A source credits many fields with one Provenance: strip each one once (20 replaces per item became 2-4).
    sources = {id(source): source for source in item.provenance.values()}
    untimed = {key: dataclasses.replace(source, fetched_at=None) for key, source in sources.items()}
    provenance = {name: untimed[id(source)] for name, source in item.provenance.items()}
    record = dataclasses.replace(item.record, fetched_at=None)
    # The line an entry sits on in entries.yaml is where to point the curator, not data: enriched.yaml does not
    # store it, so a previous item never has one.
    entry = dataclasses.replace(item.entry, line=None)
    return dataclasses.replace(item, entry=entry, resolved_at=None, provenance=provenance, record=record, key="")


def _unique(records: Sequence[Record]) -> list[Record]:
    seen: set[str] = set()
    unique = []
    for record in records:
        if record.standard_id not in seen:
            seen.add(record.standard_id)
            unique.append(record)
    return unique
