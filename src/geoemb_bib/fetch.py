"""The network and the on-disk cache: User-Agent, per-service pacing, retries, Retry-After, breakers, offline mode.

The only module that imports httpx and diskcache; both (and platformdirs) are imported lazily so `--help` stays fast.
"""

from __future__ import annotations

import json
import logging
import math
import os
import queue
import random as _random
import re
import sys
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, as_completed
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, urlencode, urlsplit

from geoemb_bib import __version__, services
from geoemb_bib.errors import BadResponse, CacheError, ConfigError, OfflineMiss, ServiceError, ServiceUnavailable
from geoemb_bib.model import Query

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger(__name__)

# Views of services.SERVICES, the one table of the services, in the shapes the settings and the fetcher read.
SERVICES: tuple[str, ...] = services.SERVICE_NAMES
DEFAULT_BASE_URLS: Mapping[str, str] = {service.name: service.base_url for service in services.SERVICES}
BASE_URL_VARIABLES: Mapping[str, str] = {service.name: service.url_variable for service in services.SERVICES}
MAILTO_VARIABLE = "GEOEMB_BIB_MAILTO"
DAY_SECONDS = 86400.0
CACHE_DIR_VARIABLE = "GEOEMB_BIB_CACHE_DIR"
# Advanced settings for mirrors, CI and tests (the defaults are the polite ones): variable -> (setting, type).
# They exist so a fault-injection run can shrink minutes of backoff to seconds without patching the library.
ADVANCED_VARIABLES: Mapping[str, tuple[str, type]] = {
    "GEOEMB_BIB_TIMEOUT": ("read_timeout", float),
    "GEOEMB_BIB_DEADLINE": ("deadline", float),
    "GEOEMB_BIB_MAX_BODY_BYTES": ("max_body_bytes", int),
    "GEOEMB_BIB_MAX_RETRIES": ("max_retries", int),
    "GEOEMB_BIB_MAX_BACKOFF": ("max_backoff", float),
    "GEOEMB_BIB_BREAKER_THRESHOLD": ("breaker_threshold", int),
    "GEOEMB_BIB_ARXIV_INTERVAL": ("arxiv_interval", float),
    "GEOEMB_BIB_CROSSREF_RATE": ("crossref_rate", float),
    "GEOEMB_BIB_OPENREVIEW_RATE": ("openreview_rate", float),
}
# The largest value each advanced setting takes. Beyond a day a wait is a hang, and the clocks, sockets and sleeps
# underneath overflow long before a float does (GEOEMB_BIB_TIMEOUT=1e300 used to end in OverflowError).
ADVANCED_MAXIMA: Mapping[str, float] = {
    "read_timeout": DAY_SECONDS,
    "deadline": DAY_SECONDS,
    "max_body_bytes": 2**31,
    "max_retries": 100,
    "max_backoff": DAY_SECONDS,
    "breaker_threshold": 1000,
    "arxiv_interval": DAY_SECONDS,
    "crossref_rate": 1e6,
    "openreview_rate": 1e6,
    "connect_timeout": DAY_SECONDS,
    "max_retry_after": DAY_SECONDS,
}
PROJECT_URL = "https://github.com/geoemb-bib/geoemb-bib"

HOUR = services.HOUR
DAY = services.DAY
DEFAULT_TTL: Mapping[str, float] = {service.name: service.ttl for service in services.SERVICES}
# A 404 may be a DOI registered yesterday or a note made public today: remember it only briefly.
DEFAULT_NEGATIVE_TTL = DAY
# Ten years: a lifetime beyond it is a mistake (or nan), and diskcache's expiry arithmetic needs a finite number.
MAX_TTL = 3650 * DAY

# Pacing. arXiv's Terms of Use: at most one request every three seconds and one connection at a time, counted
# across all its legacy APIs. We measure the three seconds from the END of the previous request, which is stricter
# than start-to-start and absorbs the jitter between when we send and when arXiv counts an arrival.
ARXIV_INTERVAL = 3.0
# Crossref's limits since 1 Dec 2025, per pool: (requests per second, concurrent requests). The polite pool needs a
# contact address. List queries (search, filter) have their own lower limit that the headers do not announce.
CROSSREF_LIMITS: Mapping[str, Mapping[str, tuple[float, int]]] = {
    "public": {"record": (5.0, 1), "list": (1.0, 1)},
    "polite": {"record": (10.0, 3), "list": (3.0, 3)},
}
# OpenReview documents no limit but answers 429 under load. 2 requests/s with 2 in flight (v1 and v2 hosts share
# one budget: same operator) keeps a list of a few dozen papers under half a minute and far from a browser's pace.
OPENREVIEW_RATE = 2.0
OPENREVIEW_CONCURRENCY = 2
# OpenReview limits guests' full-text searches to 20 a minute (openreview/openreview#254, raised from 5 in January
# 2025; a 21st answers 429 RateLimitError): at most 19 in any 61 s, so a long list waits instead of being refused.
OPENREVIEW_SEARCH_WINDOW = (19, 61.0)
# Keys per sqlite query when reading answer versions: below sqlite's oldest limit of 999 bound parameters.
VERSION_QUERY_KEYS = 900
# Stated rates are measured by the server on arrival; pacing 10% below them keeps network jitter from
# pushing one request over the line.
PACING_MARGIN = 1.1

# Which pacing budget a service draws from: its source's, so the two OpenReview hosts (one operator) share one.
SERVICE_GROUPS: Mapping[str, str] = {service.name: service.source for service in services.SERVICES}

# Retry policy (model: habanero's retry.py). Only GETs are sent, so every request is safe to repeat.
# 408/429: the server asks us to come back later. 500: habanero skips it because for Crossref's content negotiation
# it usually means a bad request; we never negotiate content, and arXiv and apis.md treat every 5xx as transient,
# so we retry it (bounded by the same budget). 502/503/504: gateways and overload. 520-524: Cloudflare (in front of
# OpenReview) failing to reach its origin. 501 and 505 are permanent and not retried.
RETRY_STATUSES: frozenset[int] = frozenset({408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
# Connection refused or host unknown: one more try (a restarting proxy, a DNS hiccup), then the service is
# taken as unreachable for the run.
UNREACHABLE_RETRIES = 1
# Exponential backoff with full jitter (random in [0, base * 2**attempt]): spreads retries of concurrent requests
# so they do not hit a recovering service in lockstep. Crossref and OpenReview start at 1 s.
BACKOFF_BASE = 1.0
# arXiv answers 429 even below its documented rate: back off well beyond its interval, at least two intervals
# (6 s) plus jitter over two intervals doubling per attempt (6, 12, 24 s ...), so 6-12 s, 6-18 s, 6-30 s.
ARXIV_BACKOFF_INTERVALS = 2.0

# Response headers worth keeping (and caching): content type for the parser, date and Retry-After for the retry
# policy, location to say where a redirect pointed, and every spelling of Crossref's rate-limit headers seen in
# recordings from 2024 to 2026.
RATE_LIMIT_HEADERS = ("x-rate-limit-limit", "x-ratelimit-limit", "x-rate-limit")
RATE_INTERVAL_HEADERS = ("x-rate-limit-interval", "x-ratelimit-interval")
CONCURRENCY_HEADER = "x-concurrency-limit"
KEPT_HEADERS: frozenset[str] = frozenset(
    {
        "content-type",
        "date",
        "retry-after",
        "location",
        "x-api-pool",
        CONCURRENCY_HEADER,
        *RATE_LIMIT_HEADERS,
        *RATE_INTERVAL_HEADERS,
    }
)

# Cache entries are framed bytes (a JSON header line, then the raw body) rather than pickles: nothing on disk is
# ever executed, and a body too large for sqlite stays a plain file. Bump the version when the frame changes.
CACHE_FORMAT = 1

# Per request, whatever the server does: a total deadline (the read timeout alone restarts with every byte, so a
# server dripping a byte a second never timed out) and a cap on the body after decompression (a 1 MB gzip bomb
# inflates to 1 GB). The largest answer we parse, an OpenReview search of a busy venue, is under 2 MB.
DEFAULT_DEADLINE = 120.0
DEFAULT_MAX_BODY_BYTES = 32 * 2**20
# We undo the content encoding ourselves, at most this much output per step, so the cap holds inside one network
# read too; and we offer only the encodings we can undo that way.
DECODE_STEP = 2**16
ACCEPT_ENCODING = "gzip, deflate"

# Printable ASCII only: the address travels in an HTTP header, where a non-ASCII letter cannot be encoded and a
# control byte would forge or break the header.
_MAILTO = re.compile(r"^[!#-'*+\-./0-9=?A-Z^_`a-z{|}~]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$", re.IGNORECASE)
_INTERVAL_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
# Characters a URL path may carry as they are (RFC 3986 pchar and "/"); everything else in a DOI is percent-encoded.
# "%" stays too, so a path a source already percent-encoded is not encoded twice (`%28` must not become `%2528`).
_PATH_SAFE = "/!$&'()*+,;=:@%"
# Query values keep commas (arXiv id lists), colons (arXiv field prefixes) and slashes (old-style arXiv ids) readable.
_QUERY_SAFE = ",:/"


def _utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """How the fetcher talks to the services: where, as whom, how politely, and where it caches."""

    mailto: str | None = None
    base_urls: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_BASE_URLS))
    cache_dir: Path | None = None
    ttl: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TTL))
    negative_ttl: float = DEFAULT_NEGATIVE_TTL
    offline: bool = False
    refresh: bool = False
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = DEFAULT_DEADLINE
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_retries: int = 4
    max_backoff: float = 60.0
    # A Retry-After longer than this means "not today": the service is given up for the run instead of blocking it.
    max_retry_after: float = 600.0
    breaker_threshold: int = 3
    arxiv_interval: float = ARXIV_INTERVAL
    openreview_rate: float = OPENREVIEW_RATE
    openreview_concurrency: int = OPENREVIEW_CONCURRENCY
    # None: Crossref's documented limits for our pool, tightened by what its headers announce. A number replaces both
    # (requests per second for records and lists alike), for a mirror or test server only.
    crossref_rate: float | None = None

    def __post_init__(self) -> None:
        unknown = sorted(set(self.base_urls) - set(SERVICES))
        if unknown:
            raise ConfigError(f"unknown service in base URLs: {', '.join(unknown)} (known: {', '.join(SERVICES)})")
        base_urls = {
            service: _check_base_url(service, self.base_urls.get(service, DEFAULT_BASE_URLS[service]))
            for service in SERVICES
        }
        object.__setattr__(self, "base_urls", base_urls)
        unknown = sorted(set(self.ttl) - set(SERVICES))
        if unknown:
            raise ConfigError(f"unknown service in cache lifetimes: {', '.join(unknown)}")
        object.__setattr__(self, "ttl", _checked_lifetimes(self.ttl, self.negative_ttl))
        if self.mailto is not None:
            mailto = self.mailto.strip()
            if not _MAILTO.match(mailto):
                raise ConfigError(
                    f"not an e-mail address: {self.mailto!r}",
                    hint=f"set {MAILTO_VARIABLE} to an address like you@example.org",
                )
            object.__setattr__(self, "mailto", mailto)
        if self.cache_dir is not None and not isinstance(self.cache_dir, Path):
            object.__setattr__(self, "cache_dir", Path(self.cache_dir))
        if self.offline and self.refresh:
            raise ConfigError(
                "--offline and --refresh cannot be combined: one forbids the network, the other ignores the cache"
            )
        positive = {
            "connect_timeout": self.connect_timeout,
            "read_timeout": self.read_timeout,
            "deadline": self.deadline,
            "max_body_bytes": self.max_body_bytes,
            "arxiv_interval": self.arxiv_interval,
            "openreview_rate": self.openreview_rate,
            "crossref_rate": self.crossref_rate if self.crossref_rate is not None else 1.0,
            "max_backoff": self.max_backoff,
            "max_retry_after": self.max_retry_after,
        }
        for name, value in positive.items():
            if not value > 0:
                raise ConfigError(f"{name} must be positive, got {value!r}")
            if value > ADVANCED_MAXIMA.get(name, math.inf):
                raise ConfigError(f"{name} must be at most {ADVANCED_MAXIMA[name]:g}, got {value!r}")
        if (
            self.max_retries < 0
            or self.breaker_threshold < 1
            or self.openreview_concurrency < 1
            or self.negative_ttl < 0
        ):
            raise ConfigError(
                "max_retries and negative_ttl must be >= 0; breaker_threshold and openreview_concurrency >= 1"
            )

    @classmethod
    def from_environment(cls, environ: Mapping[str, str], **overrides: Any) -> FetchSettings:
        """Settings from GEOEMB_BIB_* variables (URLs, mailto, cache, ADVANCED_VARIABLES); keyword overrides win."""
        values: dict[str, Any] = _advanced_settings(environ)
        base_urls = dict(DEFAULT_BASE_URLS)
        for service, variable in BASE_URL_VARIABLES.items():
            value = environ.get(variable, "").strip()
            if value:
                base_urls[service] = value
        values["base_urls"] = base_urls
        values["mailto"] = environ.get(MAILTO_VARIABLE, "").strip() or None
        if "cache_dir" not in overrides:
            cache_dir = environ.get(CACHE_DIR_VARIABLE, "").strip()
            values["cache_dir"] = expand_user(cache_dir, CACHE_DIR_VARIABLE) if cache_dir else default_cache_dir()
        values.update(overrides)
        settings = cls(**values)
        # Politeness is not a tuning knob against the real services: pacing faster than the documented limits is
        # accepted only for a service whose base URL points elsewhere (a mirror, a test server).
        faster = {
            "arxiv": ("GEOEMB_BIB_ARXIV_INTERVAL", settings.arxiv_interval < ARXIV_INTERVAL),
            "crossref": (
                "GEOEMB_BIB_CROSSREF_RATE",
                settings.crossref_rate is not None and settings.crossref_rate > CROSSREF_LIMITS["public"]["list"][0],
            ),
            "openreview": ("GEOEMB_BIB_OPENREVIEW_RATE", settings.openreview_rate > OPENREVIEW_RATE),
        }
        for service, (variable, too_fast) in faster.items():
            if too_fast and settings.base_urls[service] == DEFAULT_BASE_URLS[service]:
                raise ConfigError(
                    f"{variable} faster than {service}'s documented pace is only for a mirror or test server",
                    hint=f"unset it, or point {BASE_URL_VARIABLES[service]} at your mirror",
                )
        return settings

    @property
    def public_pool(self) -> bool:
        """True without a contact address: Crossref then serves us from its slower public pool."""
        return self.mailto is None

    @property
    def user_agent(self) -> str:
        # Crossref selects the polite pool from a mailto in the User-Agent (habanero's recorded requests got
        # x-api-pool: polite that way), so the address never goes into URLs, logs or cache keys.
        contact = f"{PROJECT_URL}; mailto:{self.mailto}" if self.mailto else PROJECT_URL
        return f"geoemb-bib/{__version__} ({contact})"


def _checked_lifetimes(ttl: Mapping[str, float], negative_ttl: float) -> dict[str, float]:
    lifetimes = {service: float(ttl.get(service, DEFAULT_TTL[service])) for service in SERVICES}
    for service, seconds in [*lifetimes.items(), ("not-found answers", float(negative_ttl))]:
        if not (math.isfinite(seconds) and 0 <= seconds <= MAX_TTL):
            raise ConfigError(
                f"cache lifetime of {service} must be from 0 to {MAX_TTL / DAY:g} days, got {seconds / DAY!r}"
            )
    return lifetimes


def _advanced_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for variable, (setting, kind) in ADVANCED_VARIABLES.items():
        text = environ.get(variable, "").strip()
        if not text:
            continue
        try:
            value = kind(text)
        except ValueError:
            raise ConfigError(
                f"{variable}={text!r} is not {'a whole number' if kind is int else 'a number'}",
                hint=f"unset {variable} for its default",
            ) from None
        if not (math.isfinite(value) and 0 <= value <= ADVANCED_MAXIMA[setting]):
            raise ConfigError(
                f"{variable}={text!r} must be a number from 0 to {ADVANCED_MAXIMA[setting]:g}",
                hint=f"unset {variable} for its default",
            )
        values[setting] = value
    if "read_timeout" in values:
        # One number for both: a test server that accepts but never answers, and one that never accepts.
        values["connect_timeout"] = min(10.0, values["read_timeout"])
    return values


def _check_base_url(service: str, url: str) -> str:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - parsing the port is what raises for "host:99999" or "[::1"
    except ValueError as exc:
        raise ConfigError(
            f"{service}: base URL {redact_url(url)!r} is not a valid URL ({exc})",
            hint=f"set {BASE_URL_VARIABLES[service]} to e.g. {DEFAULT_BASE_URLS[service]}",
        ) from None
    if not url.isascii() or any(ord(char) <= 32 or ord(char) == 127 for char in url.strip()):
        raise ConfigError(
            f"{service}: base URL {redact_url(url)!r} holds spaces, control or non-ASCII characters",
            hint=f"set {BASE_URL_VARIABLES[service]} to e.g. {DEFAULT_BASE_URLS[service]}",
        )
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            f"{service}: base URL {redact_url(url)!r} is not an http(s) service root",
            hint=f"set {BASE_URL_VARIABLES[service]} to e.g. {DEFAULT_BASE_URLS[service]} or http://127.0.0.1:8765/{service}",
        )
    return url.strip().rstrip("/")


_USERINFO = re.compile(r"(?<=://)[^/@\s]*@")


def redact_url(text: str) -> str:
    """`text` with the user name and password of every URL in it replaced by `***`: credentials in a base URL must
    not reach messages, reports or the cache."""
    return _USERINFO.sub("***@", text)


def expand_user(text: str, setting: str) -> Path:
    """`~` and `~user` expanded, or a ConfigError naming the setting when there is no such user or home."""
    try:
        return Path(text).expanduser()
    except RuntimeError:
        raise ConfigError(
            f"{setting}={text!r}: cannot expand {text.split('/')[0]!r} (no such user or home folder)",
            hint="give the folder as an absolute path",
        ) from None


def default_cache_dir() -> Path:
    """The per-user cache directory (platformdirs), used when GEOEMB_BIB_CACHE_DIR is not set."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("geoemb-bib", appauthor=False)) / "http"


@dataclass(frozen=True, slots=True)
class Response:
    """One answer of a service, from the network or the cache. `headers` keeps only the names in KEPT_HEADERS."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str
    fetched_at: str
    from_cache: bool = False

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@dataclass(frozen=True, slots=True)
class RateLimit:
    """What a service's headers announce: `limit` requests per `interval` seconds, `concurrency` at once."""

    limit: int | None
    interval: float
    concurrency: int | None

    @property
    def spacing(self) -> float | None:
        """Seconds between request starts that keep within the limit (before our safety margin)."""
        return self.interval / self.limit if self.limit else None


def _positive_int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        return None
    return number if number > 0 else None


def parse_interval(value: str) -> float | None:
    """Seconds in a rate-limit interval such as `1s`, `500ms`, `1m` or a bare `1`."""
    match = _INTERVAL.match(value)
    if not match:
        return None
    seconds = float(match.group(1)) * _INTERVAL_UNITS[(match.group(2) or "s").lower()]
    return seconds if seconds > 0 else None


def parse_rate_limit(headers: Mapping[str, str]) -> RateLimit | None:
    """Crossref's announced limit from any of its header spellings (names lower-case); None if nothing usable."""
    limit = next((n for n in (_positive_int(headers.get(name)) for name in RATE_LIMIT_HEADERS) if n), None)
    interval = next(
        (s for s in (parse_interval(headers[name]) for name in RATE_INTERVAL_HEADERS if name in headers) if s), 1.0
    )
    concurrency = _positive_int(headers.get(CONCURRENCY_HEADER))
    if limit is None and concurrency is None:
        return None
    return RateLimit(limit=limit, interval=interval, concurrency=concurrency)


def retry_after_seconds(headers: Mapping[str, str], *, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or HTTP-date), or None if absent or unreadable.

    An HTTP-date is measured against the response's own `Date` header when there is one, so a skewed local
    clock cannot turn "in 30 seconds" into "in an hour" or "already past".
    """
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    when = _http_date(value)
    if when is None:
        return None
    reference = _http_date(headers.get("date", "")) or now or datetime.now(timezone.utc)
    return max(0.0, (when - reference).total_seconds())


def rate_limit_reset_seconds(body: bytes, *, now: datetime) -> float | None:
    """Seconds until the reset an OpenReview 429 body announces (`details.resetTime`), or None.

    OpenReview answers `{"name": "RateLimitError", "details": {"resetTime": "2026-08-31T08:59:25.212Z", ...}}`
    without a Retry-After header (openreview/openreview#437); its reset time is the same request, in its body.
    """
    if not body.lstrip().startswith(b"{") or len(body) > 65536:
        return None
    try:
        document = json.loads(body)
    except ValueError:
        return None
    details = document.get("details") if isinstance(document, dict) else None
    reset = details.get("resetTime") if isinstance(details, dict) else None
    if not isinstance(reset, str):
        return None
    try:
        when = datetime.fromisoformat(reset.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _http_date(value: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def backoff_delay(
    attempt: int, *, base: float, cap: float, floor: float = 0.0, random: Callable[[], float] = _random.random
) -> float:
    """Seconds before retry number `attempt + 1`: `floor` plus full jitter over `base * 2**attempt`, at most `cap`."""
    return min(cap, floor + random() * base * 2.0**attempt)


def cache_key(query: Query) -> str:
    """The cache key of a request: service, raw path and sorted parameters, deliberately NOT the base URL.

    The cache stores what a service says about an identifier, not about a host, so answers fetched through a mirror
    (or a benchmark's loopback server) serve a run against the real service and vice versa. Point
    GEOEMB_BIB_CACHE_DIR elsewhere when a server must not share them (tests always use a temporary directory).
    """
    return f"{query.service} {query.path}?{urlencode(sorted(query.params))}"


def build_url(base_url: str, query: Query) -> str:
    """The URL asked: base URL + path + parameters.

    The path may be raw (a DOI with its slashes and brackets) or already percent-encoded: unsafe characters are
    encoded, existing `%XX` escapes are kept. Parameter values are raw and always encoded here.
    """
    url = base_url.rstrip("/") + quote(query.path if query.path.startswith("/") else "/" + query.path, safe=_PATH_SAFE)
    if query.params:
        url += "?" + urlencode(query.params, quote_via=quote, safe=_QUERY_SAFE)
    return url


# Longer parameter values are cut in messages: a batch of 20 arXiv ids or a select list would otherwise bury the
# reason of a failure in every line that repeats it (summary, enriched.yaml problems, report).
DESCRIBED_VALUE_LENGTH = 40


def describe(query: Query) -> str:
    """A short human form of a request for messages: `GET /works/10.1609/…?rows=5`, long values cut with `…`."""
    params = [
        (name, value if len(value) <= DESCRIBED_VALUE_LENGTH else value[: DESCRIBED_VALUE_LENGTH - 1] + "…")
        for name, value in query.params
    ]
    # Not percent-encoded: this is for people, and a title reads better with its spaces.
    return f"GET {query.path}" + ("?" + "&".join(f"{name}={value}" for name, value in params) if params else "")


def _request_kind(query: Query) -> Literal["record", "list", "search", "any"]:
    if query.service in ("openreview", "openreview_v1"):
        return "search" if query.path.rstrip("/").endswith("/notes/search") else "any"
    if query.service != "crossref":
        return "any"
    # /works/{doi} (and /works/{doi}/agency) fetch one record; /works?query=…, /works?filter=…, /members… are lists.
    return "record" if query.path.startswith("/works/") and len(query.path) > len("/works/") else "list"


@dataclass(frozen=True, slots=True)
class ServiceStats:
    """Counters of one service in one run. `requests` are HTTP requests sent (retries included)."""

    requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    throttled: int = 0
    failures: int = 0
    skipped: int = 0
    bytes: int = 0


_STAT_NAMES: tuple[str, ...] = tuple(f.name for f in fields(ServiceStats))


@dataclass(frozen=True, slots=True)
class CacheInfo:
    """What `geoemb-bib cache info` shows: where the cache is, its size on disk and its live entries per service."""

    directory: Path | None
    size_bytes: int
    entries: Mapping[str, int]

    @property
    def total_entries(self) -> int:
        return sum(self.entries.values())


class _Budget:
    """One service group's share of politeness: requests in flight, spacing per kind of request, a shared cool-down.

    A request first takes a slot (at most `capacity` in flight), then waits until its kind's spacing and any
    cool-down have passed. Requests of different groups never wait for each other.
    """

    def __init__(
        self,
        name: str,
        *,
        capacity: int,
        spacing: Mapping[str, float],
        after_end: bool,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        windows: Mapping[str, tuple[int, float]] | None = None,
    ) -> None:
        self.name = name
        # kind -> (at most this many starts, in any window of this many seconds), with the recent start times
        self._windows = dict(windows or {})
        self._starts: dict[str, deque[float]] = {kind: deque() for kind in self._windows}
        self._cond = threading.Condition()
        self._capacity = capacity
        self._in_flight = 0
        self._spacing = dict(spacing)
        # -inf: the first request of a run goes at once.
        self._next_start = dict.fromkeys(spacing, -math.inf)
        self._cooldown_until = -math.inf
        self._after_end = after_end
        self._clock = clock
        self._sleep = sleep

    def acquire(self, kind: str) -> None:
        with self._cond:
            while self._in_flight >= self._capacity:
                self._cond.wait()
            self._in_flight += 1
        started = False
        try:
            while True:
                with self._cond:
                    now = self._clock()
                    ready = max(self._next_start[kind], self._cooldown_until, self._window_ready(kind, now))
                    if ready <= now:
                        self._next_start[kind] = now + self._spacing[kind]
                        if kind in self._starts:
                            self._starts[kind].append(now)
                        started = True
                        return
                # Sleep outside the lock, then look again: a cool-down may have been set meanwhile.
                logger.debug("%s: waiting %.2fs before the next request", self.name, ready - now)
                self._sleep(ready - now)
        finally:
            if not started:
                self._give_back()

    def _window_ready(self, kind: str, now: float) -> float:
        """When the kind's rolling window has room again (now, if it has room)."""
        if kind not in self._windows:
            return -math.inf
        most, seconds = self._windows[kind]
        starts = self._starts[kind]
        while starts and starts[0] <= now - seconds:
            starts.popleft()
        return starts[0] + seconds if len(starts) >= most else -math.inf

    def release(self, kind: str) -> None:
        with self._cond:
            if self._after_end:
                self._next_start[kind] = max(self._next_start[kind], self._clock() + self._spacing[kind])
            self._in_flight -= 1
            self._cond.notify_all()

    def _give_back(self) -> None:
        with self._cond:
            self._in_flight -= 1
            self._cond.notify_all()

    def defer(self, until: float) -> None:
        """Hold every request of the group until `until`: a 429 or 503 speaks about the service, not one request."""
        with self._cond:
            self._cooldown_until = max(self._cooldown_until, until)

    def tune(self, *, spacing: Mapping[str, float] | None = None, capacity: int | None = None) -> None:
        with self._cond:
            if spacing:
                self._spacing.update(spacing)
            if capacity:
                self._capacity = capacity
            self._cond.notify_all()

    @property
    def spacing(self) -> Mapping[str, float]:
        with self._cond:
            return dict(self._spacing)

    @property
    def capacity(self) -> int:
        with self._cond:
            return self._capacity


# How often a process looks again while another one has a request to arXiv on the wire, and how long it waits in all
# before going ahead alone (a process stopped under a debugger must not stall every other run for ever).
SHARED_PACE_POLL = 0.05
SHARED_PACE_PATIENCE = 600.0
SHARED_PACE_FILE = "arxiv.pace"


class _SharedPace:
    """arXiv's "one request every 3 s, one connection at a time" kept across the processes of one user: a file in
    the cache directory says when the last request ended, and is locked while a request is on the wire."""

    def __init__(self, path: Path, interval: float) -> None:
        self._path = path
        self._interval = interval
        self._descriptor: int | None = None
        self._usable = True

    def acquire(self, sleep: Callable[[float], None]) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on POSIX: each process paces itself
            return
        descriptor = self._open()
        if descriptor is None:
            return
        held = False
        try:
            patience = time.monotonic() + SHARED_PACE_PATIENCE
            while True:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > patience:
                        logger.warning("arxiv: another process held %s too long; going ahead", self._path)
                        return
                    sleep(SHARED_PACE_POLL)
            # A clock set back, or a file claiming the future, never holds us longer than one interval.
            wait = min(self._interval, self._last_end(descriptor) + self._interval - time.time())
            if wait > 0:
                logger.debug("arxiv: waiting %.2fs for the pace shared with other processes", wait)
                sleep(wait)
            held = True
        finally:
            # Given up, or interrupted while waiting (the batch was stopped): closing releases the lock.
            if not held:
                os.close(descriptor)
        self._descriptor = descriptor

    def release(self) -> None:
        descriptor, self._descriptor = self._descriptor, None
        if descriptor is None:
            return
        try:
            stamp = f"{time.time():.6f}\n".encode("ascii")
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, stamp, 0)
        except OSError as exc:
            logger.info("arxiv: cannot record the shared pace in %s (%s)", self._path, exc)
        finally:
            os.close(descriptor)  # closing releases the lock

    def _open(self) -> int | None:
        if not self._usable:
            return None
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            return os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            self._usable = False
            logger.info("arxiv: pacing this process alone; cannot use %s (%s)", self._path, exc)
            return None

    @staticmethod
    def _last_end(descriptor: int) -> float:
        try:
            value = float(os.pread(descriptor, 64, 0).decode("ascii").strip() or "0")
        except (OSError, ValueError, UnicodeDecodeError):
            return 0.0
        return value if math.isfinite(value) else 0.0


class _Breakers:
    """A circuit breaker per service: after `threshold` failures in a row, stop asking it for the rest of the run."""

    def __init__(self, threshold: int) -> None:
        self._threshold = threshold
        self._lock = threading.Lock()
        self._streak: dict[str, int] = {}
        self._open: dict[str, str] = {}

    def check(self, service: str) -> None:
        with self._lock:
            message = self._open.get(service)
        if message is not None:
            raise ServiceUnavailable(service, message, hint="the run goes on without it; try again later")

    def success(self, service: str) -> None:
        with self._lock:
            self._streak[service] = 0

    def failure(self, service: str, reason: str) -> None:
        with self._lock:
            streak = self._streak.get(service, 0) + 1
            self._streak[service] = streak
            if streak < self._threshold or service in self._open:
                return
            message = f"{service}: stopped asking after {streak} failures in a row (last: {reason})"
            self._open[service] = message
        logger.warning("%s", message)

    def trip(self, service: str, message: str) -> None:
        with self._lock:
            if service in self._open:
                return
            self._open[service] = message
        logger.warning("%s", message)

    @property
    def tripped(self) -> dict[str, str]:
        with self._lock:
            return dict(self._open)


class _ResponseCache:
    """diskcache behind a guard: an unusable cache is reported once and bypassed, never fatal to a run."""

    def __init__(self, directory: Path | None) -> None:
        self._directory = directory
        self._lock = threading.Lock()
        self._cache: Any = None
        self._opened = directory is None
        self._errors: tuple[type[BaseException], ...] = ()
        self.problem: str | None = None
        self.untrusted: str | None = None
        self.read_only: str | None = None

    def _handle(self) -> Any:
        with self._lock:
            if not self._opened:
                self._opened = True
                try:
                    self._cache, self._errors = _open_cache(self._directory, read_only_ok=True)  # type: ignore[arg-type]
                except CacheError as exc:
                    self._report(exc.message)
                else:
                    if isinstance(self._cache, _ReadOnlyCache):
                        self.read_only = (
                            f"cache at {self._directory} is read-only: its answers are used, new ones are not kept"
                        )
                        logger.warning("%s", self.read_only)
            return self._cache

    def _report(self, message: str) -> None:
        # Called with the lock held or at open time; a problem is reported once.
        if self.problem is None:
            self.problem = f"{message}; running without a cache"
            logger.warning("%s", self.problem)

    def _disable(self, exc: BaseException) -> None:
        with self._lock:
            cache, self._cache = self._cache, None
            self._report(f"cache at {self._directory} is unusable ({exc})")
        if cache is not None:
            try:
                cache.close()
            except self._errors:
                logger.debug("closing the broken cache failed too", exc_info=True)

    def read(self, key: str) -> Response | None:
        cache = self._handle()
        if cache is None:
            return None
        try:
            blob = cache.get(key, default=None)
        except UntrustedEntry as exc:
            self._distrust(key, str(exc))
            return None
        except self._errors as exc:
            self._disable(exc)
            return None
        if blob is None:
            return None
        response = _decode_entry(blob)
        if response is None:
            self._distrust(key, "not a frame of ours")
        return response

    def _distrust(self, key: str, why: str) -> None:
        with self._lock:
            first = self.untrusted is None
            if first:
                self.untrusted = (
                    f"cache at {self._directory} holds answers geoemb-bib did not write (first: {key}: {why});"
                    " they were ignored and asked again"
                )
        if first:
            logger.warning("%s", self.untrusted)
        else:
            logger.info("ignoring the cache entry for %s: %s", key, why)
        self.delete(key)

    def versions(self, keys: Iterable[str]) -> dict[str, str]:
        """For each key holding a fresh answer, a text that changes whenever the answer is written again.

        diskcache sets a row's store time on every write, so (store time, size) names one stored answer without
        reading it: a refresh can tell which answers are the ones it used last time at the cost of one query per
        few hundred keys instead of reading and parsing every body. Anything unexpected gives no versions, which
        only means that nothing is carried over.
        """
        cache = self._handle()
        wanted = list(dict.fromkeys(keys))
        if cache is None or not wanted:
            return {}
        found: dict[str, str] = {}
        now = time.time()
        # AttributeError: a diskcache without the connection this reads through
        errors: tuple[type[BaseException], ...] = (AttributeError, *self._errors)
        try:
            for start in range(0, len(wanted), VERSION_QUERY_KEYS):
                chunk = wanted[start : start + VERSION_QUERY_KEYS]
                rows = cache._sql(  # diskcache's own connection for this thread; its API has no store time
                    "SELECT key, store_time, expire_time, size FROM Cache WHERE raw = 1 AND key IN"
                    f" ({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
                for key, stored, expires, size in rows:
                    if expires is None or expires > now:
                        found[key] = f"{stored!r}:{size}"
        except errors as exc:
            logger.info("cannot read the cache's answer versions (%s); nothing is carried over", exc)
            return {}
        return found

    def write(self, key: str, response: Response, *, service: str, ttl: float) -> None:
        if ttl <= 0:
            return
        cache = self._handle()
        if cache is None:
            return
        try:
            cache.set(key, _encode_entry(response), expire=ttl, tag=service)
        except self._errors as exc:
            self._disable(exc)

    def delete(self, key: str) -> None:
        cache = self._handle()
        if cache is None:
            return
        try:
            cache.delete(key)
        except self._errors as exc:
            self._disable(exc)

    def close(self) -> None:
        with self._lock:
            cache, self._cache = self._cache, None
        if cache is not None:
            try:
                cache.close()
            except self._errors:
                logger.debug("closing the cache failed", exc_info=True)


# What we store in diskcache's Settings table, passed explicitly on every open so that no stored value chooses a
# pragma, an eviction policy or an argument of our Disk. These are diskcache's defaults, so caches written before
# stay valid; a table holding anything else is damage.
CACHE_SETTINGS: Mapping[str, object] = {
    "statistics": 0,
    "tag_index": 0,
    "eviction_policy": "least-recently-stored",
    "size_limit": 2**30,
    "cull_limit": 10,
    "sqlite_auto_vacuum": 1,
    "sqlite_cache_size": 2**13,
    "sqlite_journal_mode": "wal",
    "sqlite_mmap_size": 2**26,
    "sqlite_synchronous": 1,
    "disk_min_file_size": 2**15,
    "disk_pickle_protocol": 5,
}
# Counters diskcache keeps in the same table (whole numbers).
CACHE_COUNTERS = ("count", "size", "hits", "misses")
# How long a cache another process holds locked is waited for before it is bypassed for the run.
CACHE_LOCK_WAIT = 3.0
# Where diskcache keeps a value too large for its database: two levels of hex folders and a random hex name. Our Disk
# reads and deletes only names of that shape, so a tampered row cannot point it at another file.
_VALUE_FILE = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{28}\.val")
# Cached values are frames of at most one capped body and its header line.
MAX_CACHED_VALUE = 2**31 + 2**16


class UntrustedEntry(Exception):
    """A cache row we did not write: another storage mode (pickle), a key or file of another shape."""


class CacheDamage(Exception):
    """The cache's files hold something diskcache or we would never have written (its Settings table, say)."""


_SAFE_DISK: type | None = None


def _safe_disk() -> type:
    """A diskcache Disk that stores and returns bytes under text keys only, and never unpickles anything.

    diskcache's own Disk unpickles any row whose mode says pickle, and reads or deletes whatever file a row names:
    a tampered cache.db would run code or touch files outside the cache. Ours refuses both (UntrustedEntry).
    """
    global _SAFE_DISK
    if _SAFE_DISK is not None:
        return _SAFE_DISK
    import diskcache
    from diskcache.core import MODE_BINARY, MODE_RAW

    class SafeDisk(diskcache.Disk):  # type: ignore[misc]
        def put(self, key: object) -> tuple[object, bool]:
            if type(key) is not str:
                raise TypeError(f"cache keys are text, not {type(key).__name__}")
            return key, True

        def get(self, key: object, raw: bool) -> object:
            # Listing keys (cache info) must not unpickle them either: a key of another kind is no key of ours.
            return key if raw and type(key) is str else None

        def store(self, value: object, read: bool, key: object = diskcache.core.UNKNOWN) -> tuple[int, int, Any, Any]:
            if type(value) is not bytes or read:
                raise TypeError(f"cache values are bytes, not {type(value).__name__}")
            return super().store(value, False, key)  # type: ignore[no-any-return]

        def fetch(self, mode: int, filename: object, value: object, read: bool) -> bytes:
            if mode == MODE_RAW and isinstance(value, (bytes, memoryview)):
                return bytes(value)
            if mode == MODE_BINARY and value is None and isinstance(filename, str) and _VALUE_FILE.fullmatch(filename):
                return _read_value_file(os.path.join(self._directory, filename))
            raise UntrustedEntry(f"storage mode {mode!r}" + (f" with file {filename!r}" if filename else ""))

        def remove(self, file_path: object) -> None:
            if isinstance(file_path, str) and _VALUE_FILE.fullmatch(file_path):
                super().remove(file_path)
            else:
                logger.info("not deleting %r: not a value file of the cache", file_path)

    _SAFE_DISK = SafeDisk
    return SafeDisk


def _read_value_file(path: str) -> bytes:
    # Not through a symbolic link: a value file is always one diskcache wrote itself.
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with open(descriptor, "rb") as reader:
        data = reader.read(MAX_CACHED_VALUE + 1)
    if len(data) > MAX_CACHED_VALUE:
        raise UntrustedEntry("a value file larger than any answer we keep")
    return data


def _check_stored_settings(directory: Path) -> None:
    """Raise CacheDamage if the Settings table holds anything but CACHE_SETTINGS and whole-number counters.

    Read before diskcache opens the database, since diskcache runs stored `sqlite_*` settings as pragmas and passes
    stored `disk_*` ones to the Disk. A missing database or table is a new cache, not damage.
    """
    import sqlite3
    from urllib.parse import quote as quote_path

    database = directory / "cache.db"
    if not database.is_file():
        return
    connection = sqlite3.connect(
        f"file:{quote_path(str(database))}?mode=ro", uri=True, timeout=CACHE_LOCK_WAIT, check_same_thread=False
    )
    try:
        try:
            rows = connection.execute("SELECT key, value FROM Settings").fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return
            raise
    finally:
        connection.close()
    for key, value in rows:
        if key in CACHE_COUNTERS:
            if type(value) is not int:
                raise CacheDamage(f"its Settings table says {key} = {value!r}")
        elif key not in CACHE_SETTINGS:
            raise CacheDamage(f"its Settings table holds an unknown setting {key!r}")
        elif key == "disk_pickle_protocol":
            if type(value) is not int:
                raise CacheDamage(f"its Settings table says {key} = {value!r}")
        elif value != CACHE_SETTINGS[key]:
            raise CacheDamage(f"its Settings table says {key} = {value!r}, not {CACHE_SETTINGS[key]!r}")


def _open_cache(directory: Path, *, read_only_ok: bool = False) -> tuple[Any, tuple[type[BaseException], ...]]:
    """Open a diskcache.Cache on our Disk; sqlite and file-system failures become CacheError (the one boundary).

    With `read_only_ok`, a cache we may read but not write (a read-only mount, another user's files) is opened for
    reading only (_ReadOnlyCache) rather than refused: --offline and `cache info` need nothing more.
    """
    import sqlite3

    import diskcache

    errors: tuple[type[BaseException], ...] = (sqlite3.Error, OSError, diskcache.Timeout, UntrustedEntry, CacheDamage)
    try:
        _check_stored_settings(directory)
        _probe_write_lock(directory)
        # A short sqlite busy timeout, and no diskcache retries (they loop for as long as a lock lasts): a cache
        # another process holds for longer is bypassed, never waited on without bound.
        cache = diskcache.Cache(str(directory), timeout=CACHE_LOCK_WAIT, disk=_safe_disk(), **CACHE_SETTINGS)
    except errors as exc:
        if read_only_ok and _is_read_only(exc) and (directory / "cache.db").is_file():
            try:
                return _ReadOnlyCache(directory), errors
            except errors:
                logger.debug("the read-only cache cannot be read either", exc_info=True)
        raise CacheError(
            f"cache at {directory} is unusable ({exc})",
            hint="run `geoemb-bib cache clear` or point GEOEMB_BIB_CACHE_DIR elsewhere",
        ) from exc
    return cache, errors


def _probe_write_lock(directory: Path) -> None:
    """Raise sqlite3.OperationalError within CACHE_LOCK_WAIT when another process holds the cache's write lock.

    diskcache writes while it opens and retries a locked database for a minute; asking sqlite first with a short
    busy timeout keeps a run from stalling behind another process.
    """
    import sqlite3

    database = directory / "cache.db"
    if not database.is_file():
        return
    connection = sqlite3.connect(str(database), timeout=CACHE_LOCK_WAIT, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
    finally:
        connection.close()


def _is_read_only(exc: BaseException) -> bool:
    import errno

    if isinstance(exc, OSError):
        return exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
    text = str(exc).lower()
    return "readonly" in text or "read-only" in text or "unable to open" in text


def _read_only_connection(database: Path) -> Any:
    import sqlite3
    from urllib.parse import quote as quote_path

    last: sqlite3.Error | None = None
    # mode=ro reads a WAL database when its -shm file can be used; immutable=1 reads one nobody can be writing
    # (a read-only mount) without it.
    for options in ("mode=ro", "mode=ro&immutable=1"):
        connection = sqlite3.connect(
            f"file:{quote_path(str(database))}?{options}", uri=True, timeout=CACHE_LOCK_WAIT, check_same_thread=False
        )
        try:
            connection.execute("SELECT count(*) FROM Cache").fetchone()
        except sqlite3.Error as exc:
            connection.close()
            last = exc
            continue
        return connection
    assert last is not None
    raise last


class _ReadOnlyCache:
    """The part of diskcache.Cache we use, for a cache we may only read: lookups, keys and size; writes are dropped."""

    _LIVE = "raw = 1 AND (expire_time IS NULL OR expire_time > ?)"

    def __init__(self, directory: Path) -> None:
        self._disk = _safe_disk()(str(directory))
        self._connection = _read_only_connection(directory / "cache.db")
        self._lock = threading.Lock()

    def get(self, key: str, default: object = None) -> object:
        with self._lock:
            row = self._connection.execute(
                f"SELECT mode, filename, value FROM Cache WHERE key = ? AND {self._LIVE}", (key, time.time())
            ).fetchone()
        if row is None:
            return default
        mode, filename, value = row
        try:
            return self._disk.fetch(mode, filename, value, False)
        except FileNotFoundError:
            return default

    def set(self, *args: object, **kwargs: object) -> bool:
        return False

    def delete(self, key: str) -> bool:
        return False

    def iterkeys(self) -> Iterator[str]:
        with self._lock:
            rows = self._connection.execute(f"SELECT key FROM Cache WHERE {self._LIVE}", (time.time(),)).fetchall()
        return (key for (key,) in rows if isinstance(key, str))

    def __contains__(self, key: str) -> bool:
        with self._lock:
            row = self._connection.execute(
                f"SELECT 1 FROM Cache WHERE key = ? AND {self._LIVE}", (key, time.time())
            ).fetchone()
        return row is not None

    def volume(self) -> int:
        with self._lock:
            ((pages,),) = self._connection.execute("PRAGMA page_count").fetchall()
            ((page_size,),) = self._connection.execute("PRAGMA page_size").fetchall()
            ((files,),) = self._connection.execute("SELECT COALESCE(SUM(size), 0) FROM Cache").fetchall()
        return int(pages) * int(page_size) + int(files)

    def close(self) -> None:
        self._connection.close()


def _encode_entry(response: Response) -> bytes:
    header = {
        "format": CACHE_FORMAT,
        "status": response.status,
        "headers": dict(response.headers),
        "url": response.url,
        "fetched_at": response.fetched_at,
    }
    return json.dumps(header, separators=(",", ":")).encode("ascii") + b"\n" + response.body


# A frame's header line is a few hundred bytes; anything much longer is not ours.
MAX_FRAME_HEADER = 2**16


def _decode_entry(blob: object) -> Response | None:
    """The answer a frame holds, or None unless every part of it has the shape _encode_entry gives it."""
    if type(blob) is not bytes:
        return None
    head, newline, body = blob.partition(b"\n")
    if not newline or len(head) > MAX_FRAME_HEADER:
        return None
    try:
        header = json.loads(head)
    except ValueError:
        return None
    if not isinstance(header, dict) or header.get("format") != CACHE_FORMAT:
        return None
    status, headers, url, fetched_at = (header.get(name) for name in ("status", "headers", "url", "fetched_at"))
    if type(status) is not int or not 100 <= status <= 599:
        return None
    if not isinstance(headers, dict) or not all(
        name in KEPT_HEADERS and isinstance(value, str) for name, value in headers.items()
    ):
        return None
    if not isinstance(url, str) or not isinstance(fetched_at, str):
        return None
    return Response(status=status, headers=headers, body=body, url=url, fetched_at=fetched_at, from_cache=True)


@dataclass(frozen=True, slots=True)
class _Failure:
    """A request that produced no HTTP answer (or one we cannot use), with whether trying again could help."""

    reason: str
    retryable: bool
    # No connection could be made (refused, no route, unknown host): nothing reached the service.
    unreachable: bool = False


Validator = Callable[[Response], object]
# One parser for every query, or one per service (what a batch mixing services needs).
Validation = Validator | Mapping[str, Validator] | None
ResultCallback = Callable[[int, Query, "Response | ServiceError"], None]


# How each service's API is called in messages about its base URL.
API_NAMES: Mapping[str, str] = {
    "arxiv": "arXiv",
    "crossref": "Crossref REST",
    "openreview": "OpenReview (v2)",
    "openreview_v1": "OpenReview v1",
}
# What each service sends with a 404 of its own (a DOI or note it does not know); any other 404 is not the API's.
# arXiv's API has none: it answers every query with a feed.
_OWN_NOT_FOUND: Mapping[str, Callable[[bytes], bool]] = {
    "arxiv": lambda body: False,
    "crossref": lambda body: body.strip() == b"Resource not found.",
    "openreview": lambda body: body.lstrip().startswith(b"{") and b'"name"' in body,
    "openreview_v1": lambda body: body.lstrip().startswith(b"{") and b'"name"' in body,
}


def _not_the_api(service: str, outcome: Response) -> str | None:
    """What shows that the base URL is not the service's API (a 404 of the web server, not of the API), or None."""
    if outcome.status != 404:
        return None
    if outcome.content_type == "text/html" or outcome.body.lstrip()[:1] == b"<":
        return "HTTP 404 with an HTML page"
    own = _OWN_NOT_FOUND.get(service)
    return None if own is None or own(outcome.body) else "HTTP 404"


class Fetcher:
    """Makes the GETs the sources ask for: cached, paced per service, retried, and broken off when a service is down.

    `transport` (an httpx transport, e.g. `httpx.MockTransport`), `sleep`, `clock` and `random` are injectable so
    tests run without a network and without waiting. Without an injected `sleep`, every wait (pacing, backoff,
    Retry-After) is interruptible: a `get_many` that is abandoned (Ctrl-C, a failing callback) wakes its workers.
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        random: Callable[[], float] = _random.random,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        # The stop signal of the get_many batch a worker thread serves (see _work); plain get() calls have none.
        self._batch = threading.local()
        self._closed = False
        self._clock = clock
        self._random = random
        # The HTTP client is made by the first request (_http): a run the cache answers never imports httpx.
        self._transport = transport
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()
        self._retry_errors: tuple[type[BaseException], ...] = ()
        self._fatal_errors: tuple[type[BaseException], ...] = ()
        self._cache = _ResponseCache(settings.cache_dir)
        self._breakers = _Breakers(settings.breaker_threshold)
        self._stats_lock = threading.Lock()
        self._stats: dict[str, dict[str, int]] = {service: dict.fromkeys(_STAT_NAMES, 0) for service in SERVICES}
        pool = "public" if settings.public_pool else "polite"
        crossref = CROSSREF_LIMITS[pool]
        if settings.crossref_rate is not None:
            crossref = {kind: (settings.crossref_rate, concurrency) for kind, (_, concurrency) in crossref.items()}
        self._documented_list = crossref["list"]
        self._budgets: dict[str, _Budget] = {
            "arxiv": _Budget(
                "arxiv",
                capacity=1,
                spacing={"any": settings.arxiv_interval},
                after_end=True,
                clock=clock,
                sleep=self._pause,
            ),
            # Before any header is seen we assume the documented numbers for our pool; list and single-record
            # requests are spaced separately but share one concurrency limit.
            "crossref": _Budget(
                "crossref",
                capacity=min(crossref["record"][1], crossref["list"][1]),
                spacing={kind: PACING_MARGIN / rate for kind, (rate, _) in crossref.items()},
                after_end=False,
                clock=clock,
                sleep=self._pause,
            ),
            "openreview": _Budget(
                "openreview",
                capacity=settings.openreview_concurrency,
                spacing={"any": 1.0 / settings.openreview_rate, "search": 1.0 / settings.openreview_rate},
                windows={"search": OPENREVIEW_SEARCH_WINDOW},
                after_end=False,
                clock=clock,
                sleep=self._pause,
            ),
        }
        # Shared through the cache directory with the user's other runs; a simulated clock (an injected sleep)
        # paces one simulated process.
        self._shared_pace = (
            _SharedPace(settings.cache_dir / SHARED_PACE_FILE, settings.arxiv_interval)
            if settings.cache_dir is not None and sleep is None
            else None
        )
        self._workers = {
            "arxiv": 1,
            "crossref": max(rate[1] for rate in CROSSREF_LIMITS["polite"].values()),
            "openreview": settings.openreview_concurrency,
        }
        if settings.public_pool:
            logger.info("no contact address (%s): Crossref's public pool applies, list queries at 1/s", MAILTO_VARIABLE)

    # -- public API ---------------------------------------------------------------------------------------------

    def get(self, query: Query, *, validate: Validation = None) -> Response:
        """One answer for `query`: from the cache when fresh, else from the service (paced, retried).

        `validate` is the source's parser (or a mapping of service name to parser). A 2xx body it rejects with
        BadResponse is never cached and is asked again (a cut body is usually transient) until the retry budget is
        spent; then BadResponse propagates.
        If it raises another ServiceError (say NotFound), the body was understood: it is cached briefly and the
        error propagates. 404 is returned and cached briefly; other 4xx are returned uncached; 429, 5xx and
        transport failures are retried and end in ServiceUnavailable.
        """
        if query.service not in SERVICES:
            raise ValueError(f"unknown service {query.service!r}; known: {', '.join(SERVICES)}")
        validate = validate.get(query.service) if isinstance(validate, Mapping) else validate
        key = cache_key(query)
        if not self.settings.refresh:
            cached = self._cache.read(key)
            if cached is not None and self._cached_is_usable(query.service, key, cached, validate):
                return cached
        if self.settings.offline:
            raise OfflineMiss(
                query.service,
                f"{query.service}: {describe(query)} is not in the cache (offline)",
                hint="run once without --offline to fill the cache",
            )
        return self._fetch(query, key, validate)

    def get_many(  # noqa: C901
        self, queries: Iterable[Query], *, validate: Validation = None, on_result: ResultCallback | None = None
    ) -> list[Response | ServiceError]:
        """Answers for many queries, in input order; a query that fails gives its ServiceError as a value.

        Each service group runs its own workers (never more than its concurrency allows), so a slow arXiv queue
        never holds up Crossref. `on_result(index, query, result)` is called in the calling thread as results come.
        Anything else a parser or the callback raises is a bug, not a service failure: it propagates.
        """
        items = list(queries)
        # Identical requests in one batch are asked once and share the answer.
        first: dict[str, int] = {}
        sharing: dict[int, list[int]] = {}
        groups: dict[str, list[int]] = {}
        for index, query in enumerate(items):
            if query.service not in SERVICES:
                raise ValueError(f"unknown service {query.service!r}; known: {', '.join(SERVICES)}")
            leader = first.setdefault(cache_key(query), index)
            sharing.setdefault(leader, []).append(index)
            if leader == index:
                groups.setdefault(SERVICE_GROUPS[query.service], []).append(index)
        results: list[Response | ServiceError | None] = [None] * len(items)
        # Answers the cache holds are served here, in the calling thread: handing each to a worker thread and back
        # cost more than reading it (1.6 s for a warm refresh of 10,000 entries). Only the rest go to the workers.
        for group, indices in groups.items():
            missing = []
            for index in indices:
                cached = self._from_cache(items[index], validate)
                if cached is None:
                    missing.append(index)
                    continue
                for shared in sharing[index]:
                    results[shared] = cached
                    if on_result is not None:
                        on_result(shared, items[shared], cached)
            groups[group] = missing
        # One stop signal per batch, never cleared: a worker of an abandoned batch that is still finishing its request
        # must not mistake a later batch's go-ahead for its own.
        stop = threading.Event()
        futures: dict[Future[Response | ServiceError], int] = {}
        finished = False
        try:
            for group, indices in groups.items():
                jobs: queue.SimpleQueue[tuple[int, Future[Response | ServiceError]]] = queue.SimpleQueue()
                for index in indices:
                    future: Future[Response | ServiceError] = Future()
                    futures[future] = index
                    jobs.put((index, future))
                for number in range(min(len(indices), self._workers[group])):
                    # Daemon threads, unlike ThreadPoolExecutor's: when a batch is abandoned (Ctrl-C, SIGTERM, a
                    # failing callback) neither it nor the interpreter's exit waits for requests already on the wire,
                    # which a slow service can hold for the whole read timeout. Their answers are dropped.
                    worker = threading.Thread(
                        target=self._work,
                        args=(jobs, items, validate, stop),
                        name=f"geoemb-bib-{group}-{number}",
                        daemon=True,
                    )
                    worker.start()
            for done in as_completed(futures):
                result = done.result()
                for index in sharing[futures[done]]:
                    results[index] = result
                    if on_result is not None:
                        on_result(index, items[index], result)
            finished = True
        finally:
            if not finished:
                # Wake the workers sleeping through a backoff or a pacing wait, and keep the others from starting.
                stop.set()
        return [result for result in results if result is not None]

    def _from_cache(self, query: Query, validate: Validation) -> Response | ServiceError | None:
        """The fresh, usable cached answer to `query` (a cached "no such record" as its error), or None: ask."""
        if self.settings.refresh:
            return None
        check = validate.get(query.service) if isinstance(validate, Mapping) else validate
        key = cache_key(query)
        cached = self._cache.read(key)
        if cached is None:
            return None
        try:
            return cached if self._cached_is_usable(query.service, key, cached, check) else None
        except ServiceError as exc:
            return exc

    def cached_versions(self, queries: Iterable[Query]) -> list[tuple[str, str | None]]:
        """For each query, its cache key and the version of the fresh answer the cache holds for it (None: none, or
        --refresh). A version changes whenever the answer is stored again: equal versions mean the very answer."""
        asked = list(queries)
        # An arXiv batch is read by every entry of it: spell each distinct query's key once (urlencode is slow).
        keys = {query: cache_key(query) for query in dict.fromkeys(asked)}
        versions = self.versions_of(list(keys.values()))
        found = dict(zip(keys.values(), versions, strict=True))
        return [(keys[query], found[keys[query]]) for query in asked]

    def versions_of(self, keys: Sequence[str]) -> list[str | None]:
        """The version of the fresh answer under each cache key (see cached_versions); all None with --refresh."""
        if self.settings.refresh:
            return [None] * len(keys)
        found = self._cache.versions(keys)
        return [found.get(key) for key in keys]

    @property
    def stats(self) -> dict[str, ServiceStats]:
        with self._stats_lock:
            return {service: ServiceStats(**counters) for service, counters in self._stats.items()}

    @property
    def tripped(self) -> dict[str, str]:
        """Services given up for this run, with the sentence saying why."""
        return self._breakers.tripped

    @property
    def cache_problem(self) -> str | None:
        """Why the cache is being bypassed or some of it ignored (report it once), or None while it works."""
        notes = (self._cache.problem, self._cache.read_only, self._cache.untrusted)
        return "; ".join(note for note in notes if note) or None

    def close(self) -> None:
        with self._client_lock:
            self._closed = True
            client, self._client = self._client, None
        if client is not None:
            client.close()
        self._cache.close()

    def _http(self) -> httpx.Client:
        """The HTTP client, made on first use (importing httpx takes 50-100 ms a warm run has no need of)."""
        with self._client_lock:
            if self._client is not None:
                return self._client
            if self._closed:
                raise RuntimeError("the fetcher is closed")
            import httpx

            self._httpx = httpx
            # Transport failures worth another try: timeouts, refused/reset connections, bodies cut short (also
            # inside their gzip stream). Invalid URLs, proxy and local protocol errors would fail the same way again.
            self._retry_errors = (
                httpx.TimeoutException,
                httpx.NetworkError,
                httpx.RemoteProtocolError,
                httpx.DecodingError,
                zlib.error,
            )
            self._fatal_errors = (httpx.HTTPError, httpx.InvalidURL)
            self._client = httpx.Client(
                transport=self._transport,
                headers={"User-Agent": self.settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
                timeout=httpx.Timeout(self.settings.read_timeout, connect=self.settings.connect_timeout),
                # None of the endpoints we call redirects; a redirect means a wrong base URL (http for https, a moved
                # mirror), which we report with the target instead of silently talking to another host unpaced.
                follow_redirects=False,
            )
            return self._client

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- internals ----------------------------------------------------------------------------------------------

    def _work(
        self,
        jobs: queue.SimpleQueue[tuple[int, Future[Response | ServiceError]]],
        items: list[Query],
        validate: Validation,
        stop: threading.Event,
    ) -> None:
        self._batch.stop = stop
        while not stop.is_set():
            try:
                index, future = jobs.get_nowait()
            except queue.Empty:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(self._get_as_value(items[index], validate))
            finally:
                if not future.done():
                    # A bug escaped (service failures are values): hand it to the caller, whose future.result()
                    # raises it, instead of leaving the batch waiting forever. The thread then ends with it.
                    escaped = sys.exc_info()[1]
                    future.set_exception(
                        escaped or RuntimeError(f"fetching {describe(items[index])} stopped without an answer")
                    )

    def _pause(self, seconds: float) -> None:
        stop: threading.Event | None = getattr(self._batch, "stop", None)
        if self._sleep is not None:
            self._sleep(seconds)
        elif stop is not None:
            stop.wait(seconds)
        else:
            time.sleep(seconds)
        if stop is not None and stop.is_set():
            raise ServiceUnavailable("geoemb-bib", "the batch was interrupted before this request was sent")

    def _get_as_value(self, query: Query, validate: Validation) -> Response | ServiceError:
        try:
            return self.get(query, validate=validate)
        except ServiceError as exc:
            return exc

    def _cached_is_usable(self, service: str, key: str, cached: Response, validate: Validator | None) -> bool:
        if validate is not None and 200 <= cached.status < 300:
            try:
                validate(cached)
            except BadResponse:
                # Accepted by an older parser, or damaged on disk: forget it and ask again.
                logger.info("cached answer for %s no longer parses; asking again", key)
                self._cache.delete(key)
                return False
            except ServiceError:
                # A cached "no such record" is still a cache hit; the caller gets the parser's verdict.
                self._count(service, "cache_hits")
                raise
        self._count(service, "cache_hits")
        return True

    def _count(self, service: str, counter: str, amount: int = 1) -> None:
        with self._stats_lock:
            self._stats[service][counter] += amount

    def _backoff(self, service: str, attempt: int) -> float:
        if service == "arxiv":
            unit = ARXIV_BACKOFF_INTERVALS * self.settings.arxiv_interval
            return backoff_delay(attempt, base=unit, cap=self.settings.max_backoff, floor=unit, random=self._random)
        return backoff_delay(attempt, base=BACKOFF_BASE, cap=self.settings.max_backoff, random=self._random)

    def _fetch(self, query: Query, key: str, validate: Validator | None) -> Response:  # noqa: C901
        service = query.service
        budget = self._budgets[SERVICE_GROUPS[service]]
        kind = _request_kind(query)
        url = build_url(self.settings.base_urls[service], query)
        attempt = 0
        while True:
            stop: threading.Event | None = getattr(self._batch, "stop", None)
            if stop is not None and stop.is_set():
                raise ServiceUnavailable(service, "the batch was interrupted before this request was sent")
            self._check_breaker(service)
            outcome = self._send(budget, kind, service, url)
            if isinstance(outcome, _Failure):
                if not outcome.retryable:
                    raise self._give_up(service, query, outcome.reason, attempt)
                if outcome.unreachable and attempt >= UNREACHABLE_RETRIES:
                    # A host that refuses connections (or does not resolve) twice is down or mistyped: waiting out
                    # the full retry budget for every queued request would only delay the run's report.
                    error = self._give_up(service, query, outcome.reason, attempt)
                    where = redact_url(self.settings.base_urls[service])
                    self._breakers.trip(service, f"{service}: cannot connect to {where} ({outcome.reason})")
                    raise error
                # Nothing reached the service, so no politeness interval applies: a short pause is enough.
                reason = outcome.reason
                delay = (
                    backoff_delay(attempt, base=BACKOFF_BASE, cap=self.settings.max_backoff, random=self._random)
                    if outcome.unreachable
                    else self._backoff(service, attempt)
                )
            elif outcome.status in RETRY_STATUSES:
                reason = f"HTTP {outcome.status}"
                if outcome.status == 429:
                    self._count(service, "throttled")
                asked = retry_after_seconds(outcome.headers)
                if asked is None and outcome.status == 429:
                    # Measured against the answer's own Date header when it has one, as for Retry-After.
                    reference = _http_date(outcome.headers.get("date", "")) or datetime.now(timezone.utc)
                    asked = rate_limit_reset_seconds(outcome.body, now=reference)
                if asked is not None and asked > self.settings.max_retry_after:
                    self._count(service, "failures")
                    message = (
                        f"{service}: asked to wait {asked:.0f} s before asking again (more than "
                        f"{self.settings.max_retry_after:.0f} s);"
                        " not asking again this run"
                    )
                    self._breakers.trip(service, message)
                    raise ServiceUnavailable(service, message, hint="try again later")
                delay = asked if asked is not None else self._backoff(service, attempt)
            elif (wrong := _not_the_api(service, outcome)) is not None:
                # Every query would get the same: a wrong base URL, not bad data and not a reason to wait.
                self._count(service, "failures")
                message = (
                    f"{service}: {self.settings.base_urls[service]} does not serve the {API_NAMES[service]} API "
                    f"({wrong}); check {BASE_URL_VARIABLES[service]}"
                )
                logger.info("%s: %s for %s", service, wrong, describe(query))
                self._breakers.trip(service, message)
                raise ServiceUnavailable(service, message, hint=f"check {BASE_URL_VARIABLES[service]}")
            elif 200 <= outcome.status < 300:
                try:
                    if validate is not None:
                        validate(outcome)
                except BadResponse as exc:
                    if attempt >= self.settings.max_retries:
                        self._count(service, "failures")
                        self._breakers.failure(service, "unparseable answer")
                        raise
                    reason, delay = f"unparseable answer ({exc.message})", self._backoff(service, attempt)
                except ServiceError:
                    # The parser understood the body and it means "no such record": remember that briefly.
                    self._breakers.success(service)
                    self._cache.write(key, outcome, service=service, ttl=self.settings.negative_ttl)
                    raise
                else:
                    self._breakers.success(service)
                    self._cache.write(key, outcome, service=service, ttl=self.settings.ttl[service])
                    return outcome
            elif outcome.status == 404:
                self._breakers.success(service)
                self._cache.write(key, outcome, service=service, ttl=self.settings.negative_ttl)
                return outcome
            elif 400 <= outcome.status < 500:
                # The service answered, just not with a record (arXiv's error feed comes with 400): the parser decides.
                self._breakers.success(service)
                return outcome
            elif 300 <= outcome.status < 400:
                target = outcome.headers.get("location", "elsewhere")
                raise self._give_up(service, query, f"HTTP {outcome.status} redirect to {target}", attempt)
            else:
                raise self._give_up(service, query, f"HTTP {outcome.status}", attempt)

            if attempt >= self.settings.max_retries:
                raise self._give_up(service, query, reason, attempt)
            attempt += 1
            self._count(service, "retries")
            logger.info(
                "%s: %s for %s; retry %d/%d in %.1fs",
                service,
                reason,
                describe(query),
                attempt,
                self.settings.max_retries,
                delay,
            )
            budget.defer(self._clock() + delay)

    def _check_breaker(self, service: str) -> None:
        try:
            self._breakers.check(service)
        except ServiceUnavailable:
            self._count(service, "skipped")
            raise

    def _give_up(self, service: str, query: Query, reason: str, attempt: int) -> ServiceUnavailable:
        self._count(service, "failures")
        self._breakers.failure(service, reason)
        tries = f"after {attempt + 1} attempts" if attempt else "on the first attempt"
        return ServiceUnavailable(
            service,
            f"{service}: {reason} for {describe(query)} ({tries})",
            hint="try again later, or use --offline with a filled cache",
        )

    def _send(self, budget: _Budget, kind: str, service: str, url: str) -> Response | _Failure:
        try:
            # Made before the pacing slot is taken: importing httpx on the first request took long enough under load
            # that the request left late while its spacing counted from when it was due, and the next one came early.
            client = self._http()
        except RuntimeError:
            if not self._closed:
                raise
            return _Failure("the fetcher was closed", retryable=False)
        budget.acquire(kind)
        shared = self._shared_pace if budget.name == "arxiv" else None
        try:
            if shared is not None:
                shared.acquire(self._pause)
            # The breaker may have opened while we waited for a slot.
            self._check_breaker(service)
            self._count(service, "requests")
            logger.debug("GET %s", redact_url(url))
            try:
                answer = self._exchange(client, url)
            except RuntimeError:
                # httpx refuses a closed client: a worker of an abandoned batch retrying after the run closed the
                # fetcher. Its answer has no taker; anything else is a bug.
                if not self._closed:
                    raise
                return _Failure("the fetcher was closed", retryable=False)
            except self._retry_errors as exc:
                reason = redact_url(f"{type(exc).__name__} ({exc})" if str(exc) else type(exc).__name__)
                return _Failure(reason, retryable=True, unreachable=isinstance(exc, self._httpx.ConnectError))
            except self._fatal_errors as exc:
                return _Failure(redact_url(f"{type(exc).__name__} ({exc})"), retryable=False)
        finally:
            if shared is not None:
                shared.release()
            budget.release(kind)
        if isinstance(answer, _Failure):
            return answer
        status, raw_headers, body = answer
        headers = {name: value for name, value in ((n.lower(), v) for n, v in raw_headers) if name in KEPT_HEADERS}
        response = Response(status=status, headers=headers, body=body, url=redact_url(url), fetched_at=_utc_now())
        self._count(service, "bytes", len(response.body))
        if service == "crossref" and self.settings.crossref_rate is None:
            self._learn_crossref_limits(headers)
        return response

    def _exchange(self, client: httpx.Client, url: str) -> tuple[int, list[tuple[str, str]], bytes] | _Failure:
        """One GET, its body read within the deadline and decoded within the size cap (both settings)."""
        settings = self.settings
        deadline = time.monotonic() + settings.deadline
        # No single wait (connecting, or one read) may outlast the deadline either.
        timeout = self._httpx.Timeout(
            min(settings.read_timeout, settings.deadline), connect=min(settings.connect_timeout, settings.deadline)
        )
        with client.stream("GET", url, timeout=timeout) as raw:
            # An in-memory answer (a test's MockTransport) arrives read and decoded already.
            in_memory = raw.is_stream_consumed
            encoding = "identity" if in_memory else raw.headers.get("content-encoding", "identity")
            try:
                decoder = _BoundedDecoder(encoding, settings.max_body_bytes)
            except _Unsupported:
                return _Failure(f"answer in an encoding we did not ask for ({encoding})", retryable=False)
            for chunk in [raw.content] if in_memory else raw.iter_raw():
                if time.monotonic() > deadline:
                    return _Failure(_deadline_reason(settings.deadline), retryable=False)
                try:
                    decoder.feed(chunk)
                except _TooLarge:
                    return _Failure(_size_reason(settings.max_body_bytes), retryable=False)
            if time.monotonic() > deadline:
                return _Failure(_deadline_reason(settings.deadline), retryable=False)
            return raw.status_code, list(raw.headers.multi_items()), decoder.finish()

    def _learn_crossref_limits(self, headers: Mapping[str, str]) -> None:
        announced = parse_rate_limit(headers)
        if announced is None:
            return
        spacing: dict[str, float] = {}
        if announced.spacing is not None:
            record = announced.spacing * PACING_MARGIN
            # The headers announce the single-record limit, even on list answers; lists keep the documented list
            # limit of our pool unless the header is stricter still.
            spacing = {"record": record, "list": max(record, PACING_MARGIN / self._documented_list[0])}
        self._budgets["crossref"].tune(spacing=spacing, capacity=announced.concurrency)


def _deadline_reason(deadline: float) -> str:
    return f"no complete answer within the {deadline:g} s deadline per request (GEOEMB_BIB_DEADLINE)"


def _size_reason(limit: int) -> str:
    return f"answer larger than the {limit} byte cap per response (GEOEMB_BIB_MAX_BODY_BYTES)"


class _TooLarge(Exception):
    """The decoded body grew past the cap."""


class _Unsupported(Exception):
    """A content encoding we did not offer and cannot undo step by step."""


class _BoundedDecoder:
    """Undoes gzip or deflate a step at a time and keeps at most `limit` decoded bytes, so no body, however
    compressed, costs more memory than the cap plus one step."""

    def __init__(self, encoding: str, limit: int) -> None:
        self._encoding = encoding.strip().lower()
        self._limit = limit
        self._parts: list[bytes] = []
        self._size = 0
        self._started = False
        if self._encoding in ("", "identity"):
            self._inflater = None
        elif self._encoding in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self._encoding == "deflate":
            self._inflater = zlib.decompressobj()
        else:
            raise _Unsupported(self._encoding)

    def feed(self, data: bytes) -> None:
        if self._inflater is None:
            self._keep(data)
            return
        while data and not self._inflater.eof:
            try:
                out = self._inflater.decompress(data, DECODE_STEP)
            except zlib.error:
                if self._encoding != "deflate" or self._started:
                    raise
                # "deflate" means zlib-wrapped, but some servers send raw deflate (httpx accepts both too).
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                out = self._inflater.decompress(data, DECODE_STEP)
            self._started = True
            self._keep(out)
            data = self._inflater.unconsumed_tail

    def _keep(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._limit:
            raise _TooLarge
        if data:
            self._parts.append(data)

    def finish(self) -> bytes:
        if self._inflater is not None and not self._inflater.eof and self._started:
            raise zlib.error(f"the {self._encoding} stream was cut short")
        return b"".join(self._parts)


def _cache_files(directory: Path) -> list[Path]:
    # diskcache's own files: the sqlite database (with its journal files) and two-level hex folders of large values.
    found = [path for path in directory.glob("cache.db*") if path.is_file()]
    found += [path for path in directory.iterdir() if path.is_dir() and re.fullmatch(r"[0-9a-f]{2}", path.name)]
    return found


def cache_info(settings: FetchSettings) -> CacheInfo:
    """Where the cache is, its size and its live entries per service; creates nothing. Raises CacheError if unusable."""
    directory = settings.cache_dir
    empty = dict.fromkeys(SERVICES, 0)
    if directory is None or not directory.is_dir():
        return CacheInfo(directory=directory, size_bytes=0, entries=empty)
    cache, errors = _open_cache(directory, read_only_ok=True)
    try:
        entries = dict(empty)
        for key in cache.iterkeys():
            service = key.split(" ", 1)[0] if isinstance(key, str) else None
            if service in entries and key in cache:
                entries[service] += 1
        return CacheInfo(directory=directory, size_bytes=int(cache.volume()), entries=entries)
    except errors as exc:
        raise CacheError(
            f"cache at {directory} is unusable ({exc})", hint="run `geoemb-bib cache clear` to reset it"
        ) from exc
    finally:
        cache.close()


def clear_cache(settings: FetchSettings, service: str | None = None) -> int:
    """Remove the cached answers of one service (or all); returns how many entries went.

    Clearing everything also repairs a damaged cache: when sqlite says the database is damaged, diskcache's files
    are deleted (nothing else in the directory is touched) and 0 is returned, since they cannot be counted.
    A cache that is merely busy or unreadable is left alone and reported as CacheError.
    """
    if service is not None and service not in SERVICES:
        raise ConfigError(f"unknown service {service!r}; known: {', '.join(SERVICES)}")
    directory = settings.cache_dir
    if directory is None or not directory.is_dir():
        return 0
    try:
        cache, errors = _open_cache(directory)
    except CacheError as exc:
        if service is not None or not _is_damage(exc.__cause__):
            raise
        _remove_cache_files(directory)
        return 0
    try:
        return int(cache.clear() if service is None else cache.evict(service))
    except errors as exc:
        if service is not None or not _is_damage(exc):
            raise CacheError(
                f"cache at {directory} cannot be cleared ({exc})", hint="try again, or delete the directory by hand"
            ) from exc
        logger.warning("cache at %s is damaged (%s); deleting its files", directory, exc)
    finally:
        cache.close()
    _remove_cache_files(directory)
    return 0


def _is_damage(exc: BaseException | None) -> bool:
    # sqlite's DatabaseError means a damaged file ("file is not a database", "disk image is malformed"); its
    # OperationalError subclass means locked, unreadable or missing, which deleting files would not cure.
    import sqlite3

    if isinstance(exc, (CacheDamage, UntrustedEntry)):
        return True
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)


def _remove_cache_files(directory: Path) -> None:
    import shutil

    for path in _cache_files(directory):
        try:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError as exc:
            raise CacheError(f"cannot delete {path} ({exc})", hint=f"delete {directory} by hand") from exc


__all__ = [
    "ADVANCED_VARIABLES",
    "BASE_URL_VARIABLES",
    "CACHE_DIR_VARIABLE",
    "DEFAULT_BASE_URLS",
    "DEFAULT_TTL",
    "MAILTO_VARIABLE",
    "RETRY_STATUSES",
    "SERVICES",
    "CacheInfo",
    "FetchSettings",
    "Fetcher",
    "RateLimit",
    "Response",
    "ServiceStats",
    "backoff_delay",
    "build_url",
    "cache_info",
    "cache_key",
    "clear_cache",
    "default_cache_dir",
    "describe",
    "parse_interval",
    "parse_rate_limit",
    "retry_after_seconds",
]
