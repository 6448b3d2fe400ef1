"""The OpenReview source: v2/v1 queries, which API to ask first, decisions from venueid, and parsing notes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import FIXTURES, Answer
from geoemb_bib.errors import BadResponse, NotFound, ServiceError
from geoemb_bib.model import Decision, PartialDate, Person, Query
from geoemb_bib.sources import openreview

SAMPLE_V1 = (
    FIXTURES
    / "api-samples"
    / "openreview"
    / "notes-v1_ICLR2020-Blind_Submission_ryxyCeHtPB.RECONSTRUCTED-from-client-printout.json"
)
REPLAY = FIXTURES / "replay" / "openreview"


def replay_note(name: str) -> dict[str, Any]:
    note: dict[str, Any] = json.loads((REPLAY / "notes" / name).read_text(encoding="utf-8"))["notes"][0]
    return note


def body_of(*notes: dict[str, Any]) -> bytes:
    return json.dumps({"notes": list(notes), "count": len(notes)}).encode()


# --- queries -------------------------------------------------------------------------------------------------


def test_a_v2_note_query_asks_api2_for_the_id_with_count() -> None:
    assert openreview.note_query("I18BXotQ7j") == Query(
        "openreview", "/notes", (("id", "I18BXotQ7j"), ("count", "true"))
    )


def test_a_v1_note_query_asks_the_v1_host_for_the_id_alone() -> None:
    assert openreview.note_query("WBhqzpF6KYH", api="v1") == Query("openreview_v1", "/notes", (("id", "WBhqzpF6KYH"),))


def test_a_forum_query_asks_for_the_whole_forum() -> None:
    assert openreview.forum_query("PudduufFLa") == Query(
        "openreview", "/notes", (("forum", "PudduufFLa"), ("count", "true"))
    )
    assert openreview.forum_query("S7Evzt9uit3", "v1") == Query("openreview_v1", "/notes", (("forum", "S7Evzt9uit3"),))


def test_a_title_search_is_a_v2_forum_search() -> None:
    assert openreview.search_query("Lightweight, Pre-trained Transformers for Remote Sensing Timeseries") == Query(
        "openreview",
        "/notes/search",
        (
            ("term", "Lightweight, Pre-trained Transformers for Remote Sensing Timeseries"),
            ("content", "all"),
            ("group", "all"),
            ("source", "forum"),
            ("limit", "10"),
        ),
    )


@pytest.mark.parametrize(
    ("hint", "api"),
    [
        ("NeurIPS 2022", "v1"),
        ("NeurIPS 2023", "v2"),
        ("NeurIPS.cc/2022/Conference", "v1"),
        ("Advances in Neural Information Processing Systems 2021", "v1"),
        ("ICLR 2023", "v1"),
        ("ICLR 2024", "v2"),
        ("International Conference on Learning Representations 2020", "v1"),
        ("ICML 2023", "v2"),
        ("MIDL 2020", "v1"),
        ("TMLR 2022", "v2"),
        ("ICLR", "v2"),
        ("", "v2"),
        (None, "v2"),
    ],
)
def test_the_api_to_ask_first_follows_the_venue_and_year(hint: str | None, api: str) -> None:
    assert openreview.choose_api(hint) == api


# --- decisions -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("venueid", "pdate", "venue", "decision"),
    [
        ("ICLR.cc/2024/Conference", 1705363200000, "ICLR 2024 spotlight", Decision.ACCEPTED),
        ("NeurIPS.cc/2022/Conference", None, "NeurIPS 2022 Accept", Decision.ACCEPTED),
        ("ICLR.cc/2025/Conference/Submission", None, "Submitted to ICLR 2025", Decision.UNDER_REVIEW),
        ("ICLR.cc/2024/Conference/Rejected_Submission", None, "Submitted to ICLR 2024", Decision.REJECTED),
        (
            "ICLR.cc/2024/Conference/Withdrawn_Submission",
            None,
            "ICLR 2024 Conference Withdrawn Submission",
            Decision.WITHDRAWN,
        ),
        ("ICLR.cc/2024/Conference/Desk_Rejected_Submission", None, None, Decision.DESK_REJECTED),
        ("TMLR", 1700000000000, "Transactions on Machine Learning Research", Decision.ACCEPTED),
        ("TMLR/Under_Review", None, None, Decision.UNDER_REVIEW),
        ("TMLR/Rejected", None, None, Decision.REJECTED),
        ("TMLR/Retracted_Acceptance", None, None, Decision.WITHDRAWN),
        # The machine field wins over display text that says otherwise.
        ("ICLR.cc/2024/Conference", None, "Submitted to ICLR 2024", Decision.ACCEPTED),
        ("ICLR.cc/2024/Conference/Rejected_Submission", None, "ICLR 2024 poster", Decision.REJECTED),
    ],
)
def test_the_decision_is_read_from_venueid(
    venueid: str, pdate: int | None, venue: str | None, decision: Decision
) -> None:
    assert openreview.classify(venueid, pdate, venue) is decision


@pytest.mark.parametrize(
    ("pdate", "venue", "decision"),
    [
        (None, "NeurIPS 2022 Accept", Decision.UNKNOWN),
        (None, None, Decision.UNKNOWN),
        (1652918400000, None, Decision.ACCEPTED),
        (1652918400000, "NeurIPS 2022 Accept", Decision.ACCEPTED),
        (1652918400000, "Submitted to ICLR 2024", Decision.UNKNOWN),
    ],
)
def test_without_venueid_display_text_alone_decides_nothing(
    pdate: int | None, venue: str | None, decision: Decision
) -> None:
    assert openreview.classify(None, pdate, venue) is decision


# --- the recorded (reconstructed) v1 note --------------------------------------------------------------------


def test_a_bare_v1_note_parses_with_its_bibtex_venue_and_year() -> None:
    [record] = openreview.parse_notes(SAMPLE_V1.read_bytes(), fetched_at="2022-12-01T00:00:00Z", api="v1")
    assert (record.source, record.standard_id, record.openreview_id) == (
        "openreview",
        "openreview:ryxyCeHtPB",
        "ryxyCeHtPB",
    )
    assert record.title == "Pay Attention to Features, Transfer Learn Faster CNNs"
    assert [p.display() for p in record.author] == [
        "Kafeng Wang",
        "Xitong Gao",
        "Yiren Zhao",
        "Xingjian Li",
        "Dejing Dou",
        "Cheng-Zhong Xu",
    ]
    # Submitted in September 2019 (cdate), it is an ICLR 2020 paper: the BibTeX year wins over cdate.
    assert record.issued == PartialDate(2020)
    assert record.container_title == "International Conference on Learning Representations"
    assert (record.type, record.source_type) == ("paper-conference", "inproceedings")
    # An old v1 note names no venueid: nothing machine-readable says accepted.
    assert (record.venue, record.venueid, record.decision) == (None, None, Decision.UNKNOWN)
    assert record.url == "https://openreview.net/forum?id=ryxyCeHtPB"
    assert record.pdf_url == "https://openreview.net/pdf/6e6abb55b83a1b41eaa6f0c9d191b89c2bfeb7c4.pdf"
    assert record.abstract is not None and record.abstract.startswith(
        "Deep convolutional neural networks are now widely deployed"
    )
    assert record.fetched_at == "2022-12-01T00:00:00Z"


# --- notes that are not the paper ----------------------------------------------------------------------------


def test_only_the_submission_of_a_forum_is_a_record() -> None:
    paper = replay_note("PudduufFLa.json")
    review = {"id": "rev1", "forum": "PudduufFLa", "replyto": "PudduufFLa", "content": {"title": {"value": "Review"}}}
    decision = {"id": "dec1", "forum": "PudduufFLa", "content": {"decision": {"value": "Accept (spotlight)"}}}
    records = openreview.parse_notes(body_of(review, paper, decision))
    assert [r.openreview_id for r in records] == ["PudduufFLa"]


def test_a_deleted_note_is_skipped() -> None:
    assert openreview.parse_notes(body_of({**replay_note("PudduufFLa.json"), "ddate": 1710460800000})) == []


def test_a_bare_list_of_notes_and_an_empty_answer_are_accepted() -> None:
    note = replay_note("gQPD83DrGp.json")
    assert [r.openreview_id for r in openreview.parse_notes(json.dumps([note]).encode())] == ["gQPD83DrGp"]
    assert openreview.parse_notes(b'{"notes": [], "count": 0}') == []


def test_anonymous_authors_are_no_authors() -> None:
    note = replay_note("PudduufFLa.json")
    note["content"]["authors"] = {"value": ["Anonymous"]}
    [record] = openreview.parse_notes(body_of(note))
    assert record.author == ()


def test_a_paper_under_review_is_no_conference_paper_and_has_no_container() -> None:
    note = replay_note("PudduufFLa.json")
    note["content"]["venue"] = {"value": "Submitted to ICLR 2025"}
    note["content"]["venueid"] = {"value": "ICLR.cc/2025/Conference/Submission"}
    note["content"]["_bibtex"] = {
        "value": note["content"]["_bibtex"]["value"].replace(
            "booktitle={The Twelfth International Conference on Learning Representations}",
            "booktitle={Submitted to The Thirteenth International Conference on Learning Representations},"
            "\nnote={under review}",
        )
    }
    del note["pdate"]
    [record] = openreview.parse_notes(body_of(note))
    assert record.decision is Decision.UNDER_REVIEW
    assert (record.type, record.source_type, record.container_title) == ("article", "inproceedings", None)


def test_title_and_authors_fall_back_to_the_latex_of_the_bibtex() -> None:
    note = replay_note("PudduufFLa.json")
    del note["content"]["title"], note["content"]["authors"]
    [record] = openreview.parse_notes(body_of(note))
    assert (
        record.title == "Geographic Location Encoding with Spherical Harmonics and Sinusoidal Representation Networks"
    )
    assert record.author[0] == Person(family="Rußwurm", given="Marc")
    note = replay_note("I18BXotQ7j.json")
    del note["content"]["title"]
    [record] = openreview.parse_notes(body_of(note))
    assert record.title.startswith("GeoCLIP: Clip-Inspired Alignment")


# --- errors and bodies that must never be cached -------------------------------------------------------------


def test_a_not_found_error_document_is_not_found() -> None:
    body = (
        b'{"name":"NotFoundError","message":"The Note abc was not found","status":404,'
        b'"details":{"path":"id","value":"abc"}}'
    )
    with pytest.raises(NotFound, match="The Note abc was not found"):
        openreview.parse_notes(body)
    with pytest.raises(NotFound):
        openreview.validate(Answer(404, body))


def test_other_api_errors_are_service_errors_with_their_message() -> None:
    body = b'{"name":"ForbiddenError","message":"You do not have permission","status":403}'
    with pytest.raises(ServiceError, match="ForbiddenError: You do not have permission") as caught:
        openreview.parse_notes(body, api="v1")
    assert not isinstance(caught.value, (BadResponse, NotFound))
    assert caught.value.service == "openreview_v1"


def test_a_cloudflare_challenge_page_is_a_transient_bad_response() -> None:
    body = (
        b"<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
        b"<body><script src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1'></script></body></html>"
    )
    with pytest.raises(BadResponse, match="Cloudflare") as caught:
        openreview.parse_notes(body)
    assert caught.value.hint is not None and "retry" in caught.value.hint
    with pytest.raises(BadResponse):
        openreview.validate(Answer(403, body))


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b'{"notes":[{"id":"I18BXotQ7j","forum":"I18BXotQ7j","content":{"title":{"val',
        b'{"result": "something else"}',
        b'{"notes": "not a list"}',
        b"<html><body>502 Bad Gateway</body></html>",
    ],
    ids=["empty", "truncated", "other-json", "notes-not-a-list", "proxy-html"],
)
def test_a_body_that_is_no_notes_answer_is_a_bad_response(body: bytes) -> None:
    with pytest.raises(BadResponse):
        openreview.validate(Answer(200, body))


@pytest.mark.parametrize("cut", [0.2, 0.5, 0.98])
def test_a_truncated_replay_body_is_a_bad_response(cut: float) -> None:
    """replay: any prefix of a notes body is refused."""
    body = (REPLAY / "notes" / "I18BXotQ7j.json").read_bytes()
    with pytest.raises(BadResponse):
        openreview.parse_notes(body[: int(len(body) * cut)])


# --- replay corpus -------------------------------------------------------------------------------------------

REPLAY_NOTES = {
    "I18BXotQ7j.json": (
        "GeoCLIP: Clip-Inspired Alignment between Locations and Images for Effective Worldwide Geo-localization",
        "NeurIPS 2023 poster",
        "NeurIPS.cc/2023/Conference",
        "Thirty-seventh Conference on Neural Information Processing Systems",
        3,
    ),
    "PudduufFLa.json": (
        "Geographic Location Encoding with Spherical Harmonics and Sinusoidal Representation Networks",
        "ICLR 2024 spotlight",
        "ICLR.cc/2024/Conference",
        "The Twelfth International Conference on Learning Representations",
        5,
    ),
    "gQPD83DrGp.json": (
        "Measuring the Intrinsic Dimension of Earth Representations",
        "ICLR 2026 Poster",
        "ICLR.cc/2026/Conference",
        "The Fourteenth International Conference on Learning Representations",
        4,
    ),
    "pbbRmnFkjG.json": (
        "Into the Rabbit Hull: From Task-Relevant Concepts in DINO to Minkowski Geometry",
        "ICLR 2026 Poster",
        "ICLR.cc/2026/Conference",
        "The Fourteenth International Conference on Learning Representations",
        11,
    ),
    "WBhqzpF6KYH.json": (
        "SatMAE: Pre-training Transformers for Temporal and Multi-Spectral Satellite Imagery",
        "NeurIPS 2022 Accept",
        "NeurIPS.cc/2022/Conference",
        "Advances in Neural Information Processing Systems",
        9,
    ),
    "S7Evzt9uit3.json": (
        "Mind the Gap: Understanding the Modality Gap in Multi-modal Contrastive Representation Learning",
        "NeurIPS 2022 Accept",
        "NeurIPS.cc/2022/Conference",
        "Advances in Neural Information Processing Systems",
        5,
    ),
}


@pytest.mark.parametrize("name", sorted(REPLAY_NOTES))
def test_replay_each_notes_body_is_one_accepted_conference_paper(name: str) -> None:
    """replay: v2 bodies (wrapped values) and v1 bodies (bare values) read the same; timestamps are not asserted."""
    body = (REPLAY / "notes" / name).read_bytes()
    openreview.validate(Answer(200, body))
    api = "v2" if b'"version":2' in body else "v1"
    [record] = openreview.parse_notes(body, api=api)
    title, venue, venueid, container, author_count = REPLAY_NOTES[name]
    note_id = name.removesuffix(".json")
    assert (record.standard_id, record.url) == (f"openreview:{note_id}", f"https://openreview.net/forum?id={note_id}")
    assert (record.title, record.venue, record.venueid, record.container_title) == (title, venue, venueid, container)
    assert record.decision is Decision.ACCEPTED
    assert (record.type, record.source_type) == ("paper-conference", "inproceedings")
    assert len(record.author) == author_count


def test_replay_v1_notes_take_their_year_from_the_bibtex() -> None:
    """replay: the NeurIPS 2022 v1 notes carry no pdate; their _bibtex says 2022."""
    [record] = openreview.parse_notes((REPLAY / "notes" / "WBhqzpF6KYH.json").read_bytes(), api="v1")
    assert record.issued == PartialDate(2022)
    assert record.author[7] == Person(family="Lobell", given="David B.")


def test_replay_non_ascii_display_names_come_through() -> None:
    """replay: 'Marc Rußwurm' is a display name in content and LaTeX-escaped only in _bibtex."""
    [record] = openreview.parse_notes((REPLAY / "notes" / "PudduufFLa.json").read_bytes())
    assert record.author[0] == Person(family="Rußwurm", given="Marc")


@pytest.mark.parametrize(("name", "note_id"), [("geoclip.json", "I18BXotQ7j"), ("location-encoder.json", "PudduufFLa")])
def test_replay_a_title_search_finds_the_accepted_paper(name: str, note_id: str) -> None:
    """replay: search bodies without count."""
    body = (REPLAY / "search" / name).read_bytes()
    openreview.validate(Answer(200, body))
    [record] = openreview.parse_notes(body)
    assert (record.openreview_id, record.decision) == (note_id, Decision.ACCEPTED)


def test_replay_the_synthetic_presto_decoy_is_classified_rejected() -> None:
    """replay: presto.json holds a SYNTHETIC rejected ICLR 2024 submission (its id, dates and state are invented);
    this pins only how such a body is read: rejected, no conference paper, no container."""
    [record] = openreview.parse_notes((REPLAY / "search" / "presto.json").read_bytes())
    assert record.decision is Decision.REJECTED
    assert (record.type, record.container_title) == ("article", None)
    assert record.title == "Lightweight, Pre-trained Transformers for Remote Sensing Timeseries"
