"""`geoemb-bib import README.md`: an awesome list read with a real Markdown parser, one fixture list per trap.

The fixtures in fixtures/import/ are small lists written for these tests, each in one of the forms real lists of
the field use; the seed list is ../shared/seed/awesome-geospatial-embeddings.md, copied into fixtures/.
"""

from __future__ import annotations

import re
from typing import Any

from conftest import FIXTURES, REPO_ROOT
from geoemb_bib.catalog import build_catalog
from geoemb_bib.entries import load_entries
from geoemb_bib.exporters import ExportOptions, export
from geoemb_bib.exporters.markdown import COLUMN_TITLES, default_label
from geoemb_bib.importers import Imported, read
from geoemb_bib.importers.writing import render_list
from geoemb_bib.model import CuratedList, Entry, Section

SEED = FIXTURES / "seed-awesome-geospatial-embeddings.md"
TRAPS = FIXTURES / "import"


def imported(name: str) -> Imported:
    path = TRAPS / name
    return read("markdown", str(path), path.read_text(encoding="utf-8"))


def compact(entry: Entry) -> dict[str, Any]:
    """An entry as the curator would read it: the fields that differ from their default."""
    shown: dict[str, Any] = {"id": entry.id, "section": entry.section, "title": entry.title}
    for name in ("kind", "abbr", "venue", "year", "host", "notes"):
        value = getattr(entry, name)
        if value not in (None, "paper"):
            shown[name] = value
    if entry.also_in:
        shown["also_in"] = entry.also_in
    shown["links"] = {link.role: link.url if link.label is None else (link.url, link.label) for link in entry.links}
    return shown


def entries_of(result: Imported) -> list[dict[str, Any]]:
    return [compact(entry) for entry in result.curated.entries]


def notices_of(result: Imported) -> list[tuple[int | None, str]]:
    return [(notice.line, notice.message) for notice in result.notices]


def written(result: Imported) -> CuratedList:
    """The entries.yaml the import writes, read back by the loader `check` uses."""
    return load_entries("entries.yaml", render_list(result.curated, "README.md").encode("utf-8"))


# -- the seed list -------------------------------------------------------------------------------------


def _listed(entry: Entry, sections: dict[str, Section]) -> dict[str, Any]:
    """What the list shows of an entry: everything but the ids (hand-chosen) and what the curator added by hand
    (`ids`, and `authors` for the two items no service knows)."""
    shown = compact(entry)
    del shown["id"]
    shown["section"] = sections[entry.section].title
    shown["links"] = {
        role: (
            value if isinstance(value, str) else value[0],
            default_label(entry, role) if isinstance(value, str) else value[1],
        )
        for role, value in shown["links"].items()
    }
    return shown


def _section_text(section: Section, sections: dict[str, Section]) -> dict[str, Any]:
    return {
        "title": section.title,
        "icon": section.icon,
        "description": section.description,
        "comment": section.comment,
        "hidden": section.hidden,
        "see_also": section.see_also,
        "parent": sections[section.parent].title if section.parent else None,
    }


def _column_titles(section: Section) -> dict[str, str]:
    return {column: section.column_titles.get(column, COLUMN_TITLES[column]) for column in section.columns}


def test_the_seed_list_imports_as_the_bundled_entries_yaml() -> None:
    bundled = load_entries("entries.yaml", (REPO_ROOT / "entries.yaml").read_bytes())
    result = read("markdown", str(SEED), SEED.read_text(encoding="utf-8"))
    ours = written(result)
    assert result.notices == ()
    theirs_sections = {s.id: s for s in bundled.sections}
    ours_sections = {s.id: s for s in ours.sections}
    assert [_section_text(s, ours_sections) for s in ours.sections] == [
        _section_text(s, theirs_sections) for s in bundled.sections
    ]
    # Columns are compared where the section has a table (the hidden section's columns are the curator's guess).
    for mine, bundled_section in zip(ours.sections, bundled.sections, strict=True):
        if not mine.hidden:
            assert _column_titles(mine) == _column_titles(bundled_section), mine.title
    assert [_listed(e, ours_sections) for e in ours.entries] == [_listed(e, theirs_sections) for e in bundled.entries]
    assert ours.meta == bundled.meta


def test_the_markdown_export_of_the_imported_seed_keeps_every_row_and_link() -> None:
    seed = SEED.read_text(encoding="utf-8")
    curated = written(read("markdown", str(SEED), seed))
    listed = export("markdown", build_catalog(curated, {}), ExportOptions(markdown_as_listed=True))
    for url in re.findall(r"\]\((https?://[^)\s]+)\)", seed):
        assert f"({url})" in listed, url
    for title in re.findall(r"^\|[^|]*\| \*\*([^*]+)\*\* \|", seed, flags=re.MULTILINE):
        assert f"**{title}**" in listed, title
    rows = [line for line in seed.splitlines() if line.startswith("|") and not line.startswith("|-")]
    assert len([line for line in listed.splitlines() if line.startswith("| ")]) == len(rows)


def test_import_export_import_is_stable() -> None:
    first = written(read("markdown", str(SEED), SEED.read_text(encoding="utf-8")))
    listed = export("markdown", build_catalog(first, {}), ExportOptions(markdown_as_listed=True))
    again = read("markdown", "list.md", listed)
    second = written(again)
    assert again.notices == ()
    assert second.meta == first.meta
    assert [(s.id, s.title, s.columns, dict(s.column_titles), s.description) for s in second.sections] == [
        (s.id, s.title, s.columns, dict(s.column_titles), s.description) for s in first.sections
    ]
    assert [compact(e) for e in second.entries] == [compact(e) for e in first.entries]


# -- one trap per test -----------------------------------------------------------------------------------


def test_titles_in_bold_or_as_the_paper_link_and_venues_as_lists_write_them() -> None:
    result = imported("titles-and-venues.md")
    assert entries_of(result) == [
        {
            "id": "seco",
            "section": "papers",
            "title": "Seasonal Contrast: Unsupervised Pre-Training from Uncurated Remote Sensing Data",
            "abbr": "SeCo",
            "venue": "ICCV2021",
            "links": {"paper": "https://arxiv.org/abs/2103.16607"},
        },
        {
            "id": "geographic-location-encoding-with",
            "section": "papers",
            "title": "Geographic Location Encoding with Spherical Harmonics",
            "venue": "ICCV 2023",
            "links": {"paper": "https://arxiv.org/abs/2310.06743"},
        },
        {
            "id": "presto",
            "section": "papers",
            "title": "Lightweight, Pre-trained Transformers for Remote Sensing Timeseries",
            "abbr": "PRESTO",
            "venue": "arxiv 2023",
            "links": {"paper": "https://arxiv.org/abs/2304.14065"},
        },
        {
            "id": "a-road-extraction-network",
            "section": "papers",
            "title": "A Road Extraction Network",
            "venue": "GRSL 2022.",
            "links": {"paper": "https://ieeexplore.ieee.org/document/9709203"},
        },
        {
            "id": "urban-embeddings-from-street",
            "section": "papers",
            "title": "Urban Embeddings from Street View",
            "venue": "JAG2025",
            "links": {"paper": "https://doi.org/10.1016/j.jag.2025.104321"},
        },
    ]
    assert result.notices == ()
    assert written(result).sections[0].column_titles == {"abbr": "Name", "venue": "Venue"}


def test_rows_without_outer_pipes_short_rows_empty_cells_and_urls_with_parentheses() -> None:
    result = imported("loose-rows.md")
    assert entries_of(result) == [
        {
            "id": "geoclip",
            "section": "papers",
            "title": "GeoCLIP: Clip-Inspired Alignment between Locations and Images",
            "abbr": "GeoCLIP",
            "venue": "NeurIPS 2023",
            "links": {
                "paper": "https://arxiv.org/abs/2309.16020",
                "code": "https://github.com/VicenteVivan/geo-clip",
            },
        },
        {
            "id": "satclip",
            "section": "papers",
            "title": "SatCLIP: Global, General-Purpose Location Embeddings",
            "abbr": "SatCLIP",
            "venue": "AAAI 2025",
            "links": {},
        },
        {
            "id": "mapping-with-wikipedia",
            "section": "papers",
            "title": "Mapping with Wikipedia",
            "links": {"paper": "https://en.wikipedia.org/wiki/Map_(disambiguation)"},
        },
        {
            "id": "gair",
            "section": "papers",
            "title": "GAIR: Geo-Aligned Implicit Representations",
            "abbr": "GAIR",
            "links": {},
        },
    ]
    assert notices_of(result) == [(10, "paper cell: a link with no target (`[...]()`), nothing listed")]


def test_html_tables_with_rowspan_and_br_and_commented_out_rows_and_sections() -> None:
    result = imported("html-and-comments.md")
    assert entries_of(result) == [
        {
            "id": "satmae-pre-training-transformers",
            "section": "foundation-models",
            "title": "SatMAE: Pre-training Transformers for Temporal and Multi-Spectral Satellite Imagery",
            "venue": "NeurIPS 2022",
            "links": {
                "paper": ("https://arxiv.org/abs/2207.08051", "arXiv"),
                "code": "https://github.com/sustainlab-group/SatMAE",
            },
        },
        {
            # the venue cell spans two rows; the <br> inside the title is a space
            "id": "mind-the-gap-understanding",
            "section": "foundation-models",
            "title": "Mind the Gap: Understanding the Modality Gap",
            "venue": "NeurIPS 2022",
            "links": {"paper": ("https://openreview.net/forum?id=S7Evzt9uit3", "OpenReview")},
        },
        {
            "id": "satclip",
            "section": "location-encoders",
            "title": "SatCLIP: Global, General-Purpose Location Embeddings",
            "abbr": "SatCLIP",
            "venue": "AAAI 2025",
            "links": {"paper": "https://arxiv.org/abs/2311.17179"},
        },
        {
            # the row after a commented-out row still belongs to the table
            "id": "geoclip",
            "section": "location-encoders",
            "title": "GeoCLIP: Clip-Inspired Alignment between Locations and Images",
            "abbr": "GeoCLIP",
            "venue": "NeurIPS 2023",
            "links": {"paper": "https://arxiv.org/abs/2309.16020"},
        },
    ]
    assert notices_of(result) == [
        (10, "commented-out table row: not imported"),
        (18, "commented-out table row: not imported"),
    ]
    sections = result.curated.sections
    assert [(s.id, s.title, s.hidden, s.description) for s in sections] == [
        ("foundation-models", "Foundation Models", False, "Models with released embeddings."),
        ("location-encoders", "Location Encoders", False, ""),
        ("temporal-embeddings", "Temporal Embeddings", True, "Coming soon."),
    ]


def test_bullets_with_a_byline_and_description_or_bracketed_links_and_a_venue_on_the_next_line() -> None:
    result = imported("bullets.md")
    assert entries_of(result) == [
        {
            "id": "seasonal-contrast-unsupervised-pre",
            "section": "papers",
            "title": "Seasonal Contrast: Unsupervised Pre-Training from Uncurated Remote Sensing Data",
            "year": 2021,
            "notes": "Mañas et al., 21\nContrastive pre-training on seasonal image pairs",
            "links": {"paper": "https://arxiv.org/abs/2103.16607"},
        },
        {
            "id": "satmae-pre-training-transformers",
            "section": "papers",
            "title": "SatMAE: Pre-training Transformers for Temporal and Multi-Spectral Satellite Imagery",
            "venue": "NeurIPS 2022",
            "links": {
                "paper": "https://arxiv.org/abs/2207.08051",
                "code": "https://github.com/sustainlab-group/SatMAE",
            },
        },
    ]
    assert result.notices == ()


def test_a_cell_of_several_links_tells_the_paper_from_the_repository_and_the_project_page() -> None:
    result = imported("multi-link.md")
    assert entries_of(result) == [
        {
            "id": "towards-a-unified-copernicus",
            "section": "papers",
            "title": "Towards a Unified Copernicus Foundation Model for Earth Vision",
            "links": {
                "paper": ("https://arxiv.org/abs/2503.11849", "arXiv"),
                "code": "https://github.com/zhu-xlab/Copernicus-FM",
                "project": ("https://zhu-xlab.github.io/copernicus-fm/", "site"),
            },
        },
        {
            "id": "tessera-precomputed-fair-global",
            "section": "papers",
            "title": "TESSERA: Precomputed FAIR Global Pixel Embeddings",
            "links": {
                "paper": "https://arxiv.org/abs/2506.20380",
                "code": ("https://github.com/ucam-eo/tessera", "Repo"),
            },
        },
        {
            # a cell's only link goes where its label says (`[Code]` in the Links column)
            "id": "a-work-with-only",
            "section": "papers",
            "title": "A Work With Only Code",
            "links": {"code": "https://github.com/example/only-code"},
        },
    ]
    # every link gets a column, so the export still shows it
    assert result.curated.sections[0].columns == ("title", "paper", "code", "project")


def test_badges_a_table_of_contents_bibtex_blocks_and_prose_sections_are_reported_not_listed() -> None:
    result = imported("noise.md")
    assert [e["id"] for e in entries_of(result)] == ["seco"]
    assert result.curated.meta.badges == ("[![Awesome](https://awesome.re/badge.svg)](https://awesome.re)",)
    assert result.curated.meta.intro == "A list with everything around the works."
    assert notices_of(result) == [
        (7, "section 'Table of Contents' lists no works: not imported"),
        (8, "table of contents: not imported (sections are read from the headings)"),
        (18, "section 'Citation' lists no works: not imported"),
        (22, "BibTeX block: not imported"),
        (28, "section 'License' lists no works: not imported"),
    ]


def test_datasets_challenges_and_tools_get_their_kind_and_a_work_listed_twice_is_one_entry() -> None:
    result = imported("kinds.md")
    assert entries_of(result) == [
        {
            "id": "satclip",
            "section": "papers",
            "title": "SatCLIP: Global, General-Purpose Location Embeddings with Satellite Imagery",
            "abbr": "SatCLIP",
            "venue": "AAAI 2025",
            "also_in": ("location-embeddings",),
            "links": {"paper": "https://arxiv.org/abs/2311.17179"},
        },
        {
            "id": "major-tom-core",
            "section": "datasets",
            "title": "Major TOM Core",
            "kind": "dataset",
            "year": 2024,
            "links": {"dataset": ("https://huggingface.co/Major-TOM", "Hugging Face")},
        },
        {
            "id": "cvpr-earthvision-embed2scale-challenge",
            "section": "challenges",
            "title": "CVPR EARTHVISION: Embed2Scale Challenge",
            "kind": "challenge",
            "year": 2025,
            "host": "CVPR EarthVision",
            "links": {"challenge": ("https://eval.ai/web/challenges/challenge-page/2465/overview", "Embed2Scale")},
        },
        {
            "id": "torchgeo",
            "section": "tools",
            "title": "TorchGeo",
            "kind": "software",
            "links": {"code": ("https://github.com/microsoft/torchgeo", "GitHub")},
        },
    ]
    assert notices_of(result) == [
        (
            32,
            "'SatCLIP: Global, General-Purpose Location Embeddings with Satellite Imagery' is listed again "
            "(first on line 7): one entry in both sections",
        )
    ]
    curated = written(result)
    listed = export("markdown", build_catalog(curated, {}), ExportOptions(markdown_as_listed=True))
    assert listed.count("**SatCLIP**") == 2


def test_every_trap_list_writes_an_entries_yaml_that_check_accepts_and_reimports_the_same() -> None:
    for path in sorted(TRAPS.glob("*.md")):
        result = imported(path.name)
        curated = written(result)
        listed = export("markdown", build_catalog(curated, {}), ExportOptions(markdown_as_listed=True))
        again = read("markdown", "list.md", listed)
        assert [_shown_in_table(e) for e in written(again).entries] == [_shown_in_table(e) for e in curated.entries], (
            path.name
        )


def _shown_in_table(entry: Entry) -> dict[str, Any]:
    """What a table row shows: a bullet's description and byline year stay in entries.yaml only."""
    shown = compact(entry)
    shown.pop("notes", None)
    if entry.kind == "paper":
        shown.pop("year", None)
    return shown


def test_a_link_column_beside_the_papers_and_tag_and_description_columns() -> None:
    result = imported("link-and-tags.md")
    assert entries_of(result) == [
        {
            "id": "geo-bench",
            "section": "benchmarks",
            "title": "GEO-Bench: Toward Foundation Models for Earth Monitoring",
            "abbr": "GEO-Bench",
            "venue": "Arxiv2023",
            "links": {
                "paper": ("https://arxiv.org/abs/2306.03831", "Paper"),
                "code": ("https://github.com/ServiceNow/geo-bench", "link"),
            },
        },
        {
            "id": "torchgeo",
            "section": "relevant-projects",
            "title": "TorchGeo",
            "notes": "Datasets, samplers and models for geospatial data.",
            "links": {"code": ("https://github.com/microsoft/torchgeo", "link")},
        },
    ]
    assert [entry.tags for entry in result.curated.entries] == [("Classification", "Segmentation"), ()]
    assert result.notices == ()
