"""Zotero RDF export: item types and fields in Zotero's vocabulary, Extra for what schema v29 lacks, one tag per
section; a golden file; and, opt-in, the file imported by Zotero's own importers in a translation-server running on
this machine (GEOEMB_BIB_ZOTERO_URL=http://127.0.0.1:1969; ../shared/docs/zotero-translation-server.md)."""

from __future__ import annotations

import os
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from catalog_samples import (
    catalog,
    clay,
    earth_genome_blog,
    hostile_catalog,
    lossy_compression,
    major_tom,
    realistic_catalog,
    satclip,
    terramind_challenge,
)
from geoemb_bib.errors import ExportError
from geoemb_bib.exporters import ExportOptions, export
from geoemb_bib.exporters._citation import Citation, citations
from geoemb_bib.exporters.zotero_rdf import ITEM_TYPES, NAMESPACES
from geoemb_bib.model import Catalog, Resolved
from golden import check_golden
from resolved_replay import resolved_bundled_catalog

Z = "{" + NAMESPACES["z"] + "}"
DC = "{" + NAMESPACES["dc"] + "}"


def fields(item: Resolved) -> dict[str, list[str]]:
    root = ElementTree.fromstring(export("zotero-rdf", catalog([item]), ExportOptions()))
    (description,) = list(root)
    found: dict[str, list[str]] = {}
    for child in description:
        name = child.tag.replace(Z, "z:").replace(DC, "dc:")
        found.setdefault(name, []).append(child.text or "")
    return found


def test_golden_realistic() -> None:
    check_golden("realistic.rdf", export("zotero-rdf", realistic_catalog(), ExportOptions()))


def test_a_preprint_is_a_zotero_preprint_with_its_archive_id() -> None:
    found = fields(major_tom())
    assert found["z:itemType"] == ["preprint"]
    assert found["z:archiveID"] == ["arXiv:2412.05600"] and found["z:repository"] == ["arXiv"]
    assert found["z:DOI"] == ["10.48550/arXiv.2412.05600"] and found["z:citationKey"] == ["czerkawski2024global"]
    assert found["dc:subject"] == ["Product Embeddings"]


def test_a_published_paper_keeps_its_venue_pages_and_arxiv_id() -> None:
    found = fields(satclip())
    assert found["z:itemType"] == ["conferencePaper"]
    assert found["z:proceedingsTitle"] == ["Proceedings of the AAAI Conference on Artificial Intelligence"]
    assert (found["z:pages"], found["z:DOI"]) == (["4347-4355"], ["10.1609/aaai.v39i4.32457"])
    # conferencePaper has no issue and no citation key in schema v29: Extra, where Zotero reads them.
    assert found["z:extra"] == ["Issue: 4\nCitation Key: klemmer2025satclip\narXiv: 2311.17179"]


def test_a_journal_articles_publisher_goes_to_extra_for_schema_v29() -> None:
    found = fields(lossy_compression())
    assert (found["z:itemType"], found["z:issue"]) == (["journalArticle"], ["3"])
    assert "z:publisher" not in found
    assert found["z:extra"][0].startswith("Publisher: Institute of Electrical and Electronics Engineers (IEEE)\n")


def test_dataset_blog_post_and_challenge_have_their_own_types() -> None:
    assert (fields(clay())["z:itemType"], fields(clay())["z:repository"]) == (["dataset"], ["Source Cooperative"])
    blog = fields(earth_genome_blog())
    assert (blog["z:itemType"], blog["z:blogTitle"]) == (["blogPost"], ["Medium"])
    assert blog["z:websiteType"] == ["Blog post"]
    challenge = fields(terramind_challenge())
    assert (challenge["z:itemType"], challenge["z:websiteType"]) == (["webpage"], ["Challenge"])
    root = ElementTree.fromstring(export("zotero-rdf", catalog([terramind_challenge()]), ExportOptions()))
    surnames = [e.text for e in root.iter("{" + NAMESPACES["foaf"] + "}surname")]
    assert surnames == ["IBM & ESA Φ-lab"]


def test_two_items_with_one_key_are_refused() -> None:
    with pytest.raises(ExportError, match="duplicate citation keys: czerkawski2024global"):
        export("zotero-rdf", catalog([major_tom(), major_tom()]), ExportOptions())


def test_hostile_metadata_stays_well_formed_xml() -> None:
    root = ElementTree.fromstring(export("zotero-rdf", hostile_catalog(), ExportOptions()))
    assert len(root) == len(hostile_catalog().items)


# -- Zotero's importers, opt-in ---------------------------------------------------------------------------------

ZOTERO_URL = os.environ.get("GEOEMB_BIB_ZOTERO_URL")
needs_zotero = pytest.mark.skipif(
    not ZOTERO_URL,
    reason="GEOEMB_BIB_ZOTERO_URL is unset: point it at a local translation-server "
    "(../shared/docs/zotero-translation-server.md)",
)
# Where each kind of value lands in a Zotero item, per item type (the venue's field is named by the type).
VENUE_FIELDS = {
    "conferencePaper": "proceedingsTitle",
    "journalArticle": "publicationTitle",
    "bookSection": "bookTitle",
    "blogPost": "blogTitle",
}


def zotero_import(text: str) -> list[dict[str, Any]]:
    assert ZOTERO_URL is not None
    response = httpx.post(
        ZOTERO_URL.rstrip("/") + "/import",
        content=text.encode("utf-8"),
        headers={"Content-Type": "text/plain"},
        timeout=120,
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


def check_imported(c: Citation, item: dict[str, Any]) -> None:
    assert item["itemType"] == ITEM_TYPES[c.form], (c.key, item["itemType"])
    assert [tag["tag"] for tag in item.get("tags", [])] == list(c.keywords), (c.key, item.get("tags"))
    assert len(item.get("creators", [])) == len(c.authors), (c.key, item.get("creators"))
    extra = item.get("extra", "")
    if c.doi:
        assert item.get("DOI") == c.doi or f"DOI: {c.doi}" in extra, (c.key, item)
    if c.arxiv_id:
        if item["itemType"] == "preprint":
            assert item["archiveID"] == f"arXiv:{c.arxiv_id}", (c.key, item)
        else:
            assert f"arXiv: {c.arxiv_id}" in extra.splitlines(), (c.key, extra)
    venue_field = VENUE_FIELDS.get(item["itemType"])
    if venue_field and c.form in ("conference", "journal", "chapter") and c.container:
        assert item[venue_field] == c.container, (c.key, item)
    if c.page:
        assert item.get("pages", "").replace("-", "") == "".join(ch for ch in c.page if ch.isalnum()), (c.key, item)
    if c.url:
        assert item["url"] == c.url, (c.key, item)


@needs_zotero
@pytest.mark.parametrize("name", ("realistic", "resolved"))
def test_zotero_imports_every_item_with_its_type_identifiers_venue_pages_and_tags(name: str) -> None:
    chosen: Catalog = {"realistic": realistic_catalog, "resolved": resolved_bundled_catalog}[name]()
    imported = zotero_import(export("zotero-rdf", chosen, ExportOptions()))
    imported = [item for item in imported if item["itemType"] != "note"]
    expected = citations(chosen)
    assert len(imported) == len(expected)  # nothing discarded
    for c, item in zip(expected, imported, strict=True):
        check_imported(c, item)
