"""Identifiers are read out of every link form the list uses, and the common variants."""

from __future__ import annotations

import pytest

from geoemb_bib import ids
from geoemb_bib.ids import Identifier
from geoemb_bib.model import CuratedIds, Entry, Link, WorkIds


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://arxiv.org/abs/2309.16020", Identifier("arxiv", "2309.16020")),
        ("https://arxiv.org/abs/2309.16020v2", Identifier("arxiv", "2309.16020", 2)),
        ("http://arxiv.org/abs/2309.16020v2", Identifier("arxiv", "2309.16020", 2)),
        ("https://arxiv.org/pdf/2309.16020", Identifier("arxiv", "2309.16020")),
        ("https://arxiv.org/pdf/2309.16020v2.pdf", Identifier("arxiv", "2309.16020", 2)),
        ("https://arxiv.org/html/2506.20380v6", Identifier("arxiv", "2506.20380", 6)),
        ("https://arxiv.org/html/2506.20380v6#S2", Identifier("arxiv", "2506.20380", 6)),
        ("https://export.arxiv.org/abs/1605.08386", Identifier("arxiv", "1605.08386")),
        ("https://ar5iv.labs.arxiv.org/html/2503.01505", Identifier("arxiv", "2503.01505")),
        ("https://arxiv.org/abs/math/0211159", Identifier("arxiv", "math/0211159")),
        ("https://arxiv.org/abs/quant-ph/0201082v1", Identifier("arxiv", "quant-ph/0201082", 1)),
        ("https://arxiv.org/abs/math.GT/0309136", Identifier("arxiv", "math.GT/0309136")),
        ("https://arxiv.org/abs/0704.0001", Identifier("arxiv", "0704.0001")),
        ("2309.16020", Identifier("arxiv", "2309.16020")),
        ("2309.16020v2", Identifier("arxiv", "2309.16020", 2)),
        ("arXiv:2309.16020", Identifier("arxiv", "2309.16020")),
        ("arxiv:math/0211159v3", Identifier("arxiv", "math/0211159", 3)),
        ("astro-ph/0601001", Identifier("arxiv", "astro-ph/0601001")),
    ],
)
def test_arxiv_links_and_ids(link: str, expected: Identifier) -> None:
    assert ids.identify(link) == expected


@pytest.mark.parametrize(
    ("link", "doi"),
    [
        ("https://doi.org/10.1609/aaai.v39i4.32457", "10.1609/aaai.v39i4.32457"),
        ("http://dx.doi.org/10.1103/PhysRevB.85.115117", "10.1103/physrevb.85.115117"),
        ("doi:10.1109/MGRS.2025.3546527", "10.1109/mgrs.2025.3546527"),
        ("10.1109/ICCV48922.2021.00928", "10.1109/iccv48922.2021.00928"),
        ("https://dl.acm.org/doi/full/10.1145/3736539.3754446", "10.1145/3736539.3754446"),
        ("https://dl.acm.org/doi/abs/10.1145/3736539.3754446", "10.1145/3736539.3754446"),
        ("https://dl.acm.org/doi/pdf/10.1145/3736539.3754446", "10.1145/3736539.3754446"),
        ("https://dl.acm.org/doi/10.1145/3736539.3754446", "10.1145/3736539.3754446"),
        ("https://link.springer.com/article/10.1007/s40278-023-41815-2", "10.1007/s40278-023-41815-2"),
        ("https://onlinelibrary.wiley.com/doi/full/10.1002/rse2.70001", "10.1002/rse2.70001"),
        ("https://journals.plos.org/plosone/article?id=10.1371/journal.pone.0033693", "10.1371/journal.pone.0033693"),
        ("https://doi.org/10.1109%2FMGRS.2025.3546527", "10.1109/mgrs.2025.3546527"),
        ("https://www.tandfonline.com/doi/abs/10.1080/01431161.2024.2321433.", "10.1080/01431161.2024.2321433"),
    ],
)
def test_doi_links_give_lower_case_dois(link: str, doi: str) -> None:
    assert ids.identify(link) == Identifier("doi", doi)


def test_an_arxiv_datacite_doi_names_the_preprint_not_a_crossref_record() -> None:
    assert ids.identify("https://doi.org/10.48550/arXiv.2510.17914") == Identifier("arxiv", "2510.17914")
    assert ids.arxiv_doi("2510.17914v1") == "10.48550/arxiv.2510.17914"
    assert ids.is_arxiv_doi("10.48550/ARXIV.2510.17914")


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://openreview.net/forum?id=S7Evzt9uit3", Identifier("openreview", "S7Evzt9uit3")),
        ("https://openreview.net/pdf?id=PudduufFLa", Identifier("openreview", "PudduufFLa")),
        ("https://openreview.net/forum?id=I18BXotQ7j&noteId=abcdef1234", Identifier("openreview", "I18BXotQ7j")),
        ("https://ieeexplore.ieee.org/document/10934749", Identifier("ieee", "10934749")),
        ("https://ieeexplore.ieee.org/abstract/document/11242260/", Identifier("ieee", "11242260")),
        ("https://ieeexplore.ieee.org/stamp/stamp.jsp?tp=&arnumber=10640760", Identifier("ieee", "10640760")),
        ("https://ojs.aaai.org/index.php/AAAI/article/view/32457", Identifier("aaai", "32457")),
        ("https://ojs.aaai.org/index.php/AAAI/article/view/32457/36592", Identifier("aaai", "32457")),
    ],
)
def test_openreview_ieee_and_aaai_links(link: str, expected: Identifier) -> None:
    assert ids.identify(link) == expected


@pytest.mark.parametrize(
    "link",
    [
        "https://github.com/microsoft/satclip",
        "https://source.coop/clay/clay-model-v0-embeddings",
        "https://medium.com/earthrisemedia/embeddings-for-all-0e0a29415b26",
        "https://arxiv.org/list/cs.CV/recent",
        "https://openreview.net/group?id=ICLR.cc/2024/Conference",
        "",
        "not an identifier",
    ],
)
def test_links_without_an_identifier_give_none(link: str) -> None:
    assert ids.identify(link) is None


def test_parse_arxiv_id_splits_the_version_and_refuses_anything_else() -> None:
    assert ids.parse_arxiv_id("2104.12255v1") == ("2104.12255", 1)
    assert ids.parse_arxiv_id(" arXiv:1605.08386 ") == ("1605.08386", None)
    for bad in ("abc", "2104.123", "12345.6789", "math/021115", "2104.12255v"):
        with pytest.raises(ValueError):
            ids.parse_arxiv_id(bad)


def test_normalize_doi_refuses_text_without_a_doi() -> None:
    with pytest.raises(ValueError):
        ids.normalize_doi("https://example.org/paper")


def test_standard_ids_are_spelled_one_way() -> None:
    assert ids.standard_id("arxiv", "2309.16020", 2) == "arxiv:2309.16020v2"
    assert ids.standard_id("doi", "10.1609/aaai.v39i4.32457") == "doi:10.1609/aaai.v39i4.32457"
    assert Identifier("openreview", "S7Evzt9uit3").standard_id == "openreview:S7Evzt9uit3"


# -- an entry's identifiers: ids first, then the first paper link of each scheme ---------------------------------


def _entry(*links: Link, stated: CuratedIds | None = None) -> Entry:
    return Entry(id="e", section="s", title="T", links=links, ids=stated or CuratedIds())


def test_an_entry_names_its_work_by_its_paper_links() -> None:
    entry = _entry(
        Link("paper", "https://arxiv.org/abs/2309.16020v2"),
        Link("paper", "https://doi.org/10.1109/ICCV48922.2021.00928"),
        Link("paper", "https://openreview.net/forum?id=I18BXotQ7j"),
    )
    assert entry.work_ids == WorkIds("2309.16020", 2, "10.1109/iccv48922.2021.00928", "I18BXotQ7j")


def test_stated_ids_come_before_the_links() -> None:
    entry = _entry(Link("paper", "https://arxiv.org/abs/2309.16020"), stated=CuratedIds(arxiv="2309.16020v3"))
    assert (entry.work_ids.arxiv_id, entry.work_ids.arxiv_version) == ("2309.16020", 3)


def test_the_first_paper_link_of_a_scheme_wins_and_other_roles_never_count() -> None:
    entry = _entry(
        Link("code", "https://arxiv.org/abs/2311.17179"),
        Link("paper", "https://arxiv.org/abs/2310.06743"),
        Link("paper", "https://arxiv.org/abs/2103.16607"),
    )
    assert entry.work_ids.arxiv_id == "2310.06743"


def test_standard_ids_leave_out_the_version_and_what_is_missing() -> None:
    assert WorkIds("2309.16020", 2, None, "I18BXotQ7j").standard_ids == ("arxiv:2309.16020", "openreview:I18BXotQ7j")
