"""Loopback fakes of arXiv, Crossref and OpenReview that serve the replay corpus, enforce rate limits and inject faults.

Every body it serves is RECONSTRUCTED (see fixtures/replay/PROVENANCE.md), never live data.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import html
import json
import re
import signal
import socket
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote, urlsplit
from xml.sax.saxutils import escape

import pytest
import yaml

from geoemb_bib.fetch import BASE_URL_VARIABLES, CACHE_DIR_VARIABLE, MAILTO_VARIABLE

FIXTURES = Path(__file__).parent / "fixtures"
REPLAY = FIXTURES / "replay"
# Reconstructed bodies for landing-page links and title searches (fixtures/landing/PROVENANCE.md), served beside the
# replay corpus: their requests are ones the replay corpus does not answer.
LANDING = FIXTURES / "landing"

# Where each service is mounted on the one server; fetch.py's service names on the left.
MOUNTS: Mapping[str, str] = {
    "arxiv": "arxiv",
    "crossref": "crossref",
    "openreview": "openreview",
    "openreview_v1": "openreview-v1",
}
_SERVICE_OF_MOUNT = {mount: service for service, mount in MOUNTS.items()}

# The synthetic <updated> of the replay feeds (PROVENANCE.md): built feeds match the stored ones byte for byte.
FEED_UPDATED = "2026-07-28T00:00:00Z"
ARXIV_CONTENT_TYPE = "application/atom+xml; charset=utf-8"
OPENREVIEW_CONTENT_TYPE = "application/json; charset=utf-8"
_NEW_STYLE_ID = re.compile(r"^\d{4}\.\d{4,5}(v\d+)?$")
_OLD_STYLE_ID = re.compile(r"^[a-z][a-z-]*(\.[A-Za-z-]+)?/\d{7}(v\d+)?$")
_VERSION = re.compile(r"^(?P<base>.+?)v(?P<version>\d+)$")
_ENTRY_START = re.compile(r"^  <entry [^>]*>", re.MULTILINE)
_UPDATED = re.compile(r"<updated>([^<]+)</updated>")

# Crossref's response headers per pool (MANIFEST.yaml default_response for polite; the June 2026 public recording).
CROSSREF_HEADERS: Mapping[str, Mapping[str, str]] = {
    "polite": {
        "x-api-pool": "polite",
        "x-rate-limit-limit": "10",
        "x-rate-limit-interval": "1s",
        "x-concurrency-limit": "3",
    },
    "public": {
        "x-api-pool": "public",
        "x-rate-limit-limit": "5",
        "x-rate-limit-interval": "1s",
        "x-concurrency-limit": "1",
    },
}
CROSSREF_COMMON_HEADERS: Mapping[str, str] = {
    "access-control-allow-origin": "*",
    "server": "Jetty(9.4.40.v20210413)",
    "vary": "Accept-Encoding",
}
CROSSREF_NOT_FOUND = b"Resource not found."

FaultKind = Literal[
    "status", "reset", "drop", "slow", "truncate", "cut", "invalid", "html", "arxiv-error", "openreview-error"
]
_FAULT_KINDS: tuple[str, ...] = (
    "status",
    "reset",
    "drop",
    "slow",
    "truncate",
    "cut",
    "invalid",
    "html",
    "arxiv-error",
    "openreview-error",
)


@dataclass(frozen=True)
class Fault:
    """One misbehaviour of a service.

    Spec strings (for `inject` and `--fault`): `429`, `503`, `429/retry-after=2`, `503/retry-after=http-date+2`
    (an HTTP-date 2 s after the answer's Date), `reset` (TCP RST, no answer), `drop` (close, no answer),
    `slow=2.5` (answer after 2.5 s), `truncate` (Content-Length promises more than is sent, then close),
    `cut` (half the body, with a matching Content-Length), `invalid` (200 with a body that is not XML/JSON),
    `html` or `html=503` (an HTML error page, 200 unless given), `arxiv-error` (a 200 feed holding an error entry),
    `openreview-error` or `openreview-error=403` (OpenReview's JSON error body, 500 unless given).
    """

    kind: FaultKind
    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0

    @classmethod
    def parse(cls, spec: str) -> Fault:
        head, _, option = spec.strip().partition("/")
        retry_after = None
        if option:
            name, _, value = option.partition("=")
            if name != "retry-after" or not value:
                raise ValueError(f"unknown fault option {option!r} in {spec!r}")
            retry_after = value
        kind, _, argument = head.partition("=")
        if kind.isdigit():
            return cls("status", status=int(kind), retry_after=retry_after)
        if kind not in _FAULT_KINDS or kind == "status":
            raise ValueError(f"unknown fault {spec!r}; kinds: a status code or one of {', '.join(_FAULT_KINDS[1:])}")
        if kind == "slow":
            return cls("slow", delay=float(argument or 5.0), retry_after=retry_after)
        return cls(kind, status=int(argument) if argument else None, retry_after=retry_after)  # type: ignore[arg-type]

    def __str__(self) -> str:
        text = str(self.status) if self.kind == "status" else self.kind
        if self.kind == "slow":
            text += f"={self.delay:g}"
        elif self.kind != "status" and self.status is not None:
            text += f"={self.status}"
        return text + (f"/retry-after={self.retry_after}" if self.retry_after else "")


@dataclass(frozen=True)
class Limits:
    """The limits the fake enforces (when enforcing) with HTTP 429; the defaults are the services' documented ones.

    Requests that get an injected fault are answered by the fault alone and not counted against the limits.
    """

    # arXiv: a request arriving less than this after the previous one (answered or not), or while one is in flight.
    arxiv_interval: float = 3.0
    # Crossref (per pool, requests per second and at once); lists and single records are counted apart, in-flight
    # requests together.
    crossref_record_rate: Mapping[str, int] = field(default_factory=lambda: {"polite": 10, "public": 5})
    crossref_list_rate: Mapping[str, int] = field(default_factory=lambda: {"polite": 3, "public": 1})
    crossref_concurrency: Mapping[str, int] = field(default_factory=lambda: {"polite": 3, "public": 1})
    # OpenReview: not documented; a modest limit shared by both hosts.
    openreview_rate: int = 5
    openreview_concurrency: int = 4
    window: float = 1.0


@dataclass(frozen=True)
class LoggedRequest:
    """One request the fake received: arrival (time.monotonic), what was asked, how it was answered, and the seconds
    from arrival until the answer (or the fault) started to go out."""

    time: float
    service: str
    method: str
    target: str
    status: int | None
    fault: str | None
    limited: bool
    user_agent: str
    duration: float


@dataclass
class _Exchange:
    """One request being answered; it enters the log once, just before its answer (or its fault) goes out."""

    arrived: float
    service: str
    method: str
    target: str
    user_agent: str
    fault: Fault | None = None
    limited: bool = False
    logged: bool = False


@dataclass(frozen=True)
class _Answer:
    status: int
    content_type: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class _FaultRule:
    service: str | None
    pattern: re.Pattern[str] | None
    fault: Fault
    remaining: int | None


# -- the replay corpus --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ArxivEntry:
    arxiv_id: str
    version: int
    updated: str
    text: str


class Corpus:
    """The replay bodies indexed the way the fake looks them up."""

    def __init__(self, replay_dir: Path | None = REPLAY, extra_dirs: tuple[Path, ...] | None = None) -> None:
        """The corpus of `replay_dir` (by default with the landing corpus beside it); None: an empty corpus, to fill."""
        self.arxiv: dict[str, dict[int, _ArxivEntry]] = {}
        self.crossref_works: dict[str, _Answer] = {}
        self.crossref_search: dict[str, bytes] = {}
        self.openreview_search: dict[str, bytes] = {}
        self.openreview_search_v1: dict[str, bytes] = {}
        self.openreview_notes: dict[str, dict[str, Any]] = {"openreview": {}, "openreview_v1": {}}
        self.openreview_bodies: dict[str, dict[str, bytes]] = {"openreview": {}, "openreview_v1": {}}
        if replay_dir is None:
            return
        dirs = (replay_dir, *(extra_dirs if extra_dirs is not None else ((LANDING,) if replay_dir == REPLAY else ())))
        for folder in dirs:
            self._load(folder)

    def _load(self, replay_dir: Path) -> None:
        manifest = yaml.safe_load((replay_dir / "MANIFEST.yaml").read_text(encoding="utf-8"))
        for path in sorted((replay_dir / "arxiv" / "entries").glob("*.xml")):
            match = _VERSION.match(path.stem)
            assert match, path
            base = match["base"].replace("_", "/")  # old-style ids would be stored with "_" for "/"
            text = path.read_text(encoding="utf-8")
            updated = _UPDATED.search(text)
            assert updated, path
            entry = _ArxivEntry(
                base, int(match["version"]), updated.group(1), _ENTRY_START.sub("  <entry>", text, count=1)
            )
            self.arxiv.setdefault(base, {})[entry.version] = entry
        for path in sorted((replay_dir / "crossref" / "works").glob("*")):
            if path.name.endswith(".404.txt"):
                doi = path.name[: -len(".404.txt")].replace("_", "/", 1)
                self.crossref_works[doi.lower()] = _Answer(404, "text/plain", path.read_bytes())
            elif path.suffix == ".json":
                body = path.read_bytes()
                self.crossref_works[json.loads(body)["message"]["DOI"].lower()] = _Answer(200, "application/json", body)
        for item in manifest["files"]:
            query = (item.get("request") or {}).get("query") or {}
            if item["path"].startswith("crossref/search/"):
                self.crossref_search[normalise(query["query.bibliographic"])] = (replay_dir / item["path"]).read_bytes()
            elif item["path"].startswith("openreview/search/"):
                self.openreview_search[normalise(query["term"])] = (replay_dir / item["path"]).read_bytes()
            elif item["path"].startswith("openreview-v1/search/"):
                self.openreview_search_v1[normalise(query["term"])] = (replay_dir / item["path"]).read_bytes()
        for path in sorted((replay_dir / "openreview" / "notes").glob("*.json")):
            body = path.read_bytes()
            note = json.loads(body)["notes"][0]
            api = "openreview" if note.get("version") == 2 else "openreview_v1"
            self.openreview_notes[api][note["id"]] = note
            self.openreview_bodies[api][note["id"]] = body


def normalise(text: str) -> str:
    """Case-, whitespace- and punctuation-insensitive form of a search string (full-text searches ignore all three)."""
    return " ".join(re.findall(r"\w+", text.casefold()))


_CORPORA: dict[Path, Corpus] = {}
_CORPORA_LOCK = threading.Lock()


def load_corpus(replay_dir: Path = REPLAY) -> Corpus:
    with _CORPORA_LOCK:
        if replay_dir not in _CORPORA:
            _CORPORA[replay_dir] = Corpus(replay_dir)
        return _CORPORA[replay_dir]


# -- answers per service (pure: request in, answer out) --------------------------------------------------------------


def _now_atom() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def arxiv_error_feed(bad_id: str, *, message: str | None = None) -> bytes:
    """arXiv's error answer (recorded with HTTP 400): a feed holding one entry titled Error."""
    slug = escape(bad_id, {'"': "&quot;"})
    text = escape(message or f"incorrect id format for {bad_id}")
    now = _now_atom()
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        "  <id>https://arxiv.org/</id>\n"
        "  <title>arXiv Search Results</title>\n"
        f"  <updated>{now}</updated>\n"
        "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>\n"
        "  <opensearch:totalResults>1</opensearch:totalResults>\n"
        "  <opensearch:startIndex>0</opensearch:startIndex>\n"
        "  <entry>\n"
        f"    <id>https://arxiv.org/api/errors#incorrect_id_format_for_{slug}</id>\n"
        "    <title>Error</title>\n"
        f"    <updated>{now}</updated>\n"
        f'    <link href="https://arxiv.org/api/errors#incorrect_id_format_for_{slug}" rel="alternate" '
        'type="text/html"/>\n'
        f"    <summary>{text}</summary>\n"
        "    <author>\n"
        "      <name>arXiv api core</name>\n"
        "    </author>\n"
        "  </entry>\n"
        "</feed>\n"
    ).encode()


def arxiv_feed(
    entries: list[str], *, search_query: str, id_list: str, start: int, max_results: int, total: int
) -> bytes:
    """A 2026-layout result feed, built by MANIFEST.yaml's arxiv_snippet_rules."""
    query = f"search_query={search_query}&id_list={id_list}&start={start}&max_results={max_results}"
    feed_id = base64.b64encode(hashlib.sha1(query.encode("utf-8")).digest()).decode("ascii")[:-1]
    href = f"https://arxiv.org/api/query?search_query={search_query}&start={start}&max_results={max_results}&id_list={id_list}"
    head = (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        f"  <id>https://arxiv.org/api/{feed_id}</id>\n"
        f"  <title>arXiv Query: {escape(query)}</title>\n"
        f"  <updated>{FEED_UPDATED}</updated>\n"
        f'  <link href="{escape(href, {chr(34): "&quot;"})}" type="application/atom+xml"/>\n'
        f"  <opensearch:itemsPerPage>{max_results}</opensearch:itemsPerPage>\n"
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
    )
    return (head + "".join(entries) + "</feed>\n").encode("utf-8")


def answer_arxiv(corpus: Corpus, path: str, params: list[tuple[str, str]]) -> _Answer:
    if path != "/api/query":
        return _Answer(404, "text/plain", b"Not Found")
    args = dict(params)
    search_query = args.get("search_query", "")
    id_list = args.get("id_list", "")
    try:
        start = int(args.get("start", "0"))
        max_results = int(args.get("max_results", "10"))
    except ValueError:
        return _Answer(
            400, ARXIV_CONTENT_TYPE, arxiv_error_feed("start", message="start and max_results must be integers")
        )
    ids = [item.strip() for item in id_list.split(",") if item.strip()]
    if search_query and not ids:
        return _arxiv_title_search(corpus, search_query, start=start, max_results=max_results)
    for arxiv_id in ids:
        if not (_NEW_STYLE_ID.match(arxiv_id) or _OLD_STYLE_ID.match(arxiv_id)):
            return _Answer(400, ARXIV_CONTENT_TYPE, arxiv_error_feed(arxiv_id))
    found: dict[tuple[str, int], _ArxivEntry] = {}
    for arxiv_id in ids:
        match = _VERSION.match(arxiv_id)
        base, version = (match["base"], int(match["version"])) if match else (arxiv_id, None)
        versions = corpus.arxiv.get(base, {})
        entry = versions.get(version) if version is not None else (versions[max(versions)] if versions else None)
        if entry is not None:  # arXiv drops unknown ids silently
            found[(entry.arxiv_id, entry.version)] = entry
    # arXiv returns id_list results in its index order, not the request order; the replay uses ascending <updated>.
    ordered = sorted(found.values(), key=lambda e: (e.updated, e.arxiv_id, e.version))
    page = ordered[start : start + max(0, max_results)]
    body = arxiv_feed(
        [e.text for e in page],
        search_query=search_query,
        id_list=id_list,
        start=start,
        max_results=max_results,
        total=len(ordered),
    )
    return _Answer(200, ARXIV_CONTENT_TYPE, body)


_TI_PHRASE = re.compile(r'ti:"([^"]*)"')
_ARXIV_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)


def _tokens(text: str) -> list[str]:
    """Words as arXiv's search index splits them: lower case, every non-alphanumeric a separator."""
    return re.findall(r"[0-9a-z]+", text.casefold())


def _contains_phrase(words: list[str], phrase: list[str]) -> bool:
    size = len(phrase)
    return bool(size) and any(words[i : i + size] == phrase for i in range(len(words) - size + 1))


def _arxiv_title_search(corpus: Corpus, search_query: str, *, start: int, max_results: int) -> _Answer:
    """`ti:"..." OR ti:"..."`: the latest version of every paper whose title holds one of the phrases."""
    phrases = [_tokens(phrase) for phrase in _TI_PHRASE.findall(search_query)]
    if not phrases or search_query.count("ti:") != len(phrases):
        return _Answer(
            400, ARXIV_CONTENT_TYPE, arxiv_error_feed("search_query", message="the fake answers only ti: phrases")
        )
    found: list[_ArxivEntry] = []
    for versions in corpus.arxiv.values():
        latest = versions[max(versions)]
        match = _ARXIV_TITLE.search(latest.text)
        words = _tokens(html.unescape(match.group(1))) if match else []
        if any(_contains_phrase(words, phrase) for phrase in phrases):
            found.append(latest)
    ordered = sorted(found, key=lambda e: (e.updated, e.arxiv_id))
    page = ordered[start : start + max(0, max_results)]
    body = arxiv_feed(
        [e.text for e in page],
        search_query=search_query,
        id_list="",
        start=start,
        max_results=max_results,
        total=len(ordered),
    )
    return _Answer(200, ARXIV_CONTENT_TYPE, body)


def crossref_json(document: Any) -> bytes:
    """Crossref's serialisation: compact, ASCII with \\uXXXX escapes, slashes written as \\/."""
    return json.dumps(document, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode("ascii")


def _work_list(items: list[Any], *, rows: int, search_terms: str | None = None) -> bytes:
    """A Crossref `work-list` answer holding `items`."""
    document = {
        "status": "ok",
        "message-type": "work-list",
        "message-version": "1.0.0",
        "message": {
            "facets": {},
            "total-results": len(items),
            "items": items,
            "items-per-page": rows,
            "query": {"start-index": 0, "search-terms": search_terms},
        },
    }
    return crossref_json(document)


def _crossref_list_body(
    stored: bytes | None, *, rows: int, select: list[str] | None, search_terms: str | None
) -> bytes:
    if stored is None:
        return _work_list([], rows=rows, search_terms=search_terms)
    document = json.loads(stored)
    message = document["message"]
    items = message["items"][:rows]
    if select:
        items = [{key: value for key, value in item.items() if key in select} for item in items]
    if items == message["items"] and message["items-per-page"] == rows:
        return stored
    message["items"] = items
    message["items-per-page"] = rows
    return crossref_json(document)


# Unrelated works a search may start returning as the index grows (SYNTHETIC, like the replay's decoys: the test
# prefix 10.5555, a placeholder publisher and authors). None of these titles is near any title of the list.
EXTRA_TITLES = (
    "Soil Moisture Retrieval from Passive Microwave Radiometry over Boreal Peatlands",
    "A Survey of Queueing Models for Hospital Emergency Departments",
    "Corrosion Kinetics of Weathering Steel in Coastal Atmospheres",
    "Phonological Variation in Rural Dialects of Northern Portugal",
    "Thermal Comfort in Naturally Ventilated Schools",
)


def extra_crossref_items(count: int, year: int = 2026) -> list[dict[str, Any]]:
    """`count` unrelated Crossref works (synthetic), in the replay decoys' shape."""
    items = []
    for number in range(1, count + 1):
        doi = f"10.5555/extra-candidate.{number:02d}"
        items.append(
            {
                "publisher": "Synthetic Decoy Publisher (replay corpus; not a real record)",
                "DOI": doi,
                "type": "journal-article",
                "title": [EXTRA_TITLES[(number - 1) % len(EXTRA_TITLES)] + (f" {number}" if number > 5 else "")],
                "prefix": "10.5555",
                "author": [{"given": "Jordan", "family": "Placeholder", "sequence": "first", "affiliation": []}],
                "member": "0",
                "container-title": ["Journal of Synthetic Test Records"],
                "score": 12.5 - number / 10,
                "issued": {"date-parts": [[year, 1]]},
                "published": {"date-parts": [[year, 1]]},
                "URL": f"https://doi.org/{doi}",
                "resource": {"primary": {"URL": f"https://decoy.invalid/{doi}"}},
            }
        )
    return items


def extra_openreview_notes(count: int) -> list[dict[str, Any]]:
    """`count` unrelated OpenReview notes (synthetic), accepted at a venue, in API v2's shape."""
    notes = []
    for number in range(1, count + 1):
        note_id = f"SYNTHextra{number:02d}"
        notes.append(
            {
                "id": note_id,
                "forum": note_id,
                "content": {
                    "title": {"value": EXTRA_TITLES[(number - 1) % len(EXTRA_TITLES)]},
                    "authors": {"value": ["Jordan Placeholder"]},
                    "authorids": {"value": ["~Jordan_Placeholder1"]},
                    "venue": {"value": "ICLR 2026 Poster"},
                    "venueid": {"value": "ICLR.cc/2026/Conference"},
                },
                "cdate": 1758326400000,
                "mdate": 1758326400000,
                "odate": 1758326400000,
                "domain": "ICLR.cc/2026/Conference",
                "readers": ["everyone"],
                "version": 2,
            }
        )
    return notes


def _crossref_filters(text: str) -> list[tuple[str, str]]:
    return [
        (name.strip(), value.strip()) for name, _, value in (part.partition(":") for part in text.split(",") if part)
    ]


def _year(item: Mapping[str, Any]) -> int | None:
    for name in ("issued", "published-print", "published-online", "published"):
        parts = (item.get(name) or {}).get("date-parts") or [[None]]
        if parts and parts[0] and isinstance(parts[0][0], int):
            return int(parts[0][0])
    return None


def _passes(item: Mapping[str, Any], filters: list[tuple[str, str]]) -> bool:
    """Crossref's filters as the REST API documents them, for the ones the tool sends: filters of one name are ORed,
    filters of different names ANDed."""
    year = _year(item)
    values: dict[str, list[str]] = {}
    for name, value in filters:
        values.setdefault(name, []).append(value)
    checks = {
        "issn": lambda value: value.upper() in [issn.upper() for issn in item.get("ISSN", [])],
        "alternative-id": lambda value: value in item.get("alternative-id", []),
        "type": lambda value: item.get("type") == value,
        "from-pub-date": lambda value: year is not None and year >= int(value[:4]),
        "until-pub-date": lambda value: year is not None and year <= int(value[:4]),
    }
    return all(any(checks[name](value) for value in wanted) for name, wanted in values.items() if name in checks)


def _filtered_list(corpus: Corpus, stored: bytes | None, filters: list[tuple[str, str]], *, from_pool: bool) -> bytes:
    """A list answer narrowed by filters: the stored search's items, or (a filter alone) every work the fake holds."""
    if from_pool:
        pool: dict[str, Any] = {}
        for answer in corpus.crossref_works.values():
            if answer.status == 200:
                message = json.loads(answer.body)["message"]
                pool.setdefault(message["DOI"].lower(), message)
        for body in corpus.crossref_search.values():
            for item in json.loads(body)["message"]["items"]:
                pool.setdefault(item["DOI"].lower(), item)
        items = list(pool.values())
    elif stored is None:
        return _work_list([], rows=0)
    else:
        items = json.loads(stored)["message"]["items"]
    kept = [item for item in items if _passes(item, filters)]
    return _work_list(kept, rows=len(kept))


def answer_crossref(corpus: Corpus, path: str, params: list[tuple[str, str]], *, extra_candidates: int = 0) -> _Answer:
    args = dict(params)
    if path.startswith("/works/") and len(path) > len("/works/"):
        if any(name.startswith("query") for name, _ in params):
            failure = {
                "status": "failed",
                "message-type": "validation-failure",
                "message": [
                    {
                        "type": "parameter-not-allowed",
                        "value": "query.*",
                        "message": "This route does not support field query parameters",
                    }
                ],
            }
            return _Answer(400, "application/json;charset=utf-8", crossref_json(failure))
        doi = unquote(path[len("/works/") :])
        return corpus.crossref_works.get(doi.lower()) or _Answer(404, "text/plain", CROSSREF_NOT_FOUND)
    if path == "/works":
        try:
            rows = int(args.get("rows", "20"))
        except ValueError:
            rows = 20
        select = [name.strip() for name in args["select"].split(",")] if args.get("select") else None
        wanted = args.get("query.bibliographic")
        stored = corpus.crossref_search.get(normalise(wanted)) if wanted else None
        filters = _crossref_filters(args.get("filter", ""))
        if filters:
            stored = _filtered_list(corpus, stored, filters, from_pool=wanted is None)
        if extra_candidates:
            stored = _with_extra_items(stored, extra_candidates)
        body = _crossref_list_body(stored, rows=rows, select=select, search_terms=args.get("query"))
        return _Answer(200, "application/json", body)
    return _Answer(404, "text/plain", CROSSREF_NOT_FOUND)


def _with_extra_items(stored: bytes | None, count: int) -> bytes:
    """The stored list with unrelated works ranked just below its top hit (so rows=5 cuts decoys off its tail)."""
    document: dict[str, Any] = (
        json.loads(stored)
        if stored is not None
        else {"status": "ok", "message-type": "work-list", "message-version": "1.0.0", "message": {"items": []}}
    )
    message = document["message"]
    items = message["items"]
    message["items"] = items[:1] + extra_crossref_items(count) + items[1:]
    message["total-results"] = len(message["items"])
    message.setdefault("items-per-page", len(message["items"]))
    return crossref_json(document)


def openreview_error(status: int, name: str, message: str, details: Mapping[str, Any] | None = None) -> bytes:
    return json.dumps(
        {"name": name, "message": message, "status": status, "details": dict(details or {})}, separators=(",", ":")
    ).encode("utf-8")


def _openreview_json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def answer_openreview(
    corpus: Corpus, api: str, path: str, params: list[tuple[str, str]], *, extra_candidates: int = 0
) -> _Answer:
    args = dict(params)
    with_count = args.get("count") == "true" or api == "openreview_v1"  # v1 always counted; v2 only on request
    try:
        limit = int(args.get("limit", "1000"))
    except ValueError:
        limit = 1000

    def listing(notes: list[Any]) -> bytes:
        document: dict[str, Any] = {"notes": notes[:limit]}
        if with_count:
            document["count"] = len(notes)
        return _openreview_json(document)

    if path == "/notes" and "id" in args:
        note_id = args["id"]
        stored = corpus.openreview_bodies[api].get(note_id)
        if stored is None:
            details = {"path": "id", "value": note_id}
            return _Answer(
                404,
                OPENREVIEW_CONTENT_TYPE,
                openreview_error(404, "NotFoundError", f"The Note {note_id} was not found", details),
            )
        return _Answer(
            200, OPENREVIEW_CONTENT_TYPE, stored if with_count else listing([corpus.openreview_notes[api][note_id]])
        )
    if path == "/notes":
        forum = args.get("forum")
        notes = [
            note for note in corpus.openreview_notes[api].values() if forum is not None and note.get("forum") == forum
        ]
        return _Answer(200, OPENREVIEW_CONTENT_TYPE, listing(notes))
    if path == "/notes/search":
        searches = corpus.openreview_search if api == "openreview" else getattr(corpus, "openreview_search_v1", {})
        stored = searches.get(normalise(args.get("term", "")))
        notes = json.loads(stored)["notes"] if stored else []
        if extra_candidates:
            notes = notes[:1] + extra_openreview_notes(extra_candidates) + notes[1:]
        elif stored and not with_count and limit >= len(notes):
            return _Answer(200, OPENREVIEW_CONTENT_TYPE, stored)
        return _Answer(200, OPENREVIEW_CONTENT_TYPE, listing(notes))
    return _Answer(404, OPENREVIEW_CONTENT_TYPE, openreview_error(404, "NotFoundError", f"Cannot GET {path}"))


# -- the server -----------------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    fake: FakeServices

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client hanging up mid-request is part of the game here (timeouts, resets); anything else is a bug.
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        self.fake.errors.append(f"{type(error).__name__}: {error}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, each answer waited ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True
    server: _Server
    exchange: _Exchange
    # Idle keep-alive connections end after this; stop() also shuts open connections down at once.
    timeout = 30

    def setup(self) -> None:
        super().setup()
        self.server.fake._connections_opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._connections_closed(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def version_string(self) -> str:
        # Crossref answers as Jetty; the others as whatever the stdlib calls itself.
        return getattr(self, "server_name_override", None) or super().version_string()

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    def do_HEAD(self) -> None:
        self.server.fake._handle(self)


class FakeServices:
    """The three services on one loopback port, mounted at /arxiv, /crossref, /openreview and /openreview-v1.

    Thread-safe; `latency`, `enforce_limits` and `limits` may be changed while it runs. In tests, use the
    `fake_services` fixture (conftest.py imports it):

        def test_something(fake_services, tmp_path):
            fake_services.inject("crossref", "503", times=2)         # next two Crossref requests answer 503
            env = fake_services.env(cache_dir=tmp_path / "cache")    # GEOEMB_BIB_*_URL (+ cache dir, mailto)
            subprocess.run([...], env={**os.environ, **env})
            assert fake_services.count("crossref") == 3
            assert not fake_services.limited()                       # nothing was answered 429 by the limits

    Elsewhere: `with FakeServices(latency=0.15, enforce_limits=True) as fake: ...`, or standalone for the
    benchmark: `python tests/fakeservices.py --port 8765 --latency 0.15 --enforce-limits [--fault crossref:503:2]`.
    """

    def __init__(
        self,
        *,
        latency: float = 0.0,
        enforce_limits: bool = False,
        limits: Limits | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        replay_dir: Path = REPLAY,
    ) -> None:
        self.latency = latency
        # Unrelated works every title search also returns (Crossref's index grows daily): set it between runs.
        self.extra_candidates = 0
        self.enforce_limits = enforce_limits
        self.limits = limits or Limits()
        self.corpus = load_corpus(replay_dir)
        self.errors: list[str] = []
        self._host = host
        self._requested_port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._log: list[LoggedRequest] = []
        self._faults: list[_FaultRule] = []
        self._open: set[socket.socket] = set()
        # Rate-limit state: arrivals per lane and requests in flight per budget.
        self._arxiv_last: float | None = None
        self._windows: dict[str, deque[float]] = {}
        self._in_flight: dict[str, int] = {}

    # -- life cycle --

    def start(self) -> FakeServices:
        server = _Server((self._host, self._requested_port), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fakeservices", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by its client
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> FakeServices:
        return self.start() if self._server is None else self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "FakeServices not started"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def base_urls(self) -> dict[str, str]:
        """Base URL per service (fetch.py's names), e.g. {"crossref": "http://127.0.0.1:PORT/crossref", ...}."""
        return {service: f"{self.url}/{mount}" for service, mount in MOUNTS.items()}

    def env(self, *, cache_dir: Path | str | None = None, mailto: str | None = None) -> dict[str, str]:
        """Environment for a CLI subprocess: the base-URL variables, plus the cache directory and mailto if given.

        Always give a temporary cache_dir when running the CLI against the fake: the cache key leaves out the
        host, so replay bodies must never land in a user's real cache.
        """
        variables = {BASE_URL_VARIABLES[service]: url for service, url in self.base_urls.items()}
        if cache_dir is not None:
            variables[CACHE_DIR_VARIABLE] = str(cache_dir)
        if mailto is not None:
            variables[MAILTO_VARIABLE] = mailto
        return variables

    # -- faults --

    def inject(
        self, service: str | None, fault: Fault | str, *, times: int | None = 1, path: str | None = None
    ) -> None:
        """Make the next `times` requests (None: every request) to `service` (None: any) misbehave.

        `path` is a regular expression searched in the request target below the mount (decoded), e.g.
        `r"/works/10\\.1609"` or `r"id_list="`. Rules are used in the order they were added.
        """
        if service is not None and service not in MOUNTS:
            raise ValueError(f"unknown service {service!r}; known: {', '.join(MOUNTS)}")
        rule = _FaultRule(
            service,
            re.compile(path) if path else None,
            fault if isinstance(fault, Fault) else Fault.parse(fault),
            times,
        )
        with self._lock:
            self._faults.append(rule)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, service: str, target: str) -> Fault | None:
        with self._lock:
            for rule in self._faults:
                if rule.remaining == 0:
                    continue
                if rule.service not in (None, service) or (rule.pattern and not rule.pattern.search(target)):
                    continue
                if rule.remaining is not None:
                    rule.remaining -= 1
                return rule.fault
        return None

    # -- the request log --

    @property
    def log(self) -> list[LoggedRequest]:
        """Every request so far, in order of arrival."""
        with self._lock:
            return sorted(self._log, key=lambda item: item.time)

    def requests(self, service: str | None = None) -> list[LoggedRequest]:
        return [item for item in self.log if service is None or item.service == service]

    def count(self, service: str | None = None) -> int:
        return len(self.requests(service))

    def limited(self, service: str | None = None) -> list[LoggedRequest]:
        """Requests answered 429 because a client went faster than the enforced limits (not injected faults)."""
        return [item for item in self.requests(service) if item.limited]

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    # -- internals --

    def _connections_opened(self, connection: socket.socket) -> None:
        with self._lock:
            self._open.add(connection)

    def _connections_closed(self, connection: socket.socket) -> None:
        with self._lock:
            self._open.discard(connection)

    def _admit(self, service: str, path: str, pool: str, arrived: float) -> tuple[bool, str | None]:
        """Count the arrival against the limits; (False, budget) if it must be answered 429, else (True, budget)."""
        limits = self.limits
        with self._lock:
            if service == "arxiv":
                budget, lane, rate, concurrency = "arxiv", None, None, 1
                too_soon = self._arxiv_last is not None and arrived - self._arxiv_last < limits.arxiv_interval
                # arXiv counts every arrival, answered or not.
                self._arxiv_last = arrived
            elif service == "crossref":
                budget = "crossref"
                lane = (
                    "crossref-record" if path.startswith("/works/") and len(path) > len("/works/") else "crossref-list"
                )
                rates = limits.crossref_record_rate if lane == "crossref-record" else limits.crossref_list_rate
                rate, concurrency, too_soon = rates[pool], limits.crossref_concurrency[pool], False
            else:
                budget, lane, rate, concurrency, too_soon = (
                    "openreview",
                    "openreview",
                    limits.openreview_rate,
                    limits.openreview_concurrency,
                    False,
                )
            if lane is not None and rate is not None:
                window = self._windows.setdefault(lane, deque())
                while window and arrived - window[0] >= limits.window:
                    window.popleft()
                too_soon = len(window) >= rate
            if too_soon or self._in_flight.get(budget, 0) >= concurrency:
                return False, None
            if lane is not None:
                self._windows[lane].append(arrived)
            self._in_flight[budget] = self._in_flight.get(budget, 0) + 1
            return True, budget

    def _release(self, budget: str | None) -> None:
        if budget is None:
            return
        with self._lock:
            self._in_flight[budget] -= 1

    def _handle(self, handler: _Handler) -> None:
        arrived = time.monotonic()
        parts = urlsplit(handler.path)
        mount, _, rest = parts.path.lstrip("/").partition("/")
        service = _SERVICE_OF_MOUNT.get(mount)
        path = "/" + rest
        target = path + (f"?{parts.query}" if parts.query else "")
        user_agent = handler.headers.get("User-Agent", "")
        exchange = handler.exchange = _Exchange(arrived, service or "?", handler.command, target, user_agent)
        status: int | None = None
        budget: str | None = None
        try:
            if service is None:
                status = self._write(
                    handler, _Answer(404, "text/plain", b"no such service mount"), head=handler.command == "HEAD"
                )
                return
            params = parse_qsl(parts.query, keep_blank_values=True)
            pool = "polite" if "mailto:" in user_agent or any(name == "mailto" for name, _ in params) else "public"
            fault = exchange.fault = self._take_fault(service, unquote(target))
            if fault is None and self.enforce_limits:
                admitted, budget = self._admit(service, path, pool, arrived)
                if not admitted:
                    exchange.limited = True
                    status = self._write(
                        handler,
                        self._with_service_headers(service, pool, _Answer(429, "text/plain", b"Too Many Requests")),
                    )
                    return
            if self.latency:
                time.sleep(self.latency)
            answer = self._answer(service, path, params)
            # The request stops counting as in flight once its answer is ready: a client that reads the answer and
            # sends the next request at once must not race this thread's bookkeeping into a false 429.
            self._release(budget)
            budget = None
            if fault is not None:
                status = self._misbehave(handler, service, pool, fault, answer, params)
            else:
                status = self._write(
                    handler, self._with_service_headers(service, pool, answer), head=handler.command == "HEAD"
                )
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True
        except Exception as exc:
            self.errors.append(f"{type(exc).__name__}: {exc} while answering {handler.path}")
            handler.close_connection = True
            with contextlib.suppress(OSError):  # the client may be gone already
                status = self._write(handler, _Answer(500, "text/plain", b"fake server error"))
        finally:
            self._release(budget)
            self._record(exchange, status)

    def _record(self, exchange: _Exchange, status: int | None) -> None:
        # Logged before the answer leaves, so a client that has its answer always finds its request in the log.
        with self._lock:
            if exchange.logged:
                return
            exchange.logged = True
            self._log.append(
                LoggedRequest(
                    time=exchange.arrived,
                    service=exchange.service,
                    method=exchange.method,
                    target=exchange.target,
                    status=status,
                    fault=str(exchange.fault) if exchange.fault else None,
                    limited=exchange.limited,
                    user_agent=exchange.user_agent,
                    duration=time.monotonic() - exchange.arrived,
                )
            )

    def _answer(self, service: str, path: str, params: list[tuple[str, str]]) -> _Answer:
        if service == "arxiv":
            return answer_arxiv(self.corpus, path, params)
        if service == "crossref":
            return answer_crossref(self.corpus, path, params, extra_candidates=self.extra_candidates)
        return answer_openreview(self.corpus, service, path, params, extra_candidates=self.extra_candidates)

    @staticmethod
    def _with_service_headers(service: str, pool: str, answer: _Answer) -> _Answer:
        if service != "crossref":
            return answer
        return _Answer(
            answer.status,
            answer.content_type,
            answer.body,
            {**CROSSREF_COMMON_HEADERS, **CROSSREF_HEADERS[pool], **answer.headers},
        )

    def _misbehave(
        self, handler: _Handler, service: str, pool: str, fault: Fault, answer: _Answer, params: list[tuple[str, str]]
    ) -> int | None:
        extra: dict[str, str] = {}
        if fault.retry_after:
            if fault.retry_after.startswith("http-date+"):
                extra["Retry-After"] = formatdate(
                    time.time() + float(fault.retry_after[len("http-date+") :]), usegmt=True
                )
            else:
                extra["Retry-After"] = fault.retry_after
        json_type = OPENREVIEW_CONTENT_TYPE if service.startswith("openreview") else "application/json"
        if fault.kind == "status":
            assert fault.status is not None
            reason = handler.responses.get(fault.status, ("Error",))[0]
            body = _Answer(fault.status, "text/plain", reason.encode("ascii"), extra)
            return self._write(handler, self._with_service_headers(service, pool, body))
        if fault.kind in ("reset", "drop"):
            if fault.kind == "reset":
                handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self._record(handler.exchange, None)
            handler.close_connection = True
            handler.connection.close()
            return None
        if fault.kind == "slow":
            time.sleep(fault.delay)
            return self._write(handler, self._with_service_headers(service, pool, answer))
        if fault.kind == "truncate":
            self._write(
                handler, self._with_service_headers(service, pool, answer), body_limit=max(1, len(answer.body) // 2)
            )
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return answer.status
        if fault.kind == "cut":
            cut = _Answer(
                answer.status, answer.content_type, answer.body[: max(1, len(answer.body) // 2)], answer.headers
            )
            return self._write(handler, self._with_service_headers(service, pool, cut))
        if fault.kind == "invalid":
            garbage = (
                b"<feed><entry><title>unclosed" if service == "arxiv" else b'{"status":"ok","message":<<not json>>'
            )
            content_type = ARXIV_CONTENT_TYPE if service == "arxiv" else json_type
            return self._write(
                handler, self._with_service_headers(service, pool, _Answer(200, content_type, garbage, extra))
            )
        if fault.kind == "html":
            page = (
                b"<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
                b"<body><h1>Checking your browser before accessing the site.</h1></body></html>"
            )
            return self._write(
                handler,
                self._with_service_headers(
                    service, pool, _Answer(fault.status or 200, "text/html; charset=UTF-8", page, extra)
                ),
            )
        if fault.kind == "arxiv-error":
            bad = dict(params).get("id_list", "") or "query"
            return self._write(handler, _Answer(fault.status or 200, ARXIV_CONTENT_TYPE, arxiv_error_feed(bad), extra))
        status = fault.status or 500
        names = {400: "ValidationError", 403: "ForbiddenError", 404: "NotFoundError", 429: "TooManyRequestsError"}
        error = openreview_error(
            status, names.get(status, "InternalServerError"), "Something went wrong", {"reqId": "fake-0000"}
        )
        return self._write(handler, _Answer(status, json_type, error, extra))

    def _write(self, handler: _Handler, answer: _Answer, *, head: bool = False, body_limit: int | None = None) -> int:
        self._record(handler.exchange, answer.status)
        handler.server_name_override = answer.headers.get("server")  # type: ignore[attr-defined]
        handler.send_response(answer.status)
        handler.send_header("Content-Type", answer.content_type)
        handler.send_header("Content-Length", str(len(answer.body)))
        for name, value in answer.headers.items():
            if name != "server":
                handler.send_header(name, value)
        handler.end_headers()
        if not head:
            handler.wfile.write(answer.body if body_limit is None else answer.body[:body_limit])
        handler.wfile.flush()
        return answer.status


@pytest.fixture
def fake_services() -> Iterator[FakeServices]:
    """A running FakeServices (no latency, limits not enforced; change `.enforce_limits`, `.limits`, `.latency`)."""
    fake = FakeServices().start()
    try:
        yield fake
    finally:
        fake.stop()
    assert not fake.errors, f"the fake services failed: {fake.errors}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Serve the replay corpus as fake arXiv, Crossref and OpenReview on loopback."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument(
        "--enforce-limits", action="store_true", help="answer 429 to clients faster than the documented limits"
    )
    parser.add_argument(
        "--arxiv-interval", type=float, default=Limits.arxiv_interval, help="arXiv's enforced spacing (default 3 s)"
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SERVICE:SPEC[:TIMES]",
        help="inject a fault, e.g. crossref:503:2, arxiv:429/retry-after=5, openreview:reset:always (repeatable)",
    )
    parser.add_argument("--log", type=Path, help="write the request log as JSON lines here on exit")
    args = parser.parse_args(argv)
    limits = Limits(arxiv_interval=args.arxiv_interval)
    fake = FakeServices(
        latency=args.latency, enforce_limits=args.enforce_limits, limits=limits, host=args.host, port=args.port
    )
    for item in args.fault:
        service, spec, *rest = item.split(":")
        times = rest[0] if rest else "1"
        fake.inject(None if service in ("*", "any") else service, spec, times=None if times == "always" else int(times))
    fake.start()
    for name, value in fake.env().items():
        print(f"export {name}={value}")
    print(f"# serving on {fake.url}; Ctrl-C to stop", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
        log = fake.log
        if args.log:
            with args.log.open("w", encoding="utf-8") as stream:
                for item in log:
                    stream.write(json.dumps(asdict(item)) + "\n")
        counts = {service: sum(1 for item in log if item.service == service) for service in MOUNTS}
        print(
            f"# requests: {counts}; limited (429 by enforcement): {sum(1 for item in log if item.limited)}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
