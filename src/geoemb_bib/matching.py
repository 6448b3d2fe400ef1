"""Deciding whether a record found by search, or linked by an identifier, is the curated entry's work.

Owns title normalisation and similarity, author, year and venue agreement, and the acceptance rule (the venue table
itself is venues.py).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

from . import ids
from .landing import LinkFacts, read_link
from .model import Decision, Entry, Person, Record
from .text import COMPARED_PARTICLES, DASHES, DOUBLE_QUOTES, INNER_HYPHEN, QUOTES, fold_ascii, plain_text
from .venues import VenueText, parse_venue_text, record_venue, record_years, venue_claims

# --- thresholds ------------------------------------------------------------------------------------------

# Token-sort similarity (0-100) at or above which two normalised titles count as the same title. 95 leaves
# room for one or two characters in a long title (a dropped hyphen, British vs American spelling) but not
# for a different word; case, accents, TeX braces and punctuation never reach the score because
# normalize_title removes them first.
TITLE_ACCEPT = 95.0

# A record linked by identifier (a curated DOI, arXiv's DOI field) whose title scores below this against every
# known title is another paper, unless a relation ties it to the arXiv id: the trap it guards is a DOI of a
# *different* paper by the same authors (Major TOM's IGARSS 2024 paper scores 49 against Major TOM Embeddings,
# with both authors shared). Between this and TITLE_ACCEPT a title may have changed between versions (TESSERA's
# listed and arXiv titles score 68), which is accepted only while the authors do not disagree: unrelated decoys
# in that band (55-69 against GeoCLIP) share no author.
TITLE_CONFLICT = 60.0

# A shared main title (before the colon) must have at least this many words before a subtitle-only
# difference counts at all: "Major TOM" (2 words) names a project with several papers, not one work.
SUBTITLE_MIN_WORDS = 3

# Two acceptable candidates whose title scores are closer than this are a tie: we abstain rather than pick.
TIE_MARGIN = 3.0

# A version of record is published at most this many years after the arXiv v1 (journals can take long,
# three years covers the slow ones in this field); never before the v1 year: a paper posted to arXiv after
# publication normally carries the DOI, which links it by identifier instead of by matching.
YEARS_AFTER_PREPRINT = 3
YEARS_BEFORE_PREPRINT = 0

# DOI prefixes of preprint servers whose Crossref records are posted content, never a version of record:
# arXiv (DataCite), bioRxiv/medRxiv, EarthArXiv, Research Square, SSRN, Preprints.org, Authorea, TechRxiv.
PREPRINT_DOI_PREFIXES = (
    "10.48550/",
    "10.1101/",
    "10.31223/",
    "10.21203/",
    "10.2139/",
    "10.20944/",
    "10.22541/",
    "10.36227/",
)

# Crossref types that describe something around a paper (its reviews, a figure, the grant), never the paper.
CROSSREF_NOT_A_PAPER = ("peer-review", "component", "grant")

# Relations a Crossref record uses to point at its preprint (or its other versions).
PREPRINT_RELATIONS = ("has-preprint", "is-version-of", "has-version", "is-same-as", "is-identical-to")

# A listed title of fewer words than this (or the entry's abbreviation itself) is only a model's or dataset's name
# ("SatMAE", "Scale-MAE"): many papers carry it, so the title alone matches nothing; the link must carry the match.
NAME_ONLY_WORDS = 3

# Without curated or preprint authors, a record's year may differ from the listed year by this much (online-first
# dates, a conference's proceedings published the year after).
LISTED_YEAR_SLACK = 1

# A preprint is posted at most YEARS_AFTER_PREPRINT years before the version it precedes, and may follow it by this
# much (authors post the accepted version after publication).
PREPRINT_AFTER_PUBLICATION = 1

# When one call holds acceptable candidates of several sources (resolve should call once per source), the
# DOI-bearing Crossref record wins over an OpenReview note: a DOI is the sturdier citation.
SOURCE_RANK = {"crossref": 0, "openreview": 1}


# --- title normalisation and similarity ----------------------------------------------------------------

_NON_WORD = re.compile(r"[^\w\s]|_")
_SUBTITLE_SEPARATOR = re.compile(r":|\s[-\u2013\u2014]\s")
# IEEE magazines append the column a piece ran in to its published title ("... A Review [Feature]",
# "[Software and Data Sets]", "[Perspectives]"): a label, not part of the title.
COLUMN_TAG = re.compile(r"\s*\[[A-Z][A-Za-z&,' -]{1,40}\]\s*$")


def strip_column_tag(title: str) -> str:
    """A title without the bracketed column tag an IEEE magazine appends to it."""
    return COLUMN_TAG.sub("", title)


# Titles, venue texts and venue names are compared again and again (every candidate against every known title,
# every venue hint against the venue table); these pure functions remember their recent answers.
_MEMO_SIZE = 1 << 16


@functools.lru_cache(maxsize=_MEMO_SIZE)
def normalize_title(text: str) -> str:
    """The comparable form of a title: plain, accent-free, case-folded words without punctuation.

    Hyphens inside words are dropped ("multi-modal" == "multimodal", "Pre-Training" == "pretraining") and
    apostrophes too ("Earth's" == "earths"); "&" reads "and"; every other punctuation mark separates words.
    """
    text = fold_ascii(strip_column_tag(plain_text(text))).casefold()
    text = DASHES.sub("-", text)
    text = QUOTES.sub("'", text)
    text = DOUBLE_QUOTES.sub('"', text)
    text = text.replace("'", "").replace("&", " and ")
    text = INNER_HYPHEN.sub("", text)
    text = _NON_WORD.sub(" ", text)
    return " ".join(text.split())


def title_similarity(a: str, b: str) -> float:
    """Similarity of two titles, 0-100, on their normalised forms.

    token_sort_ratio, not token_set_ratio: the set ratio scores 100 whenever one title's words are a subset of
    the other's, so the decoy "Major TOM" would equal "Major TOM: Expandable Datasets for Earth Observation".
    Sorting tokens still forgives reordered words, and extra or missing words lower the score.
    """
    left, right = normalize_title(a), normalize_title(b)
    if not left or not right:
        return 0.0
    return float(fuzz.token_sort_ratio(left, right))


def split_subtitle(text: str) -> tuple[str, str]:
    """(main title, subtitle) split at the first colon or spaced dash, both normalised; subtitle may be ''."""
    parts = _SUBTITLE_SEPARATOR.split(plain_text(text), maxsplit=1)
    main = normalize_title(parts[0])
    return main, normalize_title(parts[1]) if len(parts) > 1 else ""


TitleKind = Literal["identical", "near", "subtitle-only", "different"]


@dataclass(frozen=True, slots=True)
class TitleMatch:
    """How a candidate title compares with the best of the reference titles."""

    score: float
    kind: TitleKind
    reference: str
    candidate: str

    @property
    def near_identical(self) -> bool:
        return self.kind in ("identical", "near")


def compare_titles(reference_titles: Iterable[str], candidate: str) -> TitleMatch:
    """The best comparison of `candidate` with any of the reference titles.

    "subtitle-only" means the titles differ but share a main title of at least SUBTITLE_MIN_WORDS words (one
    has no subtitle or another one), or one title is the other's subtitle alone.
    """
    best: TitleMatch | None = None
    for title in reference_titles:
        if not title:
            continue
        score = title_similarity(title, candidate)
        if normalize_title(title) == normalize_title(candidate) and normalize_title(title):
            kind: TitleKind = "identical"
        elif score >= TITLE_ACCEPT:
            kind = "near"
        elif _subtitle_only(title, candidate):
            kind = "subtitle-only"
        else:
            kind = "different"
        found = TitleMatch(score, kind, title, candidate)
        if best is None or _title_rank(found) > _title_rank(best):
            best = found
    return best or TitleMatch(0.0, "different", "", candidate)


_KIND_RANK = {"identical": 3, "near": 2, "subtitle-only": 1, "different": 0}


def _title_rank(match: TitleMatch) -> tuple[int, float]:
    return _KIND_RANK[match.kind], match.score


def _subtitle_only(a: str, b: str) -> bool:
    main_a, sub_a = split_subtitle(a)
    main_b, sub_b = split_subtitle(b)
    if main_a and main_a == main_b and len(main_a.split()) >= SUBTITLE_MIN_WORDS:
        return True
    # One title is the other's subtitle alone ("Mind the Gap: Understanding X" vs "Understanding X").
    for whole, sub in ((normalize_title(a), sub_b), (normalize_title(b), sub_a)):
        if sub and whole == sub and len(sub.split()) >= SUBTITLE_MIN_WORDS:
            return True
    return False


# --- authors -----------------------------------------------------------------------------------------------


def family_tokens(person: Person) -> tuple[str, ...]:
    """The comparable words of a family name (or an organisation's name): folded, lower-case, no particles.

    'Giró-i-Nieto' and 'Giro-i-Nieto' both give ('giro', 'nieto'); 'Rußwurm' gives ('russwurm',).
    """
    return _family_words(person.family or person.literal)


@functools.lru_cache(maxsize=_MEMO_SIZE)
def _family_words(name: str) -> tuple[str, ...]:
    words = normalize_title(INNER_HYPHEN.sub(" ", plain_text(name))).split()
    kept = tuple(w for w in words if w not in COMPARED_PARTICLES)
    return kept or tuple(words)


def same_family(a: Person, b: Person) -> bool:
    """Whether two people share a family name, allowing one to carry extra words ('Vivanco Cepeda' / 'Cepeda')."""
    return _same_tokens(family_tokens(a), family_tokens(b))


def _same_tokens(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    if not left or not right:
        return False
    if left == right:
        return True
    small, large = (left, right) if len(left) <= len(right) else (right, left)
    return all(len(word) > 1 for word in small) and set(small) <= set(large)


@dataclass(frozen=True, slots=True)
class AuthorAgreement:
    """How two author lists agree: first authors, and the family names found on both sides."""

    comparable: bool
    first_author: bool
    shared: tuple[str, ...]
    reference_count: int
    candidate_count: int

    @property
    def agrees(self) -> bool:
        """At least one family name appears on both sides."""
        return bool(self.shared)

    def describe(self) -> str:
        if not self.comparable:
            side = "candidate" if self.candidate_count == 0 else "reference"
            return f"authors not comparable ({side} lists none)"
        if self.first_author:
            return (
                f"first author {self.shared[0]} agrees, "
                f"{len(self.shared)} of {self.reference_count} family names shared"
            )
        if self.shared:
            return (
                f"first author differs; {len(self.shared)} of {self.reference_count} family names shared "
                f"({', '.join(self.shared[:3])})"
            )
        return "no family name in common"


def compare_authors(reference: Sequence[Person], candidate: Sequence[Person]) -> AuthorAgreement:
    """Agreement of two author lists by family name (accents, case, hyphens and particles ignored)."""
    if not reference or not candidate:
        return AuthorAgreement(False, False, (), len(reference), len(candidate))
    first = same_family(reference[0], candidate[0])
    # Every reference author against every candidate author: the names' tokens are read once, and an exact match
    # (the usual case) is a set lookup before the pairwise rule for names with extra words.
    others = [family_tokens(other) for other in candidate]
    exact = set(others)
    shared = []
    for person in reference:
        tokens = family_tokens(person)
        if tokens and (tokens in exact or any(_same_tokens(tokens, other) for other in others)):
            shared.append(person.family or person.literal)
    return AuthorAgreement(True, first, tuple(shared), len(reference), len(candidate))


# --- years ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class YearCheck:
    """Whether a candidate's year fits the preprint's: not before its v1 year, at most YEARS_AFTER_PREPRINT after."""

    plausible: bool
    year: int | None
    earliest: int | None
    latest: int | None

    def describe(self) -> str:
        if self.year is None:
            return "year unknown"
        if self.earliest is None:
            return f"year {self.year}"
        verdict = "plausible" if self.plausible else "implausible"
        return f"year {self.year} {verdict} (expected {self.earliest}-{self.latest})"


def check_year(first_year: int | None, candidate_year: int | None) -> YearCheck:
    """An unknown year on either side is not held against a candidate: title and authors still decide."""
    if first_year is None:
        return YearCheck(True, candidate_year, None, None)
    earliest, latest = first_year - YEARS_BEFORE_PREPRINT, first_year + YEARS_AFTER_PREPRINT
    if candidate_year is None:
        return YearCheck(True, None, earliest, latest)
    return YearCheck(earliest <= candidate_year <= latest, candidate_year, earliest, latest)


# --- venues (the table and its reading live in venues.py) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class VenueCorroboration:
    """Whether a candidate's venue fits the venue hints (curated text, arXiv comment or journal_ref)."""

    corroborates: bool | None
    claim: str | None
    found: str | None

    def describe(self) -> str:
        if self.corroborates is None:
            return "no venue hint to compare"
        if self.corroborates:
            return f"venue corroborates '{self.claim}'"
        return f"venue {self.found or 'unknown'} does not match '{self.claim}'"


def corroborate_venue(hints: Iterable[str], record: Record) -> VenueCorroboration:
    """Compare the record's venue with the venue hints; None when no hint names a venue (e.g. "Arxiv 2025")."""
    claims = [claim for hint in hints for claim in _claims_of(hint)]
    if not claims or not any((record.venueid, record.container_title, record.event_title, record.venue)):
        # A record that names no venue at all (Crossref's thin ACM deposit) neither confirms nor contradicts.
        return VenueCorroboration(None, claims[0].raw if claims else None, None)
    venue = record_venue(record)
    years = record_years(record)
    found = None
    if venue is not None:
        found = venue.acronym + (f" {min(years)}" if len(years) == 1 else "")
    for claim in claims:
        if venue is not None and claim.venue is venue and (claim.year is None or claim.year in years):
            return VenueCorroboration(True, claim.raw, found)
    return VenueCorroboration(False, claims[0].raw, found)


def _claims_of(hint: str) -> tuple[VenueText, ...]:
    """The venue-and-year claims of one hint; preprint servers and platforms claim no venue."""
    parsed = parse_venue_text(hint)
    if parsed.venue is not None and parsed.year is not None:
        return () if parsed.venue.kind in ("preprint", "platform") else (parsed,)
    return tuple(claim for claim in venue_claims(hint) if claim.year is not None)


# --- the work a search or an identifier should find ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reference:
    """What we already know of an entry's work, to compare candidates with.

    `titles` holds every title the work is known by (latest arXiv title, curated title, older versions, the title
    words of a CVF link); `authors` the arXiv (or curated) author list; `first_year` the arXiv v1 year;
    `venue_hints` the curated venue text, the link's venue and the arXiv comment / journal_ref; `link` what the paper
    link revealed; `listed_year` the year the listing or its link gives; `name_only` says the listed title is only
    a model's or dataset's name.
    """

    titles: tuple[str, ...]
    authors: tuple[Person, ...] = ()
    first_year: int | None = None
    arxiv_id: str | None = None
    venue_hints: tuple[str, ...] = ()
    link: LinkFacts | None = None
    listed_year: int | None = None
    name_only: bool = False

    @property
    def title(self) -> str:
        return self.titles[0] if self.titles else ""


def is_name_only(title: str, abbr: str | None = None) -> bool:
    """Whether a listed title is only a name ("SatMAE", "Scale-MAE", or the entry's own abbreviation)."""
    words = normalize_title(title).split()
    return len(words) < NAME_ONLY_WORDS or (bool(abbr) and normalize_title(abbr or "") == " ".join(words))


def paper_link(entry: Entry) -> LinkFacts | None:
    """What the entry's paper link reveals, or None without a paper link."""
    link = entry.link("paper")
    return read_link(link.url) if link is not None else None


def link_title(entry: Entry, facts: LinkFacts | None) -> str | None:
    """The title words a link carries (CVF file names), starting where the listed name starts when the list writes
    only a name: CVF cuts a family name at its first space, so "Van_der_Berg_Bench19Net_..." gives "der Berg
    Bench19Net ..." as title words."""
    words = (facts.title_words or "").split() if facts is not None else []
    if not words:
        return None
    name = normalize_title(str(entry.override.get("title") or entry.title)).split()
    folded = [normalize_title(word) for word in words]
    if name and name[0] in folded:
        words = words[folded.index(name[0]) :]
    return " ".join(words)


def reference_for(entry: Entry, preprint: Record | None = None, earlier: Sequence[Record] = ()) -> Reference:
    """The Reference of a curated entry and its arXiv record(s) (latest version first, then earlier ones)."""
    facts = paper_link(entry)
    titles: list[str] = []
    override_title = entry.override.get("title")
    link_words = link_title(entry, facts)
    for title in (
        preprint.title if preprint else None,
        override_title,
        entry.title,
        *(r.title for r in earlier),
        link_words,
    ):
        if title and normalize_title(title) not in (normalize_title(t) for t in titles):
            titles.append(title)
    override_authors = entry.override.get("author") or ()
    authors = tuple(override_authors) or (preprint.author if preprint else ()) or entry.authors
    first_years = [r.issued.year for r in (preprint, *earlier) if r is not None and r.issued is not None]
    arxiv_id = preprint.arxiv_id if preprint and preprint.arxiv_id else None
    if arxiv_id is None and entry.ids.arxiv:
        arxiv_id = ids.parse_arxiv_id(entry.ids.arxiv)[0]
    if arxiv_id is None and facts is not None:
        arxiv_id = facts.arxiv_id
    link_venue = f"{facts.venue} {facts.year}" if facts is not None and facts.venue and facts.year else None
    hints = tuple(
        h
        for h in (
            entry.venue,
            link_venue,
            preprint.journal_ref if preprint else None,
            preprint.arxiv_comment if preprint else None,
        )
        if h
    )
    listed = parse_venue_text(entry.venue) if entry.venue else None
    listed_year = (listed.year if listed else None) or entry.year or (facts.year if facts is not None else None)
    name_only = is_name_only(override_title or entry.title, entry.abbr) and not link_words
    return Reference(
        tuple(titles),
        tuple(authors),
        min(first_years) if first_years else None,
        arxiv_id,
        hints,
        facts,
        listed_year,
        name_only,
    )


def reference_from_record(entry: Entry, record: Record) -> Reference:
    """A Reference built from a version of record already found (to recognise its preprint by title and authors)."""
    base = reference_for(entry)
    titles = tuple(dict.fromkeys(t for t in (record.title, *base.titles) if t))
    year = record.issued.year if record.issued else base.listed_year
    return dataclasses.replace(base, titles=titles, authors=record.author or base.authors, listed_year=year)


# --- what the link says against what a record says ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkCheck:
    """The link's facts a record agrees with and the ones it contradicts; `specific` agreements (first author,
    volume, issue, article number) name one paper, a venue and year only narrow the field."""

    agrees: tuple[str, ...] = ()
    disagrees: tuple[str, ...] = ()
    specific: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = []
        if self.agrees:
            parts.append("link agrees on " + ", ".join(self.agrees))
        if self.disagrees:
            parts.append("link disagrees: " + "; ".join(self.disagrees))
        return "; ".join(parts) or "link says nothing to compare"


def _link_names_first_author(name: str, person: Person) -> bool:
    """Whether a URL's author segment names the person: CVF and PMLR write family names in ASCII, PMLR glued
    ("vanderberg"), CVF cut at the first space ("Van" of "Van der Berg", the rest running into the title words)."""
    token = "".join(normalize_title(name).split())
    words = normalize_title(person.family or person.literal).split()
    # A name split without its particles ("Ada Van der Berg" read as given "Ada Van der"): the URL glues the tail.
    shown = normalize_title(person.display()).split()
    glued = {"".join(shown[start:]) for start in range(1, len(shown))} | {"".join(words)}
    return bool(token) and (token in words or token in glued or _same_tokens((token,), family_tokens(person)))


def check_link(facts: LinkFacts | None, record: Record) -> LinkCheck:
    """Compare what a landing-page link revealed with a candidate record."""
    if facts is None:
        return LinkCheck()
    agrees: list[str] = []
    disagrees: list[str] = []
    specific: list[str] = []

    def compare(name: str, expected: str | None, found: str | None, *, is_specific: bool) -> None:
        if not expected or not found:
            return
        if expected.strip().casefold() == found.strip().casefold():
            agrees.append(f"{name} {expected}")
            if is_specific:
                specific.append(name)
        else:
            disagrees.append(f"{name} {expected} in the link, {found} in the record")

    if facts.first_author and record.author:
        first = record.author[0]
        same = _link_names_first_author(facts.first_author, first)
        compare("first author", facts.first_author, facts.first_author if same else first.sort_family, is_specific=True)
    if facts.site == "mdpi":
        compare("volume", facts.volume, record.volume, is_specific=True)
        compare("issue", facts.issue, record.issue, is_specific=True)
        compare("article number", facts.article_number, (record.page or "").split("-")[0] or None, is_specific=True)
    # IEEE conference DOIs end in the Xplore article number; journal DOIs do not, so only agreement counts.
    number = facts.article_number if facts.site == "ieeexplore" else None
    if number and record.doi and record.doi.rsplit(".", 1)[-1] == number:
        agrees.append(f"article number {number}")
        specific.append("article number")
    known = facts.known_venue
    found = record_venue(record)
    if known is not None and found is not None:
        compare("venue", known.acronym, found.acronym, is_specific=False)
    years = record_years(record)
    if facts.year and years:
        close = any(abs(year - facts.year) <= LISTED_YEAR_SLACK for year in years)
        compare("year", str(facts.year), str(facts.year) if close else str(min(years)), is_specific=False)
    return LinkCheck(tuple(agrees), tuple(disagrees), tuple(specific))


# --- judging candidates --------------------------------------------------------------------------------------


def not_version_of_record(record: Record) -> str | None:
    """Why a record can never be a version of record (a preprint, an unaccepted submission), or None."""
    if record.source == "arxiv":
        return "an arXiv record is the preprint"
    if record.source == "crossref":
        # The parser keeps Crossref's own type in source_type; CSL `article` alone would also catch odd types.
        kind = record.source_type or ("posted-content" if record.type == "article" else None)
        if kind == "posted-content":
            return "Crossref posted-content (a preprint)"
        if kind in CROSSREF_NOT_A_PAPER:
            return f"Crossref {kind} is not the paper itself"
    if record.doi and record.doi.lower().startswith(PREPRINT_DOI_PREFIXES):
        return f"DOI {record.doi} belongs to a preprint server"
    if record.source == "openreview" and record.decision is not Decision.ACCEPTED:
        decision = record.decision.value if record.decision is not None else "unknown"
        return f"OpenReview decision is {decision} (venueid {record.venueid or 'absent'}), not an accepted paper"
    return None


def preprint_link(record: Record, arxiv_id: str | None) -> str | None:
    """The relation by which a record names the preprint `arxiv_id` (e.g. "has-preprint arxiv:2309.16020"), or None."""
    if not arxiv_id:
        return None
    if record.arxiv_id and record.source != "arxiv" and record.arxiv_id == arxiv_id:
        return f"arxiv id {arxiv_id}"
    for relation, target in record.relations:
        if relation not in PREPRINT_RELATIONS:
            continue
        text = target.removeprefix("doi:")
        found = ids.identify(text)
        if found is not None and found.scheme == "arxiv" and found.value == arxiv_id:
            return f"{relation} {target}"
    return None


def describe_record(record: Record) -> str:
    """The short id a report names a record by: its DOI, OpenReview id or standard id."""
    return record.doi or record.openreview_id or record.standard_id


def _short(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Assessment:
    """One candidate judged against the reference: every check, the verdict and why."""

    record: Record
    title: TitleMatch
    authors: AuthorAgreement
    year: YearCheck
    venue: VenueCorroboration
    link: str | None
    excluded: str | None
    acceptable: bool
    reasons: tuple[str, ...]
    link_check: LinkCheck = LinkCheck()

    @property
    def same_work(self) -> bool:
        """Title, authors and year say this is the work, whether or not it may serve as version of record."""
        return (self.link is not None and (self.authors.agrees or not self.authors.comparable)) or (
            self.title.near_identical and self.authors.agrees and self.year.plausible
        )

    def rank(self) -> tuple[int, float, int, int]:
        return (self.link is not None, self.title.score, self.authors.first_author, len(self.authors.shared))


def assess(reference: Reference, record: Record) -> Assessment:
    """Judge one candidate. Accepted only if not excluded and either linked to the arXiv id (with authors not
    disagreeing) or: title near-identical (or a subtitle-only difference with the first author and the venue
    agreeing), at least one family name shared, and the year plausible.

    With no author known to compare (no curated authors, no preprint found), the listing must carry the match
    instead: see `_authorless_reasons`.
    """
    title = compare_titles(reference.titles, record.title)
    authors = compare_authors(reference.authors, record.author)
    year = check_year(reference.first_year, record.issued.year if record.issued else None)
    venue = corroborate_venue(reference.venue_hints, record)
    link = preprint_link(record, reference.arxiv_id)
    link_check = check_link(reference.link, record)
    excluded = not_version_of_record(record)
    reasons: list[str] = []
    if excluded:
        reasons.append(f"not a version of record: {excluded}")
    if link is not None:
        if authors.comparable and not authors.agrees:
            reasons.append(f"links the preprint ({link}) but {authors.describe()}")
    elif not reference.authors:
        reasons += _authorless_reasons(reference, record, title, venue, link_check)
    else:
        if title.kind == "subtitle-only":
            if not authors.first_author:
                reasons.append(
                    f"titles differ only in the subtitle but the first author does not agree ({authors.describe()})"
                )
            if not venue.corroborates:
                reasons.append(
                    f"titles differ only in the subtitle and the venue does not corroborate ({venue.describe()})"
                )
        elif not title.near_identical:
            reasons.append(f"title similarity {title.score:.0f} < {TITLE_ACCEPT:.0f}")
        if not authors.agrees:
            reasons.append(authors.describe())
        if not year.plausible:
            reasons.append(year.describe())
        reasons += [f"the link disagrees: {item}" for item in link_check.disagrees]
    return Assessment(record, title, authors, year, venue, link, excluded, not reasons, tuple(reasons), link_check)


def _authorless_reasons(
    reference: Reference, record: Record, title: TitleMatch, venue: VenueCorroboration, link_check: LinkCheck
) -> list[str]:
    """Why a candidate cannot be accepted on the listing's evidence alone (empty: it can).

    Needed: a near-identical title, agreement with the listing (the listed venue and year, or a fact of the link
    that names one paper: its first author, volume, issue, article number), nothing the link contradicts, and a
    year near the listed one. A listed title that is only a name needs such a specific fact of the link.
    """
    reasons: list[str] = []
    if not title.near_identical:
        reasons.append(f"title similarity {title.score:.0f} < {TITLE_ACCEPT:.0f} and no author known to compare")
    reasons += [f"the link disagrees: {item}" for item in link_check.disagrees]
    years = record_years(record)
    listed = reference.listed_year
    if listed is not None and years and not any(abs(year - listed) <= LISTED_YEAR_SLACK for year in years):
        reasons.append(f"year {min(years)} does not fit the listed year {listed}")
    if reference.name_only and not link_check.specific:
        reasons.append(
            f"the listed title '{_short(reference.title)}' is only a name and the link names no first author, "
            "volume or article number to confirm it"
        )
    elif venue.corroborates is not True and not link_check.specific:
        if venue.corroborates is False:
            reasons.append(f"no author known to compare and the {venue.describe()}")
        else:
            reasons.append("no author known to compare and the listing names no venue and year to confirm it")
    return reasons


Outcome = Literal["accepted", "rejected", "abstained", "no-candidates"]
NONE_ACCEPTED = "no candidate accepted; keeping what we have"


@dataclass(frozen=True, slots=True)
class MatchDecision:
    """The verdict over a list of candidates, with every assessment and readable steps.

    `record` is the accepted candidate (None unless outcome is "accepted"); `evidence` is "identifier" when it
    names the preprint by a relation, else "verified"; `aliases` are reference titles that differ from the
    accepted title; `refuting` are candidates that are the work but cannot be a version of record (a
    rejected OpenReview submission with the same title and authors), which merge turns into notes or conflicts.
    """

    outcome: Outcome
    record: Record | None
    evidence: Literal["identifier", "verified"] | None
    score: float | None
    assessments: tuple[Assessment, ...]
    steps: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    label: str = "search"

    @property
    def refuting(self) -> tuple[Assessment, ...]:
        return tuple(a for a in self.assessments if a.excluded and a.same_work)

    @property
    def lasting_steps(self) -> tuple[str, ...]:
        """The steps without the candidates rejected as another work under another title: what a search returns
        besides the work changes daily (Crossref indexes new works), and is not news for the lock file. No
        candidate and only other works read the same."""
        if self.outcome == "no-candidates":
            return (f"{self.label}: {NONE_ACCEPTED}",)
        per_candidate = self.steps[: len(self.assessments)]
        judged = zip(per_candidate, self.assessments, strict=True)
        # A candidate close to the listed title is evidence (why this one, why an abstention, which decoy was
        # refused) and stays; one with another title is what the index happened to return that day.
        kept = [step for step, item in judged if item.acceptable or item.same_work or item.title.kind != "different"]
        return (*kept, *self.steps[len(self.assessments) :])

    @property
    def missing(self) -> str | None:
        """For a search that found its title but accepted nothing: the evidence that was missing, in one line.

        None when no candidate carried the listed title (nothing was close enough to abstain about) or one was
        accepted.
        """
        if self.outcome == "abstained":
            return self.steps[-1].split(": abstained: ", 1)[-1]
        if self.outcome != "rejected":
            return None
        close = [a for a in self.assessments if a.title.near_identical and not a.excluded]
        if not close:
            return None
        best = max(close, key=Assessment.rank)
        return f"{describe_record(best.record)} has the title but {'; '.join(best.reasons)}"


def choose(reference: Reference, candidates: Sequence[Record], *, context: str | None = None) -> MatchDecision:
    """Pick the candidate that is the reference's version of record, reject them all, or abstain on a tie.

    `context` prefixes each step ("crossref search"); by default the first candidate's source + " search".
    Call once per source: candidates of different sources never tie, the SOURCE_RANK order decides.
    """
    label = context or (f"{candidates[0].source} search" if candidates else "search")
    if not candidates:
        return MatchDecision(
            "no-candidates",
            None,
            None,
            None,
            (),
            (f"{label}: no candidates for '{_short(reference.title)}'",),
            (),
            label,
        )
    return _decide(reference, tuple(assess(reference, record) for record in candidates), label)


def _decide(reference: Reference, assessments: tuple[Assessment, ...], label: str) -> MatchDecision:
    steps: list[str] = []
    for item in assessments:
        ident = describe_record(item.record)
        if item.acceptable:
            how = (
                f"linked by {item.link}"
                if item.link
                else f"title similarity {item.title.score:.0f} ({item.title.kind})"
            )
            extra = f"; {item.link_check.describe()}" if item.link_check.agrees else ""
            steps.append(
                f"{label}: {ident} acceptable for '{_short(reference.title)}': {how}; {item.authors.describe()}; "
                f"{item.year.describe()}; {item.venue.describe()}{extra}"
            )
        else:
            steps.append(f"{label}: {ident} rejected for '{_short(reference.title)}': {'; '.join(item.reasons)}")
    acceptable = _distinct([a for a in assessments if a.acceptable])
    if not acceptable:
        steps.append(f"{label}: {NONE_ACCEPTED}")
        return MatchDecision("rejected", None, None, None, assessments, tuple(steps), (), label)
    best_rank = min(SOURCE_RANK.get(a.record.source, 9) for a in acceptable)
    contenders = sorted(
        (a for a in acceptable if SOURCE_RANK.get(a.record.source, 9) == best_rank), key=Assessment.rank, reverse=True
    )
    best = contenders[0]
    if len(contenders) > 1 and not _clearly_better(best, contenders[1]):
        runner = contenders[1]
        steps.append(
            f"{label}: abstained: {describe_record(best.record)} and {describe_record(runner.record)} both pass "
            f"(title {best.title.score:.0f} vs {runner.title.score:.0f}); no clear lead"
        )
        return MatchDecision("abstained", None, None, None, assessments, tuple(steps), (), label)
    evidence: Literal["identifier", "verified"] = "identifier" if best.link else "verified"
    steps.append(f"{label}: accepted {describe_record(best.record)} ({evidence})")
    accepted_title = normalize_title(best.record.title)
    aliases = tuple(t for t in reference.titles if normalize_title(t) != accepted_title)
    return MatchDecision("accepted", best.record, evidence, best.title.score, assessments, tuple(steps), aliases, label)


# --- a preprint found by title ------------------------------------------------------------------------------------


def assess_preprint(reference: Reference, record: Record) -> Assessment:
    """Judge an arXiv record found by a title search as the entry's preprint.

    Needed: a near-identical title; the authors agreeing when any are known (curated, or the version of record's),
    else the link's first author when it names one; a v1 year that fits the listed (or published) year: at most
    YEARS_AFTER_PREPRINT before it and PREPRINT_AFTER_PUBLICATION after; no venue claim of arXiv's (comment,
    journal_ref) contradicting the listed venue. A listed title that is only a name needs the link's first author.
    """
    title = compare_titles(reference.titles, record.title)
    authors = compare_authors(reference.authors, record.author)
    posted = record.issued.year if record.issued else None
    listed = reference.listed_year
    year = (
        YearCheck(listed - YEARS_AFTER_PREPRINT <= posted <= listed + PREPRINT_AFTER_PUBLICATION, posted, None, None)
        if posted is not None and listed is not None
        else YearCheck(True, posted, None, None)
    )
    venue = corroborate_venue(reference.venue_hints[:1], _claimed_venue(record))
    link_check = check_link(reference.link, record)
    reasons: list[str] = []
    if not title.near_identical:
        reasons.append(f"title similarity {title.score:.0f} < {TITLE_ACCEPT:.0f}")
    if authors.comparable and not authors.agrees:
        reasons.append(authors.describe())
    reasons += [
        f"the link disagrees: {item}" for item in link_check.disagrees if not item.startswith(("venue", "year"))
    ]
    if posted is not None and listed is not None and not year.plausible:
        reasons.append(
            f"posted {posted}, which does not fit the listed year {listed} "
            f"({listed - YEARS_AFTER_PREPRINT}-{listed + PREPRINT_AFTER_PUBLICATION} expected)"
        )
    if venue.corroborates is False:
        reasons.append(f"arXiv says '{venue.found}' but the entry is listed as '{venue.claim}'")
    first_author_agrees = "first author" in link_check.specific
    if not authors.comparable:
        if reference.name_only and not first_author_agrees:
            reasons.append(
                f"the listed title '{_short(reference.title)}' is only a name and the link names no first author"
            )
        elif listed is None and not first_author_agrees:
            reasons.append("no author known to compare and the listing gives no year to confirm the title")
    return Assessment(record, title, authors, year, venue, None, None, not reasons, tuple(reasons), link_check)


def _claimed_venue(record: Record) -> Record:
    """The arXiv record seen with the venue its comment or journal_ref claims, for `corroborate_venue`."""
    for text in (record.journal_ref, record.arxiv_comment):
        for claim in venue_claims(text):
            return dataclasses.replace(record, source="arxiv", venue=f"{claim.acronym} {claim.year or ''}".strip())
    return dataclasses.replace(record, venue=None)


def choose_preprint(
    reference: Reference, candidates: Sequence[Record], *, context: str = "arxiv title search"
) -> MatchDecision:
    """The arXiv record among a title search's answers that is the entry's preprint, or none (rejected / abstained)."""
    if not candidates:
        return MatchDecision(
            "no-candidates",
            None,
            None,
            None,
            (),
            (f"{context}: no candidates for '{_short(reference.title)}'",),
            label=context,
        )
    # A combined search answers for several titles: only candidates near this entry's title are worth a line.
    assessments = tuple(assess_preprint(reference, record) for record in candidates)
    shown = tuple(a for a in assessments if a.title.kind != "different") or ()
    if not shown:
        return MatchDecision(
            "no-candidates",
            None,
            None,
            None,
            assessments,
            (f"{context}: no arXiv title near '{_short(reference.title)}'",),
            label=context,
        )
    return _decide(reference, shown, context)


def _distinct(items: list[Assessment]) -> list[Assessment]:
    """One assessment per work id: a DOI listed twice is one candidate, not a tie."""
    seen: dict[str, Assessment] = {}
    for item in items:
        key = item.record.standard_id.lower()
        if key not in seen or item.rank() > seen[key].rank():
            seen[key] = item
    return list(seen.values())


def _clearly_better(best: Assessment, runner: Assessment) -> bool:
    if (best.link is not None) != (runner.link is not None):
        return best.link is not None
    return best.title.score - runner.title.score >= TIE_MARGIN


# --- identifier-given records -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IdentifierCheck:
    """A record reached through an identifier (curated DOI or OpenReview id, arXiv-reported DOI), checked.

    An identifier link is the record, unless it looks like another paper: a title below TITLE_CONFLICT (and no
    relation to the arXiv id), or a changed title whose authors disagree. Then `conflict` is set and the
    record must not be merged silently. `not_vor` says why the record cannot be a version of record
    (a rejected OpenReview submission, a preprint DOI); such a record still names the work.
    """

    record: Record
    asserted_by: str
    title: TitleMatch
    authors: AuthorAgreement
    year: YearCheck
    venue: VenueCorroboration
    not_vor: str | None
    conflict: bool
    steps: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def is_version_of_record(self) -> bool:
        return self.not_vor is None and not self.conflict


def check_identified(reference: Reference, record: Record, *, asserted_by: str) -> IdentifierCheck:
    """Check a record linked by identifier against the entry; `asserted_by` names who gave the identifier
    (`curated`, `arxiv`, `crossref`, `openreview`)."""
    title = (
        compare_titles(reference.titles, record.title)
        if record.title
        else TitleMatch(0.0, "different", reference.title, "")
    )
    authors = compare_authors(reference.authors, record.author)
    year = check_year(reference.first_year, record.issued.year if record.issued else None)
    venue = corroborate_venue(reference.venue_hints, record)
    not_vor = not_version_of_record(record)
    link = preprint_link(record, reference.arxiv_id)
    ident = f"{record.source} {describe_record(record)}"
    authors_disagree = authors.comparable and not authors.agrees
    if not record.title or title.kind != "different":
        conflict = False
    elif link is not None:
        conflict = authors_disagree
    else:
        conflict = title.score < TITLE_CONFLICT or authors_disagree
    problems: list[str] = []
    steps = [
        f"{asserted_by} identifier -> {ident}: title similarity {title.score:.0f} ({title.kind}); "
        f"{authors.describe()}; "
        f"{year.describe()}" + (f"; links the preprint ({link})" if link else "")
    ]
    if conflict:
        problems.append(
            f"{ident} (asserted by {asserted_by}) looks like a different paper: '{_short(record.title)}' vs "
            f"'{_short(reference.title)}' (title similarity {title.score:.0f}; {authors.describe()})"
        )
    elif authors_disagree:
        problems.append(f"{ident} (asserted by {asserted_by}): {authors.describe()} although the title matches")
    if not year.plausible:
        problems.append(f"{ident} (asserted by {asserted_by}): {year.describe()}")
    if not_vor and record.source != "arxiv":
        steps.append(f"{ident} is not a version of record: {not_vor}")
    return IdentifierCheck(
        record, asserted_by, title, authors, year, venue, not_vor, conflict, tuple(steps), tuple(problems)
    )
