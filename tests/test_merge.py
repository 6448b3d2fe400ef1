"""Merge: field precedence, preprint -> published, provenance, status, evidence, conflicts and kept results."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

import replay_records as replay
from geoemb_bib import merge
from geoemb_bib.matching import check_identified, choose, reference_for
from geoemb_bib.merge import FAILURE_PREFIX, PRECEDENCE, merge_entry
from geoemb_bib.model import (
    KIND_TYPES,
    OVERRIDE_FIELDS,
    CuratedIds,
    Decision,
    Entry,
    IdAssertion,
    Link,
    PartialDate,
    Person,
    Provenance,
    Record,
    Resolved,
)
from geoemb_bib.names import person_from_text

AUTHORS = (person_from_text("Ada Lovelace"), person_from_text("Charles Babbage"))
TITLE = "Deep Location Embeddings for Everything"


PAPER = Entry(
    id="deep",
    section="location",
    title=TITLE,
    venue="NeurIPS 2023",
    links=(Link("paper", "https://arxiv.org/abs/2301.00001"),),
)
PREPRINT = Record(
    source="arxiv",
    standard_id="arxiv:2301.00001v3",
    type="article",
    title=TITLE,
    author=AUTHORS,
    issued=PartialDate(2023, 1, 2),
    publisher="arXiv",
    url="https://arxiv.org/abs/2301.00001",
    abstract="The arXiv abstract.",
    arxiv_id="2301.00001",
    arxiv_version=3,
    arxiv_primary_class="cs.LG",
    arxiv_categories=("cs.LG", "cs.CV"),
    arxiv_comment="Camera-ready",
    fetched_at="2026-01-01T00:00:00Z",
)
PUBLISHED = Record(
    source="crossref",
    standard_id="doi:10.1000/deep",
    type="paper-conference",
    source_type="proceedings-article",
    title=TITLE,
    author=AUTHORS,
    issued=PartialDate(2023),
    container_title="Advances in Neural Information Processing Systems",
    publisher="Curran",
    volume="36",
    page="1-10",
    doi="10.1000/deep",
    url="https://doi.org/10.1000/deep",
    fetched_at="2026-01-02T00:00:00Z",
)


def paper(**changes: Any) -> Entry:
    """The listed paper, with `changes`."""
    return dataclasses.replace(PAPER, **changes)


def preprint(**changes: Any) -> Record:
    """Its arXiv record (v3), with `changes`."""
    return dataclasses.replace(PREPRINT, **changes)


def published(**changes: Any) -> Record:
    """Its Crossref version of record, with `changes`."""
    return dataclasses.replace(PUBLISHED, **changes)


def merged_with_doi(
    entry: Entry, record: Record, arxiv_record: Record | None = None, asserted_by: str = "curated"
) -> Resolved:
    reference = reference_for(entry, arxiv_record)
    return merge_entry(
        entry, preprint=arxiv_record, identified=[check_identified(reference, record, asserted_by=asserted_by)]
    )


# --- the precedence table ---------------------------------------------------------------------------------------------


def test_precedence_covers_every_record_field_but_bookkeeping() -> None:
    record_fields = {f.name for f in dataclasses.fields(Record)}
    bookkeeping = {"source", "standard_id", "fetched_at", "score", "source_type", "container_title_short", "pdf_url"}
    assert set(PRECEDENCE) <= record_fields
    assert record_fields - set(PRECEDENCE) <= bookkeeping


def test_every_overridable_field_puts_override_first() -> None:
    for name in OVERRIDE_FIELDS:
        if name in PRECEDENCE:
            assert PRECEDENCE[name][0] == "override", name


def test_override_beats_every_source() -> None:
    entry = paper(
        override={
            "title": "Curated Title",
            "issued": "2020-05",
            "doi": "10.9999/pinned",
            "venue": "NeurIPS 2023 Spotlight",
            "author": (Person(family="Curie", given="Marie"),),
            "type": "article-journal",
        }
    )
    result = merged_with_doi(entry, published(), preprint())
    record = result.record
    assert record.title == "Curated Title"
    assert record.issued == PartialDate(2020, 5)
    assert record.doi == "10.9999/pinned"
    assert record.author == (Person(family="Curie", given="Marie"),)
    assert record.type == "article-journal"
    assert record.venue == "NeurIPS 2023 Spotlight"
    assert {result.provenance[name].source for name in ("title", "issued", "doi", "author", "type", "venue")} == {
        "override"
    }
    # Everything not overridden still comes from the version of record.
    assert record.volume == "36"
    assert result.provenance["volume"] == Provenance("crossref", "doi:10.1000/deep", "2026-01-02T00:00:00Z", None)


def test_version_of_record_beats_arxiv_and_arxiv_facts_are_kept_after_the_upgrade() -> None:
    result = merged_with_doi(paper(), published(), preprint())
    record = result.record
    assert result.status == "published"
    assert result.evidence == "identifier"
    assert record.source == "merged"
    assert record.standard_id == "doi:10.1000/deep"
    assert record.type == "paper-conference"
    assert record.doi == "10.1000/deep"
    assert record.publisher == "Curran"
    assert (record.arxiv_id, record.arxiv_version, record.arxiv_primary_class, record.arxiv_categories) == (
        "2301.00001",
        3,
        "cs.LG",
        ("cs.LG", "cs.CV"),
    )
    assert result.provenance["arxiv_id"].source == "arxiv"
    assert IdAssertion("doi", "10.48550/arxiv.2301.00001", "arxiv") in result.identity
    assert IdAssertion("arxiv", "2301.00001v3", "arxiv") in result.identity
    assert IdAssertion("doi", "10.1000/deep", "curated") in result.identity
    assert not any(a.asserted_by == "matching" for a in result.identity)


def test_abstract_comes_from_arxiv_unless_the_version_of_record_has_one() -> None:
    assert merged_with_doi(paper(), published(), preprint()).record.abstract == "The arXiv abstract."
    with_own = merged_with_doi(paper(), published(abstract="The published abstract."), preprint())
    assert with_own.record.abstract == "The published abstract."
    assert with_own.provenance["abstract"].source == "crossref"


def test_authors_of_the_version_of_record_unless_it_has_none() -> None:
    longer = preprint(author=(*AUTHORS, person_from_text("Michele Martone")))
    result = merged_with_doi(paper(), published(), longer)
    assert len(result.record.author) == 2
    assert result.provenance["author"].source == "crossref"
    assert any("crossref lists 2, arXiv 3" in step for step in result.steps)
    authorless = merged_with_doi(paper(), published(author=()), preprint())
    assert authorless.record.author == AUTHORS
    assert authorless.provenance["author"].source == "arxiv"


def test_title_of_the_version_of_record_even_when_only_case_differs_and_no_alias_for_case() -> None:
    result = merged_with_doi(
        paper(title=TITLE.upper().title()), published(title="Deep location embeddings for everything"), preprint()
    )
    assert result.record.title == "Deep location embeddings for everything"
    assert result.aliases == ()


def test_all_capitals_title_of_the_version_of_record_yields_to_the_arxiv_casing() -> None:
    result = merged_with_doi(paper(), published(title=TITLE.upper()), preprint())
    assert result.record.title == TITLE


def test_a_version_of_record_without_doi_gets_neither_arxivs_doi_nor_its_publisher() -> None:
    accepted = Record(
        source="openreview",
        standard_id="openreview:abc123",
        type="paper-conference",
        title=TITLE,
        author=AUTHORS,
        issued=PartialDate(2023),
        openreview_id="abc123",
        venue="NeurIPS 2023 poster",
        venueid="NeurIPS.cc/2023/Conference",
        decision=Decision.ACCEPTED,
        url="https://openreview.net/forum?id=abc123",
    )
    reference = reference_for(paper(), preprint())
    result = merge_entry(
        paper(), preprint=preprint(), searches=[choose(reference, [accepted], context="openreview search")]
    )
    record = result.record
    assert result.status == "published"
    assert result.evidence == "verified"
    assert record.doi is None
    assert record.publisher is None
    assert record.container_title == "Advances in Neural Information Processing Systems"  # the venue table's name
    assert record.venue == "NeurIPS 2023"
    assert record.openreview_id == "abc123"
    assert result.provenance["title"].score == 100
    assert IdAssertion("openreview", "abc123", "matching") in result.identity


def test_a_preprint_gets_the_arxiv_datacite_doi_and_arxiv_as_publisher() -> None:
    result = merge_entry(paper(venue="Arxiv 2023"), preprint=preprint())
    assert result.status == "preprint"
    assert result.evidence == "identifier"
    assert result.record.doi == "10.48550/arxiv.2301.00001"
    assert result.record.publisher == "arXiv"
    assert result.record.type == "article"
    assert result.record.venue == "Arxiv 2023"
    assert result.provenance["venue"].source == "curated"
    assert result.problems == ()


def test_aaai_journal_article_becomes_a_conference_paper() -> None:
    aaai = published(
        type="article-journal",
        source_type="journal-article",
        container_title="Proceedings of the AAAI Conference on Artificial Intelligence",
    )
    result = merged_with_doi(paper(venue="AAAI 2023"), aaai, preprint())
    assert result.record.type == "paper-conference"
    assert result.record.venue == "AAAI 2023"


def test_venue_label_keeps_the_curated_wording_when_it_names_the_same_venue_and_year() -> None:
    iccv = published(container_title="Proceedings of the IEEE/CVF International Conference on Computer Vision (ICCV)")
    assert merged_with_doi(paper(venue="ICCV 2023 Oral"), iccv, preprint()).record.venue == "ICCV 2023 Oral"
    other = merged_with_doi(paper(venue="CVPR 2023"), iccv, preprint())
    assert other.record.venue == "ICCV 2023"
    assert "listed as CVPR 2023; the version of record is ICCV 2023" in other.problems


def test_version_of_record_without_a_date_takes_the_curated_year_not_arxivs() -> None:
    result = merged_with_doi(paper(venue="NeurIPS 2024"), published(issued=None), preprint())
    assert result.record.issued == PartialDate(2024)


# --- status and evidence --------------------------------------------------------------------------------------------


def test_listed_venue_with_only_an_arxiv_record_stays_a_preprint_with_a_note() -> None:
    result = merge_entry(paper(venue="ICCV 2025 Oral"), preprint=preprint())
    assert result.status == "preprint"
    assert result.evidence == "identifier"
    assert "listed as ICCV 2025 Oral; no version of record found" in result.problems
    assert result.record.venue == "ICCV 2025 Oral"
    assert result.provenance["venue"].source == "curated"
    assert result.record.type == "article"


def test_arxiv_journal_ref_claim_without_a_version_of_record_is_noted() -> None:
    result = merge_entry(
        paper(venue="Arxiv 2023"), preprint=preprint(journal_ref="Published as a conference paper at ICLR 2024")
    )
    assert result.status == "preprint"
    assert "arXiv says 'Published as a conference paper at ICLR 2024'; no version of record found" in result.problems


def test_verified_match_is_published_with_matching_assertion_and_score() -> None:
    entry = paper()
    reference = reference_for(entry, preprint())
    result = merge_entry(
        entry, preprint=preprint(), searches=[choose(reference, [published(score=77.0)], context="crossref search")]
    )
    assert result.status == "published"
    assert result.evidence == "verified"
    assert IdAssertion("doi", "10.1000/deep", "matching") in result.identity
    assert result.provenance["doi"].score == 100
    assert any(step.startswith("crossref search: 10.1000/deep acceptable") for step in result.steps)


def test_title_changed_at_publication_keeps_the_old_title_as_alias() -> None:
    renamed = published(title="Planetary Location Encoders", relations=(("has-preprint", "arxiv:2301.00001"),))
    reference = reference_for(paper(), preprint())
    result = merge_entry(paper(), preprint=preprint(), searches=[choose(reference, [renamed])])
    assert result.status == "published"
    assert result.evidence == "identifier"
    assert result.record.title == "Planetary Location Encoders"
    assert result.aliases == (TITLE,)
    assert IdAssertion("doi", "10.1000/deep", "crossref") in result.identity


def test_abstained_search_keeps_the_preprint_and_reports() -> None:
    reference = reference_for(paper(), preprint())
    tie = choose(reference, [published(), published(doi="10.1000/other", standard_id="doi:10.1000/other")])
    result = merge_entry(paper(venue="Arxiv 2023"), preprint=preprint(), searches=[tie])
    assert result.status == "preprint"
    assert any("abstained" in problem for problem in result.problems)


def test_nothing_found_is_unresolved_curated_only() -> None:
    result = merge_entry(paper(links=()))
    assert result.status == "unresolved"
    assert result.evidence == "curated-only"
    assert result.record.title == TITLE
    assert result.record.type == "paper-conference"
    assert result.record.standard_id == "entry:deep"
    assert "no record found for this entry in any source" in result.problems


def test_services_failing_without_previous_data_is_unresolved_with_the_failure() -> None:
    result = merge_entry(paper(), failures=["arxiv: service unavailable (HTTP 503)"])
    assert result.status == "unresolved"
    assert result.problems[0] == FAILURE_PREFIX + "arxiv: service unavailable (HTTP 503)"
    assert "listed as NeurIPS 2023; no version of record found" in result.problems
    assert "no record found for this entry in any source" not in result.problems
    # The curated arXiv id is kept even though arXiv did not answer.
    assert result.record.arxiv_id == "2301.00001"
    assert result.provenance["arxiv_id"].source == "curated"


# --- conflicts --------------------------------------------------------------------------------------------------------


def test_curated_doi_differing_from_the_doi_arxiv_reports_is_a_conflict() -> None:
    entry = paper(ids=CuratedIds(doi="10.1000/deep"))
    result = merged_with_doi(entry, published(), preprint(doi="10.1000/something-else"))
    assert result.status == "conflict"
    assert (
        result.problems[0]
        == "curated DOI 10.1000/deep differs from the DOI arXiv 2301.00001 reports (10.1000/something-else)"
    )
    assert IdAssertion("doi", "10.1000/something-else", "arxiv") in result.identity


def test_identifier_record_of_another_paper_is_a_conflict_and_not_merged() -> None:
    other = published(
        title="Quantum Widgets for Underwater Basket Weaving", doi="10.1000/widgets", standard_id="doi:10.1000/widgets"
    )
    entry = paper(ids=CuratedIds(doi="10.1000/widgets"))
    result = merged_with_doi(entry, other, preprint())
    assert result.status == "conflict"
    assert result.evidence == "identifier"
    assert result.record.title == TITLE
    assert result.record.doi == "10.48550/arxiv.2301.00001"
    assert "looks like a different paper" in result.problems[0]
    assert IdAssertion("doi", "10.1000/widgets", "curated") in result.identity


def test_curated_arxiv_id_naming_another_paper_is_a_conflict() -> None:
    wrong = preprint(title="Quantum Widgets for Underwater Basket Weaving")
    result = merge_entry(paper(), preprint=wrong)
    assert result.status == "conflict"
    assert result.record.title == TITLE  # the listed title, not the other paper's
    assert result.record.arxiv_id == "2301.00001"


def _submission(decision: Decision, venueid: str) -> Record:
    return Record(
        source="openreview",
        standard_id="openreview:sub1",
        openreview_id="sub1",
        title=TITLE,
        author=AUTHORS,
        issued=PartialDate(2024),
        decision=decision,
        venueid=venueid,
        type="article",
    )


def test_listed_venue_contradicted_by_a_rejected_openreview_submission_is_a_conflict() -> None:
    entry = paper(venue="ICLR 2024")
    reference = reference_for(entry, preprint())
    search = choose(reference, [_submission(Decision.REJECTED, "ICLR.cc/2024/Conference/Rejected_Submission")])
    result = merge_entry(entry, preprint=preprint(), searches=[search])
    assert result.status == "conflict"
    assert result.problems[0].startswith("listed as ICLR 2024 but OpenReview sub1 says rejected")


def test_listed_venue_with_a_submission_under_review_is_a_note_not_a_conflict() -> None:
    entry = paper(venue="ICLR 2026", ids=CuratedIds(openreview="sub1"))
    reference = reference_for(entry, preprint())
    check = check_identified(
        reference, _submission(Decision.UNDER_REVIEW, "ICLR.cc/2026/Conference/Submission"), asserted_by="curated"
    )
    result = merge_entry(entry, preprint=preprint(), identified=[check])
    assert result.status == "preprint"
    assert (
        "listed as ICLR 2026; OpenReview sub1 says under-review (venueid ICLR.cc/2026/Conference/Submission)"
        in result.problems
    )
    assert result.record.openreview_id == "sub1"
    assert result.record.decision is Decision.UNDER_REVIEW
    assert result.record.type == "article"
    assert result.record.container_title is None


def test_search_matching_another_doi_than_the_identifier_is_reported() -> None:
    entry = paper(ids=CuratedIds(doi="10.1000/deep"))
    reference = reference_for(entry, preprint())
    other = published(doi="10.1000/journal-version", standard_id="doi:10.1000/journal-version")
    result = merge_entry(
        entry,
        preprint=preprint(),
        identified=[check_identified(reference, published(), asserted_by="curated")],
        searches=[choose(reference, [other])],
    )
    assert result.record.doi == "10.1000/deep"
    assert "crossref search also matched 10.1000/journal-version; kept 10.1000/deep" in result.problems


# --- keeping the previous result --------------------------------------------------------------------------------------


def _previous() -> Resolved:
    return merged_with_doi(paper(), published(), preprint())


def test_service_failure_keeps_the_previous_result_never_degrades() -> None:
    previous = dataclasses.replace(_previous(), key="lovelace2023deep", resolved_at="2026-01-01T00:00:00Z")
    result = merge_entry(paper(), preprint=preprint(), failures=["crossref: timed out"], previous=previous)
    assert result.status == "published"
    assert result.record == previous.record
    assert result.key == "lovelace2023deep"
    # The run reports the failure; the kept result is written back unchanged (no diff in enriched.yaml).
    assert result == dataclasses.replace(previous, entry=paper())
    stale = dataclasses.replace(
        previous, problems=(FAILURE_PREFIX + "arxiv: HTTP 503", "listed as ICLR 2024; no version of record found")
    )
    again = merge_entry(paper(), failures=["crossref: HTTP 503"], previous=stale)
    assert again.problems == ("listed as ICLR 2024; no version of record found",)


def test_kept_previous_result_still_takes_a_new_override() -> None:
    entry = paper(override={"title": "Fixed Title"})
    result = merge_entry(entry, failures=["crossref: timed out"], previous=_previous())
    assert result.record.title == "Fixed Title"
    assert result.provenance["title"].source == "override"
    assert result.entry == entry


def test_a_previous_unresolved_result_is_replaced_by_whatever_this_run_found() -> None:
    previous = merge_entry(paper(), failures=["arxiv: down"])
    result = merge_entry(paper(), preprint=preprint(), failures=["crossref: down"], previous=previous)
    assert result.status == "preprint"


def test_without_failures_the_new_result_replaces_the_previous_one_and_keeps_its_key() -> None:
    previous = dataclasses.replace(merge_entry(paper(), preprint=preprint()), key="lovelace2023deep")
    result = merge_entry(
        paper(),
        preprint=preprint(),
        identified=[check_identified(reference_for(paper(), preprint()), published(), asserted_by="curated")],
        previous=previous,
    )
    assert result.status == "published"
    assert result.key == "lovelace2023deep"


# --- non-paper items --------------------------------------------------------------------------------------------------


def test_replay_clay_dataset_is_resolved_from_curated_data_alone() -> None:
    result = merge_entry(replay.entry("clay-embeddings"))
    record = result.record
    assert (result.status, result.evidence) == ("resolved", "curated-only")
    assert record.type == "dataset"
    assert record.title == "Clay Model v0 Embeddings"
    assert record.author == (Person(literal="Clay Foundation"),)
    assert record.issued == PartialDate(2024)
    assert record.url == "https://source.coop/clay/clay-model-v0-embeddings"
    assert record.publisher == "Source Cooperative"
    assert record.venue == "Source Cooperative 2024"
    assert result.provenance["title"] == Provenance("curated", "entry:clay-embeddings")


def test_replay_blog_post_and_challenge_items() -> None:
    blog = merge_entry(replay.entry("earth-genome-embeddings")).record
    assert blog.type == "post-weblog"
    assert blog.container_title == "Medium"
    assert blog.url == "https://medium.com/earthrisemedia/embeddings-for-all-0e0a29415b26"
    challenge = merge_entry(replay.entry("embed2scale-challenge")).record
    assert challenge.type == "webpage"
    assert challenge.url == "https://eval.ai/web/challenges/challenge-page/2465/overview"
    assert challenge.issued == PartialDate(2025)
    assert challenge.author == ()


# --- replay: the seed entries end to end (parsed by the real parsers) -------------------------------------------------


def test_replay_satclip_upgrades_to_aaai_and_keeps_the_arxiv_id() -> None:
    entry = replay.entry("satclip")
    arxiv_record = replay.arxiv_record("2311.17179")
    search = choose(reference_for(entry, arxiv_record), replay.crossref_search("satclip"), context="crossref search")
    result = merge_entry(entry, preprint=arxiv_record, searches=[search])
    record = result.record
    assert (result.status, result.evidence) == ("published", "verified")
    assert record.doi == "10.1609/aaai.v39i4.32457"
    assert record.type == "paper-conference"
    assert record.container_title == "Proceedings of the AAAI Conference on Artificial Intelligence"
    assert (record.volume, record.issue, record.page) == ("39", "4", "4347-4355")
    assert record.venue == "AAAI 2025"
    assert record.arxiv_id == "2311.17179"
    assert IdAssertion("doi", "10.48550/arxiv.2311.17179", "arxiv") in result.identity
    assert IdAssertion("doi", "10.1609/aaai.v39i4.32457", "matching") in result.identity


def test_replay_lossy_neural_compression_takes_the_published_title_and_26_authors() -> None:
    entry = replay.entry("lossy-neural-compression")
    latest, v1 = replay.arxiv_record("2503.01505"), replay.arxiv_record("2503.01505", 1)
    reference = reference_for(entry, latest, [v1])
    check = check_identified(reference, replay.crossref_work("10.1109/MGRS.2025.3546527"), asserted_by="curated")
    result = merge_entry(entry, preprint=latest, earlier_preprints=[v1], identified=[check])
    assert (result.status, result.evidence) == ("published", "identifier")
    assert result.record.title.endswith("A review")
    assert result.aliases == ()
    assert len(result.record.author) == 26
    assert len(latest.author) == 27
    assert result.record.type == "article-journal"
    assert result.record.venue == "GRSM 2025"
    assert result.record.arxiv_id == "2503.01505"


def test_replay_earth_embeddings_thin_crossref_record_is_published_without_authors() -> None:
    entry = replay.entry("earth-embeddings")
    record = replay.crossref_work("10.1145/3736539.3754446")
    result = merge_entry(entry, identified=[check_identified(reference_for(entry), record, asserted_by="curated")])
    assert (result.status, result.evidence) == ("published", "identifier")
    assert result.record.author == ()
    assert "no author list in any source" in result.problems
    assert result.record.venue == "SIGGRAPH Frontiers 2025"
    assert result.provenance["venue"].source == "curated"


def test_replay_modality_gap_openreview_link_is_the_neurips_paper() -> None:
    entry = replay.entry("modality-gap")
    arxiv_record = replay.arxiv_record("2203.02053")
    check = check_identified(
        reference_for(entry, arxiv_record), replay.openreview_note("S7Evzt9uit3"), asserted_by="curated"
    )
    result = merge_entry(entry, preprint=arxiv_record, identified=[check])
    assert (result.status, result.evidence) == ("published", "identifier")
    assert result.record.container_title == "Advances in Neural Information Processing Systems"
    assert result.record.venue == "NeurIPS 2022"
    assert result.record.doi is None
    assert result.record.arxiv_id == "2203.02053"


def test_replay_presto_stays_a_preprint_despite_the_rejected_submission() -> None:
    entry = replay.entry("presto")
    arxiv_record = replay.arxiv_record("2304.14065")
    search = choose(reference_for(entry, arxiv_record), replay.openreview_search("presto"), context="openreview search")
    result = merge_entry(entry, preprint=arxiv_record, searches=[search])
    assert result.status == "preprint"
    assert result.record.venue == "Arxiv 2023"
    assert result.record.openreview_id is None
    assert result.record.decision is None


def test_replay_presto_listed_at_iclr_would_be_a_conflict() -> None:
    entry = dataclasses.replace(replay.entry("presto"), venue="ICLR 2024")
    arxiv_record = replay.arxiv_record("2304.14065")
    search = choose(reference_for(entry, arxiv_record), replay.openreview_search("presto"), context="openreview search")
    result = merge_entry(entry, preprint=arxiv_record, searches=[search])
    assert result.status == "conflict"
    assert "says rejected (venueid ICLR.cc/2024/Conference/Rejected_Submission)" in result.problems[0]


@pytest.mark.parametrize(
    ("entry_id", "arxiv_id", "alias_start"),
    [
        ("tessera", "2506.20380", "TESSERA: Precomputed FAIR"),
        ("gair", "2503.16683", "GAIR: Improving Multimodal"),
    ],
)
def test_replay_listed_titles_of_other_versions_become_aliases(entry_id: str, arxiv_id: str, alias_start: str) -> None:
    result = merge_entry(
        replay.entry(entry_id),
        preprint=replay.arxiv_record(arxiv_id),
        earlier_preprints=[replay.arxiv_record(arxiv_id, 1)],
    )
    assert result.status == "preprint"
    assert any(alias.startswith(alias_start) for alias in result.aliases)


def test_replay_major_tom_with_the_igarss_doi_curated_is_a_conflict_and_keeps_the_preprint_data() -> None:
    entry = dataclasses.replace(
        replay.entry("major-tom-embeddings"), ids=CuratedIds(doi="10.1109/igarss53475.2024.10640760")
    )
    arxiv_record = replay.arxiv_record("2412.05600")
    check = check_identified(
        reference_for(entry, arxiv_record),
        replay.crossref_work("10.1109/IGARSS53475.2024.10640760"),
        asserted_by="curated",
    )
    result = merge_entry(entry, preprint=arxiv_record, identified=[check])
    assert result.status == "conflict"
    assert result.record.title == arxiv_record.title
    assert result.record.doi == "10.48550/arxiv.2412.05600"


def test_merge_module_documents_its_tables() -> None:
    assert set(merge.PRECEDENCE_NOTES) <= set(PRECEDENCE)
    assert set(KIND_TYPES.values()) <= {"dataset", "post-weblog", "webpage"}


def test_an_openreview_match_beside_a_doi_is_kept_as_a_link_not_a_problem() -> None:
    entry = paper()
    reference = reference_for(entry, preprint())
    accepted = Record(
        source="openreview",
        standard_id="openreview:abc123",
        type="paper-conference",
        title=TITLE,
        author=AUTHORS,
        issued=PartialDate(2023),
        openreview_id="abc123",
        venueid="NeurIPS.cc/2023/Conference",
        decision=Decision.ACCEPTED,
    )
    result = merge_entry(
        entry, preprint=preprint(), searches=[choose(reference, [published()]), choose(reference, [accepted])]
    )
    assert result.status == "published"
    assert result.record.doi == "10.1000/deep"
    assert result.record.openreview_id == "abc123"
    assert result.provenance["openreview_id"].source == "openreview"
    assert not any("also matched" in problem for problem in result.problems)
