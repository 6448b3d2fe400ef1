"""fetch.py against httpx.MockTransport: cache, offline, retries, Retry-After, pacing, breakers, a damaged cache."""

from __future__ import annotations

import itertools
import json
import logging
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import diskcache
import httpx
import pytest

from geoemb_bib.errors import (
    BadResponse,
    CacheError,
    ConfigError,
    NotFound,
    OfflineMiss,
    ServiceError,
    ServiceUnavailable,
)
from geoemb_bib.fetch import (
    BASE_URL_VARIABLES,
    DEFAULT_BASE_URLS,
    Fetcher,
    FetchSettings,
    RateLimit,
    Response,
    backoff_delay,
    build_url,
    cache_info,
    cache_key,
    clear_cache,
    parse_interval,
    parse_rate_limit,
    retry_after_seconds,
)
from geoemb_bib.model import Query

SAMPLES = Path(__file__).parent / "fixtures" / "api-samples" / "crossref"
WORK = Query("crossref", "/works/10.1609/aaai.v39i4.32457")
SEARCH = Query("crossref", "/works", (("query.bibliographic", "SatCLIP"), ("rows", "5")))
ARXIV = Query("arxiv", "/api/query", (("id_list", "2309.16020"), ("max_results", "10")))
NOTE = Query("openreview", "/notes", (("id", "I18BXotQ7j"),))
NOTE_V1 = Query("openreview_v1", "/notes", (("id", "WBhqzpF6KYH"),))


class FakeTime:
    """A clock that only moves when the code under test sleeps; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


@dataclass
class Seen:
    """One request the mock transport received, with the fake time it was sent at."""

    at: float
    url: str
    headers: httpx.Headers


Reply = Callable[[httpx.Request], httpx.Response]


@dataclass
class Service:
    """A scripted mock: answers from `script` in order (the last one repeats), or `default`."""

    time: FakeTime
    script: list[Reply | httpx.Response | Exception] = field(default_factory=list)
    default: httpx.Response | None = None
    seen: list[Seen] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(Seen(self.time.now, str(request.url), request.headers))
        step = self.script.pop(0) if len(self.script) > 1 else (self.script[0] if self.script else self.default)
        if isinstance(step, Exception):
            raise step
        if callable(step) and not isinstance(step, httpx.Response):
            return step(request)
        assert step is not None
        return httpx.Response(step.status_code, headers=step.headers, content=step.content)

    def urls(self) -> list[str]:
        return [item.url for item in self.seen]


def ok(body: bytes = b'{"status":"ok"}', headers: Mapping[str, str] | None = None) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "application/json", **(headers or {})}, content=body)


def status(code: int, body: bytes = b"", **headers: str) -> httpx.Response:
    return httpx.Response(
        code,
        headers={"content-type": "text/plain", **{k.replace("_", "-"): v for k, v in headers.items()}},
        content=body,
    )


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def service(fake_time: FakeTime) -> Service:
    return Service(fake_time, default=ok())


@pytest.fixture
def make_fetcher(service: Service, fake_time: FakeTime, tmp_path: Path) -> Iterator[Callable[..., Fetcher]]:
    made: list[Fetcher] = []

    def make(random: Callable[[], float] = lambda: 1.0, **overrides: object) -> Fetcher:
        values: dict[str, Any] = {"cache_dir": tmp_path / "cache", "mailto": "curator@example.org", **overrides}
        settings = FetchSettings(**values)
        fetcher = Fetcher(
            settings,
            transport=httpx.MockTransport(service),
            sleep=fake_time.sleep,
            clock=fake_time.clock,
            random=random,
        )
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


def reject_unless_ok(response: Response) -> None:
    """A stand-in for a source parser: the JSON must say status ok."""
    try:
        document = json.loads(response.body)
    except ValueError as exc:
        raise BadResponse("crossref", f"crossref: not JSON ({exc})") from exc
    if document.get("status") != "ok":
        raise BadResponse("crossref", "crossref: no status ok")


# -- settings, User-Agent, URLs ---------------------------------------------------------------------------------------


def test_user_agent_carries_the_mailto_and_the_requests_send_it(
    make_fetcher: Callable[..., Fetcher], service: Service
) -> None:
    fetcher = make_fetcher()
    assert (
        fetcher.settings.user_agent
        == "geoemb-bib/0.1.0 (https://github.com/geoemb-bib/geoemb-bib; mailto:curator@example.org)"
    )
    assert not fetcher.settings.public_pool
    fetcher.get(WORK)
    assert service.seen[0].headers["user-agent"] == fetcher.settings.user_agent
    assert "mailto" not in service.seen[0].url  # the address goes in the User-Agent only, never into URLs or keys


def test_without_a_mailto_the_user_agent_omits_it_and_the_public_pool_is_announced(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = FetchSettings()
    assert settings.user_agent == "geoemb-bib/0.1.0 (https://github.com/geoemb-bib/geoemb-bib)"
    assert settings.public_pool
    with caplog.at_level(logging.INFO, logger="geoemb_bib.fetch"):
        Fetcher(settings, transport=httpx.MockTransport(lambda r: ok())).close()
    assert sum("public pool" in record.getMessage() for record in caplog.records) == 1


def test_settings_from_environment_read_base_urls_mailto_and_cache_dir(tmp_path: Path) -> None:
    environ = {
        "GEOEMB_BIB_CROSSREF_URL": "http://127.0.0.1:8765/crossref/",
        "GEOEMB_BIB_ARXIV_URL": "http://127.0.0.1:8765/arxiv",
        "GEOEMB_BIB_MAILTO": "me@example.org",
        "GEOEMB_BIB_CACHE_DIR": str(tmp_path / "c"),
        "GEOEMB_BIB_OPENREVIEW_URL": "",
    }
    settings = FetchSettings.from_environment(environ)
    assert settings.base_urls["crossref"] == "http://127.0.0.1:8765/crossref"
    assert settings.base_urls["arxiv"] == "http://127.0.0.1:8765/arxiv"
    assert settings.base_urls["openreview"] == DEFAULT_BASE_URLS["openreview"]
    assert settings.mailto == "me@example.org"
    assert settings.cache_dir == tmp_path / "c"
    assert FetchSettings.from_environment(environ, cache_dir=None, mailto=None).cache_dir is None
    assert set(BASE_URL_VARIABLES) == set(DEFAULT_BASE_URLS)


def test_settings_default_cache_dir_is_the_user_cache_dir() -> None:
    settings = FetchSettings.from_environment({})
    assert settings.cache_dir is not None and "geoemb-bib" in str(settings.cache_dir)
    assert settings.mailto is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"base_urls": {"crossref": "ftp://example.org"}},
        {"base_urls": {"crossref": "127.0.0.1:8765"}},
        {"base_urls": {"zenodo": "https://zenodo.org"}},
        {"mailto": "not an address"},
        {"offline": True, "refresh": True},
        {"arxiv_interval": 0},
        {"breaker_threshold": 0},
    ],
)
def test_bad_settings_are_config_errors(overrides: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        FetchSettings(**overrides)  # type: ignore[arg-type]


def test_urls_append_the_raw_path_to_the_base_url_with_its_prefix() -> None:
    base = "http://127.0.0.1:8765/crossref"
    assert build_url(base, WORK) == "http://127.0.0.1:8765/crossref/works/10.1609/aaai.v39i4.32457"
    odd = Query("crossref", "/works/10.1002/(SICI)1097-4636(199706)35:4<455::AID-JBM5>3.0.CO;2-E#x")
    assert (
        build_url(base, odd)
        == "http://127.0.0.1:8765/crossref/works/10.1002/(SICI)1097-4636(199706)35:4%3C455::AID-JBM5%3E3.0.CO;2-E%23x"
    )
    encoded = Query("crossref", "/works/10.1002/%28SICI%291097-4636%3C455")
    assert build_url(base, encoded) == "http://127.0.0.1:8765/crossref/works/10.1002/%28SICI%291097-4636%3C455"
    arxiv = Query("arxiv", "/api/query", (("id_list", "2309.16020,math/0211159"), ("search_query", 'ti:"a b"')))
    assert build_url("https://export.arxiv.org", arxiv) == (
        "https://export.arxiv.org/api/query?id_list=2309.16020,math/0211159&search_query=ti:%22a%20b%22"
    )


def test_the_base_url_variables_and_path_prefixes_are_used(
    service: Service, fake_time: FakeTime, tmp_path: Path
) -> None:
    environ = {
        variable: f"http://127.0.0.1:8765/{name.replace('_', '-')}" for name, variable in BASE_URL_VARIABLES.items()
    }
    settings = FetchSettings.from_environment(environ, cache_dir=None)
    with Fetcher(
        settings, transport=httpx.MockTransport(service), sleep=fake_time.sleep, clock=fake_time.clock
    ) as fetcher:
        for query in (WORK, ARXIV, NOTE, NOTE_V1):
            fetcher.get(query)
    assert service.urls() == [
        "http://127.0.0.1:8765/crossref/works/10.1609/aaai.v39i4.32457",
        "http://127.0.0.1:8765/arxiv/api/query?id_list=2309.16020&max_results=10",
        "http://127.0.0.1:8765/openreview/notes?id=I18BXotQ7j",
        "http://127.0.0.1:8765/openreview-v1/notes?id=WBhqzpF6KYH",
    ]


# -- the cache --------------------------------------------------------------------------------------------------------


def test_a_cache_hit_makes_no_second_request(make_fetcher: Callable[..., Fetcher], service: Service) -> None:
    fetcher = make_fetcher()
    first = fetcher.get(WORK, validate=reject_unless_ok)
    second = fetcher.get(WORK, validate=reject_unless_ok)
    assert len(service.seen) == 1
    assert not first.from_cache and second.from_cache
    assert (second.status, second.body, second.url, second.fetched_at) == (
        first.status,
        first.body,
        first.url,
        first.fetched_at,
    )
    assert second.headers["content-type"] == "application/json"
    assert fetcher.stats["crossref"].cache_hits == 1 and fetcher.stats["crossref"].requests == 1


def test_the_cache_key_leaves_out_the_host_and_the_mailto(
    service: Service, fake_time: FakeTime, tmp_path: Path
) -> None:
    mirror = FetchSettings(
        cache_dir=tmp_path, base_urls={"crossref": "http://127.0.0.1:9/crossref"}, mailto="a@example.org"
    )
    with Fetcher(
        mirror, transport=httpx.MockTransport(service), sleep=fake_time.sleep, clock=fake_time.clock
    ) as fetcher:
        fetcher.get(WORK)
    real = FetchSettings(cache_dir=tmp_path)
    with Fetcher(real, transport=httpx.MockTransport(service), sleep=fake_time.sleep, clock=fake_time.clock) as fetcher:
        assert fetcher.get(WORK).from_cache
    assert len(service.seen) == 1
    reordered = Query("crossref", "/works", (("rows", "5"), ("query.bibliographic", "SatCLIP")))
    assert cache_key(reordered) == cache_key(SEARCH)


def test_refresh_bypasses_cache_reads_but_still_writes(make_fetcher: Callable[..., Fetcher], service: Service) -> None:
    service.script = [ok(b'{"status":"ok","n":1}'), ok(b'{"status":"ok","n":2}')]
    make_fetcher().get(WORK)
    refreshed = make_fetcher(refresh=True).get(WORK)
    assert not refreshed.from_cache and refreshed.body.endswith(b"2}")
    assert make_fetcher().get(WORK).body.endswith(b"2}")
    assert len(service.seen) == 2


def test_offline_serves_the_cache_and_a_miss_is_a_clean_offline_miss(
    make_fetcher: Callable[..., Fetcher], service: Service
) -> None:
    make_fetcher().get(WORK)
    offline = make_fetcher(offline=True)
    assert offline.get(WORK).from_cache
    with pytest.raises(OfflineMiss) as caught:
        offline.get(SEARCH)
    assert caught.value.service == "crossref"
    assert str(caught.value) == "crossref: GET /works?query.bibliographic=SatCLIP&rows=5 is not in the cache (offline)"
    assert caught.value.hint
    assert len(service.seen) == 1


def test_a_404_is_returned_and_cached_briefly(
    make_fetcher: Callable[..., Fetcher], service: Service, tmp_path: Path
) -> None:
    service.default = status(404, b"Resource not found.")
    fetcher = make_fetcher(negative_ttl=600)
    assert fetcher.get(WORK, validate=reject_unless_ok).status == 404
    again = fetcher.get(WORK, validate=reject_unless_ok)
    assert again.status == 404 and again.from_cache and again.body == b"Resource not found."
    assert len(service.seen) == 1
    fetcher.close()
    with diskcache.Cache(str(tmp_path / "cache")) as cache:
        _, expires = cache.get(cache_key(WORK), expire_time=True)
    import time

    assert 500 < expires - time.time() <= 600


@pytest.mark.parametrize("code", [400, 401, 403, 410])
def test_other_4xx_are_returned_uncached_and_never_retried(
    make_fetcher: Callable[..., Fetcher], service: Service, code: int
) -> None:
    service.default = status(code, b"<feed>error</feed>")
    fetcher = make_fetcher()
    assert fetcher.get(ARXIV).status == code
    assert fetcher.get(ARXIV).status == code
    assert len(service.seen) == 2
    assert fetcher.stats["arxiv"].retries == 0


@pytest.mark.parametrize("code", [429, 500, 502, 503, 504])
def test_429_and_5xx_are_retried_and_never_cached(
    make_fetcher: Callable[..., Fetcher], service: Service, code: int
) -> None:
    service.default = status(code)
    fetcher = make_fetcher(max_retries=2)
    with pytest.raises(ServiceUnavailable) as caught:
        fetcher.get(WORK)
    assert f"HTTP {code}" in str(caught.value) and "after 3 attempts" in str(caught.value)
    assert len(service.seen) == 3
    service.default = ok()
    assert not fetcher.get(WORK).from_cache  # nothing of the failures was cached
    stats = fetcher.stats["crossref"]
    assert (stats.requests, stats.retries, stats.failures, stats.throttled) == (4, 2, 1, 3 if code == 429 else 0)


def test_an_unparseable_body_is_retried_and_never_cached(
    make_fetcher: Callable[..., Fetcher], service: Service
) -> None:
    service.script = [ok(b'{"status":"ok","mess'), ok(b"<html>Just a moment...</html>"), ok()]
    fetcher = make_fetcher()
    good = fetcher.get(WORK, validate=reject_unless_ok)
    assert good.body == b'{"status":"ok"}' and len(service.seen) == 3
    assert fetcher.get(WORK, validate=reject_unless_ok).body == good.body


def test_a_body_that_never_parses_ends_in_bad_response_and_nothing_is_cached(
    make_fetcher: Callable[..., Fetcher], service: Service
) -> None:
    service.default = ok(b"<html>Just a moment...</html>")
    fetcher = make_fetcher(max_retries=1)
    with pytest.raises(BadResponse):
        fetcher.get(WORK, validate=reject_unless_ok)
    assert len(service.seen) == 2
    with pytest.raises(BadResponse):
        fetcher.get(WORK, validate=reject_unless_ok)
    assert len(service.seen) == 4


def test_a_body_the_parser_reads_as_not_found_is_cached_and_the_verdict_repeats(
    make_fetcher: Callable[..., Fetcher], service: Service
) -> None:
    def parser(response: Response) -> None:
        if b"totalResults>0" in response.body:
            raise NotFound("arxiv", "arxiv: no such id")

    service.default = httpx.Response(200, content=b"<feed><opensearch:totalResults>0</opensearch:totalResults></feed>")
    fetcher = make_fetcher()
    for _ in range(2):
        with pytest.raises(NotFound):
            fetcher.get(ARXIV, validate=parser)
    assert len(service.seen) == 1 and fetcher.stats["arxiv"].cache_hits == 1


def test_a_cached_body_the_parser_now_rejects_is_fetched_again(
    make_fetcher: Callable[..., Fetcher], service: Service
) -> None:
    service.script = [ok(b'{"status":"old"}'), ok()]
    fetcher = make_fetcher()
    fetcher.get(WORK)
    assert fetcher.get(WORK, validate=reject_unless_ok).body == b'{"status":"ok"}'
    assert len(service.seen) == 2


def test_an_unreadable_cache_entry_is_a_miss(
    make_fetcher: Callable[..., Fetcher], service: Service, tmp_path: Path
) -> None:
    with diskcache.Cache(str(tmp_path / "cache")) as cache:
        cache.set(cache_key(WORK), b"not a cache frame")
    assert not make_fetcher().get(WORK).from_cache
    assert len(service.seen) == 1


# -- retries and Retry-After ------------------------------------------------------------------------------------------


def test_retry_after_in_seconds_is_honoured(
    make_fetcher: Callable[..., Fetcher], service: Service, fake_time: FakeTime
) -> None:
    service.script = [status(429, retry_after="7"), ok()]
    fetcher = make_fetcher()
    assert fetcher.get(WORK).status == 200
    assert fake_time.sleeps == [7.0]
    assert [seen.at for seen in service.seen] == [1000.0, 1007.0]
    assert fetcher.stats["crossref"].throttled == 1


def test_retry_after_as_an_http_date_is_measured_from_the_answer_date(
    make_fetcher: Callable[..., Fetcher], service: Service, fake_time: FakeTime
) -> None:
    service.script = [
        status(503, retry_after="Wed, 21 Oct 2026 07:28:30 GMT", date="Wed, 21 Oct 2026 07:28:00 GMT"),
        ok(),
    ]
    assert make_fetcher().get(WORK).status == 200
    assert fake_time.sleeps == [30.0]


def test_retry_after_parsing() -> None:
    assert retry_after_seconds({"retry-after": "120"}) == 120.0
    assert retry_after_seconds({"retry-after": "-5"}) == 0.0
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None
    past = {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT", "date": "Wed, 21 Oct 2015 07:29:00 GMT"}
    assert retry_after_seconds(past) == 0.0


def test_a_retry_after_beyond_the_cap_gives_the_service_up_for_the_run(
    make_fetcher: Callable[..., Fetcher], service: Service, fake_time: FakeTime
) -> None:
    service.default = status(429, retry_after="3600")
    fetcher = make_fetcher(max_retry_after=600)
    with pytest.raises(ServiceUnavailable, match="asked to wait 3600 s"):
        fetcher.get(WORK)
    assert fake_time.sleeps == [] and len(service.seen) == 1
    assert "crossref" in fetcher.tripped
    with pytest.raises(ServiceUnavailable):
        fetcher.get(SEARCH)
    assert len(service.seen) == 1


def test_backoff_is_exponential_capped_and_fully_jittered(
    make_fetcher: Callable[..., Fetcher], service: Service, fake_time: FakeTime
) -> None:
    service.default = status(503)
    with pytest.raises(ServiceUnavailable):
        make_fetcher(max_retries=4, max_backoff=5.0, random=lambda: 1.0).get(NOTE)
    assert fake_time.sleeps == [1.0, 2.0, 4.0, 5.0]
    fake_time.sleeps.clear()
    with pytest.raises(ServiceUnavailable):
        make_fetcher(max_retries=3, random=lambda: 0.25).get(Query("openreview", "/notes", (("id", "other"),)))
    # Pacing (0.5 s between OpenReview requests) is the floor when the jittered delay is shorter.
    assert fake_time.sleeps == [0.5, 0.5, 1.0]


def test_backoff_delay_bounds() -> None:
    for attempt in range(8):
        low = backoff_delay(attempt, base=1.0, cap=60.0, random=lambda: 0.0)
        high = backoff_delay(attempt, base=1.0, cap=60.0, random=lambda: 1.0)
        assert low == 0.0 and high == min(60.0, 2.0**attempt)
    assert backoff_delay(0, base=6.0, cap=60.0, floor=6.0, random=lambda: 0.0) == 6.0
    assert backoff_delay(10, base=6.0, cap=60.0, floor=6.0, random=lambda: 1.0) == 60.0


def test_arxiv_backs_off_well_beyond_its_three_seconds(
    make_fetcher: Callable[..., Fetcher], service: Service, fake_time: FakeTime
) -> None:
    service.script = [status(429), status(503), ok()]
    make_fetcher(random=lambda: 0.0).get(ARXIV)
    assert fake_time.sleeps == [6.0, 6.0]
    gaps = [b.at - a.at for a, b in itertools.pairwise(service.seen)]
    assert all(gap >= 6.0 for gap in gaps)


def test_transport_errors_are_retried(make_fetcher: Callable[..., Fetcher], service: Service) -> None:
    request = httpx.Request("GET", "http://x")
    service.script = [
        httpx.ConnectError("refused", request=request),
        httpx.ReadTimeout("slow", request=request),
        httpx.RemoteProtocolError("peer closed connection without sending complete message body", request=request),
        ok(),
    ]
    fetcher = make_fetcher()
    assert fetcher.get(WORK).status == 200
    assert fetcher.stats["crossref"].retries == 3


def test_a_redirect_is_reported_not_followed(make_fetcher: Callable[..., Fetcher], service: Service) -> None:
    service.default = httpx.Response(301, headers={"location": "https://export.arxiv.org/api/query"})
    with pytest.raises(ServiceUnavailable, match=re.escape("redirect to https://export.arxiv.org/api/query")):
        make_fetcher().get(ARXIV)
    assert len(service.seen) == 1


def test_an_unknown_service_is_a_programming_error(make_fetcher: Callable[..., Fetcher]) -> None:
    with pytest.raises(ValueError, match="zenodo"):
        make_fetcher().get(Query("zenodo", "/records"))


# -- rate-limit headers and pacing -------------------------------------------------------------------------------------


def _recorded_headers(name: str) -> dict[str, str]:
    document = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    return {key.lower(): values[0] for key, values in document["headers"].items()}


@pytest.mark.parametrize(
    ("recording", "expected"),
    [
        ("headers-only_2024-10-13_public-pool_works-10.1371-journal.pone.0033693.json", RateLimit(50, 1.0, None)),
        ("headers-only_2025-07-12_public-pool_works-10.1371-journal.pone.0033693.json", RateLimit(50, 1.0, None)),
        ("headers-only_2026-01-05_plus-pool_works-query.title.json", RateLimit(150, 1.0, None)),
        ("works-list_query-ecology_rows2_scores.headers.json", RateLimit(10, 1.0, 3)),
        ("works_journal-article_10.1371-journal.pone.0033693.headers.json", RateLimit(5, 1.0, 1)),
        ("works_404_arxiv-doi-is-datacite_10.48550-arxiv.2312.07559.headers.json", RateLimit(150, 1.0, None)),
    ],
)
def test_every_recorded_spelling_of_the_rate_limit_headers_is_understood(recording: str, expected: RateLimit) -> None:
    assert parse_rate_limit(_recorded_headers(recording)) == expected


def test_rate_limit_intervals_and_unusable_headers() -> None:
    assert (
        parse_interval("1s") == 1.0
        and parse_interval("500ms") == 0.5
        and parse_interval("2m") == 120.0
        and parse_interval("3") == 3.0
    )
    assert parse_interval("soon") is None and parse_interval("0s") is None
    assert parse_rate_limit({"content-type": "application/json"}) is None
    assert parse_rate_limit({"x-rate-limit-limit": "zero"}) is None
    assert RateLimit(10, 1.0, 3).spacing == 0.1


def test_arxiv_is_asked_once_every_three_seconds_and_the_first_request_goes_at_once(
    make_fetcher: Callable[..., Fetcher], service: Service
) -> None:
    fetcher = make_fetcher()
    for number in range(3):
        fetcher.get(Query("arxiv", "/api/query", (("id_list", f"2309.1602{number}"),)))
    assert [seen.at for seen in service.seen] == [1000.0, 1003.0, 1006.0]


def test_different_services_do_not_wait_for_each_other(make_fetcher: Callable[..., Fetcher], service: Service) -> None:
    fetcher = make_fetcher()
    fetcher.get(ARXIV)
    fetcher.get(WORK)
    fetcher.get(NOTE)
    fetcher.get(Query("arxiv", "/api/query", (("id_list", "2310.06743"),)))
    assert [seen.at for seen in service.seen] == [1000.0, 1000.0, 1000.0, 1003.0]


def _gaps(service: Service) -> list[float]:
    return [round(b.at - a.at, 4) for a, b in itertools.pairwise(service.seen)]


def test_crossref_lists_are_paced_by_the_documented_pool_limit(
    make_fetcher: Callable[..., Fetcher], service: Service
) -> None:
    searches = [Query("crossref", "/works", (("query.bibliographic", f"title {n}"),)) for n in range(3)]
    polite = make_fetcher()
    for query in searches:
        polite.get(query)
    assert _gaps(service) == [round(1.1 / 3, 4)] * 2  # 3/s, with our 10% margin
    service.seen.clear()
    public = make_fetcher(mailto=None, cache_dir=None)
    for query in searches:
        public.get(query)
    assert _gaps(service) == [1.1, 1.1]  # 1/s without a contact address


def test_crossref_single_records_follow_the_announced_limit(
    make_fetcher: Callable[..., Fetcher], service: Service
) -> None:
    works = [Query("crossref", f"/works/10.1/{n}") for n in range(4)]
    service.default = ok(headers={"x-rate-limit-limit": "5", "x-rate-limit-interval": "1s", "x-concurrency-limit": "1"})
    fetcher = make_fetcher()
    for query in works:
        fetcher.get(query)
    # Before any header: the polite pool's documented 10/s; after the first answer: the announced 5/s.
    assert _gaps(service) == [0.11, 0.22, 0.22]
    service.seen.clear()
    service.default = ok(headers={"x-ratelimit-limit": "50", "x-ratelimit-interval": "1s"})
    for query in [Query("crossref", f"/works/10.2/{n}") for n in range(3)]:
        fetcher.get(query)
    # The first of these was spaced when the old limit held; the announced 50/s applies from then on.
    assert _gaps(service) == [0.22, 0.022]
    # A faster announced record limit never speeds list queries beyond the documented list limit.
    service.seen.clear()
    for n in range(2):
        fetcher.get(Query("crossref", "/works", (("query.bibliographic", f"t{n}"),)))
    assert _gaps(service) == [round(1.1 / 3, 4)]


def test_both_openreview_hosts_share_one_budget(make_fetcher: Callable[..., Fetcher], service: Service) -> None:
    fetcher = make_fetcher()
    for number in range(2):
        fetcher.get(Query("openreview", "/notes", (("id", f"a{number}"),)))
        fetcher.get(Query("openreview_v1", "/notes", (("id", f"b{number}"),)))
    assert _gaps(service) == [0.5, 0.5, 0.5]


def test_a_429_holds_back_the_whole_service_not_just_the_request(
    make_fetcher: Callable[..., Fetcher], service: Service
) -> None:
    service.script = [status(429, retry_after="4"), ok()]
    fetcher = make_fetcher()
    fetcher.get(WORK)
    fetcher.get(Query("crossref", "/works/10.1/other"))
    assert [seen.at for seen in service.seen] == [1000.0, 1004.0, 1004.11]


# -- the circuit breaker ----------------------------------------------------------------------------------------------


def test_the_breaker_trips_after_n_failures_in_a_row_and_stops_asking(
    make_fetcher: Callable[..., Fetcher], service: Service
) -> None:
    service.default = None
    service.script = [lambda request: status(503) if "/works/" in str(request.url) else ok()]
    fetcher = make_fetcher(max_retries=0, breaker_threshold=3)
    fetcher.get(NOTE)
    for number in range(3):
        with pytest.raises(ServiceUnavailable):
            fetcher.get(Query("crossref", f"/works/10.1/{number}"))
    assert fetcher.tripped == {"crossref": "crossref: stopped asking after 3 failures in a row (last: HTTP 503)"}
    asked = len(service.seen)
    with pytest.raises(ServiceUnavailable, match="stopped asking after 3 failures in a row"):
        fetcher.get(Query("crossref", "/works/10.1/next"))
    assert len(service.seen) == asked
    assert fetcher.stats["crossref"].skipped == 1
    assert fetcher.get(NOTE).from_cache
    assert fetcher.get(Query("openreview", "/notes", (("id", "other"),))).status == 200  # other services carry on


def test_a_success_resets_the_failure_streak(make_fetcher: Callable[..., Fetcher], service: Service) -> None:
    service.script = [status(503), status(503), ok(), status(503), status(503)]
    fetcher = make_fetcher(max_retries=0, breaker_threshold=3)
    outcomes: list[object] = []
    for number in range(5):
        try:
            outcomes.append(fetcher.get(Query("crossref", f"/works/10.1/{number}")).status)
        except ServiceUnavailable:
            outcomes.append(None)
    assert outcomes == [None, None, 200, None, None]
    assert fetcher.tripped == {}


# -- get_many ----------------------------------------------------------------------------------------------------------


def test_get_many_keeps_input_order_and_returns_failures_as_values(
    make_fetcher: Callable[..., Fetcher], service: Service
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if "missing" in str(request.url):
            return status(404, b"Resource not found.")
        if "broken" in str(request.url):
            return status(503)
        return ok(str(request.url).encode())

    service.default = None
    service.script = [answer]
    fetcher = make_fetcher(max_retries=1)
    queries = [
        WORK,
        Query("crossref", "/works/10.1/missing"),
        NOTE,
        Query("crossref", "/works/10.1/broken"),
        ARXIV,
        NOTE_V1,
        WORK,
    ]
    events: list[tuple[int, str]] = []
    results = fetcher.get_many(queries, on_result=lambda index, query, result: events.append((index, query.service)))
    assert isinstance(results[1], Response) and results[1].status == 404
    assert isinstance(results[3], ServiceUnavailable)
    for index in (0, 2, 4, 5, 6):
        result = results[index]
        assert isinstance(result, Response) and result.url.endswith(build_url("", queries[index]))
    assert sorted(events) == [(index, query.service) for index, query in enumerate(queries)]
    # The duplicate WORK was asked once; the broken one twice (one retry).
    assert len(service.seen) == 7


def test_get_many_runs_services_concurrently(service: Service, tmp_path: Path) -> None:
    """With real threads and a real clock: OpenReview answers do not queue behind arXiv's spacing."""
    started = threading.Event()

    def answer(request: httpx.Request) -> httpx.Response:
        started.set()
        return ok()

    settings = FetchSettings(cache_dir=None, arxiv_interval=0.3, mailto="a@example.org")
    with Fetcher(settings, transport=httpx.MockTransport(answer)) as fetcher:
        queries = [Query("arxiv", "/api/query", (("id_list", str(n)),)) for n in range(3)] + [
            Query("openreview", "/notes", (("id", "x"),))
        ]
        order: list[str] = []
        fetcher.get_many(queries, on_result=lambda index, query, result: order.append(query.service))
    assert order.index("openreview") < 2


def test_errors_from_get_many_are_service_errors_with_the_service(make_fetcher: Callable[..., Fetcher]) -> None:
    results = make_fetcher(offline=True).get_many([WORK, ARXIV])
    assert all(isinstance(item, OfflineMiss) for item in results)
    assert [item.service for item in results if isinstance(item, ServiceError)] == ["crossref", "arxiv"]


# -- a damaged cache ---------------------------------------------------------------------------------------------------


def test_a_cache_file_full_of_garbage_is_bypassed_not_fatal(
    make_fetcher: Callable[..., Fetcher], service: Service, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    directory = tmp_path / "cache"
    directory.mkdir()
    (directory / "cache.db").write_bytes(b"this is not an sqlite database " * 100)
    with caplog.at_level(logging.WARNING, logger="geoemb_bib.fetch"):
        fetcher = make_fetcher()
        assert fetcher.get(WORK).status == 200
        assert fetcher.get(WORK).status == 200
    assert len(service.seen) == 2  # no cache: asked twice
    assert fetcher.cache_problem is not None and "running without a cache" in fetcher.cache_problem
    assert sum("cache" in record.getMessage() for record in caplog.records) == 1


def test_a_cache_dir_that_is_a_file_is_bypassed(make_fetcher: Callable[..., Fetcher], tmp_path: Path) -> None:
    (tmp_path / "not-a-dir").write_text("x")
    fetcher = make_fetcher(cache_dir=tmp_path / "not-a-dir")
    assert fetcher.get(WORK).status == 200
    assert fetcher.cache_problem is not None


def test_a_cache_damaged_during_the_run_is_bypassed(
    make_fetcher: Callable[..., Fetcher], service: Service, tmp_path: Path
) -> None:
    fetcher = make_fetcher()
    fetcher.get(WORK)
    # sqlite runs in WAL mode: damage the journal files too, or it keeps serving from them.
    for name in ("cache.db", "cache.db-wal", "cache.db-shm"):
        (tmp_path / "cache" / name).write_bytes(b"\0garbage" * 4096)
    for number in range(3):
        assert fetcher.get(Query("crossref", f"/works/10.1/{number}")).status == 200
    assert fetcher.get(WORK).status == 200
    assert fetcher.cache_problem is not None and "running without a cache" in fetcher.cache_problem
    assert len(service.seen) == 5


def test_cache_info_and_clear_per_service(make_fetcher: Callable[..., Fetcher], tmp_path: Path) -> None:
    settings = FetchSettings(cache_dir=tmp_path / "cache")
    assert cache_info(settings).total_entries == 0 and not (tmp_path / "cache").exists()  # info creates nothing
    fetcher = make_fetcher()
    for query in (WORK, SEARCH, ARXIV, NOTE, NOTE_V1):
        fetcher.get(query)
    fetcher.close()
    info = cache_info(settings)
    assert info.directory == tmp_path / "cache"
    assert dict(info.entries) == {"arxiv": 1, "crossref": 2, "openreview": 1, "openreview_v1": 1}
    assert info.size_bytes > 0
    assert clear_cache(settings, "crossref") == 2
    assert dict(cache_info(settings).entries) == {"arxiv": 1, "crossref": 0, "openreview": 1, "openreview_v1": 1}
    assert clear_cache(settings) == 3
    assert cache_info(settings).total_entries == 0
    with pytest.raises(ConfigError):
        clear_cache(settings, "zenodo")


def test_clearing_a_damaged_cache_repairs_it(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    directory.mkdir()
    (directory / "cache.db").write_bytes(b"garbage" * 100)
    (directory / "notes.txt").write_text("the user's own file")
    settings = FetchSettings(cache_dir=directory)
    with pytest.raises(CacheError) as caught:
        cache_info(settings)
    assert caught.value.hint and "cache clear" in caught.value.hint
    with pytest.raises(CacheError):
        clear_cache(settings, "crossref")
    assert clear_cache(settings) == 0
    assert cache_info(settings).total_entries == 0
    assert (directory / "notes.txt").read_text() == "the user's own file"


def test_clearing_leaves_an_unreadable_but_undamaged_cache_alone(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    (directory / "cache.db").mkdir(parents=True)  # sqlite cannot open it: unreadable, not damaged
    (directory / "cache.db" / "keep").write_text("x")
    with pytest.raises(CacheError):
        clear_cache(FetchSettings(cache_dir=directory))
    assert (directory / "cache.db" / "keep").exists()


def test_a_corrupt_gzip_stream_is_retried(make_fetcher: Callable[..., Fetcher], service: Service) -> None:
    service.script = [
        lambda request: httpx.Response(200, headers={"content-encoding": "gzip"}, content=b"not gzip at all"),
        ok(),
    ]
    fetcher = make_fetcher()
    assert fetcher.get(WORK).body == b'{"status":"ok"}'
    assert fetcher.stats["crossref"].retries == 1


def test_validators_may_be_given_per_service(make_fetcher: Callable[..., Fetcher], service: Service) -> None:
    def arxiv_parser(response: Response) -> None:
        raise NotFound("arxiv", "arxiv: no such id")

    service.default = ok(b"not json")
    results = make_fetcher(max_retries=0).get_many(
        [ARXIV, WORK, NOTE], validate={"arxiv": arxiv_parser, "crossref": reject_unless_ok}
    )
    assert isinstance(results[0], NotFound)
    assert isinstance(results[1], BadResponse)  # the Crossref parser refused it
    assert isinstance(results[2], Response)  # no parser for OpenReview: taken as it is


def test_an_abandoned_batch_does_not_wait_out_a_long_retry_after() -> None:
    """Real clock and waits: a callback that fails while arXiv asks for 30 s ends get_many at once."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/api/query"):
            return status(429, retry_after="30")
        return ok()

    class Stop(Exception):
        pass

    def stop_on_openreview(index: int, query: Query, result: object) -> None:
        if query.service == "openreview":
            raise Stop

    import time

    with Fetcher(FetchSettings(mailto="a@example.org"), transport=httpx.MockTransport(answer)) as fetcher:
        started = time.monotonic()
        with pytest.raises(Stop):
            fetcher.get_many([ARXIV, NOTE], on_result=stop_on_openreview)
        assert time.monotonic() - started < 5
        assert fetcher.get(NOTE_V1).status == 200  # the fetcher is still usable afterwards


def test_openreview_searches_stay_within_the_guest_limit_of_twenty_a_minute(
    make_fetcher: Callable[..., Fetcher], service: Service
) -> None:
    """openreview/openreview#254: guests may search 20 times a minute; a longer list waits for the window."""
    fetcher = make_fetcher()
    searches = [Query("openreview", "/notes/search", (("term", f"title {n}"),)) for n in range(25)]
    for query in searches:
        fetcher.get(query)
    starts = [seen.at for seen in service.seen]
    assert starts[:19] == [1000.0 + 0.5 * n for n in range(19)]  # the usual 2/s while the window has room
    for index, start in enumerate(starts):
        assert sum(1 for other in starts[: index + 1] if other > start - 61.0) <= 19
    assert starts[19] == 1061.0
    # Lookups by id are not searches: they are not held back by the search window.
    fetcher.get(NOTE)
    assert service.seen[-1].at - starts[-1] <= 0.5 + 1e-9


def test_an_openreview_429_without_retry_after_waits_for_the_reset_time_in_its_body(
    make_fetcher: Callable[..., Fetcher], service: Service
) -> None:
    body = json.dumps(
        {
            "name": "RateLimitError",
            "message": "Too many requests",
            "status": 429,
            "details": {"limit": 20, "remaining": 0, "resetTime": "2026-11-27T10:00:42.000Z"},
        }
    ).encode()
    service.script = [
        httpx.Response(
            429, headers={"content-type": "application/json", "date": "Fri, 27 Nov 2026 10:00:30 GMT"}, content=body
        ),
        ok(),
    ]
    fetcher = make_fetcher()
    fetcher.get(Query("openreview", "/notes/search", (("term", "x"),)))
    assert [seen.at for seen in service.seen] == [1000.0, 1012.0]
