"""OpenReview: note, forum and title-search queries for API v2 and v1, and the parser of their notes into `Record`s.

A note's decision is read from `venueid` (never from the display `venue`); see `classify`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, Final, Literal, NoReturn

from bibtexparser.entrypoint import parse_string as parse_bibtex

from ..errors import BadResponse, NotFound, ServiceError
from ..ids import standard_id
from ..model import Decision, ItemType, PartialDate, Query, Record
from ..names import person_from_text
from ..text import years_in
from .interface import Answer, parsed_once
from .markup import collapse_whitespace, latex_to_text

NAME: Final = "openreview"
Api = Literal["v2", "v1"]
# fetch.py's service names: each API has its own host.
SERVICES: Mapping[str, str] = {"v2": "openreview", "v1": "openreview_v1"}
FORUM_URL = "https://openreview.net/forum?id="
SITE_URL = "https://openreview.net"
SEARCH_LIMIT = 10

# The last segment of a `venueid` that is not the venue itself, and what it says (openreview-py's
# conference and journal code). A venueid that is a bare venue group id means accepted.
VENUEID_STATES: Mapping[str, Decision] = {
    "Submission": Decision.UNDER_REVIEW,
    "Blind_Submission": Decision.UNDER_REVIEW,
    "Submitted": Decision.UNDER_REVIEW,
    "Under_Review": Decision.UNDER_REVIEW,
    "Decision_Pending": Decision.UNDER_REVIEW,
    "Assigning_AE": Decision.UNDER_REVIEW,
    "Assigned_AE": Decision.UNDER_REVIEW,
    "Rejected_Submission": Decision.REJECTED,
    "Rejected": Decision.REJECTED,
    "Rejection": Decision.REJECTED,
    "Withdrawn_Submission": Decision.WITHDRAWN,
    "Withdrawn": Decision.WITHDRAWN,
    # An acceptance taken back: the paper is not published there, as if withdrawn.
    "Retracted_Acceptance": Decision.WITHDRAWN,
    "Desk_Rejected_Submission": Decision.DESK_REJECTED,
    "Desk_Rejected": Decision.DESK_REJECTED,
    "Desk_Rejection": Decision.DESK_REJECTED,
}
NOT_ACCEPTED = frozenset({Decision.UNDER_REVIEW, Decision.REJECTED, Decision.WITHDRAWN, Decision.DESK_REJECTED})
# Display venues that contradict an acceptance ("Submitted to ICLR 2024", "ICLR 2024 Conference Withdrawn Submission").
_NOT_ACCEPTED_TEXT = re.compile(r"submitted|withdrawn|reject|under review", re.IGNORECASE)

# OpenReview's generated BibTeX entry types as CSL item types.
BIBTEX_TYPES: Mapping[str, ItemType] = {
    "inproceedings": "paper-conference",
    "article": "article-journal",
    "misc": "article",
}
# Venues whose OpenReview site stayed on API v1 up to and including the given year (openreview-py#2097,
# openreview#299); every other venue moved to v2 after 2022. TMLR was born on v2.
V1_UNTIL: Mapping[str, int] = {"iclr": 2023, "neurips": 2022}
V1_DEFAULT_UNTIL = 2022
_V2_ONLY = ("tmlr", "transactions on machine learning research")
_VENUE_NAMES = (
    ("neurips", ("neurips", "nips", "neural information processing systems")),
    ("iclr", ("iclr", "international conference on learning representations")),
)
_CLOUDFLARE = (b"cf-chl", b"challenge-platform", b"Just a moment", b"cloudflare")

logger = logging.getLogger(__name__)


def note_query(note_id: str, api: Api = "v2") -> Query:
    """`/notes?id=<note_id>` on the API's host (v2 also asks for `count`, as the live v2 API omits it otherwise)."""
    return Query(service=SERVICES[api], path="/notes", params=(("id", note_id.strip()), *_count(api)))


def forum_query(forum_id: str, api: Api = "v2") -> Query:
    """`/notes?forum=<forum_id>`: the submission and all its replies (parse_notes keeps only the submission)."""
    return Query(service=SERVICES[api], path="/notes", params=(("forum", forum_id.strip()), *_count(api)))


def search_query(title: str, api: Api = "v2") -> Query:
    """Full-text search for a title among forum notes (submissions), the way to find a paper without its id.

    Both APIs take the same parameters (the OpenAPI specs in docs/openreview); a venue lives on one of them
    (NeurIPS up to 2022 and ICLR up to 2023 on v1, see `choose_api`).
    """
    return Query(
        service=SERVICES[api],
        path="/notes/search",
        params=(
            ("term", collapse_whitespace(title)),
            ("content", "all"),
            ("group", "all"),
            ("source", "forum"),
            ("limit", str(SEARCH_LIMIT)),
        ),
    )


def _count(api: Api) -> tuple[tuple[str, str], ...]:
    # Since late 2025 v2 returns `count` only on request (openreview-py#2745); v1 always has.
    return (("count", "true"),) if api == "v2" else ()


def choose_api(venue_hint: str | None) -> Api:
    """Which API to ask first for a venue (`NeurIPS 2022` -> v1, `ICLR 2024` -> v2); the other one is the fallback.

    NeurIPS up to 2022 and ICLR up to 2023 live on v1, as does any other venue up to 2022; TMLR, later
    venues and unknown hints go to v2, where every new venue lives.
    """
    if not venue_hint or not venue_hint.strip():
        return "v2"
    hint = venue_hint.casefold()
    if any(name in hint for name in _V2_ONLY):
        return "v2"
    years = years_in(hint)
    if not years:
        return "v2"
    until = next(
        (V1_UNTIL[key] for key, names in _VENUE_NAMES if any(name in hint for name in names)), V1_DEFAULT_UNTIL
    )
    return "v1" if max(years) <= until else "v2"


def classify(venueid: str | None, pdate: int | None, venue: str | None) -> Decision:
    """The decision a note records, from its `venueid`.

    `ICLR.cc/2024/Conference` (a bare venue group) is accepted; `.../Submission` under review;
    `.../Rejected_Submission`, `.../Withdrawn_Submission`, `.../Desk_Rejected_Submission` (and the journal
    spellings) what they say. Without a venueid (old v1 notes) only `pdate`, the time OpenReview marked the
    paper accepted, can say accepted, and only when the display venue does not contradict it; the display
    venue alone ("NeurIPS 2022 Accept") is free text and decides nothing: the answer is then UNKNOWN.
    """
    if venueid and venueid.strip():
        last = venueid.strip().rstrip("/").rsplit("/", 1)[-1]
        if last in VENUEID_STATES:
            return VENUEID_STATES[last]
        if last.endswith("Submission"):
            return Decision.UNDER_REVIEW
        return Decision.ACCEPTED
    if pdate and not (venue and _NOT_ACCEPTED_TEXT.search(venue)):
        return Decision.ACCEPTED
    return Decision.UNKNOWN


def parse_notes(body: bytes, *, fetched_at: str | None = None, api: str = "v2") -> list[Record]:
    """The submissions among the notes of an answer, as records (replies, reviews and deleted notes are skipped).

    Accepts the `{"notes": [...]}` envelope, a bare list of notes or a single note, in v2 (`{"value": x}`)
    or v1 (bare values) shape. Raises NotFound for a `NotFoundError`, ServiceError for other API errors
    and BadResponse for a body that is not JSON (a truncated body, a Cloudflare challenge page).
    """
    return list(_parse_notes(body, fetched_at, SERVICES.get(api, NAME)))


# fetch runs `validate` on every answer before the entry that asked reads it with the same parser: each parse waits
# for that reader (records are immutable), so a body is parsed once (see crossref.PARSE_MEMO_SIZE).
PARSE_MEMO_SIZE = 1 << 14


@parsed_once(PARSE_MEMO_SIZE)
def _parse_notes(body: bytes, fetched_at: str | None, service: str) -> tuple[Record, ...]:
    document = _load(body, service)
    notes = _notes(document, service)
    return tuple(_record(note, fetched_at) for note in notes if _is_submission(note))


def validate(response: Answer) -> None:
    """Refuse a body that is not OpenReview JSON (BadResponse); an error document raises what it says (NotFound...)."""
    # With the answer's own fetch time, the records parsed here are the ones the entry reads next (PARSE_MEMO_SIZE).
    parse_notes(response.body, fetched_at=getattr(response, "fetched_at", None))


def _load(body: bytes, service: str) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        head = body[:2048]
        if head.lstrip()[:1] == b"<":
            blocked = any(marker in body for marker in _CLOUDFLARE)
            raise BadResponse(
                service,
                "OpenReview answered an HTML page where JSON was expected"
                + (" (a Cloudflare challenge)" if blocked else ""),
                hint="this is usually transient; retry later",
            ) from error
        raise BadResponse(service, f"OpenReview answer is not JSON ({error}); truncated?") from error


def _notes(document: Any, service: str) -> Sequence[Mapping[str, Any]]:
    if isinstance(document, list):
        notes: Any = document
    elif isinstance(document, dict) and "notes" in document:
        notes = document["notes"]
    elif isinstance(document, dict) and "id" in document and "content" in document:
        notes = [document]
    elif isinstance(document, dict) and "name" in document:
        _raise_api_error(document, service)
    else:
        raise BadResponse(service, "OpenReview answer is JSON but neither notes nor an error")
    if not isinstance(notes, list) or not all(isinstance(note, dict) for note in notes):
        raise BadResponse(service, "OpenReview `notes` is not a list of notes")
    return notes


def _raise_api_error(document: Mapping[str, Any], service: str) -> NoReturn:
    name = str(document.get("name") or "Error")
    message = collapse_whitespace(str(document.get("message") or "")) or name
    if name == "NotFoundError" or document.get("status") == 404:
        raise NotFound(service, f"OpenReview: {message}")
    raise ServiceError(service, f"OpenReview {name}: {message}")


def _is_submission(note: Mapping[str, Any]) -> bool:
    # Reviews, decisions and comments share the paper's forum; the paper is the note that is its own forum.
    note_id = note.get("id")
    if not isinstance(note_id, str) or not note_id:
        return False
    if note.get("replyto") or note.get("ddate"):
        return False
    forum = note.get("forum")
    return not forum or forum == note_id


def _record(note: Mapping[str, Any], fetched_at: str | None) -> Record:
    note_id: str = note["id"]
    content = note.get("content")
    content = content if isinstance(content, dict) else {}
    venue = _string(content, "venue")
    venueid = _string(content, "venueid")
    pdate = _millis(note.get("pdate"))
    decision = classify(venueid, pdate, venue)
    bibtex = _bibtex(_string(content, "_bibtex"))
    entry_type = bibtex.get("ENTRYTYPE")

    title = _string(content, "title") or (latex_to_text(bibtex["title"]) if "title" in bibtex else "")
    authors = _strings(content, "authors")
    if not authors and "author" in bibtex:
        authors = [name.strip() for name in re.split(r"\s+and\s+", latex_to_text(bibtex["author"]))]
    # Blind notes name their authors "Anonymous" until de-anonymised; that is no author.
    people = tuple(person_from_text(name) for name in authors if name and name.casefold() != "anonymous")

    item_type: ItemType = BIBTEX_TYPES.get(
        entry_type or "", "paper-conference" if decision is Decision.ACCEPTED else "article"
    )
    if decision in NOT_ACCEPTED:
        # Under review, OpenReview still writes @inproceedings: a submission is no conference paper yet.
        item_type = "article"
    pdf = _string(content, "pdf")
    abstract = _string(content, "abstract")
    return Record(
        source=NAME,
        standard_id=standard_id(NAME, note_id),
        type=item_type,
        title=collapse_whitespace(title),
        author=people,
        issued=_issued(note, bibtex),
        container_title=_container(bibtex),
        url=FORUM_URL + note_id,
        pdf_url=(SITE_URL + pdf if pdf.startswith("/") else pdf) if pdf else None,
        abstract=collapse_whitespace(abstract) or None,
        openreview_id=note_id,
        venue=venue or None,
        venueid=venueid or None,
        decision=decision,
        fetched_at=fetched_at,
        source_type=entry_type,
    )


def _issued(note: Mapping[str, Any], bibtex: Mapping[str, str]) -> PartialDate | None:
    # pdate is when the paper was accepted. Without it, OpenReview's own BibTeX year is the venue's year
    # (ICLR 2020 papers were submitted in 2019), so it comes before the note's opening or creation time.
    pdate = _millis(note.get("pdate"))
    if pdate is not None:
        return PartialDate(_year(pdate))
    year = bibtex.get("year", "").strip()
    if year.isdigit() and len(year) == 4:
        return PartialDate(int(year))
    for name in ("odate", "cdate", "tcdate"):
        stamp = _millis(note.get(name))
        if stamp is not None:
            return PartialDate(_year(stamp))
    return None


def _year(millis: int) -> int:
    # OpenReview timestamps are milliseconds since the epoch, not seconds.
    return datetime.fromtimestamp(millis / 1000, tz=timezone.utc).year


def _container(bibtex: Mapping[str, str]) -> str | None:
    raw = bibtex.get("booktitle") or bibtex.get("journal")
    if not raw:
        return None
    text = latex_to_text(raw)
    # "Submitted to ICLR 2024" names where a paper is under review, not where it appeared.
    return None if text.casefold().startswith("submitted to") else text or None


def _bibtex(text: str) -> dict[str, str]:
    """The fields of OpenReview's generated BibTeX entry (raw LaTeX values) plus ENTRYTYPE, or {}."""
    if not text:
        return {}
    # OpenReview builds keys from LaTeX-escaped names (`ru{\ss}wurm2024geographic`), which no BibTeX parser
    # accepts; the key is never used, so it is replaced before parsing.
    sanitised = re.sub(r"^(\s*@\s*\w+\s*\{)[^,]*,", r"\1openreview,", text, count=1)
    library = parse_bibtex(sanitised)
    if not library.entries:
        logger.warning("OpenReview _bibtex could not be parsed; ignored")
        return {}
    entry = library.entries[0]
    fields = {item.key.lower(): str(item.value) for item in entry.fields}
    fields["ENTRYTYPE"] = entry.entry_type.lower()
    return fields


def _string(content: Mapping[str, Any], name: str) -> str:
    value = _unwrap(content.get(name))
    return value.strip() if isinstance(value, str) else ""


def _strings(content: Mapping[str, Any], name: str) -> list[str]:
    value = _unwrap(content.get(name))
    if not isinstance(value, list):
        return []
    return [collapse_whitespace(item) for item in value if isinstance(item, str)]


def _unwrap(value: Any) -> Any:
    # API v2 wraps every content value as {"value": x} (plus readers); v1 stores it bare.
    if isinstance(value, dict) and "value" in value:
        return value["value"]
    return value


def _millis(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value)
