"""arXiv: id_list batch queries for the query API, and a strict parser of its Atom feeds into `Record`s.

Both feed generations (the classic backend, and its re-implementation recorded in 2026) parse, found by namespace.
"""

from __future__ import annotations

import functools
import logging
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Final

from ..errors import BadResponse
from ..ids import is_arxiv_doi, normalize_doi, parse_arxiv_id, standard_id
from ..model import PartialDate, Person, Query, Record
from ..names import person_from_text
from .interface import Answer
from .markup import collapse_whitespace

NAME: Final = "arxiv"
QUERY_PATH = "/api/query"
# arXiv's own advice: a few dozen to ~100 ids per call keeps URLs short (and matches arxiv.py's page size).
DEFAULT_BATCH_SIZE = 100
# The abs page without a version always shows the latest version; it is the URL people cite.
ABS_URL = "https://arxiv.org/abs/"

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_ENTRY_ID_PREFIXES = ("http://arxiv.org/abs/", "https://arxiv.org/abs/")

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ArxivFeed:
    """One parsed answer of the query API.

    `records` is keyed by arXiv id without version (`2309.16020`, `astro-ph/0601001`); `errors` holds the
    messages of an error feed (arXiv answers a malformed id with a one-entry feed, not an error status).
    """

    records: Mapping[str, Record] = field(default_factory=lambda: MappingProxyType({}))
    errors: tuple[str, ...] = ()
    total_results: int = 0
    start_index: int = 0

    @property
    def is_unexpectedly_empty(self) -> bool:
        """No entries although the feed counts results beyond this page's start: arXiv's overload symptom."""
        return not self.records and not self.errors and self.total_results > self.start_index


def batch_queries(arxiv_ids: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE) -> list[Query]:
    """The id_list queries that fetch `arxiv_ids`, at most `batch_size` ids each.

    Ids are normalised (`arXiv:` prefix dropped, version kept) and deduplicated. Two versions of one
    paper never share a batch, because a feed is read back keyed by the id without version.
    Raises ValueError for anything that is not an arXiv id: one malformed id turns arXiv's whole
    answer into an error feed, so it must not reach a batch.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    normalised: list[tuple[str, str]] = []
    seen: set[str] = set()
    bad: list[str] = []
    for text in arxiv_ids:
        try:
            base, version = parse_arxiv_id(text)
        except ValueError:
            bad.append(text)
            continue
        spelled = base if version is None else f"{base}v{version}"
        if spelled not in seen:
            seen.add(spelled)
            normalised.append((base, spelled))
    if bad:
        raise ValueError("not arXiv ids: " + ", ".join(repr(text) for text in bad))

    batches: list[tuple[set[str], list[str]]] = []
    for base, spelled in normalised:
        batch = next((b for b in batches if base not in b[0] and len(b[1]) < batch_size), None)
        if batch is None:
            batch = (set(), [])
            batches.append(batch)
        batch[0].add(base)
        batch[1].append(spelled)
    return [_id_list_query(ids, batch_size) for _, ids in batches]


# The query an `arxiv.Search(id_list=..., max_results=...)` of the arxiv package describes, with its defaults (the
# sort arXiv documents): we send what its spec says rather than run its `Client`, because fetch.py owns the network,
# the cache and the pacing. Spelled out instead of read from a Search object because importing the package (it pulls
# in requests and feedparser) took 70 ms of every run; test_source_arxiv checks these against the package.
SEARCH_QUERY = ""
SORT_BY = "relevance"
SORT_ORDER = "descending"


def _id_list_query(ids: list[str], batch_size: int) -> Query:
    # max_results is the batch capacity, not len(ids): any value >= len(ids) returns the whole batch, and a
    # fixed value gives every batch the same request shape as arxiv.py's (and the recorded replay requests).
    return Query(
        service=NAME,
        path=QUERY_PATH,
        params=(
            ("search_query", SEARCH_QUERY),
            ("id_list", ",".join(ids)),
            ("sortBy", SORT_BY),
            ("sortOrder", SORT_ORDER),
            ("start", "0"),
            ("max_results", str(batch_size)),
        ),
    )


# Titles searched per request: arXiv's 3 s rule makes one search per title cost 10 minutes for 200 titles, so titles
# share a `ti:"..." OR ti:"..."` query. 20 phrases keep the URL under about 2,500 characters; each phrase gets
# RESULTS_PER_TITLE places in the page (an exact title phrase matches a handful of papers at most).
TITLES_PER_SEARCH = 20
RESULTS_PER_TITLE = 5
# Words of a phrase arXiv's search would stumble on: quotes end the phrase, boolean words read as operators.
_PHRASE_BREAKERS = re.compile(r"[^\w\s]|_")
_OPERATORS = frozenset({"AND", "OR", "ANDNOT", "NOT"})


def title_phrase(title: str) -> str:
    """A title as an arXiv `ti:` phrase: words only (punctuation splits words, as arXiv's tokeniser does), no
    operator words (AND, OR, ANDNOT, NOT in capitals, which arXiv reads as operators), quoted."""
    words = [w for w in _PHRASE_BREAKERS.sub(" ", title).split() if w not in _OPERATORS]
    return '"' + " ".join(words) + '"' if words else ""


def title_search_queries(titles: Sequence[str], per_search: int = TITLES_PER_SEARCH) -> list[Query]:
    """`search_query=ti:"..." OR ti:"..."` queries for the titles, `per_search` titles each (duplicates once)."""
    if per_search < 1:
        raise ValueError(f"per_search must be at least 1, not {per_search}")
    phrases = list(dict.fromkeys(p for p in (title_phrase(t) for t in titles) if p))
    queries = []
    for start in range(0, len(phrases), per_search):
        chunk = phrases[start : start + per_search]
        queries.append(
            Query(
                service=NAME,
                path=QUERY_PATH,
                params=(
                    ("search_query", " OR ".join(f"ti:{phrase}" for phrase in chunk)),
                    ("sortBy", SORT_BY),
                    ("sortOrder", SORT_ORDER),
                    ("start", "0"),
                    ("max_results", str(RESULTS_PER_TITLE * len(chunk))),
                ),
            )
        )
    return queries


def phrases_of(query: Query) -> tuple[str, ...]:
    """The title phrases a title search query asks for (its `ti:` terms, unquoted)."""
    text = dict(query.params).get("search_query", "")
    return tuple(re.findall(r'ti:"([^"]*)"', text))


def missing_ids(requested: Sequence[str], feed: ArxivFeed) -> list[str]:
    """The requested ids the feed has no entry for, in request order (arXiv drops unknown ids silently)."""
    missing: list[str] = []
    for text in requested:
        try:
            base, _ = parse_arxiv_id(text)
        except ValueError:
            base = text
        if base not in feed.records and text not in missing:
            missing.append(text)
    return missing


# One batch answer is read by every entry of its batch (up to DEFAULT_BATCH_SIZE) and by `validate` before it: the
# feeds parsed last are remembered (they are immutable), so a body is parsed once, not once per entry. 128 feeds
# cover a round of 12,800 ids.
FEED_MEMO_SIZE = 128


def parse_feed(body: bytes, *, fetched_at: str | None = None, status: int = 200) -> ArxivFeed:
    """Read an arXiv Atom feed into records keyed by id without version.

    Raises BadResponse when the body is not a complete Atom feed (truncated, HTML, a DOCTYPE), when an
    entry's id is not an arXiv id, or when an error status comes with a feed that reports no error.
    """
    return _parse_feed(body, fetched_at, status)


@functools.lru_cache(maxsize=FEED_MEMO_SIZE)
def _parse_feed(body: bytes, fetched_at: str | None, status: int) -> ArxivFeed:
    root = _parse_xml(body)
    total = _int_text(root.find(f"{_OPENSEARCH}totalResults"))
    start = _int_text(root.find(f"{_OPENSEARCH}startIndex"))
    records: dict[str, Record] = {}
    errors: list[str] = []
    for entry in root.findall(f"{_ATOM}entry"):
        if _is_error_entry(entry):
            errors.append(collapse_whitespace(_text(entry, f"{_ATOM}summary") or "") or "arXiv reported an error")
            continue
        base, record = _record(entry, fetched_at)
        records[base] = record
    if status >= 400 and not errors:
        raise BadResponse(NAME, f"arXiv answered HTTP {status} with a feed that reports no error")
    return ArxivFeed(
        records=MappingProxyType(records),
        errors=tuple(errors),
        total_results=total if total is not None else len(records) + len(errors),
        start_index=start or 0,
    )


def validate(response: Answer) -> None:
    """Refuse a body that is no complete Atom feed, or an empty page that counts results (retry it later).

    An error feed at HTTP 400 (malformed id) is a complete answer and passes; at 2xx it is refused, since a
    successful answer is cached for days and would repeat the error long after arXiv recovered.
    """
    # With the answer's own fetch time, the feed parsed here is the one the entries read next (see FEED_MEMO_SIZE).
    feed = parse_feed(response.body, fetched_at=getattr(response, "fetched_at", None), status=response.status)
    if feed.errors and 200 <= response.status < 300:
        raise BadResponse(NAME, f"arXiv answered HTTP {response.status} with an error entry ({'; '.join(feed.errors)})")
    if feed.is_unexpectedly_empty:
        raise BadResponse(
            NAME,
            f"arXiv returned an empty page although it counts {feed.total_results} results (a sign of overload)",
            hint="retry later; arXiv asks for at most one request every three seconds",
        )


def _parse_xml(body: bytes) -> ElementTree.Element:
    # Not arxiv.py's own parser: it runs lxml with recover=True, which silently accepts a truncated feed, and
    # a strict parse is what keeps such a body out of the cache. arXiv's feeds never carry a DOCTYPE, and
    # refusing one keeps entity expansion out of the parser.
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise BadResponse(NAME, "arXiv answer carries a DOCTYPE; not an Atom feed")
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise BadResponse(NAME, f"arXiv answer is not well-formed XML ({error}); truncated or not a feed") from error
    if root.tag != f"{_ATOM}feed":
        raise BadResponse(NAME, f"arXiv answer is not an Atom feed (root element {root.tag!r})")
    return root


def _is_error_entry(entry: ElementTree.Element) -> bool:
    entry_id = _text(entry, f"{_ATOM}id") or ""
    title = collapse_whitespace(_text(entry, f"{_ATOM}title") or "")
    return "/api/errors" in entry_id or title == "Error"


def _record(entry: ElementTree.Element, fetched_at: str | None) -> tuple[str, Record]:
    base, version = _entry_id(entry)
    title = _text(entry, f"{_ATOM}title")
    summary = _text(entry, f"{_ATOM}summary")
    published = _text(entry, f"{_ATOM}published")
    updated = _text(entry, f"{_ATOM}updated")
    primary = entry.find(f"{_ARXIV}primary_category")
    categories = tuple(
        dict.fromkeys(term for term in (c.get("term") for c in entry.findall(f"{_ATOM}category")) if term)
    )
    doi = _published_doi(_text(entry, f"{_ARXIV}doi"))
    return base, Record(
        source=NAME,
        standard_id=standard_id(NAME, base, version),
        type="article",
        title=collapse_whitespace(title) if title is not None else "",
        author=tuple(_author(a) for a in entry.findall(f"{_ATOM}author") if (_text(a, f"{_ATOM}name") or "").strip()),
        issued=_date(published),
        publisher="arXiv",
        doi=doi,
        url=ABS_URL + base,
        pdf_url=_pdf_link(entry),
        abstract=collapse_whitespace(summary) if summary is not None and summary.strip() else None,
        arxiv_id=base,
        arxiv_version=version,
        arxiv_primary_class=primary.get("term") if primary is not None else None,
        arxiv_categories=categories,
        arxiv_comment=_optional_text(entry, f"{_ARXIV}comment"),
        journal_ref=_optional_text(entry, f"{_ARXIV}journal_ref"),
        updated=updated.strip() if updated else None,
        # The DOI an author gave arXiv names the published version of this preprint.
        relations=(("is-preprint-of", standard_id("doi", doi)),) if doi else (),
        fetched_at=fetched_at,
    )


def _entry_id(entry: ElementTree.Element) -> tuple[str, int | None]:
    raw = (_text(entry, f"{_ATOM}id") or "").strip()
    tail = next((raw[len(prefix) :] for prefix in _ENTRY_ID_PREFIXES if raw.startswith(prefix)), raw)
    try:
        return parse_arxiv_id(tail)
    except ValueError as error:
        raise BadResponse(NAME, f"arXiv feed entry has an id that is not an arXiv id: {raw!r}") from error


def _author(element: ElementTree.Element) -> Person:
    person = person_from_text(_text(element, f"{_ATOM}name") or "")
    affiliations = tuple(
        collapse_whitespace(a.text) for a in element.findall(f"{_ARXIV}affiliation") if a.text and a.text.strip()
    )
    return replace(person, affiliations=affiliations) if affiliations else person


def _published_doi(text: str | None) -> str | None:
    # arXiv's own DataCite DOI names the preprint, not a publisher's version, so it is no `doi` here.
    if not text or not text.strip():
        return None
    try:
        doi = normalize_doi(text)
    except ValueError:
        logger.warning("arXiv feed carries an unreadable DOI %r; ignored", text)
        return None
    return None if is_arxiv_doi(doi) else doi


def _pdf_link(entry: ElementTree.Element) -> str | None:
    for link in entry.findall(f"{_ATOM}link"):
        if link.get("title") == "pdf" and link.get("href"):
            return link.get("href")
    return None


def _date(text: str | None) -> PartialDate | None:
    if not text or not text.strip():
        return None
    try:
        return PartialDate.parse(text)
    except ValueError:
        logger.warning("arXiv feed carries an unreadable date %r; ignored", text)
        return None


def _text(element: ElementTree.Element, path: str) -> str | None:
    found = element.find(path)
    return found.text if found is not None else None


def _optional_text(element: ElementTree.Element, path: str) -> str | None:
    text = collapse_whitespace(_text(element, path) or "")
    return text or None


def _int_text(element: ElementTree.Element | None) -> int | None:
    if element is None or element.text is None:
        return None
    try:
        return int(element.text.strip())
    except ValueError as error:
        raise BadResponse(NAME, f"arXiv feed counts {element.text!r}, which is not a number") from error
