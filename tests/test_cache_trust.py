"""The cache holds only what the tool framed: a tampered cache.db never runs code, reads or deletes files outside the
cache, or stops a run; anything we did not write is a miss, reported once; damaged settings are damage."""

from __future__ import annotations

import os
import pickle
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from geoemb_bib.cli import main
from geoemb_bib.errors import CacheError
from geoemb_bib.fetch import Fetcher, FetchSettings, cache_info, cache_key, clear_cache
from geoemb_bib.model import Query

WORK = Query("crossref", "/works/10.1609/aaai.v39i4.32457")
BODY = b'{"status":"ok","message":{}}'


class Payload:
    """Unpickling this creates `marker`: proof that a pickle ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


class Counting:
    def __init__(self) -> None:
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return httpx.Response(200, content=BODY, headers={"content-type": "application/json"})


@pytest.fixture
def service() -> Counting:
    return Counting()


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def fetcher_for(service: Counting, cache_dir: Path) -> Iterator[object]:
    made: list[Fetcher] = []

    def make(**overrides: object) -> Fetcher:
        settings = FetchSettings(cache_dir=cache_dir, crossref_rate=100.0, **overrides)  # type: ignore[arg-type]
        fetcher = Fetcher(settings, transport=httpx.MockTransport(service), sleep=lambda seconds: None)
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


def filled(fetcher_for: object) -> None:
    with fetcher_for() as fetcher:  # type: ignore[operator]
        fetcher.get(WORK)


def tamper(cache_dir: Path, sql: str, *parameters: object) -> None:
    with sqlite3.connect(cache_dir / "cache.db") as connection:
        connection.execute(sql, parameters)


def test_a_pickled_value_is_never_unpickled_and_counts_as_a_miss(
    fetcher_for: object, service: Counting, cache_dir: Path, tmp_path: Path
) -> None:
    filled(fetcher_for)
    marker = tmp_path / "pwned"
    tamper(cache_dir, "UPDATE Cache SET mode = 4, value = ?", pickle.dumps(Payload(marker)))
    with fetcher_for(offline=False) as fetcher:  # type: ignore[operator]
        assert fetcher.get(WORK).body == BODY
        assert fetcher.cache_problem is not None
        assert "holds answers geoemb-bib did not write" in fetcher.cache_problem
        assert "storage mode 4" in fetcher.cache_problem
    assert not marker.exists()
    assert service.requests == 2  # asked again


def test_offline_a_pickled_value_is_an_offline_miss_not_code(
    fetcher_for: object, cache_dir: Path, tmp_path: Path
) -> None:
    filled(fetcher_for)
    marker = tmp_path / "pwned"
    tamper(cache_dir, "UPDATE Cache SET mode = 4, value = ?", pickle.dumps(Payload(marker)))
    from geoemb_bib.errors import OfflineMiss

    with fetcher_for(offline=True) as fetcher, pytest.raises(OfflineMiss):  # type: ignore[operator]
        fetcher.get(WORK)
    assert not marker.exists()


def test_garbage_pickle_data_is_a_miss_not_a_traceback(fetcher_for: object, service: Counting, cache_dir: Path) -> None:
    filled(fetcher_for)
    tamper(cache_dir, "UPDATE Cache SET mode = 4, value = ?", b"\x80\x05garbage")
    with fetcher_for() as fetcher:  # type: ignore[operator]
        assert fetcher.get(WORK).body == BODY
    assert service.requests == 2


def test_a_pickled_key_is_never_unpickled_by_cache_info(fetcher_for: object, cache_dir: Path, tmp_path: Path) -> None:
    filled(fetcher_for)
    marker = tmp_path / "pwned"
    tamper(cache_dir, "UPDATE Cache SET raw = 0, key = ?", pickle.dumps(Payload(marker)))
    info = cache_info(FetchSettings(cache_dir=cache_dir))
    assert info.total_entries == 0
    assert not marker.exists()
    result = CliRunner().invoke(main, ["cache", "info", "--cache-dir", str(cache_dir)])
    assert result.exit_code == 0, result.output
    assert not marker.exists()


def test_a_row_naming_a_file_outside_the_cache_neither_reads_nor_deletes_it(
    fetcher_for: object, service: Counting, cache_dir: Path, tmp_path: Path
) -> None:
    filled(fetcher_for)
    victim = tmp_path / "victim.txt"
    victim.write_text("the user's file")
    relative = os.path.relpath(victim, cache_dir)
    tamper(cache_dir, "UPDATE Cache SET mode = 2, value = NULL, filename = ?", relative)
    with fetcher_for() as fetcher:  # type: ignore[operator]
        assert fetcher.get(WORK).body == BODY
        assert fetcher.cache_problem is not None and relative in fetcher.cache_problem
    assert clear_cache(FetchSettings(cache_dir=cache_dir)) >= 0
    assert victim.read_text() == "the user's file"
    assert service.requests == 2


@pytest.mark.parametrize(
    "frame",
    [
        b"not a frame at all",
        b'{"format":1,"status":"200","headers":{},"url":"u","fetched_at":"t"}\nbody',
        b'{"format":1,"status":200,"headers":{"x-evil":"1"},"url":"u","fetched_at":"t"}\nbody',
        b'{"format":1,"status":200,"headers":[],"url":"u","fetched_at":"t"}\nbody',
        b'{"format":1,"status":99999,"headers":{},"url":"u","fetched_at":"t"}\nbody',
        b"[1,2]\nbody",
    ],
)
def test_every_read_is_checked_against_the_frame_we_write(
    fetcher_for: object, service: Counting, cache_dir: Path, frame: bytes
) -> None:
    filled(fetcher_for)
    tamper(cache_dir, "UPDATE Cache SET mode = 1, value = ?", frame)
    with fetcher_for() as fetcher:  # type: ignore[operator]
        assert fetcher.get(WORK).body == BODY
        assert fetcher.cache_problem is not None
    assert service.requests == 2


def test_many_foreign_entries_are_reported_once(fetcher_for: object, service: Counting, cache_dir: Path) -> None:
    queries = [Query("crossref", f"/works/10.1/{number}") for number in range(5)]
    with fetcher_for() as fetcher:  # type: ignore[operator]
        fetcher.get_many(queries)
    tamper(cache_dir, "UPDATE Cache SET mode = 4, value = ?", b"junk")
    with fetcher_for() as fetcher:  # type: ignore[operator]
        fetcher.get_many(queries)
        problem = fetcher.cache_problem
    assert problem is not None and problem.count("did not write") == 1
    assert service.requests == 10


def test_damaged_settings_are_damage_bypassed_in_a_run_and_cleared_by_cache_clear(
    fetcher_for: object, service: Counting, cache_dir: Path
) -> None:
    filled(fetcher_for)
    tamper(cache_dir, "UPDATE Settings SET value = 'garbage'")
    with fetcher_for() as fetcher:  # type: ignore[operator]
        assert fetcher.get(WORK).body == BODY
        assert fetcher.cache_problem is not None and "running without a cache" in fetcher.cache_problem
    with pytest.raises(CacheError, match="Settings table"):
        cache_info(FetchSettings(cache_dir=cache_dir))
    result = CliRunner().invoke(main, ["cache", "info", "--cache-dir", str(cache_dir)])
    assert result.exit_code == 1
    assert "Settings table" in result.output and "hint:" in result.output
    result = CliRunner().invoke(main, ["cache", "clear", "--cache-dir", str(cache_dir)])
    assert result.exit_code == 0, result.output
    filled(fetcher_for)
    assert cache_info(FetchSettings(cache_dir=cache_dir)).total_entries == 1


def test_a_stored_setting_we_never_write_is_damage_not_a_pragma(fetcher_for: object, cache_dir: Path) -> None:
    filled(fetcher_for)
    tamper(cache_dir, "INSERT INTO Settings VALUES ('sqlite_query_only', 1)")
    with pytest.raises(CacheError, match="unknown setting 'sqlite_query_only'"):
        cache_info(FetchSettings(cache_dir=cache_dir))


def test_a_cache_written_before_still_serves(fetcher_for: object, service: Counting, cache_dir: Path) -> None:
    import diskcache

    from geoemb_bib.fetch import Response, _encode_entry

    frame = _encode_entry(Response(200, {"content-type": "application/json"}, BODY, "u", "2026-01-01T00:00:00Z"))
    with diskcache.Cache(str(cache_dir)) as plain:
        plain.set(cache_key(WORK), frame, expire=3600, tag="crossref")
    with fetcher_for() as fetcher:  # type: ignore[operator]
        assert fetcher.get(WORK).from_cache
        assert fetcher.cache_problem is None
    assert service.requests == 0


def test_a_cache_another_process_holds_locked_is_waited_for_briefly_then_bypassed(
    fetcher_for: object, service: Counting, cache_dir: Path
) -> None:
    import time

    from geoemb_bib.fetch import CACHE_LOCK_WAIT

    filled(fetcher_for)
    holder = sqlite3.connect(cache_dir / "cache.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with fetcher_for() as fetcher:  # type: ignore[operator]
            assert fetcher.get(WORK).body == BODY
            problem = fetcher.cache_problem
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert problem is not None and "locked" in problem and "running without a cache" in problem
    assert waited < CACHE_LOCK_WAIT + 3.0


READ_ONLY_RUN = """
import sys
from pathlib import Path
from geoemb_bib.fetch import Fetcher, FetchSettings, cache_info
from geoemb_bib.model import Query
settings = FetchSettings(cache_dir=Path(sys.argv[1]), offline=True)
with Fetcher(settings) as fetcher:
    response = fetcher.get(Query("crossref", "/works/10.1609/aaai.v39i4.32457"))
    print(response.from_cache, response.body.decode())
    print(fetcher.cache_problem)
print(cache_info(settings).total_entries)
"""


def test_a_read_only_cache_is_still_read(fetcher_for: object, cache_dir: Path) -> None:
    import shutil
    import subprocess
    import sys

    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare to mount the cache read-only")
    filled(fetcher_for)
    mount = f"mount --bind {cache_dir} {cache_dir} && mount -o remount,bind,ro {cache_dir}"
    done = subprocess.run(
        [
            "unshare",
            "-m",
            "sh",
            "-c",
            f'{mount} && exec "$0" -c "$1" "$2"',
            sys.executable,
            READ_ONLY_RUN,
            str(cache_dir),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if "mount:" in done.stderr or "unshare:" in done.stderr:
        pytest.skip(f"cannot mount read-only here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    answered, problem, entries = done.stdout.strip().splitlines()
    assert answered == "True " + BODY.decode()
    assert "is read-only: its answers are used, new ones are not kept" in problem
    assert entries == "1"
