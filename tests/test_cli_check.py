"""`geoemb-bib check` and `geoemb-bib export --format markdown`: exact messages and exit codes, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, REPO_ROOT
from geoemb_bib.cli import main

BROKEN = sorted(p for p in (FIXTURES / "entries").glob("*.yaml") if p.name != "valid-minimal.yaml")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_accepts_the_bundled_list() -> None:
    code, out, err = run("check", str(REPO_ROOT / "entries.yaml"))
    assert code == 0, err
    assert out.endswith("ok (25 entries: 21 papers, 4 other items; 12 sections)\n")


@pytest.mark.parametrize("fixture", BROKEN, ids=lambda p: p.name)
def test_check_reports_each_broken_fixture_in_one_line_and_exits_1(fixture: Path) -> None:
    code, out, err = run("check", str(fixture))
    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith(f"{fixture}:")
    assert lines[1] == "error: 1 problem found"
    assert "Traceback" not in err and out == ""


def test_check_of_a_missing_file_says_what_to_do() -> None:
    code, _, err = run("check", "no-such-entries.yaml")
    assert code == 1
    assert (
        err
        == "error: no-such-entries.yaml: no such file\nhint: give the path of your entries.yaml, or run in its folder\n"
    )


def test_usage_errors_exit_2() -> None:
    code, _, err = run("export", "--format", "docx")
    assert code == 2
    assert err.splitlines()[0].startswith("error: invalid value for '--format': 'docx' is not one of 'bibtex'")
    assert err.splitlines()[1].startswith("hint: ") and "export --help" in err


def test_export_markdown_as_listed_reproduces_the_list(tmp_path: Path) -> None:
    target = tmp_path / "list.md"
    code, _, err = run(
        "export", "--format", "markdown", "--as-listed", "--entries", str(REPO_ROOT / "entries.yaml"), "-o", str(target)
    )
    assert code == 0, err
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# 🌍 Awesome Geospatial Embeddings\n")
    assert (
        "| **SeCo** | **Seasonal Contrast: Unsupervised Pre-Training from Uncurated Remote Sensing Data** | ICCV 2021 |"
        in text
    )


def test_the_module_entry_point_runs_the_same_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "geoemb_bib", "check", str(REPO_ROOT / "entries.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "ok (25 entries" in result.stdout
