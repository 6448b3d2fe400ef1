"""Issue #7, hostile metadata from the services, end to end: the fake services serve poisoned records (TeX commands
such as \\input and \\write18, unbalanced braces, control and bidi-override characters, HTML and Markdown markup,
a 10,000-character title, 2,000 authors) and the real `geoemb-bib build` turns them into outputs.

Every output stays valid and inert: the BibTeX parses, is balanced and ASCII and compiles with \\write18 enabled
without running anything; the CSL-JSON is valid against the schema; the Markdown table keeps its shape and carries
no HTML, link or control character from the data; enriched.yaml loads back to exactly itself; the terminal output
carries no escape sequence. The exporters' own tests (test_export_*.py, test_tex_compile.py) pin the same properties
on hand-made samples (catalog_samples.hostile_items); this file proves them for what the services actually send.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
import jsonschema
import pytest

from conftest import FIXTURES, REPO_ROOT
from fakeservices import REPLAY, FakeServices
from geoemb_bib.enriched import dump_items, load_items
from reliability import COMMAND, environment


def hostile(marker: Path) -> str:
    return (
        f"\\input{{/etc/passwd}} \\write18{{touch {marker}}} \\def\\x{{}} }}{{ unbalanced "
        f"{{{{ \x07bell \x1b[31mred\x1b[0m "
        "\u202eevil\u202c <script>alert(1)</script> | pipe [click](javascript:alert(1)) <javascript:alert(2)> 100% & "
        "#1 $x_2$ ~ ^"
    )


# What must never appear in an output: control characters (but line feed) and bidirectional overrides.
INVISIBLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
DANGEROUS_TEX = {
    "input",
    "include",
    "write",
    "immediate",
    "def",
    "edef",
    "catcode",
    "openout",
    "read",
    "csname",
    "begin",
    "end",
}


def poison(replay: Path, marker: Path) -> None:
    """Rewrite three records of the replay corpus the way a broken or malicious upstream could."""
    text = hostile(marker)
    path = replay / "crossref" / "works" / "10.1145_3736539.3754446.json"  # earth-embeddings: no authors upstream
    document = json.loads(path.read_text(encoding="utf-8"))
    work = document["message"]
    # The title stays as recorded (a title that no longer matches the listing is a different paper, rejected): the
    # hostile text comes through the names, the venue and, below, an OpenReview title that still matches.
    work["container-title"] = ["Proceedings of {Unbalanced & Special} \\write18{x} }{ \u0007 | pipe"]
    work["author"] = [
        {
            "given": f"Given{n} \\input{{x}}" if n % 7 == 0 else f"Given{n}",
            "family": f"Fam}}{{ily{n}" if n % 5 == 0 else f"Family{n}\x07",
        }
        for n in range(2000)
    ]
    path.write_text(json.dumps(document), encoding="utf-8")

    path = replay / "crossref" / "works" / "10.1109_MGRS.2025.3546527.json"  # lossy-neural-compression
    document = json.loads(path.read_text(encoding="utf-8"))
    title = document["message"]["title"][0]
    document["message"]["title"] = [title + " " + ("and a title that goes on " * 500)[: 10_000 - len(title) - 1]]
    path.write_text(json.dumps(document), encoding="utf-8")

    path = replay / "openreview" / "notes" / "pbbRmnFkjG.json"  # dinovision: an OpenReview v2 note
    document = json.loads(path.read_text(encoding="utf-8"))
    content = document["notes"][0]["content"]
    content["title"]["value"] += " " + text
    content["authors"]["value"] = [text[:40], "}{ \\write18{rm -rf ~}", "A\x00B \u202eC", *content["authors"]["value"]]
    path.write_text(json.dumps(document), encoding="utf-8")


@dataclass
class Built:
    folder: Path
    marker: Path
    result: subprocess.CompletedProcess[str]

    def output(self, name: str) -> str:
        return (self.folder / "bibliography" / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The bundled list built once from the clean corpus, then again from the poisoned one (so the summary lists
    the changes, hostile text included)."""
    root = tmp_path_factory.mktemp("hostile")
    marker = root / "MARKER"
    replay = root / "replay"
    shutil.copytree(REPLAY, replay)
    poison(replay, marker)
    folder = root / "list"
    folder.mkdir()
    shutil.copy(REPO_ROOT / "entries.yaml", folder / "entries.yaml")
    with FakeServices() as clean:
        first = subprocess.run(
            [*COMMAND, "build"],
            cwd=folder,
            env=environment(clean, root / "clean-cache"),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert first.returncode == 0, first.stderr
    with FakeServices(replay_dir=replay) as poisoned:
        result = subprocess.run(
            [*COMMAND, "build"],
            cwd=folder,
            env=environment(poisoned, root / "cache"),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    yield Built(folder, marker, result)


def test_the_build_takes_the_poisoned_records_without_a_traceback(built: Built) -> None:
    assert built.result.returncode == 0, built.result.stderr
    assert "Traceback" not in built.result.stderr
    items = load_items((built.folder / "enriched.yaml").read_text(encoding="utf-8"), "enriched.yaml")
    # Otherwise the assertions below would check clean data.
    assert len(items["earth-embeddings"].record.author) == 2000
    assert "\\write18" in (items["dinovision"].record.title or "")
    assert len(items["lossy-neural-compression"].record.title or "") >= 9_900


def test_the_terminal_output_carries_no_escape_sequence(built: Built) -> None:
    assert "changes:" in built.result.stdout and "write18" in built.result.stdout  # the hostile title is reported...
    for stream in (built.result.stdout, built.result.stderr):
        assert not INVISIBLE.search(stream.replace("\n", "")), repr(
            INVISIBLE.search(stream.replace("\n", ""))
        )  # ...inert


def _balanced(value: str) -> bool:
    depth = 0
    for char in value.replace("\\{", "").replace("\\}", ""):
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    return depth == 0


def test_bibtex_parses_balanced_ascii_and_without_live_commands(built: Built) -> None:
    text = built.output("references.bib")
    assert text.isascii()
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [block.error for block in library.failed_blocks]
    assert len(library.entries) == 25
    for entry in library.entries:
        for field in entry.fields:
            assert _balanced(field.value), (entry.key, field.key, field.value[:200])
            assert not set(re.findall(r"\\([A-Za-z]+)", field.value)) & DANGEROUS_TEX, (
                entry.key,
                field.key,
                field.value[:200],
            )
    fields = {entry.key: {field.key: field.value for field in entry.fields} for entry in library.entries}
    assert fields["earth2025embeddings"]["author"].count(" and ") == 1999


@pytest.mark.skipif(
    shutil.which("pdflatex") is None or shutil.which("bibtex") is None,
    reason="needs pdflatex and bibtex (texlive-latex-base)",
)
def test_latex_with_write18_enabled_runs_nothing_from_the_data(built: Built, tmp_path: Path) -> None:
    (tmp_path / "references.bib").write_text(built.output("references.bib"), encoding="utf-8")
    (tmp_path / "document.tex").write_text(
        "\\documentclass{article}\\usepackage[numbers]{natbib}\\usepackage{url}\\begin{document}\\nocite{*}"
        "\\bibliographystyle{plainnat}\\bibliography{references}\\end{document}\n",
        encoding="utf-8",
    )

    def latex() -> None:
        subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-shell-escape", "document.tex"],
            cwd=tmp_path,
            capture_output=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
            check=False,
        )

    latex()
    bibtex = subprocess.run(
        ["bibtex", "document"], cwd=tmp_path, capture_output=True, text=True, errors="replace", timeout=300, check=False
    )
    latex()
    latex()
    log = (tmp_path / "document.log").read_text(encoding="utf-8", errors="replace")
    assert "\\write18 enabled" in log  # the test would prove nothing with shell escape off
    assert bibtex.returncode < 2, bibtex.stdout
    assert re.findall(r"^! .*$", log, re.MULTILINE) == []
    assert not built.marker.exists()


def test_csl_json_is_valid_and_clean(built: Built) -> None:
    items = json.loads(built.output("references.json"))
    jsonschema.validate(items, json.loads((FIXTURES / "csl-data.json").read_text(encoding="utf-8")))
    for item in items:
        for name, value in item.items():
            assert not INVISIBLE.search(json.dumps(value, ensure_ascii=False).replace("\\n", "")), (item["id"], name)
    by_key = {item["id"]: item for item in items}
    assert "\\write18{touch" in by_key["fel2026rabbit"]["title"]  # kept as text: CSL-JSON has no TeX to run
    assert len(by_key["earth2025embeddings"]["author"]) == 2000


def _cells(line: str) -> list[str]:
    return re.split(r"(?<!\\)\|", line.strip())[1:-1]


def test_markdown_tables_keep_their_shape_and_carry_no_markup_from_the_data(built: Built) -> None:
    text = built.output("list.md")
    assert not INVISIBLE.search(text.replace("\n", ""))
    header_cells = 0
    rows = 0
    for line in text.splitlines():
        if not line.startswith("|"):
            header_cells = 0
            continue
        if not header_cells:
            header_cells = len(_cells(line))
            continue
        assert len(_cells(line)) == header_cells, line[:300]
        assert "<script" not in line and "](javascript:" not in line and "<javascript:" not in line, line[:300]
        rows += not set(line) <= {"|", "-", " "}
    assert rows == 25  # one row per entry: no cell content started a row or a table of its own
    row = next(line for line in text.splitlines() if line.startswith("| **DinoVision**"))
    assert "&lt;script&gt;" in row and "\\write18" in row


def test_enriched_yaml_loads_back_to_exactly_itself(built: Built) -> None:
    for path in (built.folder / "enriched.yaml", built.folder / "bibliography" / "enriched.yaml"):
        text = path.read_text(encoding="utf-8")
        assert not INVISIBLE.search(text.replace("\n", "")), "raw control characters in the lock file"
        items = load_items(text, str(path))
        assert dump_items(list(items.values())) == text
    authors = items["dinovision"].record.author
    assert any("\\write18" in (person.family + person.given) for person in authors)
