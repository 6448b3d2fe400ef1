"""Work in proportion to what changed: unchanged entries carried over, the lock file read from its parsed copy,
entries.yaml read again only where it changed, and every output byte for byte what the full path gives.

End to end with the real CLI against the loopback fake services (replay bodies), plus the parsed copies' rules on
their own: a copy of another text, another format or a damaged one is ignored, never trusted.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from fakeservices import FakeServices
from geoemb_bib import carryover, snapshots
from geoemb_bib.catalog import build_catalog
from geoemb_bib.enriched import dump_items, load_items
from geoemb_bib.entries import load_entries
from geoemb_bib.errors import EntriesError
from geoemb_bib.exporters import ExportOptions, export

MAILTO = "curator@example.org"
FORMATS = ("bibtex", "csl-json", "yaml", "markdown")


class Folder:
    """A list folder with its own cache, run through the real command line."""

    def __init__(self, path: Path, fake: FakeServices | None) -> None:
        self.path = path
        self.fake = fake
        self.cache = path / ".cache"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        environment = {
            key: value for key, value in os.environ.items() if not key.startswith("GEOEMB_BIB_") and key != "CI"
        }
        if self.fake is not None:
            environment.update(self.fake.env(cache_dir=self.cache, mailto=MAILTO))
        else:
            environment.update(GEOEMB_BIB_CACHE_DIR=str(self.cache), GEOEMB_BIB_MAILTO=MAILTO)
        return subprocess.run(
            [sys.executable, "-m", "geoemb_bib", *args],
            cwd=self.path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def text(self, name: str = "enriched.yaml") -> str:
        return (self.path / name).read_text(encoding="utf-8")

    def copies(self, kind: str) -> list[Path]:
        return sorted((self.cache / "parsed").glob(f"*.{kind}"))


@pytest.fixture
def refreshed(tmp_path: Path) -> Iterator[Folder]:
    """The bundled list refreshed once against the fake services."""
    shutil.copy(REPO_ROOT / "entries.yaml", tmp_path / "entries.yaml")
    with FakeServices() as fake:
        folder = Folder(tmp_path, fake)
        result = folder.run("refresh")
        assert result.returncode == 0, result.stderr
        yield folder


def _unchanged_count(stdout: str) -> int:
    found = re.search(r"unchanged: (\d+) entr", stdout)
    return int(found.group(1)) if found else 0


def test_a_warm_refresh_carries_every_entry_over_without_reading_an_answer(refreshed: Folder) -> None:
    before = refreshed.text()
    assert refreshed.fake is not None
    refreshed.fake.clear_log()
    result = refreshed.run("refresh")
    assert result.returncode == 0, result.stderr
    assert refreshed.fake.count() == 0
    assert _unchanged_count(result.stdout) == 25
    assert "changes:  none" in result.stdout
    assert refreshed.text() == before


def test_refresh_with_refresh_redoes_every_entry(refreshed: Folder) -> None:
    assert refreshed.fake is not None
    refreshed.fake.clear_log()
    result = refreshed.run("refresh", "--refresh")
    assert result.returncode == 0, result.stderr
    assert refreshed.fake.count() > 0
    assert _unchanged_count(result.stdout) == 0


def test_a_changed_answer_redoes_exactly_the_entries_that_read_it(refreshed: Folder) -> None:
    """Crossref's answers go (as when they expire): every entry that read one is redone, the others are kept."""
    before = load_items(refreshed.text(), "enriched.yaml")
    crossref_readers = {entry_id for entry_id, item in before.items() if any("crossref" in step for step in item.steps)}
    assert crossref_readers and len(crossref_readers) < 25
    assert refreshed.run("cache", "clear", "--source", "crossref").returncode == 0
    assert refreshed.fake is not None
    refreshed.fake.clear_log()
    result = refreshed.run("refresh")
    assert result.returncode == 0, result.stderr
    assert {request.service for request in refreshed.fake.requests()} == {"crossref"}
    assert _unchanged_count(result.stdout) == 25 - len(crossref_readers)
    assert load_items(refreshed.text(), "enriched.yaml") == before


def test_a_changed_entry_is_redone_and_the_result_is_what_a_full_refresh_gives(refreshed: Folder) -> None:
    entries = refreshed.path / "entries.yaml"
    text = entries.read_text(encoding="utf-8")
    start = text.index("  - id: satclip\n")
    title = text.index("    title:", start)
    entries.write_text(text[:title] + "    notes: Read for the survey's chapter 2.\n" + text[title:], encoding="utf-8")
    assert refreshed.fake is not None
    refreshed.fake.clear_log()
    result = refreshed.run("refresh")
    assert result.returncode == 0, result.stderr
    assert _unchanged_count(result.stdout) == 24
    # Its arXiv id is asked in the batch it was read from last time, which the cache answers.
    assert refreshed.fake.count() == 0
    incremental = refreshed.text()
    assert "notes: Read for the survey's chapter 2." in incremental
    shutil.rmtree(refreshed.cache / "parsed")
    assert refreshed.run("refresh").returncode == 0
    assert _without_times(refreshed.text()) == _without_times(incremental)


def test_a_copy_made_by_other_code_carries_nothing_over(refreshed: Folder) -> None:
    """The tool's digest is part of every fingerprint: a copy written by another version redoes every entry."""
    (lock,) = refreshed.copies("lock")
    text = (refreshed.path / "enriched.yaml").read_bytes()
    loaded = snapshots.decode(
        lock.read_bytes(),
        digest=snapshots.text_digest(text),
        tool=carryover.tool_digest(),
        text_length=len(refreshed.text()),
    )
    assert loaded is not None and len(loaded.snapshot.fingerprints) == 25
    lock.write_bytes(snapshots.encode(dataclasses.replace(loaded.snapshot, tool="an older release")))
    result = refreshed.run("refresh", "--offline")
    assert result.returncode == 0, result.stderr
    assert _unchanged_count(result.stdout) == 0


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="cut short"),
        pytest.param(lambda data: b"\x80\x04\x95" + data, id="a pickle header"),
        pytest.param(lambda data: data.replace(b"satclip", b"satclap", 1), id="a byte changed"),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_a_damaged_or_altered_copy_is_never_used(refreshed: Folder, damage: object) -> None:
    """An altered copy either fails to decode or no longer matches the text; exports are then made from the text."""
    expected = {name: refreshed.run("export", "--format", name).stdout for name in FORMATS}
    (lock,) = refreshed.copies("lock")
    lock.write_bytes(damage(lock.read_bytes()))  # type: ignore[operator]
    (curated,) = refreshed.copies("curated")
    curated.write_bytes(damage(curated.read_bytes()))  # type: ignore[operator]
    for name in FORMATS:
        result = refreshed.run("export", "--format", name)
        assert result.returncode == 0, result.stderr
        assert result.stdout == expected[name]


def test_a_copy_of_another_text_is_not_used_for_this_one(refreshed: Folder) -> None:
    path = refreshed.path / "enriched.yaml"
    text = refreshed.text()
    items = load_items(text, "enriched.yaml")
    changed = dataclasses.replace(
        items["satclip"], record=dataclasses.replace(items["satclip"].record, title="Edited by hand")
    )
    path.write_text(dump_items([changed if item.entry.id == "satclip" else item for item in items.values()]))
    result = refreshed.run("export", "--format", "csl-json")
    assert "Edited by hand" in result.stdout


def _without_times(text: str) -> str:
    return re.sub(r"(resolved_at|fetched_at): .*", r"\1: -", text)


# -- exports of a 1,000-entry list: byte for byte what the full path writes -----------------------------------


@pytest.fixture(scope="module")
def thousand(tmp_path_factory: pytest.TempPathFactory) -> Folder:
    """A synthetic list of 1,000 entries and its lock file: the bundled list's 25 resolved entries, 40 times over
    with their own ids, keys, titles and identifiers (no service is asked: exports never do)."""
    path = tmp_path_factory.mktemp("thousand")
    shutil.copy(REPO_ROOT / "entries.yaml", path / "entries.yaml")
    with FakeServices() as fake:
        seed = Folder(path, fake)
        assert seed.run("refresh").returncode == 0
    text = (path / "entries.yaml").read_text(encoding="utf-8")
    head, body = text.split("\nentries:\n", 1)
    blocks = re.split(r"(?m)^(?=  - id: )", body)
    prefix, blocks = blocks[0], blocks[1:]
    items = load_items(seed.text(), "enriched.yaml")
    copies, entries_text = [], [head, "\nentries:\n", prefix]
    for round_number in range(40):
        for block in blocks:
            entry_id = re.match(r"  - id: (\S+)", block).group(1)  # type: ignore[union-attr]
            new_id = f"{entry_id}-{round_number}"
            entries_text.append(_renumbered(block.replace(f"id: {entry_id}\n", f"id: {new_id}\n", 1), round_number))
            item = items[entry_id]
            entry = dataclasses.replace(item.entry, id=new_id, title=f"{item.entry.title} ({round_number})")
            record = dataclasses.replace(item.record, title=f"{item.record.title} ({round_number})")
            copies.append(dataclasses.replace(item, entry=entry, key=f"{item.key}r{round_number}", record=record))
    (path / "entries.yaml").write_text("".join(entries_text), encoding="utf-8")
    (path / "enriched.yaml").write_text(dump_items(copies), encoding="utf-8")
    shutil.rmtree(path / ".cache")
    return Folder(path, None)


def _renumbered(block: str, round_number: int) -> str:
    """A block whose title, key and identifiers are its own, so that no two entries name the same work."""
    block = re.sub(r'(?m)^(    title: )("?)(.*?)("?)$', lambda m: f"{m[1]}{m[2]}{m[3]} ({round_number}){m[4]}", block)
    block = re.sub(r"(?m)^(    key: )(\S+)$", lambda m: f"{m.group(1)}{m.group(2)}r{round_number}", block)
    block = re.sub(r"(\d{4}\.\d{4,5})", lambda m: f"{m.group(1)[:5]}{int(m.group(1)[5:]) + round_number:05d}", block)
    block = re.sub(r'(10\.\d{4,9}/)([^\s"},]+)', lambda m: f"{m.group(1)}{m.group(2)}r{round_number}", block)
    return re.sub(
        r"(openreview\.net/(?:forum|pdf)\?id=|openreview: )([\w-]+)",
        lambda m: f"{m.group(1)}{m.group(2)}{round_number}",
        block,
    )


def test_exports_of_a_thousand_entries_are_byte_for_byte_the_full_paths(thousand: Folder) -> None:
    curated = load_entries("entries.yaml", (thousand.path / "entries.yaml").read_bytes())
    assert len(curated.entries) == 1000
    catalog = build_catalog(curated, load_items(thousand.text(), "enriched.yaml"))
    expected = {name: export(name, catalog, ExportOptions()) for name in FORMATS}
    for attempt in ("parses and keeps copies", "reads the copies"):
        for name in FORMATS:
            result = thousand.run("export", "--format", name, "-o", f"out.{name}")
            assert result.returncode == 0, result.stderr
            assert thousand.text(f"out.{name}") == expected[name], f"{name}, when the export {attempt}"
        assert thousand.copies("lock") and thousand.copies("curated"), attempt


# -- entries.yaml read again only where it changed ------------------------------------------------------------


BUNDLED = (REPO_ROOT / "entries.yaml").read_text(encoding="utf-8")
TOOL = "test-tool"


def _incremental(text: str, copy: bytes | None) -> tuple[object, bytes | None]:
    return snapshots.load_curated("entries.yaml", text.encode("utf-8"), copy, TOOL)


def _edited(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("  - id: satclip\n", "  - id: satclip\n    notes: Edited.\n", id="a field added"),
        pytest.param(
            "  - id: satclip\n",
            "  - id: satclip-new\n    section: location\n    title: A new paper\n\n  - id: satclip\n",
            id="an entry inserted",
        ),
        pytest.param("  - id: satclip\n", "  # a comment before SatCLIP\n  - id: satclip\n", id="a comment"),
        pytest.param(
            "  - id: satclip\n",
            '  - id: satclip\n    notes: "a quoted note\n  - id: geoclip\n    that spans lines"\n',
            id="a quote holding an item line",
        ),
        pytest.param(
            "  - id: satclip\n", "  - id: satclip\n    notes: |\n      a literal\n\n      block\n", id="a literal block"
        ),
    ],
)
def test_an_edited_list_reads_as_a_full_read_does(old: str, new: str) -> None:
    full = load_entries("entries.yaml", BUNDLED.encode("utf-8"))
    first, copy = _incremental(BUNDLED, None)
    assert first == full and copy is not None
    edited = _edited(BUNDLED, old, new)
    again, _ = _incremental(edited, copy)
    assert again == load_entries("entries.yaml", edited.encode("utf-8"))


def test_an_unchanged_list_is_assembled_from_the_copy_without_a_new_one() -> None:
    _, copy = _incremental(BUNDLED, None)
    again, new_copy = _incremental(BUNDLED, copy)
    assert again == load_entries("entries.yaml", BUNDLED.encode("utf-8"))
    assert new_copy is None


def test_an_entry_removed_shifts_the_lines_of_the_ones_after() -> None:
    _, copy = _incremental(BUNDLED, None)
    start = BUNDLED.index("  - id: satclip\n")
    end = BUNDLED.index("\n  - id: ", start + 1) + 1
    edited = BUNDLED[:start] + BUNDLED[end:]
    again, _ = _incremental(edited, copy)
    assert again == load_entries("entries.yaml", edited.encode("utf-8"))


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda text: text.replace("  - id: geoclip\n", "  - id: satclip\n", 1), id="a duplicate id"),
        pytest.param(
            lambda text: text.replace("    section: location\n", "    section: nowhere\n", 1), id="an unknown section"
        ),
        pytest.param(
            lambda text: text.replace("  - id: satclip\n", '  - id: satclip\n    notes: "open\n', 1),
            id="an unclosed quote",
        ),
    ],
)
def test_an_error_in_an_edited_list_is_the_full_reads_error(edit: object) -> None:
    _, copy = _incremental(BUNDLED, None)
    edited = edit(BUNDLED)  # type: ignore[operator]
    with pytest.raises(EntriesError) as full:
        load_entries("entries.yaml", edited.encode("utf-8"))
    with pytest.raises(EntriesError) as incremental:
        _incremental(edited, copy)
    assert str(incremental.value) == str(full.value)


def test_a_copy_of_other_code_or_a_damaged_copy_reads_in_full() -> None:
    _, copy = _incremental(BUNDLED, None)
    assert copy is not None
    full = load_entries("entries.yaml", BUNDLED.encode("utf-8"))
    assert snapshots.load_curated("entries.yaml", BUNDLED.encode("utf-8"), copy, "other-tool")[0] == full
    assert _incremental(BUNDLED, copy[:-10])[0] == full
    assert _incremental(BUNDLED, b"\x80\x04\x95garbage")[0] == full
