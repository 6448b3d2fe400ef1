"""The lock file changes only where a record changed: a refresh that learns nothing new leaves it byte for byte.

The real CLI in a subprocess against the fake services; between the two runs the fake's title searches start
returning unrelated works as well (as Crossref's do every day while new works are indexed).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import REPO_ROOT
from fakeservices import FakeServices
from reliability import Workspace


def test_a_refresh_whose_searches_return_more_unrelated_works_leaves_enriched_yaml_byte_for_byte(
    tmp_path: Path,
) -> None:
    shutil.copy(REPO_ROOT / "entries.yaml", tmp_path / "entries.yaml")
    with FakeServices() as fake:
        workspace = Workspace(tmp_path, fake)
        first = workspace.run("refresh")
        assert first.code == 0, first.stderr
        before = (tmp_path / "enriched.yaml").read_bytes()
        fake.extra_candidates = 3
        again = workspace.run("refresh", "--refresh")
        assert again.code == 0, again.stderr
        searches = [request for request in again.log if "query.bibliographic" in request.target]
        assert searches, "the second run asked Crossref's search again"
        assert "changes:  none" in again.stdout
        assert (tmp_path / "enriched.yaml").read_bytes() == before


def test_when_one_record_changes_only_that_entrys_lines_change(tmp_path: Path) -> None:
    shutil.copy(REPO_ROOT / "entries.yaml", tmp_path / "entries.yaml")
    with FakeServices() as fake:
        workspace = Workspace(tmp_path, fake)
        assert workspace.run("refresh").code == 0
        before = (tmp_path / "enriched.yaml").read_text(encoding="utf-8")
        text = (tmp_path / "entries.yaml").read_text(encoding="utf-8")
        # The curator corrects one listed venue: only that entry's block may change.
        assert "venue: AAAI 2025\n" in text
        (tmp_path / "entries.yaml").write_text(text.replace("venue: AAAI 2025\n", "venue: AAAI-25\n", 1))
        fake.extra_candidates = 2
        again = workspace.run("refresh", "--refresh")
        assert again.code == 0, again.stderr
        after = (tmp_path / "enriched.yaml").read_text(encoding="utf-8")
    changed_blocks = {block.split("\n", 1)[0] for block in _blocks(after) if block not in _blocks(before)}
    assert changed_blocks == {"- id: satclip"}


def _blocks(text: str) -> list[str]:
    return ["- id: " + block for block in text.split("\n- id: ")[1:]]
