"""The README workflow end to end against the loopback fake services (replay bodies).

A new user builds the bundled list, gets the four files, refreshes again without a request, adds a paper,
sees it in `status` and in the next build. The first build runs the real CLI in a subprocess; the maintainer's
commands on a list of their own run in-process (CliRunner), since a process adds nothing to what they check.
Every body the fake serves is reconstructed (see fixtures/replay/PROVENANCE.md); no assertion here reads a value
PROVENANCE lists as synthetic.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, REPO_ROOT
from fakeservices import FakeServices
from geoemb_bib.entries import load_entries
from reliability import Run, Workspace


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, Run]]:
    """One cold `geoemb-bib build` of the bundled list, shared by the tests that only read its results."""
    folder = tmp_path_factory.mktemp("list")
    shutil.copy(REPO_ROOT / "entries.yaml", folder / "entries.yaml")
    with FakeServices() as fake:
        workspace = Workspace(folder, fake, fast=False)
        result = workspace.run("build")
        yield workspace, result


def test_build_writes_the_four_files_and_exits_0(built: tuple[Workspace, Run]) -> None:
    workspace, result = built
    assert result.code == 0, result.stderr
    for name in ("references.bib", "references.json", "enriched.yaml", "list.md"):
        assert (workspace.folder / "bibliography" / name).is_file(), name
    assert (workspace.folder / "enriched.yaml").read_text() == (
        workspace.folder / "bibliography" / "enriched.yaml"
    ).read_text()
    assert "status:   11 published, 10 preprint, 4 resolved, 0 unresolved, 0 conflict" in result.stdout
    assert "Traceback" not in result.stderr


def test_build_fetches_every_arxiv_id_of_the_list_in_one_request(
    built: tuple[Workspace, Run],
) -> None:
    workspace, _ = built
    arxiv = workspace.fake.requests("arxiv")
    id_lists = [found.group(1) for request in arxiv if (found := re.search(r"id_list=([^&]+)", request.target))]
    first = id_lists[0].split(",")
    assert len(first) == 20, "the 17 linked arXiv ids and the 3 stated in `ids`"
    # The only other id request asks for v1 of GAIR, whose listed title is v1's.
    assert id_lists[1:] == ["2503.16683v1"]
    # One title search looks for the preprint of the paper known only by its ACM DOI.
    title_searches = [request.target for request in arxiv if "id_list=" not in request.target]
    assert len(title_searches) == 1 and "ti:%22" in title_searches[0]
    assert not workspace.fake.limited()


def test_the_seed_upgrades_are_found_and_the_traps_rejected(
    built: tuple[Workspace, Run],
) -> None:
    """Replay: every upgrade MANIFEST.yaml expects, and no wrong match."""
    workspace, _ = built
    items = workspace.enriched()
    published = {entry_id for entry_id, item in items.items() if item.status == "published"}
    assert published == {
        "lossy-neural-compression",
        "earth-embeddings",
        "geoclip",
        "location-encoder",
        "satclip",
        "geoinrid",
        "seco",
        "satmae",
        "modality-gap",
        "dinovision",
        "crop-type-fm-generalizability",
    }
    doi = {entry_id: item.record.doi for entry_id, item in items.items()}
    assert doi["satclip"] == "10.1609/aaai.v39i4.32457"
    assert doi["seco"] == "10.1109/iccv48922.2021.00928"
    assert doi["crop-type-fm-generalizability"] == "10.1109/igarss55030.2025.11242260"
    assert doi["lossy-neural-compression"] == "10.1109/mgrs.2025.3546527"
    # Traps: GeoCLIP's Crossref top hit is SatCLIP, Major TOM's is another Major TOM paper, PRESTO's OpenReview hit was
    # rejected.
    assert items["geoclip"].record.openreview_id == "I18BXotQ7j" and doi["geoclip"] in (
        None,
        "10.48550/arxiv.2309.16020",
    )
    assert items["major-tom-embeddings"].status == "preprint" and "igarss53475" not in str(doi["major-tom-embeddings"])
    assert items["presto"].status == "preprint"
    for entry_id in ("geoclip", "satclip", "seco", "satmae", "modality-gap"):
        record = items[entry_id].record
        assert record.arxiv_id and record.arxiv_primary_class, f"{entry_id} lost its arXiv fields after the upgrade"


def test_exports_cite_the_published_version_with_the_same_key_in_every_format(
    built: tuple[Workspace, Run],
) -> None:
    workspace, _ = built
    bib = (workspace.folder / "bibliography" / "references.bib").read_text(encoding="utf-8")
    csl = json.loads((workspace.folder / "bibliography" / "references.json").read_text(encoding="utf-8"))
    keys_in_bib = re.findall(r"^@(?!preamble\b)\w+\{([^,]+),", bib, re.MULTILINE)
    assert keys_in_bib == [item["id"] for item in csl] == [item["citation-key"] for item in csl]
    satclip = next(item for item in csl if item.get("DOI") == "10.1609/aaai.v39i4.32457")
    assert satclip["type"] == "paper-conference"
    assert re.search(r"@inproceedings\{" + re.escape(satclip["id"]) + r",", bib)
    listing = (workspace.folder / "bibliography" / "list.md").read_text(encoding="utf-8")
    assert "| **Measuring the Intrinsic Dimension of Earth Representations** | ICLR 2026 |" in listing


def test_a_second_refresh_is_answered_from_the_cache_and_changes_nothing(
    built: tuple[Workspace, Run],
) -> None:
    workspace, _ = built
    before = (workspace.folder / "enriched.yaml").read_text(encoding="utf-8")
    workspace.fake.clear_log()
    result = workspace.run("refresh")
    assert result.code == 0, result.stderr
    assert workspace.fake.count() == 0
    assert "changes:  none" in result.stdout
    after = (workspace.folder / "enriched.yaml").read_text(encoding="utf-8")
    assert _without_times(after) == _without_times(before)


def test_status_lists_every_entry_with_key_status_evidence_and_what_is_missing(
    built: tuple[Workspace, Run],
) -> None:
    workspace, _ = built
    rows = json.loads(workspace.run("status", "--json").stdout)
    assert len(rows) == 25
    copernicus = next(row for row in rows if row["id"] == "copernicus-fm")
    assert copernicus["status"] == "preprint" and "version of record" in copernicus["missing"]
    assert copernicus["venue"] == "ICCV 2025 Oral"
    lines = workspace.run("status").stdout.splitlines()
    assert lines[0].split() == ["key", "status", "evidence", "venue", "missing"]
    assert len(lines) == 1 + 25


def test_export_reads_enriched_yaml_without_the_network(
    built: tuple[Workspace, Run],
) -> None:
    workspace, _ = built
    workspace.fake.clear_log()
    for format_name in ("bibtex", "csl-json", "yaml", "markdown"):
        result = workspace.run("export", "--format", format_name)
        assert result.code == 0, result.stderr
        assert result.stdout
    assert workspace.fake.count() == 0
    assert workspace.run("export", "--format", "bibtex").stdout == (
        workspace.folder / "bibliography" / "references.bib"
    ).read_text(encoding="utf-8")


def test_cache_info_counts_the_answers_per_service(built: tuple[Workspace, Run]) -> None:
    workspace, _ = built
    result = workspace.run("cache", "info")
    assert result.code == 0, result.stderr
    assert f"directory: {workspace.cache}" in result.stdout
    # the id_list batch, GAIR's v1, and one title search
    assert re.search(r"arxiv:\s+3 answers", result.stdout)


# -- the maintainer's workflow on a list of their own ---------------------------------------------------


@pytest.fixture
def small_list(tmp_path: Path) -> Iterator[Workspace]:
    """The bundled list without SatCLIP, so SatCLIP can be added; its own fake services and cache."""
    text = (REPO_ROOT / "entries.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: satclip\n")
    end = text.index("  # 3. Product Embeddings")
    (tmp_path / "entries.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    with FakeServices() as fake:
        yield Workspace(tmp_path, fake, fast=False)


def test_a_paper_added_by_arxiv_id_appears_in_status_and_in_the_next_build(small_list: Workspace) -> None:
    original = (small_list.folder / "entries.yaml").read_text(encoding="utf-8")
    added = small_list.invoke(
        "add",
        "https://arxiv.org/abs/2311.17179",
        "--section",
        "location",
        "--code",
        "https://github.com/microsoft/satclip",
    )
    assert added.code == 0, added.stderr
    assert "added 'satclip'" in added.stdout
    # Resolved at once: the key printed is the published version's, the one the entry keeps.
    assert "key: klemmer2025satclip (published;" in added.stdout
    updated = (small_list.folder / "entries.yaml").read_text(encoding="utf-8")
    assert updated.startswith(original[: original.index("  # 3. Product Embeddings")].rstrip("\n"))
    assert updated.endswith(original[original.index("  # 3. Product Embeddings") :])
    entry = next(e for e in load_entries("entries.yaml", updated.encode()).entries if e.id == "satclip")
    assert entry.title == "SatCLIP: Global, General-Purpose Location Embeddings with Satellite Imagery"
    assert entry.venue == "Arxiv 2023"
    assert entry.link("code").url == "https://github.com/microsoft/satclip"  # type: ignore[union-attr]

    build = small_list.invoke("build")
    assert build.code == 0, build.stderr
    rows = {row["id"]: row for row in json.loads(small_list.invoke("status", "--json").stdout)}
    assert rows["satclip"]["status"] == "published"
    assert rows["satclip"]["venue"] == "AAAI 2025"
    assert rows["satclip"]["key"] == "klemmer2025satclip"
    bib = (small_list.folder / "bibliography" / "references.bib").read_text(encoding="utf-8")
    assert "doi = {10.1609/aaai.v39i4.32457}" in bib


def test_adding_a_paper_already_listed_is_refused_naming_the_entry(small_list: Workspace) -> None:
    before = (small_list.folder / "entries.yaml").read_text(encoding="utf-8")
    result = small_list.invoke("add", "arXiv:2309.16020v2", "--section", "location")
    assert result.code == 1
    assert re.match(
        r"error: entries\.yaml: entry 'geoclip' \(line \d+\) already lists arxiv:2309\.16020\n", result.stderr
    )
    assert (small_list.folder / "entries.yaml").read_text(encoding="utf-8") == before
    assert small_list.fake.count() == 0


def test_add_by_doi_takes_the_crossref_record(small_list: Workspace) -> None:
    result = small_list.invoke(
        "add", "https://doi.org/10.1109/IGARSS53475.2024.10640760", "--section", "product", "--id", "major-tom"
    )
    assert result.code == 0, result.stderr
    entry = next(
        e
        for e in load_entries("entries.yaml", (small_list.folder / "entries.yaml").read_bytes()).entries
        if e.id == "major-tom"
    )
    assert entry.title == "Major TOM: Expandable Datasets for Earth Observation"
    assert entry.link("paper").url == "https://doi.org/10.1109/igarss53475.2024.10640760"  # type: ignore[union-attr]


def test_add_offline_asks_for_the_title(small_list: Workspace) -> None:
    result = small_list.invoke(
        "add", "2311.17179", "--section", "location", "--offline", "--title", "SatCLIP: Global Location Embeddings"
    )
    assert result.code == 0, result.stderr
    assert small_list.fake.count() == 0
    assert "SatCLIP: Global Location Embeddings" in (small_list.folder / "entries.yaml").read_text(encoding="utf-8")


def test_dry_run_shows_changes_without_writing_and_report_is_markdown(small_list: Workspace) -> None:
    dry = small_list.invoke("refresh", "--only", "geoclip", "--dry-run")
    assert dry.code == 0, dry.stderr
    assert "dry run: enriched.yaml not written" in dry.stdout
    assert not (small_list.folder / "enriched.yaml").exists()
    report = small_list.folder / "report.md"
    real = small_list.invoke("refresh", "--section", "location", "--report", str(report))
    assert real.code == 0, real.stderr
    text = report.read_text(encoding="utf-8")
    assert text.startswith("# geoemb-bib refresh report\n")
    assert "## New entries" in text
    items = small_list.enriched()
    assert items["geoclip"].status == "published"
    assert items["seco"].status == "unresolved"


def test_keys_never_change_on_refresh_even_when_the_year_changes_unless_rekey(small_list: Workspace) -> None:
    assert small_list.invoke("refresh", "--only", "geoclip").code == 0
    enriched = small_list.folder / "enriched.yaml"
    document = yaml.safe_load(enriched.read_text(encoding="utf-8"))
    geoclip = next(item for item in document["entries"] if item["id"] == "geoclip")
    key = geoclip["key"]
    # Simulate a key written when the preprint had another year: the refresh must keep it.
    enriched.write_text(
        enriched.read_text(encoding="utf-8").replace(f"key: {key}", "key: vivanco2022geoclip"), encoding="utf-8"
    )
    again = small_list.invoke("refresh", "--only", "geoclip")
    assert again.code == 0, again.stderr
    assert small_list.enriched()["geoclip"].key == "vivanco2022geoclip"
    rekeyed = small_list.invoke("refresh", "--only", "geoclip", "--rekey")
    assert rekeyed.code == 0, rekeyed.stderr
    assert small_list.enriched()["geoclip"].key == key
    assert f"key vivanco2022geoclip -> {key}" in rekeyed.stdout


def test_services_unreachable_still_write_every_output_and_exit_1(small_list: Workspace) -> None:
    assert small_list.invoke("build").code == 0
    before = (small_list.folder / "enriched.yaml").read_text(encoding="utf-8")
    closed = {variable: "http://127.0.0.1:9/x" for variable in small_list.fake.env()}
    shutil.rmtree(small_list.folder / "bibliography")
    result = small_list.invoke("build", "--refresh", env=closed)
    assert result.code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    # One line per service as users know it (both OpenReview APIs are OpenReview), no internal name.
    assert sorted(line.split(":")[1].strip() for line in errors) == ["arxiv", "crossref", "openreview"]
    assert all("cannot connect" in line for line in errors)
    assert "openreview_v1" not in result.stderr + result.stdout
    for name in ("references.bib", "references.json", "enriched.yaml", "list.md"):
        assert (small_list.folder / "bibliography" / name).is_file()
    assert _without_times((small_list.folder / "enriched.yaml").read_text(encoding="utf-8")) == _without_times(before)
    assert "Traceback" not in result.stderr


def test_every_command_is_in_the_readme_with_its_help_example() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    from geoemb_bib.cli import main

    commands = []
    for name, command in main.commands.items():
        sub = getattr(command, "commands", None)
        commands += [f"{name} {child}" for child in sub] if sub else [name]
        assert "Example" in (command.help or ""), f"`{name} --help` has no example"
        for child in (sub or {}).values():
            assert "Example" in (child.help or ""), f"`{name} {child.name} --help` has no example"
    for command_name in commands:
        assert f"geoemb-bib {command_name}" in readme, f"README.md does not document `geoemb-bib {command_name}`"


def _without_times(text: str) -> str:
    return re.sub(r"(fetched_at|resolved_at): '?[0-9T:\-Z]+'?", r"\1: -", text)


def test_fixtures_readme_names_the_provenance_of_the_replay_corpus() -> None:
    assert "reconstructed from public records, not recorded" in (FIXTURES / "README.md").read_text(encoding="utf-8")


def test_an_entry_first_refreshed_while_the_services_were_down_has_no_key_until_it_resolves(
    small_list: Workspace,
) -> None:
    """No key is shown that could still change: an entry never resolved has none (it is left out of the
    BibTeX, saying so); its first resolution gives the key, reported once. After that the key stays."""
    offline = small_list.invoke("refresh", "--only", "geoclip", "--offline")
    assert offline.code == 1
    unresolved = small_list.enriched()["geoclip"]
    assert unresolved.status == "unresolved"
    assert unresolved.key == ""
    exported = small_list.invoke("export", "--format", "bibtex")
    assert exported.code == 0, exported.stderr
    assert "geoclip" in exported.stderr and "no citation key until first resolved" in exported.stderr
    assert "GeoCLIP" not in exported.stdout
    online = small_list.invoke("refresh", "--only", "geoclip")
    assert online.code == 0, online.stderr
    resolved = small_list.enriched()["geoclip"]
    assert resolved.status == "published"
    assert resolved.key == "cepeda2023geoclip"
    assert "key cepeda2023geoclip given (first resolution)" in online.stdout
    again = small_list.invoke("refresh", "--only", "geoclip", "--refresh")
    assert again.code == 0 and small_list.enriched()["geoclip"].key == resolved.key
