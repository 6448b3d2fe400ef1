"""The lower bound of a cold refresh: the fewest requests the entries need, and the time the services' limits force.

The model (stated again in RESULTS.md):

* Requests. An arXiv id costs its share of one `id_list` batch (up to 100 ids). A curated DOI costs one Crossref
  record lookup, a curated OpenReview id one note lookup on the right API. A DOI that arXiv reports costs one record
  lookup once the batch is answered (unless the curated identifiers already gave a version of record). A paper
  whose identifiers give no version of record costs one Crossref title search, and one OpenReview title search
  when it claims an ML venue or sits in an ML arXiv category (the tool's policy: an accepted NeurIPS/ICLR/ICML
  paper is on OpenReview only). Nothing else is needed: no second search with another title, no second arXiv
  request for an earlier version, no try on the wrong OpenReview API.
* Dependencies. Identifier lookups can all go at t=0; a title search (and a reported-DOI lookup) goes once the
  answers it depends on are in, i.e. one latency after t=0 for an arXiv-only paper.
* Time. Each service is scheduled on its own (they run in parallel), greedily in release order, as early as its
  limits allow, each request taking one latency. The limits are the ones the fake enforces: arXiv one request per
  3 s (start to start) and one at a time; Crossref per pool and kind, at most N starts in any 1-s window and at most
  C in flight; OpenReview likewise. The bound is the time the last answer arrives. Process start-up and local work
  are not in it (the measured wall time has them).

`simulate` also runs two other schedules, to tell waste from policy: the same minimal plan at the documented rates
spread evenly (no bursts), and the tool's own plan under the tool's own pacing with perfect pipelining.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from geoemb_bib import ids, matching, venues
from geoemb_bib.model import CuratedList, Decision, Entry
from geoemb_bib.resolve import OPENREVIEW_CATEGORIES
from geoemb_bib.sources import arxiv as arxiv_source
from geoemb_bib.sources import crossref as crossref_source
from geoemb_bib.sources import openreview as openreview_source
from services import Corpus, Limits, arxiv_feed

ARXIV_BATCH = arxiv_source.DEFAULT_BATCH_SIZE


@dataclass(frozen=True)
class Job:
    """One request of a plan: which service and lane it counts against, when it may go, and why it is needed."""

    service: str  # arxiv, crossref, openreview (both OpenReview hosts share one budget)
    lane: str  # the limit it counts against: any, record or list
    release: float  # earliest start, in latencies after t=0 (0 or 1)
    why: str


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)

    def count(self, service: str | None = None, lane: str | None = None) -> int:
        return sum(
            1 for job in self.jobs if (service is None or job.service == service) and (lane is None or job.lane == lane)
        )


def minimal_plan(curated: CuratedList, corpus: Corpus) -> Plan:
    """The fewest requests that resolve every paper of the list (see the module docstring for the rules)."""
    plan = Plan()
    arxiv_ids = []
    for entry in curated.entries:
        if not entry.is_paper:
            continue
        arxiv_id, curated_doi, curated_note = _identifiers(entry)
        found_vor = False
        release = 0.0
        if curated_doi:
            plan.jobs.append(Job("crossref", "record", 0.0, f"{entry.id}: curated DOI"))
            found_vor |= _crossref_vor(corpus, curated_doi)
            release = 1.0
        if curated_note:
            plan.jobs.append(Job("openreview", "any", 0.0, f"{entry.id}: curated OpenReview id"))
            found_vor |= _openreview_accepted(corpus, curated_note)
            release = 1.0
        preprint = _preprint(corpus, arxiv_id) if arxiv_id else None
        if arxiv_id:
            arxiv_ids.append(arxiv_id)
            release = 1.0
        if found_vor:
            continue
        reported = preprint.doi if preprint is not None else None
        if reported and not ids.is_arxiv_doi(reported) and reported != curated_doi:
            plan.jobs.append(Job("crossref", "record", 1.0, f"{entry.id}: DOI reported by arXiv"))
            if _crossref_vor(corpus, reported):
                continue
            release = 2.0
        plan.jobs.append(Job("crossref", "list", release, f"{entry.id}: title search"))
        if _worth_openreview(entry, preprint):
            plan.jobs.append(Job("openreview", "any", release, f"{entry.id}: OpenReview title search"))
    for batch in range(math.ceil(len(arxiv_ids) / ARXIV_BATCH)):
        plan.jobs.insert(batch, Job("arxiv", "any", 0.0, f"arXiv id_list batch {batch + 1}"))
    return plan


def _identifiers(entry: Entry) -> tuple[str | None, str | None, str | None]:
    arxiv_id = doi = note = None
    for link in entry.links:
        found = ids.identify(link.url) if link.role == "paper" else None
        if found is None:
            continue
        if found.scheme == "arxiv":
            arxiv_id = found.value
        elif found.scheme == "doi":
            doi = found.value
        elif found.scheme == "openreview":
            note = found.value
    arxiv_id = arxiv_id or (ids.parse_arxiv_id(entry.ids.arxiv)[0] if entry.ids.arxiv else None)
    return arxiv_id, (doi or entry.ids.doi), (note or entry.ids.openreview)


def _preprint(corpus: Corpus, arxiv_id: str):  # type: ignore[no-untyped-def]
    versions = corpus.arxiv.get(arxiv_id)
    if not versions:
        return None
    latest = versions[max(versions)]
    body = arxiv_feed([latest.text], search_query="", id_list=arxiv_id, start=0, max_results=1, total=1)
    return arxiv_source.parse_feed(body).records.get(arxiv_id)


def _crossref_vor(corpus: Corpus, doi: str) -> bool:
    answer = corpus.crossref_works.get(doi.lower())
    if answer is None or answer.status != 200:
        return False
    record = crossref_source.parse_work(answer.body)
    return matching.not_version_of_record(record) is None


def _openreview_accepted(corpus: Corpus, note_id: str) -> bool:
    for api in ("openreview", "openreview_v1"):
        body = corpus.openreview_bodies[api].get(note_id)
        if body is not None:
            notes = openreview_source.parse_notes(body, api="v2" if api == "openreview" else "v1")
            return any(note.decision is Decision.ACCEPTED for note in notes)
    return False


def _worth_openreview(entry: Entry, preprint) -> bool:  # type: ignore[no-untyped-def]
    hints = [entry.venue, preprint.arxiv_comment if preprint else None, preprint.journal_ref if preprint else None]
    if any(venues.is_ml_venue(hint) for hint in hints if hint):
        return True
    if any(claim for hint in hints if hint for claim in venues.venue_claims(hint) if not claim.is_preprint):
        return False
    categories = set(preprint.arxiv_categories) | {preprint.arxiv_primary_class or ""} if preprint else set()
    return bool(categories & OPENREVIEW_CATEGORIES)


# -- schedules ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceLimits:
    """How a service lets requests through: per lane (starts, window seconds); at most `concurrency` in flight;
    `even` spreads starts evenly (window/starts apart) instead of allowing bursts; `gap_after_end` is a rest
    measured from the end of the previous request (our arXiv rule)."""

    lanes: Mapping[str, tuple[float, float]]
    concurrency: int
    even: bool = False
    gap_after_end: float = 0.0


def fake_limits(limits: Limits, pool: str = "polite") -> dict[str, ServiceLimits]:
    """What the benchmark's fake enforces (tests/fakeservices.py's Limits)."""
    return {
        "arxiv": ServiceLimits({"any": (1, limits.arxiv_interval)}, 1),
        "crossref": ServiceLimits(
            {
                "record": (limits.crossref_record_rate[pool], limits.window),
                "list": (limits.crossref_list_rate[pool], limits.window),
            },
            limits.crossref_concurrency[pool],
        ),
        "openreview": ServiceLimits({"any": (limits.openreview_rate, limits.window)}, limits.openreview_concurrency),
    }


def evenly(limits: Mapping[str, ServiceLimits]) -> dict[str, ServiceLimits]:
    """The same rates with no bursts: starts spread evenly over each window."""
    return {
        name: ServiceLimits(s.lanes, s.concurrency, even=True, gap_after_end=s.gap_after_end)
        for name, s in limits.items()
    }


def own_pacing() -> dict[str, ServiceLimits]:
    """geoemb-bib's own pacing (fetch.py): arXiv 3 s after the end of the previous request; Crossref's polite numbers
    10% slower, evenly; OpenReview 2/s evenly with 2 in flight."""
    from geoemb_bib import fetch

    polite = fetch.CROSSREF_LIMITS["polite"]
    margin = fetch.PACING_MARGIN
    return {
        "arxiv": ServiceLimits({"any": (1, 0.0)}, 1, even=True, gap_after_end=fetch.ARXIV_INTERVAL),
        "crossref": ServiceLimits(
            {kind: (rate, margin) for kind, (rate, _) in polite.items()}, min(c for _, c in polite.values()), even=True
        ),
        "openreview": ServiceLimits({"any": (fetch.OPENREVIEW_RATE, 1.0)}, fetch.OPENREVIEW_CONCURRENCY, even=True),
    }


def schedule(jobs: Sequence[Job], limits: ServiceLimits, latency: float) -> list[tuple[float, float]]:
    """(start, end) of each job of one service, greedily in release order, as early as the limits allow."""
    starts: dict[str, list[float]] = {}
    ends: list[float] = []
    result = []
    for job in sorted(jobs, key=lambda j: j.release):
        count, window = limits.lanes[job.lane]
        mine = starts.setdefault(job.lane, [])
        time = job.release * latency
        while True:
            earliest = time
            if mine:
                if limits.even:
                    earliest = max(earliest, mine[-1] + window / count)
                elif len(mine) >= count:
                    earliest = max(earliest, mine[-int(count)] + window)
            if limits.gap_after_end and ends:
                earliest = max(earliest, max(ends) + limits.gap_after_end)
            busy = sorted(end for end in ends if end > earliest)
            if len(busy) >= limits.concurrency:
                earliest = max(earliest, busy[len(busy) - limits.concurrency])
            if earliest == time:
                break
            time = earliest
        mine.append(time)
        ends.append(time + latency)
        result.append((time, time + latency))
    return result


def finish_time(plan: Iterable[Job], limits: Mapping[str, ServiceLimits], latency: float) -> float:
    """When the last answer of the plan arrives, each service scheduled on its own."""
    jobs = list(plan)
    return max(
        (
            end
            for service in limits
            for _, end in schedule([j for j in jobs if j.service == service], limits[service], latency)
        ),
        default=0.0,
    )


def plan_from_log(log: Iterable[tuple[str, str]]) -> Plan:
    """The tool's own requests (service, target) as a plan: arXiv's first batch and curated lookups at once, the
    rest one latency later (perfect pipelining: each as soon as the arXiv answer is in)."""
    plan = Plan()
    arxiv_seen = False
    for service, target in log:
        group = "openreview" if service.startswith("openreview") else service
        if group == "arxiv":
            plan.jobs.append(Job("arxiv", "any", 1.0 if arxiv_seen else 0.0, target))
            arxiv_seen = True
        elif group == "crossref":
            record = target.startswith("/works/")
            plan.jobs.append(Job("crossref", "record" if record else "list", 0.0 if record else 1.0, target))
        else:
            plan.jobs.append(Job("openreview", "any", 0.0 if "/notes?id=" in target else 1.0, target))
    return plan
