"""Matching: titles, authors, years, venues, and when a candidate is (never) the version of record."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from rapidfuzz import fuzz

import replay_records as replay
from geoemb_bib import matching, venues
from geoemb_bib.matching import (
    TITLE_ACCEPT,
    Reference,
    check_identified,
    check_year,
    choose,
    compare_authors,
    compare_titles,
    corroborate_venue,
    normalize_title,
    reference_for,
    same_family,
    title_similarity,
)
from geoemb_bib.model import Decision, PartialDate, Person, Record
from geoemb_bib.names import person_from_text
from geoemb_bib.venues import is_ml_venue, parse_venue_text


def people(*names: str) -> tuple[Person, ...]:
    return tuple(person_from_text(name) for name in names)


def crossref(doi: str, title: str, authors: tuple[Person, ...], year: int | None, **changes: Any) -> Record:
    base = Record(
        source="crossref",
        standard_id=f"doi:{doi}",
        type="article-journal",
        source_type="journal-article",
        doi=doi,
        title=title,
        author=authors,
        issued=PartialDate(year) if year else None,
    )
    return dataclasses.replace(base, **changes)


def note(note_id: str, title: str, authors: tuple[Person, ...], year: int, decision: Decision, venueid: str) -> Record:
    return Record(
        source="openreview",
        standard_id=f"openreview:{note_id}",
        openreview_id=note_id,
        title=title,
        author=authors,
        issued=PartialDate(year),
        decision=decision,
        venueid=venueid,
        type="paper-conference",
    )


DEEP = Reference(
    titles=("Deep Location Embeddings for Everything",),
    authors=people("Ada Lovelace", "Charles Babbage"),
    first_year=2023,
    arxiv_id="2301.00001",
    venue_hints=("NeurIPS 2023",),
)


# --- titles ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (
            "Lossy Neural Compression for Geospatial Analytics: A review",
            "Lossy Neural Compression for Geospatial Analytics: A Review",
        ),
        (
            "Seasonal Contrast: Unsupervised Pre-Training From Uncurated Remote Sensing Data",
            "Seasonal Contrast: Unsupervised Pre-Training from Uncurated Remote Sensing Data",
        ),
        ("Geo{CLIP}: Clip-Inspired Alignment", "GeoCLIP: Clip-Inspired Alignment"),
        ("Ru{\\ss}wurm and {\\'E}cole", "Rußwurm and École"),
        ("detecting\n   <i>KRAS</i>\n mutations &amp; more", "Detecting KRAS mutations & more"),
        ("Multi‐modal “Contrastive” Earth’s — maps", 'Multi-modal "Contrastive" Earth\'s - maps'),
        ("Multi-modal learning", "Multimodal learning"),
        ("Matej Batič", "Matej Batic"),
    ],
)
def test_normalize_title_ignores_case_markup_accents_dashes_and_quotes(left: str, right: str) -> None:
    assert normalize_title(left) == normalize_title(right)


def test_normalize_title_keeps_the_words() -> None:
    assert (
        normalize_title("  GeoCLIP: Clip-Inspired Alignment,  between   Locations! ")
        == "geoclip clipinspired alignment between locations"
    )


def test_token_sort_similarity_does_not_treat_a_subset_title_as_identical() -> None:
    decoy, real = "Major TOM", "Major TOM: Expandable Datasets for Earth Observation"
    # token_set_ratio would call these the same title; the chosen measure does not.
    assert fuzz.token_set_ratio(normalize_title(decoy), normalize_title(real)) == 100
    assert title_similarity(decoy, real) < TITLE_ACCEPT


def test_reordered_words_still_score_high() -> None:
    assert (
        title_similarity("Embeddings of Earth, Global and Dense", "Global and Dense Embeddings of Earth")
        >= TITLE_ACCEPT
    )


def test_compare_titles_takes_the_best_reference_title_and_names_the_kind() -> None:
    match = compare_titles(
        ("An Old Preprint Title", "Lossy Neural Compression for Geospatial Analytics: A Review"),
        "Lossy Neural Compression for Geospatial Analytics: A review",
    )
    assert match.kind == "identical" and match.score == 100
    assert match.reference.endswith("A Review")


def test_subtitle_only_difference_is_its_own_kind_and_needs_a_long_main_title() -> None:
    assert (
        compare_titles(("Seasonal Contrast for Remote Sensing: A Study",), "Seasonal Contrast for Remote Sensing").kind
        == "subtitle-only"
    )
    assert (
        compare_titles(
            ("Mind the Gap: Understanding the Modality Gap in Contrastive Learning",),
            "Understanding the Modality Gap in Contrastive Learning",
        ).kind
        == "subtitle-only"
    )
    # Two words ("Major TOM") name a project, not a paper.
    assert (
        compare_titles(("Major TOM: Floating in the Latent Space",), "Major TOM: Expandable Datasets").kind
        == "different"
    )


# --- authors and years ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (Person(family="Giró-i-Nieto", given="Xavier"), person_from_text("Xavier Giro-i-Nieto")),
        (Person(family="Batič", given="Matej"), person_from_text("Matej Batic")),
        (Person(family="Rußwurm", given="Marc"), person_from_text("Marc Russwurm")),
        (Person(family="Mañas", given="Oscar"), person_from_text("Oscar Manas")),
        (Person(family="Vivanco Cepeda", given="Vicente"), person_from_text("Vicente Vivanco Cepeda")),
        (person_from_text("Ludwig van Beethoven"), Person(family="Beethoven", given="Ludwig")),
        (Person(literal="Clay Foundation"), Person(literal="clay foundation")),
    ],
)
def test_family_names_agree_across_accents_case_hyphens_and_particles(left: Person, right: Person) -> None:
    assert same_family(left, right)


def test_different_family_names_do_not_agree() -> None:
    assert not same_family(Person(family="Klemmer"), Person(family="Cepeda"))
    # A one-letter piece never makes a match on its own.
    assert not same_family(Person(family="i"), Person(family="Giro-i-Nieto"))


def test_author_agreement_reports_first_author_and_shared_names() -> None:
    agreement = compare_authors(
        people("Oscar Mañas", "Alexandre Lacoste", "Xavier Giró-i-Nieto"),
        people("Oscar Manas", "Xavier Giro-i-Nieto", "Someone Else"),
    )
    assert agreement.comparable and agreement.first_author and agreement.agrees
    assert agreement.shared == ("Mañas", "Giró-i-Nieto")
    assert "first author Mañas agrees" in agreement.describe()


def test_author_agreement_without_first_author_and_without_any() -> None:
    later = compare_authors(people("Ada Lovelace", "Charles Babbage"), people("Alan Turing", "Charles Babbage"))
    assert later.agrees and not later.first_author
    none = compare_authors(people("Ada Lovelace"), people("Alan Turing"))
    assert none.comparable and not none.agrees
    missing = compare_authors(people("Ada Lovelace"), ())
    assert not missing.comparable and not missing.agrees


@pytest.mark.parametrize(
    ("candidate", "plausible"),
    [(2022, False), (2023, True), (2026, True), (2027, False), (None, True)],
)
def test_year_is_plausible_from_the_v1_year_to_three_years_after(candidate: int | None, plausible: bool) -> None:
    assert check_year(2023, candidate).plausible is plausible


def test_year_without_a_preprint_is_never_held_against_a_candidate() -> None:
    assert check_year(None, 1999).plausible


# --- venues --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "acronym", "year", "note", "preprint"),
    [
        ("ICCV 2025 Oral", "ICCV", 2025, "Oral", False),
        ("Arxiv 2025", "arXiv", 2025, None, True),
        ("GRSM 2025", "GRSM", 2025, None, False),
        ("SIGGRAPH Frontiers 2025", "SIGGRAPH", 2025, "Frontiers", False),
        ("Source Cooperative 2024", "Source Cooperative", 2024, None, False),
        ("NeurIPS 2023", "NeurIPS", 2023, None, False),
        ("ICLR 2024, camera ready", "ICLR", 2024, "camera ready", False),
        ("Some Workshop", "Some Workshop", None, None, False),
    ],
)
def test_parse_venue_text(text: str, acronym: str, year: int | None, note: str | None, preprint: bool) -> None:
    parsed = parse_venue_text(text)
    assert (parsed.acronym, parsed.year, parsed.note, parsed.is_preprint) == (acronym, year, note, preprint)


def test_venue_table_links_acronyms_full_names_and_openreview_groups() -> None:
    assert venues.find_venue("IEEE Geoscience and Remote Sensing Magazine").acronym == "GRSM"  # type: ignore[union-attr]
    assert venues.find_venue("Thirty-seventh Conference on Neural Information Processing Systems").acronym == "NeurIPS"  # type: ignore[union-attr]
    assert venues.find_venue("ICLR.cc/2024/Conference").acronym == "ICLR"  # type: ignore[union-attr]
    assert venues.find_venue("Proceedings of the AAAI Conference on Artificial Intelligence").acronym == "AAAI"  # type: ignore[union-attr]
    assert venues.find_venue("Journal of Synthetic Test Records") is None


@pytest.mark.parametrize(
    ("text", "ml"),
    [
        ("NeurIPS 2023", True),
        ("ICLR 2024", True),
        ("TMLR 2024", True),
        ("Accepted at ICLR 2026", True),
        ("ICCV 2025 Oral", False),
        ("Arxiv 2025", False),
        ("GRSM 2025", False),
        (None, False),
    ],
)
def test_is_ml_venue_says_where_openreview_is_worth_asking(text: str | None, ml: bool) -> None:
    assert is_ml_venue(text) is ml


def test_venue_corroboration() -> None:
    aaai = crossref(
        "10.1609/x", "T", (), 2025, container_title="Proceedings of the AAAI Conference on Artificial Intelligence"
    )
    assert corroborate_venue(("AAAI 2025",), aaai).corroborates is True
    assert corroborate_venue(("AAAI 2024",), aaai).corroborates is False
    assert corroborate_venue(("ICLR 2025",), aaai).corroborates is False
    assert corroborate_venue(("Arxiv 2025",), aaai).corroborates is None
    accepted = note("abc123", "T", (), 2024, Decision.ACCEPTED, "ICLR.cc/2024/Conference")
    assert corroborate_venue(("Published as a conference paper at ICLR 2024",), accepted).corroborates is True
    bare = crossref("10.1145/x", "T", (), 2025)
    assert corroborate_venue(("SIGGRAPH Frontiers 2025",), bare).corroborates is None


# --- choose: acceptance -------------------------------------------------------------------------------------------


def test_near_identical_title_shared_author_and_plausible_year_is_accepted() -> None:
    good = crossref("10.1000/good", "Deep location embeddings for everything", people("Ada Lovelace"), 2024)
    decision = choose(DEEP, [good], context="crossref search")
    assert decision.outcome == "accepted" and decision.record == good and decision.evidence == "verified"
    assert decision.score == 100
    assert any("accepted 10.1000/good (verified)" in step for step in decision.steps)


def test_wrong_top_hit_is_rejected_with_a_readable_reason() -> None:
    wrong = crossref(
        "10.1000/wrong", "Shallow Location Embeddings for Nothing", people("Ada Lovelace"), 2024, score=99.0
    )
    decision = choose(DEEP, [wrong], context="crossref search")
    assert decision.outcome == "rejected" and decision.record is None
    assert any(
        step.startswith(
            "crossref search: 10.1000/wrong rejected for 'Deep Location Embeddings for Everything': title similarity"
        )
        for step in decision.steps
    )


def test_title_alone_is_not_enough_authors_must_share_a_family_name() -> None:
    stranger = crossref("10.1000/same-title", "Deep Location Embeddings for Everything", people("Alan Turing"), 2024)
    decision = choose(DEEP, [stranger])
    assert decision.outcome == "rejected"
    assert "no family name in common" in decision.assessments[0].reasons


def test_implausible_year_is_rejected() -> None:
    too_early = crossref("10.1000/early", "Deep Location Embeddings for Everything", people("Ada Lovelace"), 2021)
    too_late = crossref("10.1000/late", "Deep Location Embeddings for Everything", people("Ada Lovelace"), 2027)
    decision = choose(DEEP, [too_early, too_late])
    assert decision.outcome == "rejected"
    assert all(any("implausible" in reason for reason in a.reasons) for a in decision.assessments)


def test_two_close_acceptable_candidates_abstain() -> None:
    one = crossref("10.1000/conference", "Deep Location Embeddings for Everything", people("Ada Lovelace"), 2023)
    two = crossref(
        "10.1000/journal", "Deep Location Embeddings for Everything", people("Ada Lovelace", "Charles Babbage"), 2025
    )
    decision = choose(DEEP, [one, two], context="crossref search")
    assert decision.outcome == "abstained" and decision.record is None
    assert "abstained: 10.1000/" in decision.steps[-1] and "no clear lead" in decision.steps[-1]


def test_the_same_doi_twice_is_not_a_tie() -> None:
    one = crossref("10.1000/good", "Deep Location Embeddings for Everything", people("Ada Lovelace"), 2023)
    decision = choose(DEEP, [one, one])
    assert decision.outcome == "accepted"


def test_a_clearly_better_title_wins_over_a_passing_runner_up() -> None:
    exact = crossref("10.1000/exact", "Deep Location Embeddings for Everything", people("Ada Lovelace"), 2023)
    typo = crossref("10.1000/typo", "Deep Locaton Embedings for Everythin", people("Ada Lovelace"), 2023)
    assert TITLE_ACCEPT <= title_similarity(DEEP.title, typo.title) <= 100 - matching.TIE_MARGIN
    decision = choose(DEEP, [typo, exact])
    assert decision.outcome == "accepted" and decision.record == exact


def test_title_changed_at_publication_matches_through_the_arxiv_link_and_keeps_the_alias() -> None:
    renamed = crossref(
        "10.1000/renamed",
        "Location Encoders at Planetary Scale",
        people("Ada Lovelace", "Charles Babbage"),
        2024,
        relations=(("has-preprint", "arxiv:2301.00001"),),
    )
    decision = choose(DEEP, [renamed], context="crossref search")
    assert decision.outcome == "accepted" and decision.evidence == "identifier"
    assert decision.aliases == ("Deep Location Embeddings for Everything",)


def test_an_arxiv_doi_relation_also_links_the_preprint() -> None:
    renamed = crossref(
        "10.1000/renamed",
        "Something Else Entirely",
        people("Ada Lovelace"),
        2024,
        relations=(("has-preprint", "doi:10.48550/arxiv.2301.00001"),),
    )
    assert choose(DEEP, [renamed]).outcome == "accepted"


def test_a_link_to_the_preprint_does_not_excuse_disagreeing_authors() -> None:
    odd = crossref(
        "10.1000/odd",
        "Something Else Entirely",
        people("Alan Turing"),
        2024,
        relations=(("has-preprint", "arxiv:2301.00001"),),
    )
    assert choose(DEEP, [odd]).outcome == "rejected"


def test_a_link_to_another_preprint_is_no_evidence() -> None:
    other = crossref(
        "10.1000/other",
        "Something Else Entirely",
        people("Ada Lovelace"),
        2024,
        relations=(("has-preprint", "arxiv:2301.99999"),),
    )
    assert choose(DEEP, [other]).outcome == "rejected"


@pytest.mark.parametrize(
    "decision_value",
    [Decision.REJECTED, Decision.WITHDRAWN, Decision.UNDER_REVIEW, Decision.DESK_REJECTED, Decision.UNKNOWN, None],
)
def test_an_unaccepted_openreview_note_is_never_the_venue(decision_value: Decision | None) -> None:
    submission = Record(
        source="openreview",
        standard_id="openreview:sub1",
        openreview_id="sub1",
        title=DEEP.title,
        author=DEEP.authors,
        issued=PartialDate(2024),
        decision=decision_value,
        venueid="ICLR.cc/2024/Conference/Submission",
    )
    decision = choose(DEEP, [submission], context="openreview search")
    assert decision.outcome == "rejected"
    assert "not a version of record: OpenReview decision" in decision.assessments[0].reasons[0]
    # It is the same work though, which merge needs to know (a curated "ICLR 2024" would be contradicted).
    assert decision.refuting == decision.assessments


def test_posted_content_is_never_a_version_of_record() -> None:
    preprint = crossref("10.31223/x5abc", DEEP.title, DEEP.authors, 2023, type="article", source_type="posted-content")
    decision = choose(DEEP, [preprint])
    assert decision.outcome == "rejected"
    assert (
        "posted-content" in decision.assessments[0].reasons[0]
        or "preprint server" in decision.assessments[0].reasons[0]
    )
    posted = crossref("10.1000/posted", DEEP.title, DEEP.authors, 2023, type="article", source_type="posted-content")
    assert "Crossref posted-content (a preprint)" in choose(DEEP, [posted]).assessments[0].reasons[0]


def test_an_arxiv_record_is_never_a_version_of_record() -> None:
    arxiv_record = Record(
        source="arxiv",
        standard_id="arxiv:2301.00001v1",
        title=DEEP.title,
        author=DEEP.authors,
        issued=PartialDate(2023),
        arxiv_id="2301.00001",
    )
    assert choose(DEEP, [arxiv_record]).outcome == "rejected"


def test_venue_corroborates_but_never_proves() -> None:
    wrong_title_right_venue = note(
        "n1",
        "A Completely Different Study of Embeddings",
        DEEP.authors,
        2023,
        Decision.ACCEPTED,
        "NeurIPS.cc/2023/Conference",
    )
    decision = choose(DEEP, [wrong_title_right_venue])
    assert decision.outcome == "rejected"
    assert decision.assessments[0].venue.corroborates is True


def test_subtitle_only_difference_needs_first_author_and_venue() -> None:
    reference = Reference(
        titles=("Deep Location Embeddings for Everything: A Study",),
        authors=people("Ada Lovelace", "Charles Babbage"),
        first_year=2023,
        venue_hints=("NeurIPS 2023",),
    )
    in_venue = note(
        "n1",
        "Deep Location Embeddings for Everything",
        people("Ada Lovelace"),
        2023,
        Decision.ACCEPTED,
        "NeurIPS.cc/2023/Conference",
    )
    elsewhere = note(
        "n2",
        "Deep Location Embeddings for Everything",
        people("Ada Lovelace"),
        2023,
        Decision.ACCEPTED,
        "ICML.cc/2023/Conference",
    )
    second_author = note(
        "n3",
        "Deep Location Embeddings for Everything",
        people("Charles Babbage"),
        2023,
        Decision.ACCEPTED,
        "NeurIPS.cc/2023/Conference",
    )
    assert choose(reference, [in_venue]).outcome == "accepted"
    assert choose(reference, [elsewhere]).outcome == "rejected"
    assert choose(reference, [second_author]).outcome == "rejected"


def test_candidates_of_different_sources_do_not_tie_crossref_wins() -> None:
    doi = crossref("10.1000/good", DEEP.title, DEEP.authors, 2023)
    accepted_note = note("n1", DEEP.title, DEEP.authors, 2023, Decision.ACCEPTED, "NeurIPS.cc/2023/Conference")
    decision = choose(DEEP, [accepted_note, doi])
    assert decision.outcome == "accepted" and decision.record == doi


def test_no_candidates() -> None:
    decision = choose(DEEP, [], context="crossref search")
    assert decision.outcome == "no-candidates" and decision.steps == (
        "crossref search: no candidates for 'Deep Location Embeddings for Everything'",
    )


# --- check_identified -------------------------------------------------------------------------------------------------


def test_identifier_record_with_the_same_title_is_the_record() -> None:
    record = crossref("10.1000/good", "Deep location embeddings for everything", people("Ada Lovelace"), 2024)
    check = check_identified(DEEP, record, asserted_by="curated")
    assert check.is_version_of_record and not check.conflict and not check.problems


def test_identifier_record_of_a_different_paper_is_a_conflict_even_with_shared_authors() -> None:
    other = crossref("10.1000/other", "Quantum Widgets for Underwater Basket Weaving", people("Ada Lovelace"), 2024)
    check = check_identified(DEEP, other, asserted_by="arxiv")
    assert check.conflict and not check.is_version_of_record
    assert "asserted by arxiv) looks like a different paper" in check.problems[0]


def test_identifier_record_with_a_changed_title_and_no_author_disagreement_is_not_a_conflict() -> None:
    changed = crossref(
        "10.1000/changed", "Deep Location Embeddings for Nearly Everything on Earth", people("Charles Babbage"), 2024
    )
    assert not check_identified(DEEP, changed, asserted_by="curated").conflict
    strangers = crossref(
        "10.1000/strangers", "Deep Location Embeddings for Nearly Everything on Earth", people("Alan Turing"), 2024
    )
    assert check_identified(DEEP, strangers, asserted_by="curated").conflict


def test_identifier_record_linking_the_preprint_survives_a_title_change() -> None:
    renamed = crossref(
        "10.1000/renamed",
        "Quantum Widgets",
        people("Ada Lovelace"),
        2024,
        relations=(("has-preprint", "arxiv:2301.00001"),),
    )
    assert check_identified(DEEP, renamed, asserted_by="curated").is_version_of_record


def test_identifier_record_without_authors_is_judged_by_its_title() -> None:
    thin = crossref("10.1145/thin", "Deep Location Embeddings for Everything", (), 2025)
    check = check_identified(Reference(titles=(DEEP.title,)), thin, asserted_by="curated")
    assert check.is_version_of_record and not check.conflict


def test_identifier_rejected_note_names_the_work_but_is_no_version_of_record() -> None:
    rejected = note(
        "n1", DEEP.title, DEEP.authors, 2024, Decision.REJECTED, "ICLR.cc/2024/Conference/Rejected_Submission"
    )
    check = check_identified(DEEP, rejected, asserted_by="curated")
    assert not check.conflict and not check.is_version_of_record
    assert check.not_vor is not None and "rejected" in check.not_vor


# --- replay: the seed entries' recorded answers, parsed by the real parsers ------------------------------------------


def test_real_api_sample_wrong_top_hit_for_an_arxiv_only_paper_is_rejected() -> None:
    """REAL Crossref recording: query.title for PaperQA returned a different paper with score 28."""
    reference = Reference(
        titles=("PaperQA: Retrieval-Augmented Generative Agent for Scientific Research",),
        authors=people(
            "Jakub Lála",
            "Odhran O'Donoghue",
            "Aleksandar Shtedritski",
            "Sam Cox",
            "Samuel G. Rodriques",
            "Andrew D. White",
        ),
        first_year=2023,
        arxiv_id="2312.07559",
    )
    candidates = replay.api_sample_search("works-list_query.title_rows1_WRONG-top-hit_arxiv-only-paper.json")
    decision = choose(reference, candidates, context="crossref search")
    assert decision.outcome == "rejected"
    assert "10.1093/jamiaopen/ooae021 rejected for 'PaperQA: " in decision.steps[0]


def test_real_api_sample_correct_top_hit_is_accepted() -> None:
    """REAL Crossref recording: query.title with the right paper on top."""
    reference = Reference(
        titles=(
            "Effect of native oxide layers on copper thin-film tensile properties: A reactive molecular dynamics study",
        ),
        authors=people("Michael D. Skarlinski", "David J. Quesnel"),
    )
    decision = choose(reference, replay.api_sample_search("works-list_query.title_rows1_correct-top-hit.json"))
    assert decision.outcome == "accepted" and decision.record is not None
    assert decision.record.doi == "10.1063/1.4938384"


def _sample_work(name: str) -> Record:
    from geoemb_bib.sources import crossref as crossref_source

    return crossref_source.parse_work(
        (replay.API_SAMPLES / "crossref" / name).read_bytes(), fetched_at=replay.FETCHED_AT
    )


def test_real_api_sample_posted_content_is_rejected_and_its_journal_version_accepted() -> None:
    """REAL Crossref recordings: a bioRxiv preprint (posted-content) and the Cell Genomics article it points to."""
    posted = _sample_work("works_posted-content_biorxiv_is-preprint-of_10.1101-2024.04.01.587366.json")
    journal = _sample_work("works_journal-article_version-of-record-of-preprint_10.1016-j.xgen.2025.100814.json")
    reference = Reference(titles=(posted.title,), authors=posted.author, first_year=2024)
    decision = choose(reference, [posted, journal], context="crossref search")
    assert decision.assessments[0].excluded == "Crossref posted-content (a preprint)"
    assert decision.outcome == "accepted" and decision.record is not None
    assert decision.record.doi == "10.1016/j.xgen.2025.100814"
    # Reached through the preprint's is-preprint-of link, the journal record is the version of record.
    assert check_identified(reference, journal, asserted_by="crossref").is_version_of_record
    assert not check_identified(reference, posted, asserted_by="curated").is_version_of_record


def _replay_reference(entry_id: str) -> Reference:
    entry = replay.entry(entry_id)
    arxiv_id = entry.ids.arxiv or (entry.link("paper").url.rsplit("/", 1)[-1])  # type: ignore[union-attr]
    return reference_for(entry, replay.arxiv_record(arxiv_id))


def test_replay_geoclip_crossref_search_does_not_accept_satclip() -> None:
    decision = choose(_replay_reference("geoclip"), replay.crossref_search("geoclip"), context="crossref search")
    assert decision.outcome == "rejected"
    satclip = decision.assessments[0]
    assert satclip.record.doi == "10.1609/aaai.v39i4.32457" and not satclip.acceptable
    assert decision.steps[0].startswith("crossref search: 10.1609/aaai.v39i4.32457 rejected for 'GeoCLIP: ")
    assert "title similarity" in decision.steps[0]


def test_replay_geoclip_openreview_search_accepts_the_neurips_note() -> None:
    decision = choose(_replay_reference("geoclip"), replay.openreview_search("geoclip"), context="openreview search")
    assert decision.outcome == "accepted" and decision.record is not None
    assert decision.record.openreview_id == "I18BXotQ7j" and decision.evidence == "verified"
    assert decision.assessments[0].venue.corroborates is True


def test_replay_presto_rejected_submission_never_becomes_the_venue() -> None:
    decision = choose(_replay_reference("presto"), replay.openreview_search("presto"), context="openreview search")
    assert decision.outcome == "rejected"
    assert "rejected" in (decision.assessments[0].excluded or "")
    assert len(decision.refuting) == 1


def test_replay_satclip_crossref_search_accepts_the_aaai_paper() -> None:
    decision = choose(_replay_reference("satclip"), replay.crossref_search("satclip"), context="crossref search")
    assert decision.outcome == "accepted" and decision.record is not None
    assert decision.record.doi == "10.1609/aaai.v39i4.32457"


def test_replay_seco_matches_despite_capital_from_and_accents() -> None:
    decision = choose(_replay_reference("seco"), replay.crossref_search("seco"), context="crossref search")
    assert decision.outcome == "accepted" and decision.record is not None
    assert decision.record.doi == "10.1109/iccv48922.2021.00928"
    assessment = decision.assessments[0]
    assert assessment.title.kind == "identical" and assessment.authors.first_author
    assert "Giro-i-Nieto" in assessment.authors.shared


def test_replay_crop_type_mapping_accepts_the_igarss_paper() -> None:
    decision = choose(_replay_reference("crop-type-fm-generalizability"), replay.crossref_search("crop-type-mapping"))
    assert decision.outcome == "accepted" and decision.record is not None
    assert decision.record.doi == "10.1109/igarss55030.2025.11242260"
    assert decision.assessments[0].venue.corroborates is True


def test_replay_major_tom_embeddings_rejects_the_igarss_major_tom_paper() -> None:
    decision = choose(_replay_reference("major-tom-embeddings"), replay.crossref_search("major-tom-embeddings"))
    assert decision.outcome == "rejected"
    trap = decision.assessments[0]
    assert trap.record.doi == "10.1109/igarss53475.2024.10640760"
    assert trap.authors.agrees and not trap.title.near_identical


def test_replay_major_tom_igarss_doi_given_as_identifier_is_a_conflict() -> None:
    """The IGARSS 2024 BibTeX in the entry's code repository is a different paper by the same authors."""
    check = check_identified(
        _replay_reference("major-tom-embeddings"),
        replay.crossref_work("10.1109/IGARSS53475.2024.10640760"),
        asserted_by="curated",
    )
    assert check.conflict and check.authors.agrees


def test_replay_clay_zero_items_means_no_candidates() -> None:
    entry = replay.entry("clay-embeddings")
    assert choose(reference_for(entry), replay.crossref_search("clay-model-v0-embeddings")).outcome == "no-candidates"


def test_replay_lossy_neural_compression_identifier_check_tolerates_case_and_author_count() -> None:
    entry = replay.entry("lossy-neural-compression")
    reference = reference_for(entry, replay.arxiv_record("2503.01505"), [replay.arxiv_record("2503.01505", 1)])
    check = check_identified(reference, replay.crossref_work("10.1109/MGRS.2025.3546527"), asserted_by="curated")
    assert check.is_version_of_record and check.title.kind == "identical"
    assert check.authors.first_author and "Batic" in check.authors.shared
    # v1 spells Batič; the published record Batic: the same person.
    v1_against_published = compare_authors(replay.arxiv_record("2503.01505", 1).author, check.record.author)
    assert "Batič" in v1_against_published.shared


def test_replay_reference_for_collects_titles_authors_year_and_hints() -> None:
    entry = replay.entry("gair")
    reference = reference_for(entry, replay.arxiv_record("2503.16683"), [replay.arxiv_record("2503.16683", 1)])
    assert reference.titles[0].startswith("GAIR: Location-Aware")
    assert any(t.startswith("GAIR: Improving") for t in reference.titles)
    assert reference.arxiv_id == "2503.16683" and reference.first_year == 2025
    assert reference.venue_hints == ("Arxiv 2025",)
    location = replay.entry("location-encoder")
    hints = reference_for(location, replay.arxiv_record("2310.06743")).venue_hints
    assert "Published as a conference paper at ICLR 2024" in hints
