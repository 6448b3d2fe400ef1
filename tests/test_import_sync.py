"""`geoemb-bib import --update README.md`: contributors' edits of the README brought into the curated entries.yaml.

The bundled entries.yaml is the curated list of the seed README; the README is edited as pull requests would:
a row added, a code link and a venue changed, a row deleted.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from conftest import FIXTURES, REPO_ROOT
from geoemb_bib.cli import main
from geoemb_bib.entries import load_entries
from geoemb_bib.importers import read
from geoemb_bib.importers.sync import sync

SEED = (FIXTURES / "seed-awesome-geospatial-embeddings.md").read_text(encoding="utf-8")
BUNDLED = (REPO_ROOT / "entries.yaml").read_text(encoding="utf-8")
NEW_ROW = (
    "| **NewNet** | **NewNet: Embeddings for Every Pixel** | CVPR 2026 | [NewNet](https://arxiv.org/abs/2601.01234) "
    "| [Code](https://github.com/example/newnet) |\n"
)


def edited_readme() -> str:
    text = SEED.replace("| **GAIR** |", NEW_ROW + "| **GAIR** |")
    text = text.replace("https://github.com/microsoft/satclip)", "https://github.com/microsoft/satclip-v2)")
    text = text.replace(
        "**Measuring the Intrinsic Dimension of Earth Representations** | Arxiv 2025",
        "**Measuring the Intrinsic Dimension of Earth Representations** | ICLR 2026",
    )
    return "".join(line for line in text.splitlines(keepends=True) if "**PRESTO**" not in line)


def entry_blocks(text: str) -> dict[str, str]:
    """Each entry's exact text (from its dash to its last line), by id."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    entries = next(value for key, value in root.value if key.value == "entries")
    blocks = {}
    for item in entries.value:
        entry_id = next(value.value for key, value in item.value if key.value == "id")
        lines = text[item.start_mark.index : item.end_mark.index].splitlines()
        while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith("#")):
            lines.pop()  # the comment above the next entry is the next entry's
        blocks[entry_id] = "\n".join(lines)
    return blocks


def test_the_seed_readme_is_in_sync_with_the_bundled_list() -> None:
    current = load_entries("entries.yaml", BUNDLED.encode())
    result = sync(BUNDLED, current, read("markdown", "README.md", SEED))
    assert not result.changed and result.removed == ()
    assert result.text == BUNDLED


def test_added_edited_and_deleted_rows() -> None:
    current = load_entries("entries.yaml", BUNDLED.encode())
    result = sync(BUNDLED, current, read("markdown", "README.md", edited_readme()))
    assert [(c.entry_id, c.fields) for c in result.added] == [("new-net", ("new",))]
    assert [(c.entry_id, c.fields) for c in result.updated] == [("satclip", ("links.code",)), ("geoinrid", ("venue",))]
    # the deleted row is reported, not deleted
    assert [(r.entry_id, r.title) for r in result.removed] == [
        ("presto", "Lightweight, Pre-trained Transformers for Remote Sensing Timeseries")
    ]
    updated = load_entries("entries.yaml", result.text.encode())
    by_id = {entry.id: entry for entry in updated.entries}
    assert "presto" in by_id
    assert by_id["satclip"].link("code").url == "https://github.com/microsoft/satclip-v2"  # type: ignore[union-attr]
    assert by_id["satclip"].ids.arxiv == "2311.17179", "curated ids are kept"
    assert by_id["geoinrid"].venue == "ICLR 2026"
    assert by_id["geoinrid"].ids.openreview == "gQPD83DrGp"
    new = by_id["new-net"]
    assert (new.section, new.title, new.venue) == ("remote-sensing", "NewNet: Embeddings for Every Pixel", "CVPR 2026")
    # the new entry comes right after the last entry of its section, as `add` inserts it
    ids = [entry.id for entry in updated.entries]
    assert ids.index("new-net") == ids.index("gair") + 1
    # every other entry keeps its bytes, its comments included
    before, after = entry_blocks(BUNDLED), entry_blocks(result.text)
    for entry_id, block in before.items():
        if entry_id not in ("satclip", "geoinrid"):
            assert after[entry_id] == block, entry_id
    assert "# The OpenReview forum of the paper's ICLR 2026 submission (Submission21885)." in after["geoinrid"]
    assert (
        len(result.text.splitlines())
        == len(BUNDLED.splitlines()) + len(entry_blocks(result.text)["new-net"].splitlines()) + 1
    )


def test_curated_fields_are_never_touched_even_when_the_row_changes_its_title() -> None:
    text = BUNDLED.replace(
        '      code: "https://github.com/ServiceNow/seasonal-contrast"\n',
        '      code: "https://github.com/ServiceNow/seasonal-contrast"\n    key: manas2021seco\n'
        "    override: {note: keep me}\n    tags: [contrastive]\n    notes: a note\n",
    )
    readme = SEED.replace("**Seasonal Contrast: Unsupervised", "**Seasonal Contrast (SeCo): Unsupervised")
    result = sync(text, load_entries("entries.yaml", text.encode()), read("markdown", "README.md", readme))
    assert [(c.entry_id, c.fields) for c in result.updated] == [("seco", ("title",))]
    seco = next(e for e in load_entries("entries.yaml", result.text.encode()).entries if e.id == "seco")
    assert seco.title.startswith("Seasonal Contrast (SeCo):")
    assert (seco.key, dict(seco.override), seco.tags, seco.notes) == (
        "manas2021seco",
        {"note": "keep me"},
        ("contrastive",),
        "a note",
    )


def test_the_cli_dry_run_shows_the_diff_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "entries.yaml").write_text(BUNDLED, encoding="utf-8")
    (tmp_path / "README.md").write_text(edited_readme(), encoding="utf-8")
    runner = CliRunner()
    entries, readme = str(tmp_path / "entries.yaml"), str(tmp_path / "README.md")
    result = runner.invoke(main, ["import", "--update", "--dry-run", "--entries", entries, readme])
    assert result.exit_code == 0, result.output
    assert (
        '-      code: "https://github.com/microsoft/satclip"\n+      code: "https://github.com/microsoft/satclip-v2"'
        in result.output
    )
    assert f"not in {readme} any more, kept: 'presto'" in result.output
    assert (tmp_path / "entries.yaml").read_text(encoding="utf-8") == BUNDLED
    written = runner.invoke(main, ["import", "--update", "--entries", entries, readme])
    assert written.exit_code == 0, written.output
    assert "updated 'satclip': links.code" in written.output
    again = runner.invoke(main, ["import", "--update", "--entries", entries, readme])
    assert f"{entries}: up to date with {readme}" in again.output


def test_a_readme_synced_into_a_fresh_list_brings_its_sections_and_keeps_the_entries_added_before() -> None:
    text = "list:\n  title: Mine\n\nentries:\n  - id: old-paper\n    title: An Old Paper\n"
    current = load_entries("entries.yaml", text.encode())
    readme = (FIXTURES / "import" / "kinds.md").read_text(encoding="utf-8")
    result = sync(text, current, read("markdown", "README.md", readme))
    updated = load_entries("entries.yaml", result.text.encode())
    assert [s.id for s in updated.sections] == ["papers", "datasets", "challenges", "tools", "location-embeddings"]
    assert (updated.entries[0].id, updated.entries[0].section) == ("old-paper", "papers")
    assert [c.entry_id for c in result.added] == [
        "satclip",
        "major-tom-core",
        "cvpr-earthvision-embed2scale-challenge",
        "torchgeo",
    ]
    assert result.text.startswith("list:\n  title: Mine\n\nsections:\n")
    assert [r.entry_id for r in result.removed] == ["old-paper"]


def test_a_bib_synced_into_the_list_updates_only_what_a_bib_lists() -> None:
    """A .bib has no abbreviations or code links: syncing one never removes them."""
    bib = (FIXTURES / "import" / "refs.bib").read_text(encoding="utf-8")
    bib = bib.replace("{{SatCLIP}: Global, General-Purpose", "{{SatCLIP}: Global and General-Purpose")
    current = load_entries("entries.yaml", BUNDLED.encode())
    result = sync(BUNDLED, current, read("bibtex", "refs.bib", bib))
    satclip = next(e for e in load_entries("entries.yaml", result.text.encode()).entries if e.id == "satclip")
    assert satclip.title == "SatCLIP: Global and General-Purpose Location Embeddings with Satellite Imagery"
    assert satclip.abbr == "SatCLIP"
    assert satclip.link("code").url == "https://github.com/microsoft/satclip"  # type: ignore[union-attr]
    assert [c.entry_id for c in result.added] == []
