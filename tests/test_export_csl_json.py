"""CSL-JSON export: valid against the official schema, key parity with BibTeX, Zotero-safe types and string numbers,
original spellings kept."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import bibtexparser
import jsonschema
import pytest

from catalog_samples import (
    catalog,
    clay,
    copernicus_fm,
    earth_genome_blog,
    geoclip,
    hostile_catalog,
    lossy_compression,
    major_tom,
    realistic_catalog,
    realistic_items,
    satclip,
    terramind_challenge,
)
from geoemb_bib.errors import ExportError
from geoemb_bib.exporters import ExportOptions, export
from golden import check_golden
from resolved_replay import resolved_bundled_catalog
from test_export_bibtex import bundled_catalog

SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "csl-data.json").read_text(encoding="utf-8"))
# The types Zotero's CSL-JSON importer maps; anything else makes it reject the whole file.
ZOTERO_SAFE_TYPES = {
    "paper-conference",
    "article-journal",
    "article",
    "dataset",
    "webpage",
    "post-weblog",
    "report",
    "chapter",
    "book",
    "thesis",
}
OPTIONS = ExportOptions()


def items_of(catalog_) -> list[dict]:  # type: ignore[no-untyped-def]
    return json.loads(export("csl-json", catalog_, OPTIONS))


def one(item) -> dict:  # type: ignore[no-untyped-def]
    (result,) = items_of(catalog([item]))
    return result


@pytest.mark.parametrize("make", [realistic_catalog, hostile_catalog, bundled_catalog, resolved_bundled_catalog])
def test_every_item_is_valid_csl_with_zotero_safe_types_and_string_numbers(make) -> None:  # type: ignore[no-untyped-def]
    items = items_of(make())
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    jsonschema.validate(items, SCHEMA, cls=jsonschema.Draft7Validator)
    for item in items:
        assert item["type"] in ZOTERO_SAFE_TYPES
        assert item["id"] == item["citation-key"]
        for name in ("volume", "issue", "page", "number"):
            assert not isinstance(item.get(name, ""), (int, float))


@pytest.mark.parametrize("make", [realistic_catalog, hostile_catalog, bundled_catalog, resolved_bundled_catalog])
def test_keys_equal_the_bibtex_keys(make) -> None:  # type: ignore[no-untyped-def]
    bib_keys = [e.key for e in bibtexparser.parse_string(export("bibtex", make(), OPTIONS)).entries]
    assert [item["id"] for item in items_of(make())] == bib_keys


def test_golden_realistic() -> None:
    check_golden("realistic.json", export("csl-json", realistic_catalog(), OPTIONS))


def test_conference_paper() -> None:
    item = one(satclip())
    assert item["type"] == "paper-conference"
    assert item["container-title"] == "Proceedings of the AAAI Conference on Artificial Intelligence"
    assert (item["volume"], item["issue"], item["page"]) == ("39", "4", "4347-4355")
    assert item["issued"] == {"date-parts": [[2025, 4, 11]]}
    assert item["DOI"] == "10.1609/aaai.v39i4.32457"
    assert item["note"] == "arXiv: 2311.17179"
    assert item["author"][-1] == {"family": "Rußwurm", "given": "Marc"}
    assert item["keyword"] == "Location Embeddings"
    assert one(geoclip())["event-title"] == "NeurIPS 2023"


def test_journal_article() -> None:
    item = one(lossy_compression())
    assert (item["type"], item["container-title"], item["page"]) == (
        "article-journal",
        "IEEE Geoscience and Remote Sensing Magazine",
        "97-135",
    )


def test_preprint_is_an_arxiv_article() -> None:
    item = one(major_tom())
    assert (item["type"], item["publisher"], item["number"], item["DOI"]) == (
        "article",
        "arXiv",
        "arXiv:2412.05600",  # the Archive ID as Zotero's arXiv importer writes it
        "10.48550/arXiv.2412.05600",
    )
    assert item["URL"] == "https://arxiv.org/abs/2412.05600"
    assert one(copernicus_fm())["note"] == "Listed as ICCV 2025 Oral; no version of record found"
    assert "container-title" not in one(copernicus_fm())


def test_dataset_blog_post_and_challenge() -> None:
    dataset = one(clay())
    assert (dataset["type"], dataset["author"], dataset["publisher"]) == (
        "dataset",
        [{"literal": "Clay Foundation"}],
        "Source Cooperative",
    )
    post = one(earth_genome_blog())
    assert (post["type"], post["container-title"], post["author"]) == (
        "post-weblog",
        "Medium",
        [{"literal": "Earth Genome"}],
    )
    challenge = one(terramind_challenge())
    assert (challenge["type"], challenge["author"]) == ("webpage", [{"literal": "IBM & ESA Φ-lab"}])
    dated = json.loads(export("csl-json", catalog([clay()]), ExportOptions(urldate="2026-01-15")))[0]
    assert dated["accessed"] == {"date-parts": [[2026, 1, 15]]}


def test_hostile_metadata_keeps_originals_and_markup_as_csl_html() -> None:
    items = {item["id"]: item for item in items_of(hostile_catalog())}
    item = items["hostile2025robust"]
    assert "<i>in situ</i>" in item["title"] and "<sub>2</sub>" in item["title"] and "jats" not in item["title"]
    assert "\\input{/etc/passwd}" in item["title"]  # text, not a command: CSL-JSON has no TeX
    assert "\x00" not in item["title"] and "\u202e" not in item["title"]
    assert {"family": "张", "given": "伟"} in item["author"]
    assert {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"} in item["author"]
    assert {"family": "King", "given": "Martin Luther", "suffix": "Jr."} in item["author"]
    assert item["issued"] == {"date-parts": [[2025, 2]]}
    assert len(items["family02024study"]["author"]) == 300


def test_sort_duplicates_and_determinism() -> None:
    keys = [item["id"] for item in json.loads(export("csl-json", realistic_catalog(), ExportOptions(sort="key")))]
    assert keys == sorted(keys, key=str.casefold)
    assert export("csl-json", realistic_catalog(), OPTIONS) == export("csl-json", realistic_catalog(), OPTIONS)
    with pytest.raises(ExportError, match="duplicate citation keys"):
        export("csl-json", catalog([geoclip(), geoclip()]), OPTIONS)


def test_ten_thousand_entries_export_with_unique_ids() -> None:
    """Scale, not speed (speed is measured in benchmarks/)."""
    many = catalog([dataclasses.replace(it, key=f"{it.key}{n}") for n in range(1112) for it in realistic_items()])
    ids = [item["id"] for item in json.loads(export("csl-json", many, OPTIONS))]
    assert len(ids) == len(many.items) == len(set(ids))
