"""The Crossref source: work and search queries, and parsing of recorded and replay bodies into records."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import FIXTURES, Answer
from geoemb_bib.errors import BadResponse, NotFound
from geoemb_bib.model import PartialDate, Person, Query
from geoemb_bib.sources import crossref

SAMPLES = FIXTURES / "api-samples" / "crossref"
REPLAY = FIXTURES / "replay" / "crossref"
SELECT = (
    "DOI,title,subtitle,author,issued,published-print,published-online,posted,type,container-title,"
    "short-container-title,event,page,article-number,volume,issue,publisher,relation,score,URL,abstract"
)


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def work_body(**changes: Any) -> bytes:
    """The recorded PLOS ONE work with some fields replaced (None removes a field)."""
    document = json.loads(sample("works_journal-article_10.1371-journal.pone.0033693.json"))
    for name, value in changes.items():
        name = name.replace("_", "-")
        if value is None:
            document["message"].pop(name, None)
        else:
            document["message"][name] = value
    return json.dumps(document).encode()


# --- queries -------------------------------------------------------------------------------------------------


def test_a_work_query_puts_the_lower_cased_doi_in_the_path() -> None:
    assert crossref.work_query("10.1109/ICCV48922.2021.00928") == Query(
        "crossref", "/works/10.1109/iccv48922.2021.00928"
    )
    assert crossref.work_query("https://doi.org/10.1609/aaai.v39i4.32457").path == "/works/10.1609/aaai.v39i4.32457"


def test_a_doi_with_url_syntax_in_it_is_escaped_in_the_path() -> None:
    assert crossref.work_query("10.1016/S0140-6736(20)30183-5").path == "/works/10.1016/s0140-6736%2820%2930183-5"
    assert (
        crossref.work_query("10.1002/1521-3773(20010316)40:6;1").path
        == "/works/10.1002/1521-3773%2820010316%2940%3A6%3B1"
    )


@pytest.mark.parametrize("doi", ["10.48550/arXiv.2510.17914", "https://doi.org/10.48550/arxiv.2312.07559"])
def test_an_arxiv_datacite_doi_is_never_sent_to_crossref(doi: str) -> None:
    with pytest.raises(ValueError, match="DataCite"):
        crossref.work_query(doi)


def test_a_non_doi_is_refused() -> None:
    with pytest.raises(ValueError):
        crossref.work_query("not a doi")


def test_a_title_search_sends_the_title_alone_as_the_bibliographic_query() -> None:
    query = crossref.search_query("Seasonal Contrast: Unsupervised Pre-Training from Uncurated Remote Sensing Data")
    assert query == Query(
        "crossref",
        "/works",
        (
            ("query.bibliographic", "Seasonal Contrast: Unsupervised Pre-Training from Uncurated Remote Sensing Data"),
            ("rows", "5"),
            ("select", SELECT),
        ),
    )


def test_the_first_author_goes_into_its_own_field_query() -> None:
    query = crossref.search_query("  GeoCLIP:\n Clip-Inspired  Alignment ", "Cepeda", rows=2)
    assert query.params[:3] == (
        ("query.bibliographic", "GeoCLIP: Clip-Inspired Alignment"),
        ("query.author", "Cepeda"),
        ("rows", "2"),
    )


def test_a_search_keeps_the_score_when_it_trims_the_answer() -> None:
    # The recorded select=DOI,title answer lost its scores: `score` has to be selected explicitly.
    assert "score" in dict(crossref.search_query("x").params)["select"].split(",")


# --- single works --------------------------------------------------------------------------------------------


def test_a_journal_article_maps_every_bibliographic_field() -> None:
    record = crossref.parse_work(
        sample("works_journal-article_10.1371-journal.pone.0033693.json"), fetched_at="2026-06-16T13:34:19Z"
    )
    assert (record.source, record.standard_id, record.doi) == (
        "crossref",
        "doi:10.1371/journal.pone.0033693",
        "10.1371/journal.pone.0033693",
    )
    assert (record.type, record.source_type) == ("article-journal", "journal-article")
    assert (
        record.title == "Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of Microglia "
        "in the Basal Ganglia of Mice"
    )
    assert [p.display() for p in record.author] == [
        "Shankar Sadasivan",
        "Brooks B. Pond",
        "Amar K. Pani",
        "Chunxu Qu",
        "Yun Jiao",
        "Richard J. Smeyne",
    ]
    assert record.issued == PartialDate(2012, 3, 21)
    assert (record.container_title, record.container_title_short) == ("PLoS ONE", "PLoS ONE")
    assert (record.volume, record.issue, record.page) == ("7", "3", "e33693")
    assert record.publisher == "Public Library of Science (PLoS)"
    assert record.url == "https://doi.org/10.1371/journal.pone.0033693"
    assert record.relations == ()
    assert record.score == 1.0
    assert record.fetched_at == "2026-06-16T13:34:19Z"


def test_an_author_without_given_name_keeps_the_family_name() -> None:
    record = crossref.parse_work(sample("works_journal-article_author-without-given_10.3892-ijo_00000353.json"))
    assert record.author == (Person(family="Stravopodis"),)
    assert record.container_title_short == "Int J Oncol"


def test_markup_in_a_title_is_stripped_and_a_jats_abstract_becomes_paragraphs() -> None:
    record = crossref.parse_work(
        sample("works_journal-article_jats-markup-in-title_10.1136-jclinpath-2020-206745.json")
    )
    assert (
        record.title
        == "Construction of a reference material panel for detecting KRAS/NRAS/EGFR/BRAF/MET mutations in plasma ctDNA"
    )
    assert record.abstract is not None
    paragraphs = record.abstract.split("\n\n")
    assert paragraphs[:2] == [
        "Background",
        "The absence of high-quality next-generation sequencing (NGS) reference material (RM) has impeded the clinical"
        " use of liquid biopsies with plasma cell-free DNA (cfDNA) in China.",
    ]
    assert "(KRAS)/neuroblastoma ras oncogene (NRAS)" in record.abstract
    assert "<" not in record.abstract
    assert record.author[0] == Person(
        family="Xu",
        given="Jun",
        affiliations=("Department of Neurosurgery, China-Japan Friendship Hospital, Beijing, China",),
    )
    assert record.issued == PartialDate(2020, 8, 17)
    assert record.page == "314-320"


def test_a_work_without_authors_has_none_and_its_subtitle_joins_the_title() -> None:
    record = crossref.parse_work(sample("works_journal-article_no-authors_10.1007-s40278-023-41815-2.json"))
    assert record.author == ()
    assert record.title == (
        "Convalescent-anti-sars-cov-2-plasma/immune-globulin: "
        "Fever and mild decrease in baseline oxygen saturation following off-label use: 3 case reports"
    )


def test_a_proceedings_paper_without_any_date_takes_the_year_its_proceedings_title_names() -> None:
    record = crossref.parse_work(sample("works_proceedings-article_10.1109-icdcsw.2003.1203662.json"))
    assert (record.type, record.source_type) == ("paper-conference", "proceedings-article")
    assert record.issued == PartialDate(2003)
    assert (
        record.container_title
        == "23rd International Conference on Distributed Computing Systems Workshops, 2003. Proceedings."
    )
    assert record.event_title == "23rd International Conference on Distributed Computing Systems Workshops, 2003."
    assert record.page == "877-882"
    assert record.doi == "10.1109/icdcsw.2003.1203662"


def test_a_biorxiv_preprint_keeps_its_raw_type_and_its_link_to_the_published_version() -> None:
    record = crossref.parse_work(sample("works_posted-content_biorxiv_is-preprint-of_10.1101-2024.04.01.587366.json"))
    assert (record.type, record.source_type) == ("article", "posted-content")
    assert record.relations == (("is-preprint-of", "doi:10.1016/j.xgen.2025.100814"),)
    assert record.issued == PartialDate(2024, 4, 1)
    assert record.container_title is None
    assert record.author[-1] == Person(family="Findlay", given="Gregory M.", orcid="0000-0002-7767-8608")
    assert record.abstract is not None
    assert record.abstract.startswith("Understanding the effects of rare genetic variants")
    assert "targeting SMARCB1 for editing activity" in record.abstract


def test_a_version_of_record_without_the_back_link_has_no_relations_and_a_month_only_date() -> None:
    record = crossref.parse_work(
        sample("works_journal-article_version-of-record-of-preprint_10.1016-j.xgen.2025.100814.json")
    )
    assert record.relations == ()
    assert record.issued == PartialDate(2025, 4)
    assert (record.volume, record.issue, record.page) == ("5", "4", "100814")


def test_an_article_number_stands_in_for_missing_pages() -> None:
    record = crossref.parse_work(work_body(page=None, article_number="e33693x"))
    assert record.page == "e33693x"


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ({"issued": {"date-parts": [[None]]}, "published_print": {"date-parts": [[2021, 5]]}}, PartialDate(2021, 5)),
        (
            {"issued": {"date-parts": [[None]]}, "published": None, "published_online": {"date-parts": [[2020, 1, 2]]}},
            PartialDate(2020, 1, 2),
        ),
        ({"issued": {"date-parts": [[2019, 22]]}}, PartialDate(2019)),
        ({"issued": {"date-parts": [["2018", "7", "9"]]}}, PartialDate(2018, 7, 9)),
        ({"issued": {"date-parts": [[None]]}, "published": None, "published_online": None}, None),
    ],
    ids=["print-fallback", "online-fallback", "season-month", "string-parts", "no-date-at-all"],
)
def test_issued_falls_back_through_publication_dates_but_never_to_housekeeping(
    dates: dict[str, Any], expected: PartialDate | None
) -> None:
    record = crossref.parse_work(work_body(**dates))
    assert record.issued == expected


def test_an_organisation_author_is_kept_whole() -> None:
    record = crossref.parse_work(
        work_body(
            author=[
                {"name": "The CMS Collaboration", "sequence": "first", "affiliation": []},
                {
                    "given": "Ana",
                    "family": "Silva",
                    "suffix": "Jr.",
                    "sequence": "additional",
                    "affiliation": [{"name": "X &amp; Y"}],
                },
            ]
        )
    )
    assert record.author == (
        Person(literal="The CMS Collaboration"),
        Person(family="Silva", given="Ana", suffix="Jr.", affiliations=("X & Y",)),
    )


def test_relations_name_arxiv_preprints_by_arxiv_id() -> None:
    record = crossref.parse_work(
        work_body(
            relation={
                "has-preprint": [
                    {"id-type": "doi", "id": "10.48550/arXiv.2311.17179", "asserted-by": "subject"},
                    {"id-type": "arxiv", "id": "2311.17179v3", "asserted-by": "subject"},
                ],
                "is-version-of": [
                    {"id-type": "uri", "id": "https://arxiv.org/abs/2311.17179", "asserted-by": "object"}
                ],
                "has-review": [{"id-type": "doi", "id": "10.1/review", "asserted-by": "object"}],
            }
        )
    )
    assert record.relations == (
        ("has-preprint", "arxiv:2311.17179"),
        ("is-version-of", "arxiv:2311.17179"),
    )


# --- errors and bodies that must never be cached -------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["works_404_10.1371-notarealdoi.txt", "works_404_arxiv-doi-is-datacite_10.48550-arxiv.2312.07559.txt"]
)
def test_the_404_text_body_is_not_found(name: str) -> None:
    with pytest.raises(NotFound):
        crossref.parse_work(sample(name), status=404)
    with pytest.raises(NotFound):
        crossref.validate(Answer(404, sample(name)))


def test_a_validation_failure_is_a_bad_response_carrying_crossrefs_message() -> None:
    body = sample("works_400_field-query-on-doi-route.json")
    with pytest.raises(BadResponse, match="This route does not support field query parameters"):
        crossref.parse_work(body, status=400)
    crossref.validate(Answer(400, body))


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b'{"status":"ok","message-type":"work","message":{"DOI":"10.1371\\/journal.pone',
        b"<html><body><h1>502 Bad Gateway</h1></body></html>",
        b'{"status":"error","message-type":"exception","message":{"name":"class java.lang.NullPointerException"}}',
        b'["not", "an", "envelope"]',
        b'{"status":"ok","message-type":"member","message":{}}',
    ],
    ids=["empty", "truncated", "html", "exception", "json-list", "other-type"],
)
def test_a_body_that_is_no_crossref_answer_is_a_bad_response(body: bytes) -> None:
    with pytest.raises(BadResponse):
        crossref.validate(Answer(200, body))


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.999])
def test_a_truncated_recording_is_a_bad_response(cut: float) -> None:
    body = sample("works_journal-article_10.1371-journal.pone.0033693.json")
    with pytest.raises(BadResponse):
        crossref.parse_work(body[: int(len(body) * cut)])


def test_a_work_list_is_not_a_work() -> None:
    with pytest.raises(BadResponse, match="work-list"):
        crossref.parse_work(sample("works-list_query-ecology_rows2_scores.json"))


def test_a_work_without_doi_is_a_bad_response() -> None:
    with pytest.raises(BadResponse, match="no DOI"):
        crossref.parse_work(work_body(DOI=None))


# --- searches ------------------------------------------------------------------------------------------------


def test_search_results_keep_crossrefs_order_and_scores() -> None:
    records = crossref.parse_search(sample("works-list_query-ecology_rows2_scores.json"))
    assert [(r.doi, r.score) for r in records] == [
        ("10.1093/obo/9780199830060-0238", 11.044969),
        ("10.1093/obo/9780199830060-0023", 10.913344),
    ]
    assert {(r.type, r.source_type) for r in records} == {("chapter", "reference-entry")}
    assert records[1].author == (Person(family="Kessler", given="André"),)


def test_a_trimmed_search_answer_has_no_scores() -> None:
    records = crossref.parse_search(sample("works-list_query-ecology_select-DOI-title.json"))
    assert len(records) == 20
    assert {r.score for r in records} == {None}
    assert records[0].title == "Communicating Ecology"


def test_a_confident_wrong_top_hit_is_returned_as_is_for_the_matcher_to_judge() -> None:
    [record] = crossref.parse_search(sample("works-list_query.title_rows1_WRONG-top-hit_arxiv-only-paper.json"))
    assert (record.doi, record.score) == ("10.1093/jamiaopen/ooae021", 28.173157)
    assert record.title == "Retrieval augmented scientific claim verification"
    assert record.author[0].orcid == "0000-0002-1975-1272"


def test_a_correct_top_hit_with_an_article_number() -> None:
    [record] = crossref.parse_search(sample("works-list_query.title_rows1_correct-top-hit.json"))
    assert (record.doi, record.score, record.page) == ("10.1063/1.4938384", 64.35914, "235306")


def test_a_search_without_hits_is_an_empty_list() -> None:
    body = sample("works-list_query.title_rows1_zero-results.json")
    assert crossref.parse_search(body) == []
    crossref.validate(Answer(200, body))


def test_a_single_work_is_not_a_search_answer() -> None:
    with pytest.raises(BadResponse, match="work-list"):
        crossref.parse_search(sample("works_journal-article_10.1371-journal.pone.0033693.json"))


# --- replay corpus -------------------------------------------------------------------------------------------

REPLAY_WORKS = {
    "10.1109_MGRS.2025.3546527.json": (
        "article-journal",
        "Lossy Neural Compression for Geospatial Analytics: A review",
        "IEEE Geoscience and Remote Sensing Magazine",
        ("13", "3", "97-135"),
        2025,
    ),
    "10.1145_3736539.3754446.json": (
        "paper-conference",
        "Earth Embeddings: Harnessing the Information in Earth Observation Data with Machine Learning",
        None,
        (None, None, None),
        2025,
    ),
    "10.1609_aaai.v39i4.32457.json": (
        "article-journal",
        "SatCLIP: Global, General-Purpose Location Embeddings with Satellite Imagery",
        "Proceedings of the AAAI Conference on Artificial Intelligence",
        ("39", "4", "4347-4355"),
        2025,
    ),
    "10.1109_ICCV48922.2021.00928.json": (
        "paper-conference",
        "Seasonal Contrast: Unsupervised Pre-Training From Uncurated Remote Sensing Data",
        "Proceedings of the IEEE/CVF International Conference on Computer Vision (ICCV)",
        (None, None, "9394-9403"),
        2021,
    ),
    "10.1109_IGARSS55030.2025.11242260.json": (
        "paper-conference",
        "On the Generalizability of Foundation Models for Crop Type Mapping",
        "IGARSS 2025 - 2025 IEEE International Geoscience and Remote Sensing Symposium",
        (None, None, "948-953"),
        2025,
    ),
    "10.1109_IGARSS53475.2024.10640760.json": (
        "paper-conference",
        "Major TOM: Expandable Datasets for Earth Observation",
        "IGARSS 2024 - 2024 IEEE International Geoscience and Remote Sensing Symposium",
        (None, None, "2935-2940"),
        2024,
    ),
}


@pytest.mark.parametrize("name", sorted(REPLAY_WORKS))
def test_replay_each_work_body(name: str) -> None:
    """replay: type, title, container, volume/issue/pages and year of every /works/{doi} body."""
    body = (REPLAY / "works" / name).read_bytes()
    crossref.validate(Answer(200, body))
    record = crossref.parse_work(body)
    item_type, title, container, numbers, year = REPLAY_WORKS[name]
    doi = name.removesuffix(".json").replace("_", "/", 1).lower()
    assert (record.standard_id, record.doi) == (f"doi:{doi}", doi)
    assert (record.type, record.title, record.container_title) == (item_type, title, container)
    assert (record.volume, record.issue, record.page) == numbers
    assert record.issued is not None and record.issued.year == year


def test_replay_names_keep_their_accents_and_author_less_records_stay_empty() -> None:
    """replay: Crossref spells Giró-i-Nieto and Rodríguez where arXiv has no accents; 10.1145/3736539.3754446 has no
    author key."""
    seco = crossref.parse_work((REPLAY / "works" / "10.1109_ICCV48922.2021.00928.json").read_bytes())
    assert [p.family for p in seco.author] == ["Mañas", "Lacoste", "Giró-i-Nieto", "Vazquez", "Rodríguez"]
    lossy = crossref.parse_work((REPLAY / "works" / "10.1109_MGRS.2025.3546527.json").read_bytes())
    assert len(lossy.author) == 26
    assert lossy.container_title_short == "IEEE Geosci. Remote Sens. Mag."
    assert crossref.parse_work((REPLAY / "works" / "10.1145_3736539.3754446.json").read_bytes()).author == ()
    igarss = crossref.parse_work((REPLAY / "works" / "10.1109_IGARSS55030.2025.11242260.json").read_bytes())
    assert igarss.event_title == "IGARSS 2025 - 2025 IEEE International Geoscience and Remote Sensing Symposium"


def test_replay_satclip_abstract_is_plain_text() -> None:
    """replay: the AAAI record's JATS abstract."""
    record = crossref.parse_work((REPLAY / "works" / "10.1609_aaai.v39i4.32457.json").read_bytes())
    assert record.abstract is not None
    assert record.abstract.startswith("Geographic information is essential for modeling tasks")
    assert "jats" not in record.abstract and "\n" not in record.abstract


def test_replay_the_datacite_doi_answer_is_not_found() -> None:
    """replay: Crossref's 404 for 10.48550/arXiv.2510.17914."""
    body = (REPLAY / "works" / "10.48550_arXiv.2510.17914.404.txt").read_bytes()
    with pytest.raises(NotFound):
        crossref.parse_work(body, status=404)


@pytest.mark.parametrize(
    ("name", "top_doi"),
    [
        ("satclip.json", "10.1609/aaai.v39i4.32457"),
        ("seco.json", "10.1109/iccv48922.2021.00928"),
        ("crop-type-mapping.json", "10.1109/igarss55030.2025.11242260"),
        # Decoys only: the top hit is another seed entry's paper, which the matcher must reject.
        ("geoclip.json", "10.1609/aaai.v39i4.32457"),
        ("major-tom-embeddings.json", "10.1109/igarss53475.2024.10640760"),
    ],
)
def test_replay_each_search_body_lists_five_scored_candidates(name: str, top_doi: str) -> None:
    """replay: rank and real DOIs only; scores and the 10.5555 decoys are synthetic and not asserted."""
    body = (REPLAY / "search" / name).read_bytes()
    crossref.validate(Answer(200, body))
    records = crossref.parse_search(body)
    assert len(records) == 5
    assert records[0].doi == top_doi
    assert all(r.score is not None for r in records)
    assert all(r.source == "crossref" and r.standard_id == f"doi:{r.doi}" for r in records)


def test_replay_a_search_without_items() -> None:
    """replay: the zero-item answer for 'Clay Model v0 Embeddings'."""
    assert crossref.parse_search((REPLAY / "search" / "clay-model-v0-embeddings.json").read_bytes()) == []
