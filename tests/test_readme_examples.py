"""Every example command of the README runs as written, against the fake services (replay bodies).

The commands are read out of the README's ```sh and ```console blocks (any line whose command is `geoemb-bib` or
`.venv/bin/geoemb-bib`, pipes and redirections included), so a command added to the README is tested too. Each
block runs in order in its own copy of a list folder: ```sh blocks in one the bundled list was built in (the
maintainer's everyday state), ```console blocks in a fresh one (a first run, as their output shows), which must
print the lines the block shows. An `add` block starts from the list without the paper it adds. A command that
starts a list (`init`, `import` without `--update`) runs in an empty folder of its own holding the files it names;
`import --update` in one where a plain import of its file ran first.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO_ROOT
from fakeservices import FakeServices
from geoemb_bib.entries import load_entries
from geoemb_bib.ids import identify, standard_id
from reliability import environment

README = REPO_ROOT / "README.md"
# Files the examples name that a list folder does not hold: what each stands for.
EXAMPLE_FILES = {
    "broken.yaml": FIXTURES / "entries" / "unknown-field.yaml",
    "README.md": FIXTURES / "seed-awesome-geospatial-embeddings.md",
    "refs.bib": FIXTURES / "import" / "refs.bib",
    "refs.json": FIXTURES / "import" / "refs.json",
}
_BLOCK = re.compile(r"^```(sh|console)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_COMMAND = re.compile(r"^(?:\.venv/bin/)?geoemb-bib(?:\s|$)")


@dataclass
class Block:
    kind: str
    line: int
    commands: list[str] = field(default_factory=list)
    # console blocks: the output lines shown after each command
    outputs: list[list[str]] = field(default_factory=list)

    def __str__(self) -> str:
        return f"README.md:{self.line}"


def _without_comment(line: str) -> str:
    """The shell line without a trailing `# comment` (a `#` inside quotes stays)."""
    quote = None
    for index, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index].rstrip()
    return line.rstrip()


def readme_blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    blocks = []
    for found in _BLOCK.finditer(text):
        block = Block(found.group(1), text.count("\n", 0, found.start()) + 1)
        for raw in found.group(2).splitlines():
            if block.kind == "console":
                if raw.startswith("$ "):
                    command = _without_comment(raw[2:])
                    block.commands.append(command if _COMMAND.match(command) else "")
                    block.outputs.append([])
                elif block.outputs:
                    block.outputs[-1].append(raw)
            elif _COMMAND.match(raw.strip()):
                block.commands.append(_without_comment(raw.strip()))
        if block.kind == "console":
            block.outputs = [out for out, command in zip(block.outputs, block.commands, strict=True) if command]
            block.commands = [command for command in block.commands if command]
        if block.commands:
            blocks.append(block)
    return blocks


BLOCKS = readme_blocks()


def test_the_readme_has_examples_for_every_command_it_documents() -> None:
    commands = {command.split()[1] for block in BLOCKS for command in block.commands}
    assert {"build", "refresh", "export", "status", "add", "check"} <= commands, commands


# -- list folders -------------------------------------------------------------------------------------------------


def _shim(folder: Path) -> Path:
    """`.venv/bin/geoemb-bib` in the folder, running this interpreter's geoemb-bib, so commands run as written."""
    bin_dir = folder / ".venv" / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    shim = bin_dir / "geoemb-bib"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m geoemb_bib "$@"\n', encoding="utf-8")
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return bin_dir


def _entries_without(identifier: str) -> str:
    """The bundled entries.yaml without the entry (its whole block) that lists `identifier`."""
    text = (REPO_ROOT / "entries.yaml").read_text(encoding="utf-8")
    found = identify(identifier)
    assert found is not None, identifier
    wanted = found.standard_id if found.scheme != "arxiv" else standard_id("arxiv", found.value)
    curated = load_entries("entries.yaml", text.encode())
    listed = next((entry for entry in curated.entries if wanted in entry.work_ids.standard_ids), None)
    if listed is None or listed.line is None:
        return text
    lines = text.splitlines(keepends=True)
    start = listed.line - 1
    end = start + 1
    while end < len(lines) and lines[end].startswith("    "):
        end += 1
    return "".join(lines[:start] + lines[end:])


@dataclass
class Folders:
    fake: FakeServices
    root: Path
    built: dict[str, Path] = field(default_factory=dict)

    def prepared(self, entries_text: str, *, built: bool) -> Path:
        """A list folder for `entries_text`, built once against the fake when `built`; a fresh copy each call."""
        name = f"{'built' if built else 'fresh'}-{abs(hash(entries_text))}"
        source = self.built.get(name)
        if source is None:
            source = self.root / name
            source.mkdir()
            (source / "entries.yaml").write_text(entries_text, encoding="utf-8")
            if built:
                result = run_shell(source, self.fake, "geoemb-bib build")
                assert result.returncode == 0, result.stderr
            self.built[name] = source
        copy = self.root / f"run-{len(list(self.root.iterdir()))}"
        shutil.copytree(source, copy, symlinks=True)
        _shim(copy)
        return copy


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Folders]:
    with FakeServices() as fake:
        yield Folders(fake, tmp_path_factory.mktemp("readme"))


def run_shell(folder: Path, fake: FakeServices, command: str) -> subprocess.CompletedProcess[str]:
    env = environment(fake, folder / "cache")
    env["PATH"] = f"{_shim(folder)}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _starts_a_list(words: list[str]) -> bool:
    return words[1] == "init" or (words[1] == "import" and "--update" not in words)


def _own_folder(folders: Folders, words: list[str]) -> Path:
    """An empty folder for a command that starts a list, with the files it names; for `import --update`, after a
    plain import of its file."""
    folder = folders.root / f"own-{len(list(folders.root.iterdir()))}"
    folder.mkdir()
    _shim(folder)
    named = [word for word in words if word in EXAMPLE_FILES]
    for word in named:
        shutil.copy(EXAMPLE_FILES[word], folder / word)
    if words[1] == "import" and "--update" in words:
        first = run_shell(folder, folders.fake, f"geoemb-bib import {named[0]}")
        assert first.returncode == 0, first.stderr
    return folder


@pytest.mark.parametrize("block", BLOCKS, ids=str)
def test_every_readme_example_runs_as_written(block: Block, folders: Folders) -> None:
    adds = [command.split()[1 + command.split().index("add")] for command in block.commands if " add " in command]
    entries = _entries_without(adds[0]) if adds else (REPO_ROOT / "entries.yaml").read_text(encoding="utf-8")
    list_folder: Path | None = None
    for index, command in enumerate(block.commands):
        words = command.split()
        if _starts_a_list(words) or (words[1] == "import" and "--update" in words):
            folder = _own_folder(folders, words)
        else:
            list_folder = list_folder or folders.prepared(entries, built=block.kind == "sh")
            folder = list_folder
            for word in words:
                if word in EXAMPLE_FILES and not (folder / word).exists():
                    shutil.copy(EXAMPLE_FILES[word], folder / word)
        result = run_shell(folder, folders.fake, command)
        shown = block.outputs[index] if block.kind == "console" else []
        expected_error = any(line.startswith("error: ") for line in shown)
        assert "Traceback" not in result.stderr, (command, result.stderr)
        assert result.returncode == (1 if expected_error else 0), (str(block), command, result.stdout, result.stderr)
        output = (result.stdout + result.stderr).splitlines()
        for line in shown:
            if line.strip() and "..." not in line:
                assert line in output, (str(block), command, line, output)
