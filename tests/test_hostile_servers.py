"""Answers without bounds: a server that drips, a body of a gigabyte, a gzip bomb. Each ends as a clean failure that
names the limit, within the deadline and under 200 MB resident (measured in a fresh process)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from geoemb_bib.errors import ServiceUnavailable
from geoemb_bib.fetch import DEFAULT_MAX_BODY_BYTES, Fetcher, FetchSettings
from geoemb_bib.model import Query
from hostile import DrippingServer, GzipBombServer, HostileServer, HugeBodyServer

WORK = Query("crossref", "/works/10.1609/aaai.v39i4.32457")
RESIDENT_LIMIT_MB = 200

# Run in a fresh interpreter so that the peak resident size is this one request's, not the test runner's.
MEASURE = """
import resource, sys
from geoemb_bib.errors import ServiceError
from geoemb_bib.fetch import Fetcher, FetchSettings
from geoemb_bib.model import Query
settings = FetchSettings(base_urls={"crossref": sys.argv[1]}, cache_dir=None, max_retries=0, crossref_rate=100.0)
with Fetcher(settings) as fetcher:
    try:
        response = fetcher.get(Query("crossref", "/works/10.1609/aaai.v39i4.32457"))
        print("answered", len(response.body))
    except ServiceError as exc:
        print(exc.message)
try:
    # The peak of this process's own memory. ru_maxrss is not: Linux carries it over from the process that forked
    # us (the test runner, a few hundred MB late in a run) across exec.
    with open("/proc/self/status") as status:
        print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) // 1024)
except OSError:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def fetch_in_a_fresh_process(server: HostileServer, tmp_path: Path) -> tuple[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, server.url],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=True,
    )
    message, resident_mb = done.stdout.strip().splitlines()
    return message, int(resident_mb)


def test_a_body_of_a_gigabyte_is_cut_off_at_the_cap_under_200_mb(tmp_path: Path) -> None:
    with HugeBodyServer() as server:
        message, resident_mb = fetch_in_a_fresh_process(server, tmp_path)
    assert f"answer larger than the {DEFAULT_MAX_BODY_BYTES} byte cap" in message
    assert "GEOEMB_BIB_MAX_BODY_BYTES" in message
    assert resident_mb < RESIDENT_LIMIT_MB


def test_a_gzip_bomb_is_inflated_only_up_to_the_cap_under_200_mb(tmp_path: Path) -> None:
    with GzipBombServer() as server:
        message, resident_mb = fetch_in_a_fresh_process(server, tmp_path)
    assert f"answer larger than the {DEFAULT_MAX_BODY_BYTES} byte cap" in message
    assert resident_mb < RESIDENT_LIMIT_MB


def test_a_body_within_the_cap_is_read_whole(tmp_path: Path) -> None:
    with HugeBodyServer(size=2**20) as server, Fetcher(settings_for(server, tmp_path)) as fetcher:
        response = fetcher.get(WORK)
    assert response.body == bytes(2**20)


def test_the_cap_is_a_setting(tmp_path: Path) -> None:
    server = HugeBodyServer(size=2**20)
    with (
        server,
        Fetcher(settings_for(server, tmp_path, max_body_bytes=1000)) as fetcher,
        pytest.raises(ServiceUnavailable, match="answer larger than the 1000 byte cap"),
    ):
        fetcher.get(WORK)


def test_a_dripping_server_is_abandoned_at_the_deadline(tmp_path: Path) -> None:
    drip = DrippingServer(pause=0.2, lasting=10.0)
    with drip, Fetcher(settings_for(drip, tmp_path, deadline=1.0, read_timeout=5.0, max_retries=2)) as fetcher:
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable) as raised:
            fetcher.get(WORK)
        elapsed = time.monotonic() - started
    assert "no complete answer within the 1 s deadline per request (GEOEMB_BIB_DEADLINE)" in raised.value.message
    # Given up at the deadline plus at most one drip, and not asked again: the next try would drip as long.
    assert elapsed < 1.0 + drip.pause + 1.0
    assert "on the first attempt" in raised.value.message


def test_no_single_read_outlasts_the_deadline(tmp_path: Path) -> None:
    silent = DrippingServer(pause=30.0, lasting=30.0)
    with silent, Fetcher(settings_for(silent, tmp_path, deadline=1.0, read_timeout=30.0, max_retries=0)) as fetcher:
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable):
            fetcher.get(WORK)
        assert time.monotonic() - started < 3.0


class _Brotli(HostileServer):
    def answer(self, wfile: object) -> None:
        wfile.write(b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 4\r\n\r\nabcd")  # type: ignore[attr-defined]


def test_an_encoding_we_did_not_offer_is_refused(tmp_path: Path) -> None:
    server = _Brotli()
    with (
        server,
        Fetcher(settings_for(server, tmp_path, max_retries=0)) as fetcher,
        pytest.raises(ServiceUnavailable, match=r"an encoding we did not ask for \(br\)"),
    ):
        fetcher.get(WORK)


def settings_for(server: HostileServer, tmp_path: Path, **overrides: object) -> FetchSettings:
    values: dict[str, object] = {"cache_dir": tmp_path / "cache", "crossref_rate": 100.0, "max_retries": 0}
    values.update(overrides)
    return FetchSettings(base_urls={"crossref": server.url}, **values)  # type: ignore[arg-type]
