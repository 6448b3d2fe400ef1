"""Replay: each landing-page link form, from the link to the resolved record, against the loopback fake services.

The fake serves the reconstructed landing corpus (fixtures/landing/PROVENANCE.md: SYNTHETIC records, each search
with a near-identical decoy) beside the replay corpus. Assertions read only what the tests' own fixtures define.
"""

from __future__ import annotations

from functools import cache

import pytest

from geoemb_bib.catalog import build_catalog
from geoemb_bib.entries import load_entries
from geoemb_bib.exporters import export
from geoemb_bib.model import Resolved
from geoemb_bib.report import markdown_report
from geoemb_bib.status import StatusRow, status_rows
from resolved_replay import refresh_text

HEADER = """list:
  title: Landing pages
sections:
  - id: papers
    title: Papers
entries:
"""
# id, title, venue, paper link
ENTRIES: tuple[tuple[str, str, str, str], ...] = (
    (
        "acm",
        "Earth Embeddings: Harnessing the Information in Earth Observation Data with Machine Learning",
        "SIGGRAPH Frontiers 2025",
        "https://dl.acm.org/doi/abs/10.1145/3736539.3754446",
    ),
    (
        "springer",
        "Synthetic Terrain Embeddings for Landing Tests",
        "ECCV 2024",
        "https://link.springer.com/chapter/10.1007/landing-synthetic-eccv.0005",
    ),
    (
        "tandf",
        "Synthetic T&F Landing Page Work",
        "IJGIS 2023",
        "https://www.tandfonline.com/doi/full/10.1080/landing-synthetic.0001",
    ),
    (
        "wiley",
        "Synthetic Wiley Landing Page Work",
        "TGIS 2023",
        "https://onlinelibrary.wiley.com/doi/abs/10.1002/landing-synthetic.0002",
    ),
    (
        "iop",
        "Synthetic IOP Landing Page Work",
        "ERL 2023",
        "https://iopscience.iop.org/article/10.1088/landing-synthetic.0003/meta",
    ),
    (
        "nature",
        "Synthetic Nature Landing Page Work",
        "Nat. Commun. 2023",
        "https://www.nature.com/articles/landing-synthetic-0004",
    ),
    (
        "sciencedirect",
        "Synthetic Remote Sensing of Environment Landing Work",
        "RSE 2022",
        "https://www.sciencedirect.com/science/article/abs/pii/S0034425799000006",
    ),
    ("mdpi", "Synthetic Embeddings of MDPI Landing Pages", "RS2021", "https://www.mdpi.com/2072-4292/13/4/653"),
    (
        "ieee",
        "Synthetic Symposium Paper Behind an Xplore Link",
        "IGARSS 2024",
        "https://ieeexplore.ieee.org/abstract/document/99990001",
    ),
    (
        "ieee-magazine",
        "Synthetic Data Sets for Magazine Readers.",
        "GRSM 2024",
        "https://ieeexplore.ieee.org/document/99990009",
    ),
    (
        "cvf-name-only",
        "TerraWidget",
        "ICCV2023",
        "https://openaccess.thecvf.com/content/ICCV2023/html/Example_TerraWidget_Scale-Aware_Embeddings_for_Synthetic_Terrain_ICCV_2023_paper.html",
    ),
    (
        "cvf-seco",
        "Seasonal Contrast: Unsupervised Pre-Training from Uncurated Remote Sensing Data",
        "ICCV 2021",
        "https://openaccess.thecvf.com/content/ICCV2021/html/Manas_Seasonal_Contrast_Unsupervised_Pre-Training_From_Uncurated_Remote_Sensing_Data_ICCV_2021_paper.html",
    ),
    (
        "neurips",
        "SatMAE: Pre-training Transformers for Temporal and Multi-Spectral Satellite Imagery",
        "NeurIPS 2022",
        "https://papers.neurips.cc/paper_files/paper/2022/hash/01c561df365429f33fcd7a7faa44c985-Abstract-Conference.html",
    ),
    (
        "pmlr",
        "Synthetic Proceedings of Machine Learning Research Paper",
        "ICML 2023",
        "https://proceedings.mlr.press/v202/example23a.html",
    ),
    ("acl", "Synthetic Anthology Paper", "ACL 2099", "https://aclanthology.org/2099.landing-synthetic.1/"),
    (
        "unknown-host",
        "Synthetic Transactions Paper on an Unknown Host",
        "TGRS 2023",
        "https://www.researchgate.net/publication/0_Synthetic_Transactions_Paper",
    ),
    (
        "no-venue",
        "Synthetic Paper Listed Without a Venue",
        "Arxiv 2022",
        "https://example.org/papers/synthetic-paper.pdf",
    ),
    ("name-only", "TerraWidget", "ICCV 2023", "https://example.org/terrawidget"),
    ("unknown-arxiv", "A Paper Whose arXiv Id Was Mistyped", "Arxiv 2022", "https://arxiv.org/abs/2212.14530"),
)
ECVA = (
    "ecva",
    "Synthetic Terrain Embeddings for Landing Tests",
    "ECCV 2024",
    "https://www.ecva.net/papers/eccv_2024/papers_ECCV/html/1234_ECCV_2024_paper.php",
)


def _yaml(entries: tuple[tuple[str, str, str, str], ...]) -> str:
    rows = [
        f'  - id: {entry_id}\n    section: papers\n    title: "{title}"\n    venue: "{venue}"\n'
        f'    links:\n      paper: "{url}"\n'
        for entry_id, title, venue, url in entries
    ]
    return HEADER + "".join(rows)


@cache
def resolved(which: str = "main") -> tuple[dict[str, Resolved], list[str], str, list[StatusRow], str]:
    """The list refreshed against the fake: items by id, the requests made, the BibTeX export, `status` rows and the
    change report."""
    text = _yaml(ENTRIES if which == "main" else (ECVA,))
    curated = load_entries("entries.yaml", text.encode("utf-8"))
    result, requests = refresh_text(text)
    items = {item.entry.id: item for item in result.items}
    catalog = build_catalog(curated, items)
    report = markdown_report(result.changes, result.items, result.failures, result.service_problems)
    return items, requests, export("bibtex", catalog.keyed()), status_rows(catalog), report


def item(entry_id: str) -> Resolved:
    return resolved()[0][entry_id]


@pytest.mark.parametrize(
    ("entry_id", "doi"),
    [
        ("acm", "10.1145/3736539.3754446"),
        ("springer", "10.1007/landing-synthetic-eccv.0005"),
        ("tandf", "10.1080/landing-synthetic.0001"),
        ("wiley", "10.1002/landing-synthetic.0002"),
        ("iop", "10.1088/landing-synthetic.0003"),
        ("nature", "10.1038/landing-synthetic-0004"),
    ],
)
def test_a_doi_in_the_link_is_looked_up_and_becomes_the_version_of_record(entry_id: str, doi: str) -> None:
    found = item(entry_id)
    assert (found.status, found.evidence, found.record.doi) == ("published", "identifier", doi)


def test_a_sciencedirect_pii_is_resolved_through_crossrefs_alternative_id_filter() -> None:
    found = item("sciencedirect")
    assert (found.status, found.record.doi) == ("published", "10.1016/landing-synthetic.0006")
    assert any("filter=alternative-id:S0034425799000006" in request for request in resolved()[1])


def test_mdpi_searches_the_journal_and_checks_volume_issue_and_article_number() -> None:
    found = item("mdpi")
    assert (found.status, found.evidence, found.record.doi) == (
        "published",
        "verified",
        "10.3390/landing-synthetic.0007",
    )
    assert any("issn:2072-4292" in request and "MDPI" in request for request in resolved()[1])
    assert "10.3390/landing-decoy.0007 rejected" in "\n".join(found.steps)
    assert "volume 13 in the link, 14 in the record" in "\n".join(found.steps)


def test_ieee_xplore_resolves_by_title_and_the_article_number_in_the_doi() -> None:
    found = item("ieee")
    assert (found.status, found.record.doi) == ("published", "10.1109/igarss-landing.2024.99990001")
    assert "link agrees on article number 99990001" in "\n".join(found.steps)
    # The decoy under another title is refused and, being no news for the lock file, not recorded there.
    assert "10.5555/landing-decoy.04" not in "\n".join(found.steps)


def test_an_ieee_magazine_title_loses_its_column_tag_and_the_search_keeps_to_the_listed_years() -> None:
    found = item("ieee-magazine")
    assert found.status == "published" and found.record.title == "Synthetic Data Sets for Magazine Readers"
    assert any("from-pub-date:2023" in r and "until-pub-date:2025" in r for r in resolved()[1] if "Magazine" in r)


def test_a_cvf_link_carries_a_name_only_title_by_its_first_author_and_title_words() -> None:
    found = item("cvf-name-only")
    assert (found.status, found.record.doi) == ("published", "10.1109/iccv-landing.2023.0010")
    steps = "\n".join(found.steps)
    assert "first author Example" in steps
    assert "10.1109/wacv-landing.2024.0010 rejected" in steps


def test_a_cvf_link_finds_the_preprint_by_title_then_the_proceedings_paper() -> None:
    found = item("cvf-seco")
    assert (found.status, found.record.doi, found.record.arxiv_id) == (
        "published",
        "10.1109/iccv48922.2021.00928",
        "2103.16607",
    )


def test_a_neurips_proceedings_link_finds_the_openreview_v1_note() -> None:
    found = item("neurips")
    assert (found.status, found.record.openreview_id, found.record.arxiv_id) == (
        "published",
        "WBhqzpF6KYH",
        "2207.08051",
    )


def test_a_pmlr_link_is_matched_on_openreview_by_venue_year_and_first_author_without_authors() -> None:
    found = item("pmlr")
    assert (found.status, found.record.openreview_id) == ("published", "LANDicml2023")
    assert "LANDdecoy004 rejected" in "\n".join(found.steps)


def test_an_acl_anthology_id_gives_a_doi_only_once_crossref_confirms_it() -> None:
    found = item("acl")
    assert (found.status, found.record.doi) == ("published", "10.18653/v1/2099.landing-synthetic.1")


def test_an_unknown_host_falls_through_to_a_search_narrowed_by_the_listed_journal_and_year() -> None:
    found = item("unknown-host")
    assert (found.status, found.record.doi) == ("published", "10.1109/tgrs-landing.2023.0011")
    assert "10.1109/tgrs-landing.2023.0012 rejected" in "\n".join(found.steps)
    assert any("issn:0196-2892" in request for request in resolved()[1])


def test_without_a_venue_to_confirm_it_the_title_alone_is_not_accepted_and_the_reason_is_one_line() -> None:
    found = item("no-venue")
    assert found.status == "unresolved" and found.record.doi is None
    (line,) = [problem for problem in found.problems if problem.startswith("abstained: ")]
    assert "10.5555/landing-synthetic.0013 has the title but" in line and "names no venue and year" in line
    assert "\n" not in line


def test_a_title_that_is_only_a_name_abstains_when_the_link_says_nothing() -> None:
    found = item("name-only")
    assert found.status == "unresolved"
    assert any("is only a name" in problem for problem in found.problems)


def test_an_arxiv_id_arxiv_does_not_know_never_reaches_an_export() -> None:
    found = item("unknown-arxiv")
    assert found.status == "unresolved" and found.record.arxiv_id is None
    assert any("arxiv:2212.14530 is not known" in problem for problem in found.problems)
    # Never resolved, it has no citation key yet, so no citation format carries it (keys.py).
    assert found.key == ""
    bibtex = resolved()[2]
    assert "2212.14530" not in bibtex


def test_springer_proceedings_are_conference_papers_in_the_volume_with_series_volume_and_pages() -> None:
    found = item("springer")
    record = found.record
    assert record.type == "paper-conference"
    assert record.container_title == "Computer Vision \u2013 ECCV 2024"
    assert (record.collection_title, record.volume, record.page) == (
        "Lecture Notes in Computer Science",
        "15099",
        "1-18",
    )
    bibtex = resolved()[2]
    entry = bibtex.split(f"{{{found.key},", 1)[1].split("\n}", 1)[0]
    assert bibtex.split(f"{{{found.key},")[0].rstrip().endswith("@inproceedings")
    assert "series" in entry and "Lecture Notes in Computer Science" in entry


def test_an_ecva_link_finds_the_springer_chapter_by_title_and_rejects_the_journal_decoy() -> None:
    items = resolved("ecva")[0]
    found = items["ecva"]
    assert (found.status, found.record.doi) == ("published", "10.1007/landing-synthetic-eccv.0005")
    assert "10.5555/landing-decoy.03 rejected" in "\n".join(found.steps)


def test_status_and_the_change_report_give_each_abstention_its_missing_evidence_in_one_line() -> None:
    _, _, _, rows, report = resolved()
    by_id = {row.id: row for row in rows}
    for entry_id in ("no-venue", "name-only", "unknown-arxiv"):
        reason = [part for part in by_id[entry_id].missing if part.startswith(("abstained: ", "unknown identifier: "))]
        assert len(reason) == 1 and "\n" not in reason[0], entry_id
        still_open = report.split("## Still open", 1)[1].splitlines()
        line = next(line for line in still_open if f"`{item(entry_id).key or entry_id}`" in line)
        assert reason[0] in line, entry_id
    assert "names no venue and year to confirm it" in by_id["no-venue"].missing[-1]
    assert "is only a name" in by_id["name-only"].missing[-1]
