"""The venue table: venues read in the forms real lists write them, one canonical name whatever the source says."""

from __future__ import annotations

import pytest

from geoemb_bib.model import Record
from geoemb_bib.venues import by_issn, canonical_container, find_venue, parse_venue_text


@pytest.mark.parametrize(
    ("listed", "acronym", "year", "note"),
    [
        ("ICCV 2023", "ICCV", 2023, None),
        ("ICCV2021", "ICCV", 2021, None),
        ("TGRS2024", "TGRS", 2024, None),
        ("IEEE TGRS 2024", "TGRS", 2024, None),
        ("RS2021", "Remote Sensing", 2021, None),
        ("MDPI Remote Sensing 2021", "Remote Sensing", 2021, None),
        ("ISPRS P&RS 2024", "ISPRS JPRS", 2024, None),
        ("Int. J. Appl. Earth Obs. Geoinf. 2022", "JAG", 2022, None),
        ("arxiv 2023", "arXiv", 2023, None),
        ("ICCV 2025 Oral", "ICCV", 2025, "Oral"),
        ("CVPR'23", "CVPR", 2023, None),
        ("CVPRW 2023", "CVPRW", 2023, None),
        ("CVPR 2023 Workshops", "CVPRW", 2023, None),
        ("GRSL2022", "GRSL", 2022, None),
        ("JSTARS 2021", "JSTARS", 2021, None),
        ("WACV2023", "WACV", 2023, None),
        ("SIGGRAPH Frontiers 2025", "SIGGRAPH", 2025, "Frontiers"),
    ],
)
def test_a_listed_venue_is_read_in_the_forms_lists_write_it(
    listed: str, acronym: str, year: int, note: str | None
) -> None:
    parsed = parse_venue_text(listed)
    assert (parsed.acronym, parsed.year, parsed.note) == (acronym, year, note)
    assert parsed.venue is not None


def test_preprint_servers_and_platforms_claim_no_venue() -> None:
    assert not parse_venue_text("Arxiv 2025").claims_venue
    assert not parse_venue_text("Source Cooperative 2024").claims_venue
    assert parse_venue_text("GRSM 2025").claims_venue


@pytest.mark.parametrize(
    ("text", "acronym"),
    [
        ("Thirty-seventh Conference on Neural Information Processing Systems", "NeurIPS"),
        ("Advances in Neural Information Processing Systems", "NeurIPS"),
        ("Computer Vision \u2013 ECCV 2024", "ECCV"),
        ("2023 IEEE/CVF International Conference on Computer Vision (ICCV)", "ICCV"),
        ("Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition Workshops", "CVPRW"),
        ("Remote Sensing", "Remote Sensing"),
        ("Remote Sensing of Environment", "RSE"),
        ("IEEE Transactions on Geoscience and Remote Sensing", "TGRS"),
        ("International Journal of Applied Earth Observation and Geoinformation", "JAG"),
        ("ICLR.cc/2024/Conference", "ICLR"),
    ],
)
def test_a_record_names_its_venue_in_many_ways(text: str, acronym: str) -> None:
    found = find_venue(text)
    assert found is not None and found.acronym == acronym


@pytest.mark.parametrize("text", ["Journal of Synthetic Test Records", "Remote Sensing Letters", "a gis workshop"])
def test_a_name_that_only_contains_a_venue_word_is_no_venue(text: str) -> None:
    assert find_venue(text) is None


def test_issns_name_their_journal() -> None:
    assert by_issn("2072-4292").acronym == "Remote Sensing"  # type: ignore[union-attr]
    assert by_issn("1558-0644").acronym == "TGRS"  # type: ignore[union-attr]
    assert by_issn("0000-0000") is None


def test_one_venue_gets_one_name_whatever_openreview_calls_it() -> None:
    v2 = Record(
        "openreview",
        "openreview:a",
        container_title="Thirty-seventh Conference on Neural Information Processing Systems",
        venueid="NeurIPS.cc/2023/Conference",
    )
    v1 = Record("openreview", "openreview:b", container_title="Advances in Neural Information Processing Systems")
    assert canonical_container(v2) == canonical_container(v1) == "Advances in Neural Information Processing Systems"
    springer = Record("crossref", "doi:10.1007/x", container_title="Computer Vision \u2013 ECCV 2024")
    assert canonical_container(springer) == "Computer Vision \u2013 ECCV 2024"  # a publisher's volume title stays
