"""The Markdown list's venue column once a version of record is found: the curator's text when the record confirms
it, else the record's short venue and year."""

from __future__ import annotations

import dataclasses

from catalog_samples import copernicus_fm, geoclip, lossy_compression, major_tom
from geoemb_bib.exporters.markdown import _resolved_venue
from geoemb_bib.model import PartialDate, Record


def test_confirmed_listed_venue_is_kept() -> None:
    assert _resolved_venue(lossy_compression()) == "GRSM 2025"
    assert _resolved_venue(geoclip()) == "NeurIPS 2023"


def test_a_preprint_that_found_its_version_of_record_shows_it() -> None:
    tessera = dataclasses.replace(
        major_tom(),
        status="published",
        entry=dataclasses.replace(major_tom().entry, venue="Arxiv 2025"),
        record=Record(
            source="merged",
            standard_id="doi:10.1109/cvpr.2026.1",
            type="paper-conference",
            title="TESSERA",
            issued=PartialDate(2026),
            container_title="Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition",
            container_title_short="CVPR",
        ),
    )
    assert _resolved_venue(tessera) == "CVPR 2026"
    openreview = dataclasses.replace(
        tessera, record=dataclasses.replace(geoclip().record, venue="ICLR 2026 Poster", issued=PartialDate(2026))
    )
    assert _resolved_venue(openreview) == "ICLR 2026"


def test_unconfirmed_items_keep_the_listed_text() -> None:
    assert _resolved_venue(copernicus_fm()) == "ICCV 2025 Oral"
    assert _resolved_venue(major_tom()) == "Arxiv 2024"
