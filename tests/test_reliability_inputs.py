"""Issue #7, hostile input and output paths, through the real command line.

Every hostile curated file gets exactly one `file:line:column: ...` line naming the field (or the file), exit 1
and no traceback; YAML is never loaded unsafely. tests/test_entries.py pins each message of the loader; here
the same cases (and a few more found while writing these) go through `geoemb-bib check` as a user runs it.
Outputs never land outside the folder the user chose, whatever the keys or names in the data, and a folder
that cannot be written is a one-line error before any request is made.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO_ROOT
from fakeservices import FakeServices
from reliability import COMMAND, OUTPUTS, environment

MINIMAL = (FIXTURES / "entries" / "valid-minimal.yaml").read_text(encoding="utf-8")
BOMB = (
    "\n".join(
        ["a: &a [x, x, x, x, x, x, x, x, x]"]
        + [
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]"
            for i in range(8)
        ]
    )
    + "\n"
)


def minimal(old: str, new: str) -> bytes:
    assert old in MINIMAL
    return MINIMAL.replace(old, new).encode("utf-8")


def with_lines(*lines: str) -> bytes:
    return (MINIMAL + "".join(f"    {line}\n" for line in lines)).encode("utf-8")


# (name, file content, where the problem is, what the line must say)
HOSTILE: list[tuple[str, bytes, str, str]] = [
    ("tab", minimal("    venue:", "\tvenue:"), "10:1", "tab character"),
    ("byte-order-mark", b"\xef\xbb\xbf" + MINIMAL.encode(), "1:1", "byte-order mark"),
    ("utf-16", MINIMAL.encode("utf-16"), "1:1", "byte-order mark"),
    ("mac-roman", MINIMAL.replace("AAAI 2025", "Mañas 2025").encode("mac_roman"), "10:14", "not UTF-8"),
    ("mojibake", minimal("AAAI 2025", "MaÃ±as 2025"), "10:", "garbled characters"),
    ("duplicate-field", with_lines("venue: AAAI 2024"), "13:5", "duplicate field 'venue'"),
    ("alias-bomb", BOMB.encode(), "1:4", "field 'a': YAML anchors and aliases (&name / *name) are not allowed"),
    (
        "alias-bomb-in-the-list",
        minimal("  title: A tiny list", "  title: &t A tiny list\n  intro: *t"),
        "2:10",
        "field 'list': YAML anchors",
    ),
    (
        "alias-in-entry",
        minimal("venue: AAAI 2025", "venue: &v AAAI 2025\n    abbr: *v"),
        "10:12",
        "field 'venue': YAML anchors and aliases",
    ),
    ("unknown-field", with_lines("titel: SatCLIP"), "13:5", "unknown field 'titel' (did you mean 'title'?)"),
    ("wrong-type-list", with_lines("tags: {a: b}"), "13:11", "field 'tags': expected a list"),
    ("wrong-type-number", with_lines("year: soon"), "13:11", "field 'year': expected a whole number"),
    ("number-of-5000-digits", with_lines("year: " + "9" * 5000), "13:11", "field 'year': expected a whole number"),
    ("superscript-digits", with_lines('year: "²⁰²⁵"'), "13:11", "field 'year': expected a whole number"),
    (
        "boolean-for-text",
        minimal("venue: AAAI 2025", "venue: yes"),
        "10:12",
        "field 'venue': expected text, found the boolean",
    ),
    ("empty-file", b"", "1:1", "file is empty"),
    ("only-whitespace", b"  \n\n   \n", "1:1", "file is empty"),
    ("not-a-mapping", b"- just\n- a list\n", "1:1", "expected a mapping of fields"),
    ("yaml-syntax", minimal('"SatCLIP:', '"SatCLIP:\\q'), "9:", "YAML syntax error"),
    (
        "nested-20000-deep",
        b"list:\n  title: x\nsections: []\nentries: " + b"[" * 20000 + b"]" * 20000 + b"\n",
        "4:",
        "exceeded maximum nesting depth",
    ),
    ("nul-character", minimal("AAAI 2025", "AAAI\x002025"), "10:16", "control character U+0000"),
    (
        "escaped-control-character",
        minimal("AAAI 2025", '"AAAI\\x072025"'),
        "10:12",
        "field 'venue': contains a control character",
    ),
    (
        "url-with-space",
        minimal("https://arxiv.org/abs/2311.17179", "https://arxiv.org/abs/2311 17179"),
        "12:14",
        "contains whitespace",
    ),
    (
        "javascript-url",
        minimal("https://arxiv.org/abs/2311.17179", "javascript:alert(1)"),
        "12:14",
        "scheme 'javascript'",
    ),
    ("file-url", minimal("https://arxiv.org/abs/2311.17179", "file:///etc/passwd"), "12:14", "scheme 'file'"),
    ("ftp-url", minimal("https://arxiv.org/abs/2311.17179", "ftp://example.org/paper.pdf"), "12:14", "scheme 'ftp'"),
    ("key-climbing-out", with_lines("key: ../../etc/passwd"), "13:", "key '../../etc/passwd' must start with a letter"),
    ("id-climbing-out", minimal("id: satclip", "id: ../../etc"), "7:", "id must be lower-case letters"),
]


@pytest.mark.parametrize(("name", "content", "where", "says"), HOSTILE, ids=[case[0] for case in HOSTILE])
def test_hostile_curated_input_is_one_located_line(
    name: str, content: bytes, where: str, says: str, tmp_path: Path
) -> None:
    path = tmp_path / "entries.yaml"
    path.write_bytes(content)
    result = subprocess.run([*COMMAND, "check", str(path)], capture_output=True, text=True, timeout=60, check=False)

    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    located = [line for line in result.stderr.splitlines() if re.match(rf"^{re.escape(str(path))}:\d+:\d+: ", line)]
    assert len(located) == 1, result.stderr
    assert located[0].startswith(f"{path}:{where}"), located[0]
    assert says in located[0], located[0]
    assert len(located[0]) < 300  # one readable line, even for a 5,000-character value
    assert "error: 1 problem found" in result.stderr


def test_yaml_tags_never_construct_objects(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "entries.yaml"
    path.write_bytes(minimal("venue: AAAI 2025", f'venue: !!python/object/apply:os.system ["touch {marker}"]'))
    result = subprocess.run([*COMMAND, "check", str(path)], capture_output=True, text=True, timeout=60, check=False)

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{path}:10:12: entry 'satclip': field 'venue': expected text" in result.stderr
    assert not marker.exists()


def test_a_10_mb_entries_file_is_refused_at_once_without_parsing(tmp_path: Path) -> None:
    block = "".join(
        f'  - id: paper-{n}\n    section: papers\n    title: "A perfectly valid paper title, number {n}, padded '
        f'{"x" * 40}"\n'
        for n in range(75_000)
    )
    path = tmp_path / "entries.yaml"
    path.write_text(MINIMAL + block, encoding="utf-8")
    size = path.stat().st_size
    assert 10_000_000 <= size < 11_000_000

    started = time.monotonic()
    result = subprocess.run([*COMMAND, "check", str(path)], capture_output=True, text=True, timeout=60, check=False)

    assert time.monotonic() - started < 10
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == f"{path}: file is {size / 1e6:.1f} MB; the limit is 8 MB"


# -- the lock file and the outputs ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def resolved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder with the bundled list, its enriched.yaml and a filled cache (so `--offline` runs resolve it all)."""
    folder = tmp_path_factory.mktemp("resolved")
    shutil.copy(REPO_ROOT / "entries.yaml", folder / "entries.yaml")
    with FakeServices() as fake:
        result = subprocess.run(
            [*COMMAND, "build"],
            cwd=folder,
            env=environment(fake, folder / "cache"),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    shutil.rmtree(folder / "bibliography")
    yield folder


def copy_of(resolved: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "list"
    shutil.copytree(resolved, folder)
    return folder


def offline(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args],
        cwd=folder,
        env=environment(None, folder / "cache"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "cache" not in path.parts
    }


def test_crafted_keys_in_a_hand_edited_lock_file_never_reach_the_file_system(resolved: Path, tmp_path: Path) -> None:
    """Keys are data, never file names: a lock file edited to hold path-like keys makes the exports refuse them,
    and no command creates, changes or removes a file anywhere but its own outputs."""
    folder = copy_of(resolved, tmp_path)
    lock_file = folder / "enriched.yaml"
    text = lock_file.read_text(encoding="utf-8")
    text = text.replace("key: gomes2025lossy", "key: ../../outside/evil", 1).replace(
        "key: cepeda2023geoclip", "key: /tmp/absolute", 1
    )
    lock_file.write_text(text, encoding="utf-8")
    outside = tmp_path / "outside"
    before = tree(tmp_path)

    results = [
        offline(folder, "export", "--format", "bibtex", "-o", "out/references.bib"),
        offline(folder, "export", "--format", "csl-json", "-o", "out/references.json"),
        offline(folder, "export", "--format", "markdown", "-o", "out/list.md"),
        offline(folder, "status"),
    ]

    assert not outside.exists() and not Path("/tmp/absolute").exists()
    for result in results:
        assert "Traceback" not in result.stderr
    assert results[0].returncode == 1 and "../../outside/evil: not usable as a BibTeX key" in results[0].stderr
    after = tree(tmp_path)
    created = sorted(set(after) - set(before))
    assert all(name.startswith("list/out/") for name in created), created
    assert all(after[name] == before[name] for name in before), "an existing file changed"


def test_a_damaged_lock_file_is_refused_and_left_alone(resolved: Path, tmp_path: Path) -> None:
    """A lock file the tool cannot read is never overwritten: the run stops, says where, and leaves it for the
    curator (or git) to repair."""
    folder = copy_of(resolved, tmp_path)
    lock_file = folder / "enriched.yaml"
    text = lock_file.read_text(encoding="utf-8")
    cases = {
        "cut in half": text[: len(text) // 2],
        "merge conflict": text.replace(
            "  key: gomes2025lossy\n", "<<<<<<< HEAD\n  key: gomes2025lossy\n=======\n  key: other\n>>>>>>> theirs\n", 1
        ),
        "5000-digit number": text.replace("arxiv_version: 2", "arxiv_version: " + "9" * 5000, 1),
        "nested 3000 deep": text.replace("    venue: GRSM 2025\n", "    venue: " + "[" * 3000 + "]" * 3000 + "\n", 1),
    }
    for name, damaged in cases.items():
        lock_file.write_text(damaged, encoding="utf-8")
        result = offline(folder, "build", "--offline")
        assert result.returncode == 1, name
        assert "Traceback" not in result.stderr, name
        assert result.stderr.startswith(f"error: {lock_file.name}"), (name, result.stderr)
        assert lock_file.read_text(encoding="utf-8") == damaged, name
        assert not (folder / "bibliography").exists(), name


@pytest.mark.skipif(sys.platform != "linux", reason="needs a folder nobody may write, whoever runs the tests (/sys)")
@pytest.mark.parametrize("target", ["/sys", "/sys/geoemb-bib-build"])
def test_an_unwritable_output_folder_is_one_error_before_any_request(
    target: str, resolved: Path, tmp_path: Path
) -> None:
    # sysfs refuses new entries even to root, so this holds when the tests run as root (chmod would not).
    folder = copy_of(resolved, tmp_path)
    before = tree(folder)
    with FakeServices() as fake:
        result = subprocess.run(
            [*COMMAND, "build", "--refresh", "-o", target],
            cwd=folder,
            env=environment(fake, folder / "cache"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert fake.count() == 0  # refused before the network, not after a minute of resolving

    assert result.returncode == 1
    assert re.fullmatch(
        rf"error: {re.escape(target)}: cannot write \((Permission denied|Operation not permitted)\)\nhint: .+\n",
        result.stderr,
    ), result.stderr
    assert tree(folder) == before


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders; the /sys case covers it"
)
def test_a_read_only_output_folder_says_permission_denied(resolved: Path, tmp_path: Path) -> None:
    folder = copy_of(resolved, tmp_path)
    output = tmp_path / "read-only"
    output.mkdir()
    output.chmod(0o555)
    try:
        result = offline(folder, "build", "--offline", "-o", str(output))
    finally:
        output.chmod(0o755)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {output}: cannot write (Permission denied)\nhint: ")
    assert list(output.iterdir()) == []


def test_an_output_folder_that_is_a_file_is_one_error(resolved: Path, tmp_path: Path) -> None:
    folder = copy_of(resolved, tmp_path)
    (folder / "bibliography").write_text("not a folder\n", encoding="utf-8")
    result = offline(folder, "build", "--offline")

    assert result.returncode == 1
    assert result.stderr == "error: bibliography: not a directory\nhint: choose another folder for the output\n"
    assert (folder / "bibliography").read_text(encoding="utf-8") == "not a folder\n"


def test_outputs_keep_the_permissions_of_the_files_they_replace(resolved: Path, tmp_path: Path) -> None:
    """Written through a temporary file, yet an output readable by the group stays so (mkstemp would make it 0600),
    and a new one gets the umask's permissions."""
    folder = copy_of(resolved, tmp_path)
    first = offline(folder, "build", "--offline")
    assert first.returncode == 0, first.stderr
    umask = os.umask(0)
    os.umask(umask)
    for name in OUTPUTS:
        assert (folder / "bibliography" / name).stat().st_mode & 0o777 == 0o666 & ~umask
    (folder / "bibliography" / "list.md").chmod(0o640)
    again = offline(folder, "build", "--offline")
    assert again.returncode == 0, again.stderr
    assert (folder / "bibliography" / "list.md").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    "name", ["../references.bib", "/etc/passwd", "sub/references.bib", "..", ".", "", "a\\b.bib", "a\0b.bib"]
)
def test_a_file_name_from_data_cannot_leave_the_output_folder(name: str, tmp_path: Path) -> None:
    """`build` writes each format under the name the exporters declare; a name that is not a plain file name (a
    future format, a plug-in) is refused instead of climbing out of, or below, the folder the user chose."""
    from geoemb_bib.cli import inside
    from geoemb_bib.errors import OutputError

    with pytest.raises(OutputError, match="not a plain file name"):
        inside(tmp_path, name)
    assert inside(tmp_path, "references.bib") == tmp_path / "references.bib"
