"""Outputs land where the user pointed: through to devices and FIFOs, through symbolic links, under long names;
never over the list's own files; and a full disk or a closed pipe on standard output is one line, not a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO_ROOT
from geoemb_bib.cli import EXIT_BROKEN_PIPE, main, write_atomically

COMMAND = [sys.executable, "-m", "geoemb_bib"]


@pytest.fixture
def list_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(REPO_ROOT / "entries.yaml", tmp_path / "entries.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_fifo_is_written_through_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_atomically(fifo, "through the pipe\n")
    reader.join(timeout=10)
    assert received == [b"through the pipe\n"]
    assert fifo.is_fifo()


def test_dev_null_is_written_through_and_stays_a_device() -> None:
    write_atomically(Path(os.devnull), "nothing\n")
    assert Path(os.devnull).is_char_device()


def test_a_symbolic_link_keeps_pointing_where_it_points(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "references.bib"
    target.write_text("old\n")
    link = tmp_path / "references.bib"
    link.symlink_to(target)
    write_atomically(link, "new\n")
    assert link.is_symlink() and link.resolve() == target
    assert target.read_text() == "new\n"


def test_a_long_valid_name_is_accepted(tmp_path: Path) -> None:
    name = "r" * 250 + ".bib"
    write_atomically(tmp_path / name, "x\n")
    assert (tmp_path / name).read_text() == "x\n"
    assert [path.name for path in tmp_path.iterdir()] == [name]


def test_a_folder_is_refused_as_an_output(tmp_path: Path) -> None:
    from geoemb_bib.errors import OutputError

    with pytest.raises(OutputError, match="is a folder"):
        write_atomically(tmp_path, "x")


@pytest.mark.parametrize(
    "target", ["entries.yaml", "enriched.yaml", "geoemb-bib.toml", "pyproject.toml", "./entries.yaml"]
)
def test_the_lists_own_files_are_refused_as_export_targets(list_folder: Path, target: str) -> None:
    before = {path.name: path.read_bytes() for path in list_folder.iterdir() if path.is_file()}
    result = CliRunner().invoke(main, ["export", "--format", "bibtex", "-o", target])
    assert result.exit_code == 1
    assert f"{Path(target)}: is {Path(target).name} of this list; refusing to overwrite it" in result.output
    assert "hint:" in result.output
    assert {path.name: path.read_bytes() for path in list_folder.iterdir() if path.is_file()} == before


def test_a_link_to_the_list_is_refused_too(list_folder: Path) -> None:
    (list_folder / "refs.bib").symlink_to(list_folder / "entries.yaml")
    result = CliRunner().invoke(main, ["export", "--format", "bibtex", "-o", "refs.bib"])
    assert result.exit_code == 1 and "refusing to overwrite" in result.output


@pytest.mark.parametrize("target", ["entries.yaml", "enriched.yaml"])
def test_the_lists_own_files_are_refused_as_report_targets(list_folder: Path, target: str) -> None:
    before = (list_folder / "entries.yaml").read_bytes()
    result = CliRunner().invoke(main, ["refresh", "--offline", "--report", target])
    assert result.exit_code == 1
    assert "refusing to overwrite it" in result.output
    assert (list_folder / "entries.yaml").read_bytes() == before
    assert not (list_folder / "enriched.yaml").exists()


def _environment(folder: Path) -> dict[str, str]:
    variables = {key: value for key, value in os.environ.items() if not key.startswith("GEOEMB_BIB_")}
    variables["GEOEMB_BIB_CACHE_DIR"] = str(folder / "cache")
    return variables


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("command", [["check"], ["export", "--format", "markdown"]])
def test_a_full_disk_on_standard_output_is_one_line(list_folder: Path, command: list[str]) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*COMMAND, *command],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=_environment(list_folder),
            timeout=60,
        )
    assert done.returncode == 1
    assert done.stderr.splitlines() == ["error: cannot write the output (No space left on device)"]


def test_a_reader_that_goes_away_ends_the_command_quietly(list_folder: Path) -> None:
    process = subprocess.Popen(
        [*COMMAND, "export", "--format", "markdown"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_environment(list_folder),
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # long before the interpreter has started: every write meets a closed pipe
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == EXIT_BROKEN_PIPE
    assert stderr == ""
