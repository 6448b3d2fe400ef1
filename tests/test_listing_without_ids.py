"""Replay: the bundled list as maintainers publish it, with every `ids:` line removed, resolves to the same records,
statuses and keys as the curated list: the landing-page links, the listing and title searches carry the evidence.

The fake serves the replay corpus plus the reconstructed landing corpus (fixtures/landing/PROVENANCE.md), whose
decoys (a longer title containing the listed one, the same title by other authors or at another venue) must all be
rejected. No assertion reads a synthetic value.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache

from conftest import REPO_ROOT
from geoemb_bib.model import Resolved
from geoemb_bib.resolve import RefreshResult
from resolved_replay import refresh_text

IDS_LINE = re.compile(r"^\s*ids: .*\n", re.MULTILINE)
# Entries whose curated `ids:` were the route to their version of record: without them, matching finds it.
FOUND_BY_MATCHING = {"lossy-neural-compression", "geoinrid", "satmae", "dinovision"}


@cache
def _runs() -> tuple[tuple[RefreshResult, list[str]], tuple[RefreshResult, list[str]]]:
    text = (REPO_ROOT / "entries.yaml").read_text(encoding="utf-8")
    stripped = IDS_LINE.sub("", text)
    assert stripped.count("ids:") == 0 and text.count("\n    ids:") == 6, "the bundled list states six `ids:` lines"
    return refresh_text(text), refresh_text(stripped)


def _untimed(item: Resolved) -> object:
    return dataclasses.replace(item.record, fetched_at=None)


def test_the_list_without_ids_resolves_entry_for_entry_like_the_curated_one() -> None:
    (curated, _), (bare, _) = _runs()
    assert [item.entry.id for item in curated.items] == [item.entry.id for item in bare.items]
    for with_ids, without in zip(curated.items, bare.items, strict=True):
        entry_id = with_ids.entry.id
        assert (without.status, without.key) == (with_ids.status, with_ids.key), entry_id
        assert _untimed(without) == _untimed(with_ids), entry_id
        assert without.aliases == with_ids.aliases, entry_id
        if entry_id in FOUND_BY_MATCHING:
            assert (with_ids.evidence, without.evidence) == ("identifier", "verified"), entry_id
        else:
            assert without.evidence == with_ids.evidence, entry_id


def test_the_three_versions_of_record_the_issue_names_are_found_without_ids() -> None:
    _, (bare, _) = _runs()
    items = {item.entry.id: item for item in bare.items}
    assert items["lossy-neural-compression"].record.doi == "10.1109/mgrs.2025.3546527"  # IEEE Xplore link
    assert items["satclip"].record.doi == "10.1609/aaai.v39i4.32457"  # AAAI OJS link
    assert items["satmae"].record.openreview_id == "WBhqzpF6KYH"  # NeurIPS 2022, OpenReview API v1
    assert items["satclip"].record.arxiv_id == "2311.17179"  # its preprint, found by title
    assert items["modality-gap"].record.arxiv_id == "2203.02053"  # the preprint of an OpenReview-linked paper


def test_every_decoy_is_rejected_with_its_reason() -> None:
    _, (bare, _) = _runs()
    items = {item.entry.id: item for item in bare.items}
    steps = {entry_id: "\n".join(item.steps) for entry_id, item in items.items()}
    assert re.search(r"arxiv:2513\.00001\S* rejected .*title similarity", steps["lossy-neural-compression"])
    assert re.search(r"arxiv:2513\.00002\S* rejected .*posted 2019", steps["satclip"])
    assert re.search(r"arxiv:2513\.00003\S* rejected .*no family name in common", steps["modality-gap"])
    assert re.search(r"10\.5555/landing-decoy\.01 rejected .*no family name", steps["lossy-neural-compression"])
    assert re.search(
        r"10\.5555/landing-decoy\.02 rejected .*no family name in common", steps["lossy-neural-compression"]
    )


def test_decoys_under_another_title_are_never_taken_and_not_recorded_in_the_lock_file() -> None:
    # What a search returns under another title changes as the index grows: refused, and not news for enriched.yaml.
    _, (bare, _) = _runs()
    items = {item.entry.id: item for item in bare.items}
    for entry_id, decoy in (
        ("geoinrid", "LANDdecoy001"),
        ("satmae", "LANDdecoy002"),
        ("dinovision", "LANDdecoy003"),
    ):
        record = items[entry_id].record
        assert decoy not in (record.arxiv_id or "", record.openreview_id or "", record.doi or ""), entry_id
        assert decoy not in "\n".join(items[entry_id].steps), entry_id
    assert items["geoinrid"].status == items["satmae"].status == "published"


def test_the_title_searches_share_arxiv_requests_and_ask_openreview_v1_for_neurips_2022() -> None:
    _, (_, targets) = _runs()
    title_searches = [target for target in targets if target.startswith("arxiv") and 'ti:"' in target]
    assert len(title_searches) == 2, "one for the entries with no identifier, one for those found by identifier"
    assert "SatCLIP" in title_searches[0] and "Lossy" in title_searches[0]
    assert any(target.startswith("openreview_v1 /notes/search") and "SatMAE" in target for target in targets)
