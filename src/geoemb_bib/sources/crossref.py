"""Crossref: single-work and bibliographic-search queries for the REST API, and the parser of its JSON into Records."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import quote

from ..errors import BadResponse, NotFound
from ..ids import identify, is_arxiv_doi, normalize_doi, standard_id
from ..model import ItemType, PartialDate, Person, Query, Record
from ..text import years_in
from .interface import Answer, parsed_once
from .markup import collapse_whitespace, strip_markup

NAME: Final = "crossref"
# Crossref's tips page: rank at most about five candidates yourself.
DEFAULT_ROWS = 5
# Top-level fields a search answer is trimmed to (`select`): what matching and merging read, nothing else.
# Only fields Crossref lists as selectable are named (`published`, `subtype`, `institution` are not, and an
# unknown name fails the whole request); `score` must be named or it is dropped too.
SEARCH_FIELDS = (
    "DOI",
    "title",
    "subtitle",
    "author",
    "issued",
    "published-print",
    "published-online",
    "posted",
    "type",
    "container-title",
    "short-container-title",
    "event",
    "page",
    "article-number",
    "volume",
    "issue",
    "publisher",
    "relation",
    "score",
    "URL",
    "abstract",
)
NOT_FOUND_BODY = b"Resource not found."

# Crossref work types as CSL item types; anything else becomes `article` with the raw type in `source_type`.
TYPE_MAP: Mapping[str, ItemType] = {
    "journal-article": "article-journal",
    "proceedings-article": "paper-conference",
    "posted-content": "article",
    "book-chapter": "chapter",
    "book-section": "chapter",
    "book-part": "chapter",
    "reference-entry": "chapter",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "book-set": "book",
    "report": "report",
    "report-component": "report",
    "dataset": "dataset",
    "database": "dataset",
    "dissertation": "thesis",
}
# How the book series of proceedings volumes begin (Springer's LNCS/LNAI/LNNS/LNEE, CCIS, AISC, IFIP AICT,
# Lecture Notes in Geoinformation and Cartography): with two container titles, the other one is the volume's.
BOOK_SERIES_PREFIXES = (
    "lecture notes in",
    "communications in computer and information science",
    "advances in intelligent systems and computing",
    "ifip advances in information and communication technology",
    "springer proceedings in",
)
# Links between versions of a work that merge follows (preprint <-> version of record); reviews and the like are not.
RELATIONS = ("is-preprint-of", "has-preprint", "is-version-of", "has-version", "is-identical-to")
# Publication dates in order of preference; `created`, `deposited` and `indexed` are housekeeping, never used.
DATE_FIELDS = ("issued", "published-print", "published-online", "published", "posted")
_ABSTRACT_HEADING = re.compile(r"^abstract[.:]?$", re.IGNORECASE)

logger = logging.getLogger(__name__)


def work_query(doi: str) -> Query:
    """`/works/<doi>` for one DOI (lower-cased). Raises ValueError for a non-DOI and for arXiv DataCite DOIs.

    arXiv's `10.48550/arXiv.*` DOIs are registered with DataCite: Crossref can only answer 404 for them.
    """
    normalised = normalize_doi(doi)
    if is_arxiv_doi(normalised):
        raise ValueError(f"{doi!r} is an arXiv DataCite DOI; Crossref does not know it, ask arXiv for the preprint")
    # The DOI's slash stays a path separator (Crossref accepts both); '?', '#', ';', '<' and the like are escaped.
    return Query(service=NAME, path="/works/" + quote(normalised, safe="/"))


def search_query(
    title: str,
    first_author_family: str | None = None,
    rows: int = DEFAULT_ROWS,
    *,
    filters: Sequence[tuple[str, str]] = (),
) -> Query:
    """`/works?query.bibliographic=<title>` trimmed to `SEARCH_FIELDS`, narrowed by `filters` (see `narrowing`).

    The title goes alone into `query.bibliographic` and the author into `query.author`, so that the
    request for a title does not depend on what is known about its authors.
    """
    params: list[tuple[str, str]] = [("query.bibliographic", collapse_whitespace(title))]
    if first_author_family and first_author_family.strip():
        params.append(("query.author", collapse_whitespace(first_author_family)))
    if filters:
        params.append(("filter", ",".join(f"{name}:{value}" for name, value in filters)))
    params.append(("rows", str(rows)))
    params.append(("select", ",".join(SEARCH_FIELDS)))
    return Query(service=NAME, path="/works", params=tuple(params))


# Years around a listed year a search keeps: a paper listed as "2024" may carry an online-first date of 2023 or an
# issue date of 2025 in Crossref.
YEAR_SLACK = 1
# Crossref filter names (REST API filters): an ISSN of the container, a publisher's own id (Elsevier's PII), dates.
FILTER_ISSN = "issn"
FILTER_ALTERNATIVE_ID = "alternative-id"


def narrowing(*, issns: Sequence[str] = (), year: int | None = None) -> tuple[tuple[str, str], ...]:
    """The filters that narrow a title search to what a listing or its link said: the journal's ISSNs (print and
    electronic: Crossref ORs filters of one name, and a deposit may carry only one of them) and the years around the
    listed year."""
    filters: list[tuple[str, str]] = [(FILTER_ISSN, issn) for issn in dict.fromkeys(issns)]
    if year is not None:
        filters += [("from-pub-date", str(year - YEAR_SLACK)), ("until-pub-date", str(year + YEAR_SLACK))]
    return tuple(filters)


def alternative_id_query(alternative_id: str, rows: int = 2) -> Query:
    """`/works?filter=alternative-id:<id>`: the works a publisher deposited under its own id (a ScienceDirect PII).

    Two rows: one is the answer, a second would show the id is not unique and the lookup decides nothing.
    """
    return Query(
        service=NAME,
        path="/works",
        params=(
            ("filter", f"{FILTER_ALTERNATIVE_ID}:{alternative_id.strip()}"),
            ("rows", str(rows)),
            ("select", ",".join(SEARCH_FIELDS)),
        ),
    )


# fetch runs `validate` on every answer before the entry that asked reads it with the same parser: each parse waits
# for that reader (records are immutable), so a body is parsed once. A refresh of 10,000 entries asks about as many
# Crossref questions in one round, all validated before the first is read: up to that many wait.
PARSE_MEMO_SIZE = 1 << 14


def parse_work(body: bytes, *, fetched_at: str | None = None, status: int = 200) -> Record:
    """The record of a `/works/<doi>` answer.

    Raises NotFound for Crossref's 404 (`Resource not found.`), BadResponse with Crossref's own message
    for a validation failure, and BadResponse for anything that is not a work envelope.
    """
    return _parse_work(body, fetched_at, status)


@parsed_once(PARSE_MEMO_SIZE)
def _parse_work(body: bytes, fetched_at: str | None, status: int) -> Record:
    message = _message(body, status, expected="work")
    if not isinstance(message, dict):
        raise BadResponse(NAME, "Crossref work answer holds no work")
    return _record(message, fetched_at)


def parse_search(body: bytes, *, fetched_at: str | None = None) -> list[Record]:
    """The records of a `/works?query...` answer, in Crossref's ranking, each with its `score`.

    Nothing is filtered here: deciding which candidate (and which type) is acceptable is the matcher's job.
    """
    return list(_parse_search(body, fetched_at))


@parsed_once(PARSE_MEMO_SIZE)
def _parse_search(body: bytes, fetched_at: str | None) -> tuple[Record, ...]:
    message = _message(body, 200, expected="work-list")
    items = message.get("items") if isinstance(message, dict) else None
    if not isinstance(items, list):
        raise BadResponse(NAME, "Crossref work-list answer has no items list")
    records: list[Record] = []
    for item in items:
        if not isinstance(item, dict) or not _text(item.get("DOI")):
            # Every Crossref work has a DOI; an item without one cannot be identified or cited.
            logger.warning("Crossref search item without a DOI skipped")
            continue
        records.append(_record(item, fetched_at))
    return tuple(records)


def validate(response: Answer) -> None:
    """Refuse a body that is no Crossref envelope (BadResponse), and say NotFound for Crossref's 404.

    A validation failure is a complete answer and passes: asking again cannot change it.
    """
    message_type, _ = _envelope(response.body, response.status)
    if message_type == "validation-failure":
        return
    # With the answer's own fetch time, the records parsed here are the ones the entry reads next (PARSE_MEMO_SIZE).
    fetched_at = getattr(response, "fetched_at", None)
    if message_type == "work":
        parse_work(response.body, fetched_at=fetched_at, status=response.status)
    elif message_type == "work-list":
        parse_search(response.body, fetched_at=fetched_at)
    else:
        raise BadResponse(NAME, f"Crossref answer of unexpected type {message_type!r}")


def _message(body: bytes, status: int, *, expected: str) -> Any:
    message_type, message = _envelope(body, status)
    if message_type == "validation-failure":
        raise BadResponse(NAME, "Crossref refused the request: " + _failure_text(message))
    if message_type != expected:
        raise BadResponse(NAME, f"Crossref answered a {message_type!r} where a {expected!r} was expected")
    return message


def _envelope(body: bytes, status: int) -> tuple[str, Any]:
    if body.strip() == NOT_FOUND_BODY or status == 404:
        raise NotFound(
            NAME, "Crossref does not know this DOI" + ("" if body.strip() == NOT_FOUND_BODY else f" (HTTP {status})")
        )
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadResponse(NAME, f"Crossref answer is not JSON ({error}); truncated or an error page") from error
    if not isinstance(document, dict) or not isinstance(document.get("message-type"), str):
        raise BadResponse(NAME, "Crossref answer is JSON but not a Crossref envelope")
    message_type: str = document["message-type"]
    if document.get("status") != "ok" and message_type != "validation-failure":
        raise BadResponse(
            NAME, f"Crossref answered status {document.get('status')!r}: {_failure_text(document.get('message'))}"
        )
    return message_type, document.get("message")


def _failure_text(message: Any) -> str:
    if isinstance(message, list):
        texts = [str(m.get("message") or m.get("type")) for m in message if isinstance(m, dict)]
        return "; ".join(texts) or "no reason given"
    if isinstance(message, dict):
        return str(message.get("message") or message.get("description") or message.get("name") or "no reason given")
    return str(message) if message else "no reason given"


def _record(work: Mapping[str, Any], fetched_at: str | None) -> Record:
    doi = _doi(work.get("DOI"))
    raw_type = _text(work.get("type"))
    container, series = _container_and_series(work.get("container-title"))
    event = work.get("event")
    event_title = _text(event.get("name")) if isinstance(event, dict) else None
    score = work.get("score")
    item_type = TYPE_MAP.get(raw_type or "", "article")
    if item_type == "chapter" and event_title:
        # Springer deposits each paper of a proceedings volume (LNCS: ECCV, MICCAI...) as a book chapter that names
        # its conference as `event`: a conference paper in that volume.
        item_type = "paper-conference"
    return Record(
        source=NAME,
        standard_id=standard_id("doi", doi),
        type=item_type,
        collection_title=series,
        title=_title(work),
        author=tuple(p for p in (_person(a) for a in _list(work.get("author"))) if p is not None),
        issued=_issued(work, container, event_title),
        container_title=container,
        container_title_short=_first(work.get("short-container-title")),
        event_title=event_title,
        publisher=_text(work.get("publisher")),
        volume=_text(work.get("volume")),
        issue=_text(work.get("issue")),
        page=_text(work.get("page")) or _text(work.get("article-number")),
        doi=doi,
        url=_text(work.get("URL")),
        abstract=_abstract(work.get("abstract")),
        relations=_relations(work.get("relation")),
        fetched_at=fetched_at,
        score=float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None,
        source_type=raw_type,
    )


def _container_and_series(value: Any) -> tuple[str | None, str | None]:
    """(container, series) of a work: a chapter of a book series lists the series and the volume title
    (["Lecture Notes in Computer Science", "Computer Vision - ECCV 2024"]); the volume title is the container."""
    titles = [text for text in (strip_markup(item) for item in _list(value) if isinstance(item, str)) if text]
    if len(titles) < 2:
        return (titles[0] if titles else None), None
    series = next((t for t in titles if t.casefold().startswith(BOOK_SERIES_PREFIXES)), titles[0])
    container = next(t for t in titles if t != series)
    return container, series


def _doi(value: Any) -> str:
    text = _text(value)
    if not text:
        raise BadResponse(NAME, "Crossref work has no DOI")
    try:
        return normalize_doi(text)
    except ValueError as error:
        raise BadResponse(NAME, f"Crossref work has an unreadable DOI {text!r}") from error


def _title(work: Mapping[str, Any]) -> str:
    title = _first(work.get("title")) or ""
    subtitle = _first(work.get("subtitle"))
    # Crossref splits "Title: Subtitle" into two lists; a citation (and the curated list) carries both.
    if subtitle and subtitle.casefold() not in title.casefold():
        separator = " " if title.endswith((":", "?", "!", ".")) else ": "
        title = f"{title}{separator}{subtitle}" if title else subtitle
    return title


def _person(author: Any) -> Person | None:
    if not isinstance(author, dict):
        return None
    family = _plain(author.get("family"))
    given = _plain(author.get("given"))
    name = _plain(author.get("name"))
    affiliations = tuple(
        text
        for text in (_plain(a.get("name")) for a in _list(author.get("affiliation")) if isinstance(a, dict))
        if text
    )
    orcid = _orcid(author.get("ORCID"))
    if family:
        return Person(
            family=family, given=given, suffix=_plain(author.get("suffix")), affiliations=affiliations, orcid=orcid
        )
    # Organisations (consortia, groups) come as `name`; a lone `given` is a mononym deposited in the wrong slot.
    literal = name or given
    if not literal:
        return None
    return Person(literal=literal, affiliations=affiliations, orcid=orcid)


def _orcid(value: Any) -> str:
    # Crossref gives `https://orcid.org/0000-...`; like DOIs, ids are kept bare.
    text = _plain(value)
    return text.rsplit("/", 1)[-1].upper() if text else ""


def _issued(work: Mapping[str, Any], container: str | None, event_title: str | None) -> PartialDate | None:
    for name in DATE_FIELDS:
        date = _date_parts(work.get(name))
        if date is not None:
            return date
    # IEEE proceedings deposits can lack every date ([[null]]) while the proceedings title names the year;
    # only an unambiguous year is taken.
    years = {year for text in (container, event_title) for year in years_in(text)}
    return PartialDate(years.pop()) if len(years) == 1 else None


def _date_parts(value: Any) -> PartialDate | None:
    if not isinstance(value, dict):
        return None
    parts_list = value.get("date-parts")
    if not isinstance(parts_list, list) or not parts_list or not isinstance(parts_list[0], list):
        return None
    parts: list[int] = []
    for part in parts_list[0][:3]:
        number = _int(part)
        if number is None:
            break
        parts.append(number)
    if not parts:
        return None
    # Crossref encodes seasons as months 21-24; a part out of range ends the date there.
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        parts = parts[:1]
    if len(parts) > 2 and not 1 <= parts[2] <= 31:
        parts = parts[:2]
    return PartialDate(*parts)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _abstract(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    paragraphs = strip_markup(value, paragraphs=True).split("\n\n")
    # JATS abstracts often open with a bare "Abstract" heading, which is a label, not text.
    if paragraphs and _ABSTRACT_HEADING.match(paragraphs[0]):
        paragraphs = paragraphs[1:]
    return "\n\n".join(paragraphs) or None


def _relations(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        return ()
    found: list[tuple[str, str]] = []
    for name in RELATIONS:
        for target in _list(value.get(name)):
            if isinstance(target, dict):
                target_id = _relation_target(_text(target.get("id-type")), _text(target.get("id")))
                if target_id and (name, target_id) not in found:
                    found.append((name, target_id))
    return tuple(found)


def _relation_target(id_type: str | None, target: str | None) -> str | None:
    if not target:
        return None
    kind = (id_type or "").lower()
    if kind in ("doi", "arxiv", "uri", "url"):
        # A DataCite arXiv DOI or an arXiv URL names the preprint by its arXiv id.
        identifier = identify(target if kind != "arxiv" else f"arXiv:{target}")
        if identifier is not None and identifier.scheme in ("doi", "arxiv"):
            return identifier.standard_id
    return f"{kind or 'id'}:{target}"


def _first(value: Any) -> str | None:
    # Titles carry JATS/HTML inline markup and entities; container titles sometimes do too.
    for item in _list(value):
        if isinstance(item, str):
            text = strip_markup(item)
            if text:
                return text
    return None


def _list(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else ()


def _text(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return collapse_whitespace(value) or None


def _plain(value: Any) -> str:
    return strip_markup(value) if isinstance(value, str) else ""
