"""One key for an entry's whole life: the key a command prints is the key the entry keeps.

`add` resolves the paper it adds and writes its lock entry, so the key is final at once; an entry never resolved
has no key, so none is shown that could still change. The real CLI against the fake services (replay bodies).
SatCLIP is the case that used to move: its preprint is from 2023, its AAAI version from 2025.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from fakeservices import FakeServices
from reliability import Workspace

SATCLIP = "2311.17179"
KEY = "klemmer2025satclip"


def _without_satclip() -> str:
    text = (REPO_ROOT / "entries.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: satclip\n")
    return text[:start] + text[text.index("  # 3. Product Embeddings") :]


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    (tmp_path / "entries.yaml").write_text(_without_satclip(), encoding="utf-8")
    with FakeServices() as fake:
        yield Workspace(tmp_path, fake)


def everywhere(key: str) -> dict[str, set[str]]:
    return {reader: {key} for reader in ("enriched.yaml", "bibtex", "csl-json", "status")}


def keys_seen(workspace: Workspace) -> dict[str, set[str]]:
    """SatCLIP's key as each reader sees it: the lock file, both exports and status."""
    bib = workspace.run("export", "--format", "bibtex")
    csl = workspace.run("export", "--format", "csl-json")
    status = workspace.run("status", "--json")
    assert bib.code == csl.code == status.code == 0, bib.stderr + csl.stderr + status.stderr
    lock = (workspace.folder / "enriched.yaml").read_text(encoding="utf-8")
    block = lock[lock.index("- id: satclip\n") :]
    return {
        "enriched.yaml": set(re.findall(r"^  key: (\S+)$", block.split("\n- id: ")[0], re.MULTILINE)),
        "bibtex": {m for m in re.findall(r"^@\w+\{([^,]+),", bib.stdout, re.MULTILINE) if "satclip" in m},
        "csl-json": {item["id"] for item in json.loads(csl.stdout) if "satclip" in item["id"]},
        "status": {row["key"] for row in json.loads(status.stdout) if row["id"] == "satclip"},
    }


def test_online_add_prints_the_final_key_and_refresh_export_status_keep_it(workspace: Workspace) -> None:
    added = workspace.run("add", SATCLIP, "--section", "location")
    assert added.code == 0, added.stderr
    assert f"key: {KEY} (published;" in added.stdout
    assert keys_seen(workspace) == everywhere(KEY)
    refreshed = workspace.run("refresh", "--refresh")
    assert refreshed.code == 0, refreshed.stderr
    assert "satclip" not in refreshed.stdout.split("changes:")[1], "no key change, no new entry"
    assert keys_seen(workspace) == everywhere(KEY)


def test_offline_add_from_a_filled_cache_gives_the_same_key_at_once(workspace: Workspace, tmp_path: Path) -> None:
    # A first clone added SatCLIP and refreshed online, filling the cache; a second clone, offline, does the same.
    assert workspace.run("add", SATCLIP, "--section", "location").code == 0
    assert workspace.run("refresh").code == 0
    clone = tmp_path / "clone"
    clone.mkdir()
    (clone / "entries.yaml").write_text(_without_satclip(), encoding="utf-8")
    offline = Workspace(clone, workspace.fake)
    shared_cache = {"GEOEMB_BIB_CACHE_DIR": str(workspace.cache)}

    added = offline.run("add", SATCLIP, "--section", "location", "--offline", env=shared_cache)
    assert added.code == 0, added.stderr
    assert not added.log, "offline means no request"
    assert f"key: {KEY} (published;" in added.stdout
    refreshed = offline.run("refresh", "--offline", env=shared_cache)
    assert refreshed.code == 0, refreshed.stderr
    assert keys_seen(offline) == everywhere(KEY)


def test_offline_add_without_an_answer_shows_no_key_until_the_first_resolution(workspace: Workspace) -> None:
    added = workspace.run(
        "add", SATCLIP, "--section", "location", "--offline", "--title", "SatCLIP: Global Location Embeddings"
    )
    assert added.code == 0, added.stderr
    assert "key: none yet" in added.stdout and "next: geoemb-bib refresh --only satclip" in added.stdout
    assert not re.search(r"klemmer\d{4}", added.stdout + added.stderr)
    seen = keys_seen(workspace)
    assert seen["bibtex"] == seen["csl-json"] == set(), "left out, not exported under a key that would change"
    assert seen["status"] == {None}
    status = workspace.run("status").stdout
    assert re.search(r"^-\s+unresolved", status, re.MULTILINE)

    online = workspace.run("refresh", "--only", "satclip")
    assert online.code == 0, online.stderr
    assert f"{KEY}: key {KEY} given (first resolution)" in online.stdout
    assert keys_seen(workspace) == everywhere(KEY)


def test_no_key_or_new_entry_id_says_nd(workspace: Workspace) -> None:
    """A work without a date gets no stand-in year ("nd" read as part of a name: `somendtitle`)."""
    text = (workspace.folder / "entries.yaml").read_text(encoding="utf-8")
    undated = "  - id: undated-note\n    section: location\n    kind: webpage\n    title: Some Notes on Tiles\n"
    marker = "  # 3. Product Embeddings"
    (workspace.folder / "entries.yaml").write_text(text.replace(marker, undated + marker, 1), encoding="utf-8")
    added = workspace.run("add", "2401.00001", "--section", "location", "--offline", "--title", "Nadir Tiles")
    assert added.code == 0, added.stderr
    assert "added 'nadir'" in added.stdout
    assert workspace.run("refresh", "--offline").code == 1  # the new paper is not in the (empty) cache
    rows = {row["id"]: row["key"] for row in json.loads(workspace.run("status", "--json").stdout)}
    assert rows["undated-note"] == "somenotes"
    assert rows["nadir"] is None
