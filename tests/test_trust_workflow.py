"""The trust findings that need a whole run: credentials never leave the base URL, a paper is never listed twice
under two keys."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import FIXTURES
from fakeservices import FakeServices
from reliability import Workspace

SECRET = "s3cret-pw"
SATCLIP_DOI = "10.1609/aaai.v39i4.32457"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeServices]:
    with FakeServices() as services:
        yield services


@pytest.fixture
def workspace(fake: FakeServices, tmp_path: Path) -> Workspace:
    shutil.copy(FIXTURES / "entries" / "valid-minimal.yaml", tmp_path / "entries.yaml")
    return Workspace(tmp_path, fake)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_credentials_in_a_base_url_reach_no_message_report_or_cache(workspace: Workspace, fake: FakeServices) -> None:
    with_password = fake.base_urls["arxiv"].replace("http://", f"http://curator:{SECRET}@")
    unreachable = f"http://curator:{SECRET}@127.0.0.1:{closed_port()}/crossref"
    run = workspace.run(
        "refresh",
        "--report",
        "report.md",
        env={
            "GEOEMB_BIB_ARXIV_URL": with_password,
            "GEOEMB_BIB_CROSSREF_URL": unreachable,
            "GEOEMB_BIB_MAX_RETRIES": "0",
        },
    )
    assert "error: crossref: ConnectError" in run.stderr
    assert SECRET not in run.stdout + run.stderr
    assert SECRET not in (workspace.folder / "report.md").read_text(encoding="utf-8")
    assert SECRET not in (workspace.folder / "enriched.yaml").read_text(encoding="utf-8")
    for path in workspace.cache.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_add_refuses_a_doi_that_only_enriched_yaml_knows_and_check_reports_twins(workspace: Workspace) -> None:
    first = workspace.run("refresh")
    assert first.code == 0, first.stderr
    assert SATCLIP_DOI in (workspace.folder / "enriched.yaml").read_text(encoding="utf-8")
    before = (workspace.folder / "entries.yaml").read_bytes()
    added = workspace.run("add", SATCLIP_DOI, "--offline", "--title", "SatCLIP")
    assert added.code == 1
    assert f"entry 'satclip' (line 7) resolved to doi:{SATCLIP_DOI} (enriched.yaml)" in added.stderr
    assert (workspace.folder / "entries.yaml").read_bytes() == before

    # A second entry that reaches the same paper another way (its AAAI landing page) resolves to the same DOI.
    with (workspace.folder / "entries.yaml").open("a", encoding="utf-8") as entries:
        entries.write(
            "  - id: satclip-aaai\n"
            "    section: papers\n"
            '    title: "SatCLIP: Global, General-Purpose Location Embeddings with Satellite Imagery"\n'
            "    venue: AAAI 2025\n"
            "    links:\n"
            f'      paper: "https://doi.org/{SATCLIP_DOI.upper()}"\n'
        )
    second = workspace.run("refresh")
    assert second.code == 0, second.stderr
    checked = workspace.run("check")
    assert checked.code == 1
    assert f"entry 'satclip-aaai': resolved to doi:{SATCLIP_DOI}, as entry 'satclip' did" in checked.stderr
