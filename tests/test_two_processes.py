"""Two processes at once: one writer per list folder (nothing lost, nothing discarded) and arXiv's pace shared
through the cache directory by every process of one user."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import yaml

from conftest import FIXTURES, REPO_ROOT
from fakeservices import FakeServices, Limits
from geoemb_bib.enriched import load_items
from reliability import COMMAND, Workspace, environment

TRIALS = 20
MINIMAL = FIXTURES / "entries" / "valid-minimal.yaml"


def start(folder: Path, cache: Path, *args: str, extra: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*COMMAND, *args],
        cwd=folder,
        env=environment(None, cache, extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    _, stderr = process.communicate(timeout=120)
    return process.returncode, stderr


def listed_ids(folder: Path) -> list[str]:
    document = yaml.safe_load((folder / "entries.yaml").read_text(encoding="utf-8"))
    return [entry["id"] for entry in document["entries"]]


def test_two_adds_at_once_both_land_in_twenty_trials(tmp_path: Path) -> None:
    for trial in range(TRIALS):
        folder = tmp_path / f"trial-{trial}"
        folder.mkdir()
        shutil.copy(MINIMAL, folder / "entries.yaml")
        adds = [
            start(
                folder, tmp_path / "cache", "add", arxiv_id, "--offline", "--title", f"Paper {arxiv_id}", "--id", name
            )
            for arxiv_id, name in (("2401.00001", "first"), ("2401.00002", "second"))
        ]
        results = [finish(process) for process in adds]
        assert [code for code, _ in results] == [0, 0], results
        assert sorted(listed_ids(folder)) == ["first", "satclip", "second"], f"trial {trial}: {results}"


def test_a_refresh_that_overlaps_another_keeps_both_results(tmp_path: Path) -> None:
    shutil.copy(REPO_ROOT / "entries.yaml", tmp_path / "entries.yaml")
    with FakeServices(latency=0.05) as fake:
        workspace = Workspace(tmp_path, fake)
        variables = environment(fake, workspace.cache)
        full = subprocess.Popen(
            [*COMMAND, "refresh"],
            cwd=tmp_path,
            env=variables,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        only = subprocess.Popen(
            [*COMMAND, "refresh", "--only", "satclip"],
            cwd=tmp_path,
            env=variables,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        codes = [full.wait(timeout=300), only.wait(timeout=300)]
        assert codes == [0, 0], (full.communicate(), only.communicate())
        overlapped = (tmp_path / "enriched.yaml").read_text(encoding="utf-8")
        again = workspace.run("refresh")
        assert again.code == 0, again.stderr
    # Whichever finished last, it started from what the other wrote: a third run finds nothing to change.
    assert (tmp_path / "enriched.yaml").read_text(encoding="utf-8") == overlapped
    # Nothing discarded: the full run's answers are all there, not only satclip's.
    items = load_items(overlapped, "enriched.yaml")
    assert len(items) == len(listed_ids(tmp_path))
    assert sum(item.status != "unresolved" for item in items.values()) > len(items) // 2


# Shrunk from arXiv's 3 s so the test is short; the fake refuses (429) anything closer, from either process.
SHARED_INTERVAL = 0.5


def test_two_processes_share_the_arxiv_pace_through_the_cache_directory(tmp_path: Path) -> None:
    limits = replace(Limits(), arxiv_interval=SHARED_INTERVAL)
    with FakeServices(enforce_limits=True, limits=limits) as fake:
        folders = []
        for name in ("one", "two"):
            folder = tmp_path / name
            folder.mkdir()
            shutil.copy(REPO_ROOT / "entries.yaml", folder / "entries.yaml")
            folders.append(folder)
        extra = {"GEOEMB_BIB_ARXIV_INTERVAL": str(SHARED_INTERVAL)}
        runs = [
            subprocess.Popen(
                [*COMMAND, "refresh", "--refresh"],
                cwd=folder,
                env=environment(fake, tmp_path / "shared-cache", extra),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for folder in folders
        ]
        for run in runs:
            assert run.wait(timeout=300) in (0, 1)
        arrivals = sorted(request.time for request in fake.requests("arxiv"))
        refused = fake.limited("arxiv")
    assert len(arrivals) >= 4  # both processes asked arXiv more than once
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert min(gaps) >= SHARED_INTERVAL
    assert not refused
