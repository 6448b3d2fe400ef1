"""Each landing-page link form, read into what it reveals; an unknown host reveals nothing."""

from __future__ import annotations

import pytest

from geoemb_bib.landing import LinkFacts, read_link


@pytest.mark.parametrize(
    ("url", "doi"),
    [
        ("https://dl.acm.org/doi/10.1145/3736539.3754446", "10.1145/3736539.3754446"),
        ("https://dl.acm.org/doi/abs/10.1145/3557915.3561043", "10.1145/3557915.3561043"),
        ("https://dl.acm.org/doi/full/10.1145/3736539.3754446", "10.1145/3736539.3754446"),
        ("https://dl.acm.org/doi/pdf/10.1145/3736539.3754446", "10.1145/3736539.3754446"),
        ("https://link.springer.com/article/10.1007/s11263-023-01849-0", "10.1007/s11263-023-01849-0"),
        ("https://link.springer.com/chapter/10.1007/978-3-031-72658-3_1", "10.1007/978-3-031-72658-3_1"),
        ("https://www.tandfonline.com/doi/10.1080/13658816.2023.2266495", "10.1080/13658816.2023.2266495"),
        ("https://www.tandfonline.com/doi/abs/10.1080/01431161.2022.2161856", "10.1080/01431161.2022.2161856"),
        ("https://www.tandfonline.com/doi/full/10.1080/17538947.2023.2248018", "10.1080/17538947.2023.2248018"),
        ("https://onlinelibrary.wiley.com/doi/10.1111/tgis.13000", "10.1111/tgis.13000"),
        ("https://agupubs.onlinelibrary.wiley.com/doi/full/10.1029/2021GL096404", "10.1029/2021gl096404"),
        ("https://iopscience.iop.org/article/10.1088/1748-9326/ac1234", "10.1088/1748-9326/ac1234"),
        ("https://iopscience.iop.org/article/10.1088/1748-9326/ac1234/meta", "10.1088/1748-9326/ac1234"),
        ("https://www.nature.com/articles/s41586-021-03819-2", "10.1038/s41586-021-03819-2"),
        ("https://doi.org/10.1109/TGRS.2023.3281234", "10.1109/tgrs.2023.3281234"),
        ("http://dx.doi.org/10.1016/j.rse.2021.112599", "10.1016/j.rse.2021.112599"),
    ],
)
def test_a_doi_in_the_path_is_the_identifier(url: str, doi: str) -> None:
    facts = read_link(url)
    assert facts.doi == doi
    assert facts.has_identifier


@pytest.mark.parametrize(
    "url",
    [
        "https://www.sciencedirect.com/science/article/pii/S0034425721003382",
        "https://www.sciencedirect.com/science/article/abs/pii/S0034425721003382",
    ],
)
def test_sciencedirect_gives_the_pii(url: str) -> None:
    facts = read_link(url)
    assert facts.pii == "S0034425721003382" and facts.doi is None and facts.has_identifier


def test_mdpi_gives_journal_volume_issue_and_article_number() -> None:
    facts = read_link("https://www.mdpi.com/2072-4292/13/4/653")
    assert (facts.issn, facts.volume, facts.issue, facts.article_number) == ("2072-4292", "13", "4", "653")
    assert facts.venue == "Remote Sensing"
    assert not facts.has_identifier  # a Crossref search constrained by these, never a DOI built from them


@pytest.mark.parametrize(
    "url", ["https://ieeexplore.ieee.org/document/10934749", "https://ieeexplore.ieee.org/abstract/document/10934749/"]
)
def test_ieee_xplore_gives_the_article_number_only(url: str) -> None:
    facts = read_link(url)
    assert facts == LinkFacts(url, "ieeexplore", article_number="10934749")


@pytest.mark.parametrize(
    ("url", "venue", "year", "author", "words"),
    [
        (
            "https://openaccess.thecvf.com/content/ICCV2021/html/Manas_Seasonal_Contrast_Unsupervised_Pre-Training_From_Uncurated_Remote_Sensing_Data_ICCV_2021_paper.html",
            "ICCV",
            2021,
            "Manas",
            "Seasonal Contrast Unsupervised Pre-Training From Uncurated Remote Sensing Data",
        ),
        (
            "http://openaccess.thecvf.com/content_cvpr_2018/html/Zhang_Road_Extraction_CVPR_2018_paper.html",
            "CVPR",
            2018,
            "Zhang",
            "Road Extraction",
        ),
        (
            "https://openaccess.thecvf.com/content/CVPR2023W/EarthVision/html/Reed_Scale-MAE_CVPRW_2023_paper.html",
            "CVPRW",
            2023,
            "Reed",
            "Scale-MAE",
        ),
        (
            "https://openaccess.thecvf.com/content_CVPRW_2019/html/EarthVision/Smith_A_Study_CVPRW_2019_paper.html",
            "CVPRW",
            2019,
            "Smith",
            "A Study",
        ),
        (
            "https://openaccess.thecvf.com/content/WACV2023/papers/Ayush_Geography_Aware_WACV_2023_paper.pdf",
            "WACV",
            2023,
            "Ayush",
            "Geography Aware",
        ),
    ],
)
def test_cvf_open_access_gives_venue_year_first_author_and_title_words(
    url: str, venue: str, year: int, author: str, words: str
) -> None:
    facts = read_link(url)
    assert (facts.site, facts.venue, facts.year, facts.first_author, facts.title_words) == (
        "cvf",
        venue,
        year,
        author,
        words,
    )


@pytest.mark.parametrize(
    ("url", "year"),
    [
        ("https://proceedings.neurips.cc/paper/2021/hash/0123456789abcdef0123456789abcdef-Abstract.html", 2021),
        (
            "https://proceedings.neurips.cc/paper_files/paper/2022/hash/01c561df365429f33fcd7a7faa44c985-Abstract-Conference.html",
            2022,
        ),
        (
            "https://papers.neurips.cc/paper_files/paper/2023/hash/0123456789abcdef0123456789abcdef-Abstract-Datasets_and_Benchmarks.html",
            2023,
        ),
    ],
)
def test_neurips_proceedings_give_the_venue_and_year(url: str, year: int) -> None:
    facts = read_link(url)
    assert (facts.venue, facts.year, facts.has_identifier) == ("NeurIPS", year, False)


def test_pmlr_gives_volume_venue_first_author_and_year() -> None:
    facts = read_link("https://proceedings.mlr.press/v139/radford21a.html")
    assert (facts.volume, facts.venue, facts.year, facts.first_author) == ("139", "ICML", 2021, "radford")
    unknown_volume = read_link("https://proceedings.mlr.press/v999/someone24b.html")
    assert (unknown_volume.venue, unknown_volume.year, unknown_volume.first_author) == (None, 2024, "someone")


def test_ecva_gives_eccv_and_the_year() -> None:
    facts = read_link("https://www.ecva.net/papers/eccv_2022/papers_ECCV/html/1234_ECCV_2022_paper.php")
    assert (facts.venue, facts.year) == ("ECCV", 2022)


def test_acl_anthology_gives_a_doi_to_verify_never_a_doi() -> None:
    facts = read_link("https://aclanthology.org/2022.acl-long.1/")
    assert facts.doi is None and facts.doi_to_verify == "10.18653/v1/2022.acl-long.1"


def test_aaai_ojs_gives_the_venue() -> None:
    facts = read_link("https://ojs.aaai.org/index.php/AAAI/article/view/32457")
    assert (facts.venue, facts.article_number, facts.has_identifier) == ("AAAI", "32457", False)


def test_arxiv_and_openreview_links_keep_their_identifiers() -> None:
    assert read_link("https://arxiv.org/abs/2309.16020v2").arxiv_id == "2309.16020"
    assert read_link("https://openreview.net/forum?id=S7Evzt9uit3").openreview_id == "S7Evzt9uit3"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.researchgate.net/publication/123456_Some_Paper",
        "https://example.org/papers/2021/remote-sensing.html",
        "https://www.mdpi.com/journal/remotesensing",
        "https://ieeexplore.ieee.org/xpl/conhome/1000000/all-proceedings",
        "https://ojs.aaai.org/index.php/ICWSM/article/view/123",
    ],
)
def test_an_unknown_host_or_layout_reveals_nothing(url: str) -> None:
    facts = read_link(url)
    assert facts == LinkFacts(url) or facts.site is None
    assert not facts.has_identifier and facts.venue is None and facts.year is None


def test_describe_names_the_facts_in_one_line() -> None:
    assert read_link("https://ieeexplore.ieee.org/document/10934749").describe() == (
        "ieeexplore: article number 10934749"
    )
    assert "\n" not in read_link("https://www.mdpi.com/2072-4292/13/4/653").describe()
