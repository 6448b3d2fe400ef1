"""Starting a list: `init` on a fresh folder, `add` into it, `import` of a README refusing to overwrite."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from conftest import FIXTURES
from geoemb_bib.cli import main
from geoemb_bib.entries import load_entries


def test_init_writes_a_list_check_accepts_and_a_commented_configuration(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "my-list"
    result = runner.invoke(main, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    curated = load_entries("entries.yaml", (folder / "entries.yaml").read_bytes())
    assert (curated.meta.title, [s.id for s in curated.sections], curated.entries) == ("my list", ["papers"], ())
    config = (folder / "geoemb-bib.toml").read_text(encoding="utf-8")
    assert all(not line.strip() or line.startswith("#") for line in config.splitlines())
    assert "# mailto = " in config
    checked = runner.invoke(main, ["check", str(folder / "entries.yaml")])
    assert checked.exit_code == 0 and "ok (0 entries" in checked.output
    again = runner.invoke(main, ["init", str(folder)])
    assert again.exit_code == 1
    assert f"error: {folder / 'entries.yaml'}: already exists; nothing written" in again.output


def test_a_file_holding_only_entries_is_valid_and_add_works_on_it_without_a_section(tmp_path: Path) -> None:
    entries = tmp_path / "entries.yaml"
    entries.write_text("entries:\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "add",
            "2309.16020",
            "--offline",
            "--title",
            "GeoCLIP",
            "--entries",
            str(entries),
            "--cache-dir",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    curated = load_entries(str(entries), entries.read_bytes())
    assert [(e.section, e.title, e.links[0].url) for e in curated.entries] == [
        ("papers", "GeoCLIP", "https://arxiv.org/abs/2309.16020")
    ]


def test_import_writes_entries_yaml_and_refuses_to_overwrite_it(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text((FIXTURES / "import" / "noise.md").read_text(encoding="utf-8"), encoding="utf-8")
    entries = tmp_path / "entries.yaml"
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(readme), "--entries", str(entries)])
    assert result.exit_code == 0, result.output
    assert f"warning: {readme}:22: BibTeX block: not imported" in result.output
    assert f"wrote {entries} (1 entry in 1 section; 5 warnings)" in result.output
    again = runner.invoke(main, ["import", str(readme), "--entries", str(entries)])
    assert again.exit_code == 1
    assert f"error: {entries}: already exists; nothing written" in again.output
