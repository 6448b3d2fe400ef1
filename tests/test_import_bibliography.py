"""`geoemb-bib import refs.bib` / `refs.json`: a survey author's bibliography becomes the list, keys kept.

refs.bib and refs.json hold a few real-looking entries (Google Scholar, publisher and Zotero export styles) of
papers the replay corpus knows; the refresh runs in a subprocess against the loopback fake services.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import bibtexparser
import pytest

from conftest import FIXTURES
from fakeservices import FakeServices
from geoemb_bib.entries import load_entries
from geoemb_bib.importers import ImportOptions, read
from geoemb_bib.importers.writing import render_list
from reliability import Workspace

BIB = FIXTURES / "import" / "refs.bib"
CSL = FIXTURES / "import" / "refs.json"
BIB_KEYS = ["vivanco2023geoclip", "klemmer2023satclip", "Manas_2021_ICCV", "liang2022mind"]
CSL_KEYS = ["vivanco2023geoclip", "klemmerSatCLIPGlobalGeneralPurpose2023", "manas2021seco"]


def test_a_bib_file_becomes_entries_with_keys_pinned_and_identifiers_found() -> None:
    result = read("bibtex", str(BIB), BIB.read_text(encoding="utf-8"))
    entries = load_entries("entries.yaml", render_list(result.curated, "refs.bib").encode()).entries
    assert [e.key for e in entries] == BIB_KEYS
    assert [(e.link("paper").url if e.link("paper") else None) for e in entries] == [  # type: ignore[union-attr]
        "https://arxiv.org/abs/2309.16020",
        "https://arxiv.org/abs/2311.17179",
        "https://doi.org/10.1109/iccv48922.2021.00928",
        "https://openreview.net/forum?id=S7Evzt9uit3",
    ]
    assert [e.venue for e in entries] == [
        "Advances in Neural Information Processing Systems 2023",
        "Arxiv 2023",
        "Proceedings of the IEEE/CVF International Conference on Computer Vision (ICCV) 2021",
        "Advances in Neural Information Processing Systems 2022",
    ]
    # LaTeX decoded, names split
    assert [a.display() for a in entries[2].authors][:3] == ["Oscar Mañas", "Alexandre Lacoste", "Xavier Giró-i-Nieto"]
    assert entries[0].authors[0].family == "Vivanco Cepeda"
    assert [(n.line, n.message) for n in result.notices] == [(12, "item 'klemmer2023satclip': keywords not imported")]
    assert all(not e.override for e in entries)


def test_the_user_chooses_which_of_their_fields_become_overrides() -> None:
    options = ImportOptions.parse_overrides("title,author,issued")
    result = read("bibtex", str(BIB), BIB.read_text(encoding="utf-8"), options)
    seco = load_entries("entries.yaml", render_list(result.curated, "refs.bib").encode()).entries[2]
    assert seco.override["title"] == "Seasonal Contrast: Unsupervised Pre-Training From Uncurated Remote Sensing Data"
    assert seco.override["issued"] == "2021-10"
    assert seco.override["author"][0].family == "Mañas"
    everything = read("bibtex", str(BIB), BIB.read_text(encoding="utf-8"), ImportOptions.parse_overrides("all"))
    assert set(everything.curated.entries[2].override) == {
        "title",
        "author",
        "type",
        "issued",
        "container_title",
        "page",
        "doi",
    }


def test_a_csl_json_file_becomes_entries_with_the_item_ids_as_keys() -> None:
    result = read("csl-json", str(CSL), CSL.read_text(encoding="utf-8"))
    entries = load_entries("entries.yaml", render_list(result.curated, "refs.json").encode()).entries
    assert [e.key for e in entries] == CSL_KEYS
    # Zotero writes arXiv's DataCite DOI: it names the preprint, so it becomes the arXiv link
    assert entries[1].link("paper").url == "https://arxiv.org/abs/2311.17179"  # type: ignore[union-attr]
    assert entries[2].link("paper").url == "https://doi.org/10.1109/iccv48922.2021.00928"  # type: ignore[union-attr]
    assert [(n.line, n.message) for n in result.notices] == [(3, "item 'vivanco2023geoclip': accessed not imported")]


@pytest.fixture
def bibliography(tmp_path: Path) -> Iterator[Workspace]:
    shutil.copy(BIB, tmp_path / "refs.bib")
    shutil.copy(CSL, tmp_path / "refs.json")
    with FakeServices() as fake:
        yield Workspace(tmp_path, fake, fast=False)


@pytest.mark.slow
@pytest.mark.parametrize(("source", "keys"), [("refs.bib", BIB_KEYS), ("refs.json", CSL_KEYS)])
def test_import_refresh_and_export_keep_the_keys(bibliography: Workspace, source: str, keys: list[str]) -> None:
    imported = bibliography.run("import", source)
    assert imported.code == 0, imported.stderr
    refreshed = bibliography.run("refresh")
    assert refreshed.code == 0, refreshed.stdout + refreshed.stderr
    items = bibliography.enriched()
    assert [item.key for item in items.values()] == keys  # type: ignore[attr-defined]
    assert all(item.status in ("published", "preprint") for item in items.values())  # type: ignore[attr-defined]
    bib = bibliography.run("export", "--format", "bibtex")
    assert bib.code == 0, bib.stderr
    assert [entry.key for entry in bibtexparser.parse_string(bib.stdout).entries] == keys
    csl = bibliography.run("export", "--format", "csl-json")
    assert [item["id"] for item in json.loads(csl.stdout)] == keys
    # the published version is cited once the services know it
    assert re.search(r"@inproceedings\{" + keys[0] + r",", bib.stdout)


def test_the_same_work_twice_in_a_bib_is_one_entry_and_a_notice() -> None:
    text = BIB.read_text(encoding="utf-8") + (
        "\n@misc{geoclip_again,\n  title = {GeoCLIP},\n  url = {https://arxiv.org/abs/2309.16020v2},\n}\n"
        "@article{broken,\n  title = {No closing brace}\n"
    )
    result = read("bibtex", "refs.bib", text)
    assert [e.key for e in result.curated.entries] == BIB_KEYS
    messages = [(n.line, n.message) for n in result.notices]
    assert (38, "item 'geoclip_again' is the same work as 'vivanco2023geoclip': not imported") in messages
    assert (
        42,
        "cannot be read (a brace, quote or comma missing?): '@article{broken, title = {No closing brace}'; "
        "not imported",
    ) in messages
