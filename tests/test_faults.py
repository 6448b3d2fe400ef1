"""Issue #7, service faults: the real CLI against the loopback fake services, one injected fault at a time.

Every case runs `geoemb-bib build` three times on a copy of the bundled list: healthy (the baseline, shared), with
the fault (exit 1, no traceback, the failed service and every entry it left unanswered named, enriched.yaml and
every output unchanged, the faulted requests retried as the policy says), and healthy again on the same cache
(every faulted request asked again, i.e. nothing bad was cached, and the result converges to the baseline byte for
byte). The advanced GEOEMB_BIB_* settings shrink pacing, backoff and timeouts so the matrix runs in seconds.

The rest of issue #7 lives beside this file: tests/test_reliability_interrupts.py (Ctrl-C, SIGTERM, SIGKILL during
a write), tests/test_reliability_inputs.py (hostile curated input, output paths, read-only folders) and
tests/test_reliability_metadata.py (hostile metadata through every exporter).
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from fakeservices import FakeServices, LoggedRequest
from reliability import COMMAND, MAX_RETRIES, Workspace, environment

ARXIV_BATCH = r"id_list=2503\.01505,"
ARXIV_LISTED = [
    "lossy-neural-compression",
    "geoclip",
    "location-encoder",
    "satclip",
    "major-tom-embeddings",
    "presto",
    "copernicus-fm",
    "tessera",
    "alphaearth",
    "neuco-bench",
    "geoinrid",
    "cropland-mapping-embeddings",
    "seco",
    "satmae",
    "gair",
    "modality-gap",
    "dinovision",
    "copernicus-disaster-response",
    "landslide-geofm",
    "crop-type-fm-generalizability",
]


@dataclass
class Baseline:
    fake: FakeServices
    folder: Path
    files: dict[str, str]
    log: list[LoggedRequest]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Baseline]:
    """One healthy build of the bundled list; every case starts from a copy of its files."""
    folder = tmp_path_factory.mktemp("baseline")
    shutil.copy(REPO_ROOT / "entries.yaml", folder / "entries.yaml")
    with FakeServices() as fake:
        workspace = Workspace(folder, fake)
        run = workspace.build()
        assert run.code == 0, run.stderr
        yield Baseline(fake, folder, workspace.files(), run.log)
        assert not fake.errors, fake.errors


@pytest.fixture
def workspace(baseline: Baseline, tmp_path: Path) -> Iterator[Workspace]:
    """A copy of the baseline's list, lock file and outputs, with an empty cache."""
    shutil.copy(baseline.folder / "entries.yaml", tmp_path / "entries.yaml")
    shutil.copy(baseline.folder / "enriched.yaml", tmp_path / "enriched.yaml")
    shutil.copytree(baseline.folder / "bibliography", tmp_path / "bibliography")
    baseline.fake.clear_faults()
    try:
        yield Workspace(tmp_path, baseline.fake)
    finally:
        baseline.fake.clear_faults()


@dataclass(frozen=True)
class Fault:
    """One row of the matrix: what the fake does, to which requests, and what the run must say about it."""

    name: str
    service: str  # the fake's service (mount) name
    spec: str  # fakeservices.Fault spec
    path: str | None  # regex on the request target; None: every request of the service
    label: str  # the service as the run names it
    affected: tuple[str, ...]  # entries the run must name as left without an answer
    attempts: int | None  # requests per faulted target (1 + retries), None when the breaker decides
    reason: str  # what the `error:` line must say
    env: tuple[tuple[str, str], ...] = ()  # settings for this case only

    def __str__(self) -> str:
        return self.name


RETRIED = 1 + MAX_RETRIES
FAULTS = [
    Fault(
        "crossref-429-storm",
        "crossref",
        "429",
        None,
        "crossref",
        (),
        None,
        "crossref: stopped asking after 3 failures in a row (last: HTTP 429)",
    ),
    Fault(
        "crossref-429-retry-after",
        "crossref",
        "429/retry-after=1",
        r"/works/10\.1109/",
        "crossref",
        ("lossy-neural-compression",),
        RETRIED,
        "HTTP 429",
    ),
    Fault(
        "crossref-500", "crossref", "500", r"/works/10\.1145/", "crossref", ("earth-embeddings",), RETRIED, "HTTP 500"
    ),
    Fault(
        "openreview-502",
        "openreview",
        "502",
        r"/notes\?id=gQPD83DrGp",
        "openreview",
        ("geoinrid",),
        RETRIED,
        "HTTP 502",
    ),
    Fault("arxiv-503", "arxiv", "503", ARXIV_BATCH, "arxiv", tuple(ARXIV_LISTED), RETRIED, "HTTP 503"),
    Fault(
        "crossref-504",
        "crossref",
        "504",
        r"query\.bibliographic=Seasonal Contrast",
        "crossref",
        ("seco",),
        RETRIED,
        "HTTP 504",
    ),
    Fault(
        "openreview-v1-reset",
        "openreview_v1",
        "reset",
        r"/notes\?id=WBhqzpF6KYH",
        "openreview",
        ("satmae",),
        RETRIED,
        "for GET /notes?id=WBhqzpF6KYH",
    ),
    Fault(
        "arxiv-drop",
        "arxiv",
        "drop",
        r"id_list=2503\.16683v1",
        "arxiv",
        ("gair",),
        RETRIED,
        "Server disconnected without sending a response",
    ),
    Fault(
        "crossref-slower-than-timeout",
        "crossref",
        "slow=0.8",
        r"/works/10\.1109/",
        "crossref",
        ("lossy-neural-compression",),
        RETRIED,
        "ReadTimeout",
        env=(("GEOEMB_BIB_TIMEOUT", "0.3"),),
    ),
    Fault(
        "arxiv-truncated",
        "arxiv",
        "truncate",
        ARXIV_BATCH,
        "arxiv",
        tuple(ARXIV_LISTED),
        RETRIED,
        "peer closed connection without sending complete message body",
    ),
    Fault(
        "crossref-cut-body",
        "crossref",
        "cut",
        r"/works/10\.1109/",
        "crossref",
        ("lossy-neural-compression",),
        RETRIED,
        "not JSON",
    ),
    Fault(
        "arxiv-invalid-xml",
        "arxiv",
        "invalid",
        ARXIV_BATCH,
        "arxiv",
        tuple(ARXIV_LISTED),
        RETRIED,
        "not well-formed XML",
    ),
    Fault(
        "crossref-invalid-json",
        "crossref",
        "invalid",
        r"/works/10\.1145/",
        "crossref",
        ("earth-embeddings",),
        RETRIED,
        "not JSON",
    ),
    Fault(
        "openreview-invalid-json",
        "openreview",
        "invalid",
        r"/notes/search\?term=GeoCLIP",
        "openreview",
        ("geoclip",),
        RETRIED,
        "not JSON",
    ),
    Fault(
        "crossref-html-200",
        "crossref",
        "html",
        r"/works/10\.1145/",
        "crossref",
        ("earth-embeddings",),
        RETRIED,
        "not JSON",
    ),
    Fault(
        "openreview-html-200",
        "openreview",
        "html",
        r"/notes\?id=pbbRmnFkjG",
        "openreview",
        ("dinovision",),
        RETRIED,
        "an HTML page where JSON was expected",
    ),
    Fault(
        "arxiv-error-entry-200",
        "arxiv",
        "arxiv-error",
        ARXIV_BATCH,
        "arxiv",
        tuple(ARXIV_LISTED),
        RETRIED,
        "with an error entry",
    ),
    Fault(
        "openreview-error-json-500",
        "openreview",
        "openreview-error",
        r"/notes\?id=gQPD83DrGp",
        "openreview",
        ("geoinrid",),
        RETRIED,
        "HTTP 500",
    ),
    Fault(
        "openreview-error-json-403",
        "openreview",
        "openreview-error=403",
        r"/notes\?id=pbbRmnFkjG",
        "openreview",
        ("dinovision",),
        1,
        "ForbiddenError",
    ),
]


@pytest.mark.parametrize("fault", FAULTS, ids=str)
def test_a_service_fault_keeps_previous_data_names_the_entries_caches_nothing_and_heals(
    fault: Fault, baseline: Baseline, workspace: Workspace
) -> None:
    workspace.fake.inject(fault.service, fault.spec, times=None, path=fault.path)
    faulty = workspace.build(env=dict(fault.env))

    assert faulty.code == 1, faulty.stderr
    assert "Traceback" not in faulty.stderr + faulty.stdout
    assert any(fault.reason in line for line in faulty.errors), faulty.stderr
    if fault.affected:
        assert sorted(faulty.unanswered(fault.label)) == sorted(fault.affected), faulty.stderr
        assert f"hint: {len(fault.affected)} entr" in faulty.stderr and "kept their previous data" in faulty.stderr
    else:  # a storm: every entry that needed the service
        assert len(faulty.unanswered(fault.label)) > 5, faulty.stderr
    # Nothing lost, nothing half-done: the lock file and every output are exactly the healthy run's.
    assert workspace.files() == baseline.files
    if fault.spec.startswith("slow="):
        # The fake logs a request when it answers: let the answers the client gave up on go out.
        time.sleep(float(fault.spec.split("=")[1]))
        faulty.log = workspace.fake.log
    faulted = [request for request in faulty.log if request.fault]
    assert faulted, "the fault was never hit"
    if fault.attempts is not None:
        per_target = {request.target: sum(1 for r in faulted if r.target == request.target) for request in faulted}
        assert set(per_target.values()) == {fault.attempts}, per_target

    workspace.fake.clear_faults()
    healed = workspace.build()

    assert healed.code == 0, healed.stderr
    assert not healed.errors
    asked_again = {request.target for request in healed.log}
    # Nothing the fault produced was cached: every faulted request a healthy run needs is asked again (a failed
    # lookup may have led to requests a healthy run never makes, such as a title search)...
    needed = {request.target for request in faulted} & {request.target for request in baseline.log}
    assert needed and needed <= asked_again
    # ...while what was answered well during the fault came from the cache.
    answered_well = {request.target for request in faulty.log if not request.fault and request.status == 200}
    assert not asked_again & answered_well
    assert workspace.files() == baseline.files


def test_retry_after_is_honoured_between_attempts(workspace: Workspace) -> None:
    workspace.fake.inject("crossref", "429/retry-after=1", times=2, path=r"/works/10\.1109/")
    run = workspace.build()

    assert run.code == 0, run.stderr
    attempts = [request for request in run.log if request.target.startswith("/works/10.1109/")]
    assert [request.status for request in attempts] == [429, 429, 200]
    gaps = [later.time - earlier.time for earlier, later in itertools.pairwise(attempts)]
    assert all(gap >= 0.95 for gap in gaps), gaps


def test_a_transient_fault_is_absorbed_by_the_retries(workspace: Workspace, baseline: Baseline) -> None:
    workspace.fake.inject("arxiv", "503", times=MAX_RETRIES, path=ARXIV_BATCH)
    workspace.fake.inject("openreview", "reset", times=1)
    run = workspace.build()

    assert run.code == 0, run.stderr
    assert not run.errors
    assert "throttled" not in run.stdout and "failed" not in run.stdout
    assert workspace.files() == baseline.files


def test_the_breaker_stops_asking_a_failing_service_and_the_run_goes_on(
    workspace: Workspace, baseline: Baseline
) -> None:
    """Crossref answers 503 to everything with the default retry budget: after 3 queries in a row have used up their
    retries, the run stops asking it, reports it once, resolves the rest and writes every output, quickly."""
    workspace.fake.inject("crossref", "503", times=None)
    run = workspace.build(env={"GEOEMB_BIB_MAX_RETRIES": ""})  # the default budget: 4 retries per query

    assert run.code == 1
    assert "Traceback" not in run.stderr
    tripped = [line for line in run.errors if "stopped asking" in line]
    assert len(tripped) == 1
    assert tripped[0].startswith(
        "error: crossref: stopped asking after 3 failures in a row (last: HTTP 503); no answer"
    )
    crossref_queries = {request.target for request in baseline.log if request.service == "crossref"}
    sent = [request for request in run.log if request.service == "crossref"]
    # 3 queries of 5 attempts trip it; at most 2 more (Crossref's concurrency) were already under way.
    assert len(sent) <= (3 + 2) * 5 < 5 * len(crossref_queries)
    assert len({request.target for request in sent}) < len(crossref_queries)
    assert re.search(r"crossref \d+ \(\d+ sent, \d+ failed\)", run.stdout), run.stdout
    # The other services were asked as usual, and every output was written from the data at hand.
    assert {request.service for request in run.log} >= {"arxiv", "openreview", "openreview_v1"}
    assert workspace.files() == baseline.files
    assert run.seconds < 20


def test_a_retry_after_beyond_the_cap_gives_the_service_up_at_once(workspace: Workspace, baseline: Baseline) -> None:
    workspace.fake.inject("openreview", "429/retry-after=3600", times=None)
    run = workspace.build()

    assert run.code == 1
    waited = [line for line in run.errors if "asked to wait" in line]
    assert len(waited) == 1
    assert waited[0].startswith(
        "error: openreview: asked to wait 3600 s before asking again (more than 600 s); not asking again this run"
    )
    assert run.seconds < 15
    assert workspace.files() == baseline.files


# -- the cache ------------------------------------------------------------------------------------------------------


def _garbage_database(cache: Path, filled: Path) -> None:
    cache.mkdir()
    (cache / "cache.db").write_bytes(b"this is not a sqlite database\x00" * 100)


def _file_instead_of_folder(cache: Path, filled: Path) -> None:
    cache.write_text("a file where the cache folder should be\n", encoding="utf-8")


def _database_cut_in_half(cache: Path, filled: Path) -> None:
    """A real cache cut short, as a full disk or an interrupted copy leaves it."""
    shutil.copytree(filled, cache)
    database = cache / "cache.db"
    database.write_bytes(database.read_bytes()[: database.stat().st_size // 2])


@pytest.mark.parametrize(
    "damage", [_garbage_database, _file_instead_of_folder, _database_cut_in_half], ids=lambda f: f.__name__.strip("_")
)
def test_a_damaged_cache_is_reported_once_and_bypassed(
    damage: Callable[[Path, Path], None], workspace: Workspace, baseline: Baseline
) -> None:
    damage(workspace.folder / "cache", baseline.folder / "cache")
    run = workspace.build()

    assert run.code == 0, run.stderr
    warnings = [line for line in run.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and "cache" in warnings[0] and "running without a cache" in warnings[0], run.stderr
    assert "Traceback" not in run.stderr
    assert workspace.files() == baseline.files


def test_cache_clear_repairs_a_damaged_cache(workspace: Workspace, baseline: Baseline) -> None:
    _garbage_database(workspace.folder / "cache", baseline.folder / "cache")
    cleared = subprocess.run(
        [*COMMAND, "cache", "clear"],
        cwd=workspace.folder,
        env=environment(None, workspace.cache),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert cleared.returncode == 0, cleared.stderr
    run = workspace.build()
    assert run.code == 0 and "warning:" not in run.stderr
    with sqlite3.connect(workspace.folder / "cache" / "cache.db") as database:
        assert database.execute("select count(*) from Cache").fetchone()[0] > 0


@pytest.mark.skipif(sys.platform != "linux", reason="needs a folder nobody may write, whoever runs the tests (/sys)")
def test_an_unwritable_cache_folder_is_bypassed(workspace: Workspace, baseline: Baseline) -> None:
    # sysfs refuses new entries even to root, so this holds when the tests run as root too (chmod would not).
    run = workspace.build(env={"GEOEMB_BIB_CACHE_DIR": "/sys/geoemb-bib-cache"})

    assert run.code == 0, run.stderr
    assert [line for line in run.stderr.splitlines() if line.startswith("warning: ")] == [
        next(
            line
            for line in run.stderr.splitlines()
            if line.startswith("warning: cache at /sys/geoemb-bib-cache is unusable")
        )
    ]
    assert workspace.files() == baseline.files


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="root reads any file; /sys covers the unwritable case"
)
def test_an_unreadable_cache_folder_is_bypassed(workspace: Workspace, baseline: Baseline) -> None:
    shutil.copytree(baseline.folder / "cache", workspace.folder / "cache")
    (workspace.folder / "cache").chmod(0)
    try:
        run = workspace.build()
    finally:
        (workspace.folder / "cache").chmod(0o755)
    assert run.code == 0, run.stderr
    assert len([line for line in run.stderr.splitlines() if line.startswith("warning: cache")]) == 1
    assert workspace.files() == baseline.files
