"""Accepting a record when no author is known: near-identical title, agreement with the listing and the link, and a
clear lead; otherwise the verdict names the missing evidence. Also the title traps real records hold."""

from __future__ import annotations

import dataclasses

import pytest

from geoemb_bib.landing import read_link
from geoemb_bib.matching import Reference, choose, choose_preprint, compare_titles, reference_for
from geoemb_bib.model import Entry, Link, PartialDate, Person, Record

TITLE = "Synthetic Embeddings of Landing Pages for Remote Sensing"


def entry(
    title: str = TITLE, venue: str | None = "TGRS 2023", url: str = "https://example.org/p", **fields: object
) -> Entry:
    return Entry(id="e", section="s", title=title, venue=venue, links=(Link("paper", url),), **fields)  # type: ignore[arg-type]


def work(
    doi: str,
    title: str = TITLE,
    *,
    year: int = 2023,
    container: str = "IEEE Transactions on Geoscience and Remote Sensing",
    first: str = "Example",
    **fields: object,
) -> Record:
    return Record(
        source="crossref",
        standard_id=f"doi:{doi}",
        doi=doi,
        type="article-journal",
        source_type="journal-article",
        title=title,
        author=(Person(family=first, given="A."), Person(family="Sample", given="B.")),
        issued=PartialDate(year),
        container_title=container,
        **fields,  # type: ignore[arg-type]
    )


def test_the_listed_venue_and_year_carry_a_near_identical_title() -> None:
    decision = choose(reference_for(entry()), [work("10.1/right"), work("10.1/longer", TITLE + ": Extended Version")])
    assert decision.outcome == "accepted" and decision.record is not None and decision.record.doi == "10.1/right"


def test_without_a_venue_in_the_listing_the_title_alone_is_not_enough_and_the_reason_is_one_line() -> None:
    decision = choose(reference_for(entry(venue="Arxiv 2023")), [work("10.1/only")])
    assert decision.outcome == "rejected"
    assert decision.missing == (
        "10.1/only has the title but no author known to compare and the listing names no venue and year to confirm it"
    )


def test_a_same_title_record_at_another_venue_is_never_taken() -> None:
    decision = choose(
        reference_for(entry(venue="IGARSS 2023")), [work("10.1/elsewhere", container="Journal of Synthetic Records")]
    )
    assert decision.outcome == "rejected" and decision.missing is not None
    assert "does not match 'IGARSS 2023'" in decision.missing


def test_a_record_years_away_from_the_listed_year_is_rejected() -> None:
    decision = choose(reference_for(entry()), [work("10.1/old", year=2019)])
    assert decision.outcome == "rejected" and "year 2019 does not fit the listed year 2023" in (decision.missing or "")


def test_two_records_the_listing_cannot_tell_apart_abstain() -> None:
    decision = choose(reference_for(entry()), [work("10.1/a"), work("10.1/b", first="Testcase")])
    assert decision.outcome == "abstained" and "no clear lead" in (decision.missing or "")


def test_a_name_only_title_needs_the_link_to_name_the_paper() -> None:
    name_only = entry(title="TerraWidget", venue="ICCV 2023")
    record = work(
        "10.1/tw", "TerraWidget", container="2023 IEEE/CVF International Conference on Computer Vision (ICCV)"
    )
    decision = choose(reference_for(name_only), [record])
    assert decision.outcome == "rejected" and "is only a name" in (decision.missing or "")
    cvf = "https://openaccess.thecvf.com/content/ICCV2023/html/Example_TerraWidget_ICCV_2023_paper.html"
    assert choose(reference_for(dataclasses.replace(name_only, links=(Link("paper", cvf),))), [record]).outcome == (
        "accepted"
    )


def test_the_links_first_author_volume_and_article_number_must_agree() -> None:
    cvf = "https://openaccess.thecvf.com/content/ICCV2023/html/Sample_Synthetic_ICCV_2023_paper.html"
    iccv = "2023 IEEE/CVF International Conference on Computer Vision (ICCV)"
    decision = choose(reference_for(entry(venue="ICCV 2023", url=cvf)), [work("10.1/x", container=iccv)])
    assert decision.outcome == "rejected" and "first author Sample in the link, Example in the record" in (
        decision.missing or ""
    )
    mdpi = reference_for(entry(venue="RS2021", url="https://www.mdpi.com/2072-4292/13/4/653"))
    right = work("10.3390/a", year=2021, container="Remote Sensing", volume="13", issue="4", page="653")
    other = dataclasses.replace(right, standard_id="doi:10.3390/b", doi="10.3390/b", volume="14")
    decision = choose(mdpi, [other, right])
    assert decision.outcome == "accepted" and decision.record == right


def test_a_preprint_found_by_title_must_fit_the_listed_year_and_not_claim_another_venue() -> None:
    reference = reference_for(entry(venue="AAAI 2025"))

    def preprint(arxiv_id: str, year: int, **fields: object) -> Record:
        return Record("arxiv", f"arxiv:{arxiv_id}", title=TITLE, issued=PartialDate(year), arxiv_id=arxiv_id, **fields)  # type: ignore[arg-type]

    decision = choose_preprint(reference, [preprint("2311.00001", 2023), preprint("1905.00001", 2019)])
    assert decision.outcome == "accepted" and decision.record is not None and decision.record.arxiv_id == "2311.00001"
    claimed = choose_preprint(reference, [preprint("2311.00002", 2024, journal_ref="IGARSS 2024")])
    assert claimed.outcome == "rejected" and "arXiv says 'IGARSS 2024'" in (claimed.missing or "")


@pytest.mark.parametrize(
    ("listed", "published"),
    [
        (
            "Lossy Neural Compression for Geospatial Analytics: A Review",
            "Lossy Neural Compression for Geospatial Analytics: A review [Feature]",
        ),
        ("Open Data for Earth Observation", "Open Data for Earth Observation [Software and Data Sets]"),
        ("Multi-Modal Contrastive Learning of Earth Embeddings", "Multimodal contrastive learning of earth embeddings"),
        ("Geo Embeddings: A Survey", "Geo Embeddings - A Survey"),
        ("Geo Embeddings: A Survey", "Geo Embeddings \u2014 a Survey."),
        ("Geo<i>CLIP</i>: Aligning Locations", "Geo{CLIP}: Aligning Locations"),
        ("GEO EMBEDDINGS FOR ALL", "Geo Embeddings for All"),
    ],
)
def test_title_traps_compare_as_identical(listed: str, published: str) -> None:
    assert compare_titles([listed], published).kind == "identical"


def test_a_retitled_publication_is_not_a_near_identical_title_without_authors() -> None:
    reference = Reference(
        titles=("Global and Dense Embeddings of Earth",), listed_year=2024, venue_hints=("TGRS 2024",)
    )
    decision = choose(reference, [work("10.1/retitled", "Dense Earth Embeddings at Global Scale", year=2024)])
    assert decision.outcome == "rejected"


def test_a_link_reveals_facts_the_reference_keeps() -> None:
    reference = reference_for(entry(url="https://www.mdpi.com/2072-4292/13/4/653", venue="RS2021"))
    assert reference.link == read_link("https://www.mdpi.com/2072-4292/13/4/653")
    assert reference.listed_year == 2021 and not reference.name_only


def test_a_url_author_segment_names_a_family_name_with_particles() -> None:
    pmlr = reference_for(entry(venue="ICML 2023", url="https://proceedings.mlr.press/v202/vanderberg23a.html"))
    record = dataclasses.replace(
        work("10.1/icml", container="International Conference on Machine Learning"),
        author=(Person(family="Berg", particle="van der", given="Ada"),),
    )
    assert pmlr.link is not None and pmlr.link.first_author == "vanderberg"
    assert choose(pmlr, [record]).outcome == "accepted"
