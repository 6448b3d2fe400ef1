"""The loopback fake answers the replay requests like the real services, and fetch.py survives it misbehaving.

Every body served here is from the replay corpus (reconstructed, not live data); no test asserts on its synthetic
values.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
import yaml

from fakeservices import REPLAY, FakeServices, Fault, Limits
from geoemb_bib.errors import BadResponse, ServiceUnavailable
from geoemb_bib.fetch import Fetcher, FetchSettings, Response
from geoemb_bib.model import Query

SAMPLES = Path(__file__).parent / "fixtures" / "api-samples"
MANIFEST = yaml.safe_load((REPLAY / "MANIFEST.yaml").read_text(encoding="utf-8"))
ATOM = "{http://www.w3.org/2005/Atom}"
SATCLIP_DOI = "10.1609/aaai.v39i4.32457"
SATCLIP = Query("crossref", f"/works/{SATCLIP_DOI}")


def manifest_file(path: str) -> dict[str, object]:
    return next(item for item in MANIFEST["files"] if item["path"] == path)


def get(fake: FakeServices, service: str, path: str, params: dict[str, str] | None = None) -> httpx.Response:
    return httpx.get(fake.base_urls[service] + path, params=params)


def arxiv_ids(body: bytes) -> list[str]:
    root = ElementTree.fromstring(body)
    return [entry.findtext(f"{ATOM}id", "").rsplit("/", 1)[-1] for entry in root.iter(f"{ATOM}entry")]


def json_body(response: Response) -> None:
    """A stand-in for a JSON source parser: refuses anything that is not a whole JSON document."""
    try:
        json.loads(response.body)
    except ValueError as exc:
        raise BadResponse("crossref", f"not JSON ({exc})") from exc


def atom_body(response: Response) -> None:
    """A stand-in for the arXiv parser: refuses anything that is not a whole Atom feed."""
    try:
        root = ElementTree.fromstring(response.body)
    except ElementTree.ParseError as exc:
        raise BadResponse("arxiv", f"not XML ({exc})") from exc
    if root.tag != f"{ATOM}feed":
        raise BadResponse("arxiv", "not a feed")


@pytest.fixture
def fetcher_for(fake_services: FakeServices, tmp_path: Path) -> Iterator[Callable[..., Fetcher]]:
    made: list[Fetcher] = []

    def make(**overrides: object) -> Fetcher:
        # A short backoff cap keeps retries quick; the backoff itself is tested against a mock transport.
        values: dict[str, object] = {
            "cache_dir": tmp_path / "cache",
            "mailto": "curator@example.org",
            "max_backoff": 0.2,
            **overrides,
        }
        settings = FetchSettings.from_environment(fake_services.env(), **values)
        fetcher = Fetcher(settings)
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


# -- the replay corpus as the services would answer it ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["arxiv/feed-id_list-all-seed.xml", "arxiv/feed-id_list-all-known.xml"])
def test_replay_arxiv_batches_are_answered_with_the_stored_feeds_byte_for_byte(
    fake_services: FakeServices, path: str
) -> None:
    request = manifest_file(path)["request"]
    assert isinstance(request, dict)
    answer = get(fake_services, "arxiv", "/api/query", request["query"])
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert answer.content == (REPLAY / path).read_bytes()


def test_replay_arxiv_versions_unknown_ids_order_and_max_results(fake_services: FakeServices) -> None:
    answer = get(
        fake_services,
        "arxiv",
        "/api/query",
        {"id_list": "2503.16683,2506.20380v1,2103.16607,0808.05394", "max_results": "10"},
    )
    # Unversioned: latest version; versioned: that one; unknown: silently dropped; order: not the request's.
    assert arxiv_ids(answer.content) == ["2103.16607v2", "2506.20380v1", "2503.16683v2"]
    page = get(
        fake_services, "arxiv", "/api/query", {"id_list": "2503.16683,2506.20380v1,2103.16607", "max_results": "2"}
    )
    root = ElementTree.fromstring(page.content)
    assert len(arxiv_ids(page.content)) == 2
    assert root.findtext("{http://a9.com/-/spec/opensearch/1.1/}totalResults") == "3"
    assert root.findtext("{http://a9.com/-/spec/opensearch/1.1/}itemsPerPage") == "2"
    default = get(fake_services, "arxiv", "/api/query", {"id_list": ",".join(f"25{n:02d}.00000" for n in range(1, 13))})
    assert arxiv_ids(default.content) == []


def test_replay_a_malformed_arxiv_id_gets_the_http_400_error_feed(fake_services: FakeServices) -> None:
    answer = get(fake_services, "arxiv", "/api/query", {"id_list": "abc", "max_results": "10"})
    assert answer.status_code == 400
    recorded = (SAMPLES / "arxiv" / "2026_id_list-abc_error-feed_http400.xml").read_text(encoding="utf-8")
    times = re.compile(r"<updated>[^<]+</updated>")
    assert times.sub("<updated/>", answer.text) == times.sub("<updated/>", recorded)


def test_replay_crossref_works_by_doi(fake_services: FakeServices) -> None:
    stored = (REPLAY / "crossref" / "works" / "10.1609_aaai.v39i4.32457.json").read_bytes()
    assert get(fake_services, "crossref", "/works/10.1609/AAAI.V39I4.32457").content == stored
    assert get(fake_services, "crossref", "/works/10.1609%2Faaai.v39i4.32457").content == stored
    for doi in ("10.48550/arXiv.2510.17914", "10.5555/nothing-here"):
        missing = get(fake_services, "crossref", f"/works/{doi}")
        assert (missing.status_code, missing.headers["content-type"], missing.content) == (
            404,
            "text/plain",
            b"Resource not found.",
        )
    refused = get(fake_services, "crossref", f"/works/{SATCLIP_DOI}", {"query.author": "Klemmer"})
    assert refused.status_code == 400 and refused.json()["message-type"] == "validation-failure"


def test_replay_crossref_answers_carry_the_pool_headers(fake_services: FakeServices) -> None:
    polite = httpx.get(
        f"{fake_services.base_urls['crossref']}/works/{SATCLIP_DOI}", headers={"User-Agent": "x (mailto:a@example.org)"}
    )
    expected = manifest_file("crossref/works/10.1609_aaai.v39i4.32457.json")
    assert expected
    for name, value in MANIFEST["services"]["crossref"]["default_response"]["headers"].items():
        assert polite.headers[name] == value
    public = get(fake_services, "crossref", f"/works/{SATCLIP_DOI}")
    assert (
        public.headers["x-api-pool"],
        public.headers["x-rate-limit-limit"],
        public.headers["x-concurrency-limit"],
    ) == ("public", "5", "1")


def test_replay_crossref_search_by_title_rows_and_select(fake_services: FakeServices) -> None:
    request = manifest_file("crossref/search/satclip.json")["request"]
    assert isinstance(request, dict)
    exact = get(fake_services, "crossref", "/works", request["query"])
    assert exact.content == (REPLAY / "crossref" / "search" / "satclip.json").read_bytes()
    title = "  satclip: GLOBAL, general-purpose   location embeddings with satellite imagery "
    trimmed = get(
        fake_services, "crossref", "/works", {"query.bibliographic": title, "rows": "2", "select": "DOI,title"}
    ).json()["message"]
    assert trimmed["items-per-page"] == 2
    assert [sorted(item) for item in trimmed["items"]] == [["DOI", "title"], ["DOI", "title"]]
    assert trimmed["items"][0]["DOI"] == SATCLIP_DOI
    assert (
        "\\/" in get(fake_services, "crossref", "/works", {"query.bibliographic": title, "rows": "2"}).text
    )  # Crossref's escaping


def test_replay_an_unknown_crossref_search_has_zero_results_in_the_real_shape(fake_services: FakeServices) -> None:
    answer = get(fake_services, "crossref", "/works", {"query.bibliographic": "no such paper at all", "rows": "1"})
    assert answer.content == (SAMPLES / "crossref" / "works-list_query.title_rows1_zero-results.json").read_bytes()


def test_replay_openreview_notes_v2_v1_and_count(fake_services: FakeServices) -> None:
    stored = (REPLAY / "openreview" / "notes" / "I18BXotQ7j.json").read_bytes()
    assert get(fake_services, "openreview", "/notes", {"id": "I18BXotQ7j", "count": "true"}).content == stored
    plain = get(fake_services, "openreview", "/notes", {"id": "I18BXotQ7j"}).json()
    assert "count" not in plain and plain["notes"] == json.loads(stored)["notes"]
    v1_only = get(fake_services, "openreview", "/notes", {"id": "WBhqzpF6KYH", "count": "true"})
    assert v1_only.status_code == 404
    assert v1_only.json() == {
        "name": "NotFoundError",
        "message": "The Note WBhqzpF6KYH was not found",
        "status": 404,
        "details": {"path": "id", "value": "WBhqzpF6KYH"},
    }
    v1 = get(fake_services, "openreview_v1", "/notes", {"id": "WBhqzpF6KYH"})
    assert v1.content == (REPLAY / "openreview" / "notes" / "WBhqzpF6KYH.json").read_bytes()
    assert get(fake_services, "openreview_v1", "/notes", {"id": "I18BXotQ7j"}).status_code == 404
    forum = get(fake_services, "openreview", "/notes", {"forum": "PudduufFLa"}).json()
    assert [note["id"] for note in forum["notes"]] == ["PudduufFLa"]


def test_replay_openreview_search_by_term(fake_services: FakeServices) -> None:
    request = manifest_file("openreview/search/presto.json")["request"]
    assert isinstance(request, dict)
    found = get(fake_services, "openreview", "/notes/search", request["query"])
    assert found.content == (REPLAY / "openreview" / "search" / "presto.json").read_bytes()
    counted = get(fake_services, "openreview", "/notes/search", {**request["query"], "count": "true"}).json()
    assert counted["count"] == len(counted["notes"]) == 1
    assert get(fake_services, "openreview", "/notes/search", {"term": "nothing like this"}).json() == {"notes": []}


# -- faults, the log and the environment -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        *("429", "503/retry-after=2", "429/retry-after=http-date+1", "reset", "drop", "slow=2.5", "truncate", "cut"),
        *("invalid", "html", "html=503", "arxiv-error", "openreview-error=403"),
    ],
)
def test_fault_specs_round_trip(spec: str) -> None:
    assert str(Fault.parse(spec)) == spec


def test_unknown_fault_specs_are_refused() -> None:
    for spec in ("teapot", "429/wait=3", "status"):
        with pytest.raises(ValueError):
            Fault.parse(spec)


def test_faults_apply_to_the_next_n_matching_requests_and_are_logged(fake_services: FakeServices) -> None:
    fake_services.inject("crossref", "503", times=2, path=r"/works/10\.1609")
    fake_services.inject("openreview", "openreview-error=403", times=None)
    codes = [get(fake_services, "crossref", f"/works/{SATCLIP_DOI}").status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    assert get(fake_services, "crossref", "/works/10.1109/ICCV48922.2021.00928").status_code == 200
    for _ in range(2):
        forbidden = get(fake_services, "openreview", "/notes", {"id": "I18BXotQ7j"})
        assert forbidden.status_code == 403 and forbidden.json()["name"] == "ForbiddenError"
    log = fake_services.log
    assert [(item.service, item.status, item.fault) for item in log] == [
        ("crossref", 503, "503"),
        ("crossref", 503, "503"),
        ("crossref", 200, None),
        ("crossref", 200, None),
        ("openreview", 403, "openreview-error=403"),
        ("openreview", 403, "openreview-error=403"),
    ]
    assert fake_services.count("crossref") == 4 and not fake_services.limited()
    fake_services.clear_faults()
    assert get(fake_services, "openreview", "/notes", {"id": "I18BXotQ7j"}).status_code == 200


def test_the_env_points_every_service_at_its_mount(fake_services: FakeServices, tmp_path: Path) -> None:
    env = fake_services.env(cache_dir=tmp_path / "cache", mailto="a@example.org")
    port = fake_services.port
    assert env == {
        "GEOEMB_BIB_ARXIV_URL": f"http://127.0.0.1:{port}/arxiv",
        "GEOEMB_BIB_CROSSREF_URL": f"http://127.0.0.1:{port}/crossref",
        "GEOEMB_BIB_OPENREVIEW_URL": f"http://127.0.0.1:{port}/openreview",
        "GEOEMB_BIB_OPENREVIEW_V1_URL": f"http://127.0.0.1:{port}/openreview-v1",
        "GEOEMB_BIB_CACHE_DIR": str(tmp_path / "cache"),
        "GEOEMB_BIB_MAILTO": "a@example.org",
    }


# -- fetch.py against the fake over loopback HTTP ---------------------------------------------------------------------


def test_a_429_storm_with_retry_after_is_waited_out(
    fake_services: FakeServices, fetcher_for: Callable[..., Fetcher]
) -> None:
    fake_services.inject("crossref", "429/retry-after=0.2", times=3)
    fake_services.inject("openreview", "503/retry-after=http-date+1", times=1)
    fetcher = fetcher_for()
    assert fetcher.get(SATCLIP, validate=json_body).status == 200
    assert fetcher.get(Query("openreview", "/notes", (("id", "I18BXotQ7j"),)), validate=json_body).status == 200
    times = [item.time for item in fake_services.requests("crossref")]
    assert len(times) == 4 and all(later - earlier >= 0.2 for earlier, later in pairwise(times))
    notes = [item.time for item in fake_services.requests("openreview")]
    assert notes[1] - notes[0] >= 0.9  # the HTTP-date said one second after the answer's Date
    assert fetcher.stats["crossref"].throttled == 3 and fetcher.stats["crossref"].retries == 3


@pytest.mark.parametrize("spec", ["truncate", "cut"])
def test_a_truncated_body_is_retried_and_never_cached(
    fake_services: FakeServices, fetcher_for: Callable[..., Fetcher], spec: str
) -> None:
    fake_services.inject("crossref", spec, times=1)
    stored = (REPLAY / "crossref" / "works" / "10.1609_aaai.v39i4.32457.json").read_bytes()
    first = fetcher_for().get(SATCLIP, validate=json_body)
    assert first.body == stored and not first.from_cache
    assert [item.fault for item in fake_services.log] == [spec, None]
    again = fetcher_for().get(SATCLIP, validate=json_body)
    assert again.from_cache and again.body == stored
    assert fake_services.count() == 2


@pytest.mark.parametrize("spec", ["reset", "drop", "slow=1"])
def test_dropped_connections_and_slow_answers_are_retried(
    fake_services: FakeServices, fetcher_for: Callable[..., Fetcher], spec: str
) -> None:
    fake_services.inject("arxiv", spec, times=1)
    fetcher = fetcher_for(read_timeout=0.3, arxiv_interval=0.05)
    answer = fetcher.get(Query("arxiv", "/api/query", (("id_list", "2309.16020"),)), validate=atom_body)
    assert arxiv_ids(answer.body) == ["2309.16020v2"]
    assert fetcher.stats["arxiv"].retries == 1


def test_an_html_page_with_200_is_never_cached_and_ends_in_bad_response(
    fake_services: FakeServices, fetcher_for: Callable[..., Fetcher]
) -> None:
    fake_services.inject("openreview", "html", times=None)
    fetcher = fetcher_for(max_retries=1)
    note = Query("openreview", "/notes", (("id", "I18BXotQ7j"),))
    with pytest.raises(BadResponse):
        fetcher.get(note, validate=json_body)
    fake_services.clear_faults()
    assert not fetcher.get(note, validate=json_body).from_cache
    assert fake_services.count("openreview") == 3


def test_the_breaker_stops_asking_a_failing_service(
    fake_services: FakeServices, fetcher_for: Callable[..., Fetcher]
) -> None:
    fake_services.inject("crossref", "503", times=None)
    fetcher = fetcher_for(max_retries=0, breaker_threshold=2)
    for number in range(4):
        with pytest.raises(ServiceUnavailable):
            fetcher.get(Query("crossref", f"/works/10.5555/{number}"))
    assert fake_services.count("crossref") == 2
    assert fetcher.tripped["crossref"] == "crossref: stopped asking after 2 failures in a row (last: HTTP 503)"
    assert fetcher.get(Query("openreview", "/notes", (("id", "I18BXotQ7j"),))).status == 200


def test_concurrent_get_many_within_enforced_limits_provokes_no_429(
    fake_services: FakeServices, fetcher_for: Callable[..., Fetcher]
) -> None:
    fake_services.enforce_limits = True
    fake_services.latency = 0.02
    fake_services.limits = Limits(arxiv_interval=0.4)
    fetcher = fetcher_for(arxiv_interval=0.4)
    stored = [
        path.name.removesuffix(".json").removesuffix(".404.txt") for path in (REPLAY / "crossref" / "works").iterdir()
    ]
    works = [Query("crossref", "/works/" + name.replace("_", "/", 1)) for name in sorted(stored)]
    searches = [
        Query("crossref", "/works", tuple(item["request"]["query"].items()))
        for item in MANIFEST["files"]
        if "crossref/search/" in item["path"]
    ]
    arxiv = [
        Query("arxiv", "/api/query", (("id_list", arxiv_id), ("max_results", "10")))
        for arxiv_id in ("2309.16020", "2310.06743", "2412.05600")
    ]
    notes = [
        Query("openreview", "/notes", (("id", note_id), ("count", "true")))
        for note_id in ("I18BXotQ7j", "PudduufFLa", "gQPD83DrGp", "pbbRmnFkjG")
    ]
    notes_v1 = [Query("openreview_v1", "/notes", (("id", note_id),)) for note_id in ("WBhqzpF6KYH", "S7Evzt9uit3")]
    queries = arxiv + works + searches + notes + notes_v1
    results = fetcher.get_many(queries)
    assert all(isinstance(result, Response) for result in results), results
    statuses = [result.status for result in results if isinstance(result, Response)]
    assert statuses.count(404) == 1 and statuses.count(200) == len(queries) - 1  # the arXiv DataCite DOI
    assert not fake_services.limited()
    arrivals = [item.time for item in fake_services.requests("arxiv")]
    assert len(arrivals) == 3 and all(later - earlier >= 0.4 for earlier, later in pairwise(arrivals))
    lists = [item.time for item in fake_services.requests("crossref") if item.target.startswith("/works?")]
    assert all(lists[n + 3] - lists[n] >= 1.0 for n in range(len(lists) - 3))
    assert fake_services.count() == len(queries)


def test_arxiv_is_asked_three_seconds_apart_by_default(
    fake_services: FakeServices, fetcher_for: Callable[..., Fetcher]
) -> None:
    fake_services.enforce_limits = True
    queries = [Query("arxiv", "/api/query", (("id_list", arxiv_id),)) for arxiv_id in ("2309.16020", "2310.06743")]
    results = fetcher_for().get_many(queries, validate=atom_body)
    assert [result.status for result in results if isinstance(result, Response)] == [200, 200]
    first, second = fake_services.requests("arxiv")
    assert second.time - first.time >= 3.0
    assert not fake_services.limited()


def test_the_public_pool_is_paced_by_its_lower_limits(
    fake_services: FakeServices, fetcher_for: Callable[..., Fetcher]
) -> None:
    fake_services.enforce_limits = True
    fetcher = fetcher_for(mailto=None)
    queries = [Query("crossref", "/works", (("query.bibliographic", title),)) for title in ("a", "b")]
    queries += [Query("crossref", f"/works/10.5555/{n}") for n in range(4)]
    results = fetcher.get_many(queries)
    assert all(isinstance(result, Response) for result in results)
    assert not fake_services.limited()
    assert all("mailto" not in item.user_agent for item in fake_services.log)


def test_the_fetcher_identifies_itself_to_the_fake(
    fake_services: FakeServices, fetcher_for: Callable[..., Fetcher]
) -> None:
    fetcher_for().get(SATCLIP)
    assert fake_services.log[0].user_agent.endswith("mailto:curator@example.org)")


@pytest.mark.slow
def test_the_fake_runs_standalone_for_the_benchmark(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    script = Path(__file__).parent / "fakeservices.py"
    command = [
        sys.executable,
        str(script),
        "--port",
        "0",
        "--enforce-limits",
        "--fault",
        "crossref:503:1",
        "--log",
        str(log),
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        exports: dict[str, str] = {}
        for line in process.stdout:
            if line.startswith("# serving on"):
                break
            name, _, value = line.removeprefix("export ").strip().partition("=")
            exports[name] = value
        crossref = exports["GEOEMB_BIB_CROSSREF_URL"]
        assert httpx.get(f"{crossref}/works/{SATCLIP_DOI}").status_code == 503
        assert httpx.get(f"{crossref}/works/{SATCLIP_DOI}").status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    logged = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(item["service"], item["status"], item["fault"]) for item in logged] == [
        ("crossref", 503, "503"),
        ("crossref", 200, None),
    ]
