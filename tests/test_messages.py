"""Every failure in one style (`error:` then `hint:`), with the exit codes the README promises.

In-process (click's runner) where no service is asked; the real CLI against the fake services or a closed port
where one is. 130 and 143 (Ctrl-C, SIGTERM) are exercised in test_reliability_interrupts.py.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, REPO_ROOT
from fakeservices import FakeServices
from geoemb_bib.cli import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED, EXIT_USAGE, main
from reliability import Workspace

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


def assert_error_and_hint(stderr: str) -> list[str]:
    lines = stderr.splitlines()
    assert lines[0].startswith("error: "), stderr
    assert lines[-1].startswith("hint: "), stderr
    return lines


def test_the_exit_codes_are_the_readmes() -> None:
    promised = (
        "Exit codes: `0` all fine, `1` some entries failed or a domain error, `2` a usage error, `130`/`143` "
        "interrupted by Ctrl-C/SIGTERM"
    )
    assert promised in " ".join(README.split()), "the README states the exit codes"
    assert (EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED) == (0, 1, 2, 130, 143)


@pytest.fixture
def list_folder(tmp_path: Path) -> Path:
    shutil.copy(REPO_ROOT / "entries.yaml", tmp_path / "entries.yaml")
    return tmp_path


def test_exit_0_when_all_is_fine(list_folder: Path) -> None:
    code, out, _ = run("check", str(list_folder / "entries.yaml"))
    assert code == EXIT_OK and "ok (25 entries" in out


def test_exit_1_for_a_domain_error_in_the_error_style() -> None:
    code, _, err = run("check", str(FIXTURES / "entries" / "syntax-error.yaml"))
    assert code == EXIT_FAILED
    problem, error, hint = err.splitlines()
    assert "syntax-error.yaml:9:12: YAML syntax error: the quote opened here is not closed" in problem
    assert error == "error: 1 problem found" and hint.startswith("hint: ")


@pytest.mark.parametrize(
    ("args", "error", "hint"),
    [
        (["build", "--nope"], "error: no such option '--nope'", "build --help"),
        (["statu"], "error: no such command 'statu'. did you mean 'status'?", "--help"),
        (["export", "--format", "docx"], "error: invalid value for '--format'", "export --help"),
        (
            ["build", "--offline", "--refresh"],
            "error: --offline and --refresh cannot be combined",
            "drop one of them",
        ),
        (
            ["export", "--format", "csl-json", "--flavour", "biblatex"],
            "error: --flavour does nothing with --format csl-json",
            "--format bibtex",
        ),
        (
            ["export", "--format", "bibtex", "--authors"],
            "error: --authors does nothing with --format bibtex",
            "--format markdown",
        ),
        (
            ["export", "--format", "markdown", "--as-listed", "--authors"],
            "error: --authors does nothing with --as-listed",
            "drop one of them",
        ),
        (
            ["refresh", "--only", "sat-clip"],
            "error: no entry with the id or key 'sat-clip' (did you mean 'satclip'?)",
            "geoemb-bib status",
        ),
        (["refresh", "--section", "locaton"], "error: no section 'locaton' (did you mean 'location'?)", "sections: "),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_exit_2_for_a_usage_error_with_error_and_hint(
    args: list[str], error: str, hint: str, list_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(list_folder)
    monkeypatch.setenv("GEOEMB_BIB_CACHE_DIR", str(list_folder / "cache"))
    code, _, err = run(*args)
    assert code == EXIT_USAGE, err
    lines = assert_error_and_hint(err)
    assert lines[0].lower().startswith(error.lower()), lines[0]
    assert hint in lines[-1]
    assert "Usage:" not in err and not (list_folder / "enriched.yaml").exists()


@pytest.mark.parametrize("flag", ["--debug", "-v", "-vv"])
def test_the_global_flags_are_accepted_after_the_command(flag: str, list_folder: Path) -> None:
    code, _, err = run("check", str(list_folder / "entries.yaml"), flag)
    assert code == EXIT_OK, err
    code, _, err = run(flag, "check", str(list_folder / "entries.yaml"))
    assert code == EXIT_OK, err


def test_a_folder_given_for_entries_says_which_file_to_give(list_folder: Path) -> None:
    code, _, err = run("build", str(list_folder))
    assert code == EXIT_FAILED
    assert err == (
        f"error: {list_folder}: is a folder, not a list of entries\nhint: give the file: {list_folder}/entries.yaml\n"
    )


# -- with the services -------------------------------------------------------------------------------------------


@pytest.fixture
def workspace(list_folder: Path) -> Iterator[Workspace]:
    with FakeServices() as fake:
        yield Workspace(list_folder, fake)


def test_the_readmes_wrong_key_example_gets_a_did_you_mean_for_the_real_key(workspace: Workspace) -> None:
    assert workspace.run("refresh").code == 0
    wrong = workspace.run("refresh", "--only", "klemmer2023satclip")
    assert wrong.code == EXIT_USAGE
    assert wrong.stderr.splitlines() == [
        "error: no entry with the id or key 'klemmer2023satclip' (did you mean 'klemmer2025satclip'?)",
        "hint: `geoemb-bib status` lists every entry's key",
    ]


CLOSED = {
    variable: "http://127.0.0.1:9/" + name
    for name, variable in (
        ("arxiv", "GEOEMB_BIB_ARXIV_URL"),
        ("crossref", "GEOEMB_BIB_CROSSREF_URL"),
        ("openreview", "GEOEMB_BIB_OPENREVIEW_URL"),
        ("openreview-v1", "GEOEMB_BIB_OPENREVIEW_V1_URL"),
    )
}


def _failure_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("resolving: ")]


@pytest.mark.parametrize("first_run", [True, False], ids=["first build", "with a previous enriched.yaml"])
def test_a_build_without_network_prints_one_line_per_service_and_a_summary(
    workspace: Workspace, first_run: bool
) -> None:
    if not first_run:
        assert workspace.build().code == 0
    offline = workspace.build("--refresh", env=CLOSED)
    assert offline.code == EXIT_FAILED
    lines = _failure_lines(offline.stderr)
    services = [line.split(":")[1].strip() for line in lines if line.startswith("error: ")]
    assert services == ["arxiv", "crossref", "openreview"], lines
    assert len(lines) == len(services) + 1 and lines[-1].startswith("hint: "), lines
    summary = lines[-1]
    if first_run:
        assert summary.startswith("hint: 21 entries without previous data stay unresolved (no key yet, so not in")
    else:
        assert summary.startswith("hint: 21 entries kept their previous data")
    for line in lines:
        assert "openreview_v1" not in line and "GET /" not in line, line
    # Every entry a service left is named, once, on that service's line.
    assert set(offline.unanswered("crossref")) >= {"satclip", "geoclip", "earth-embeddings"}
    # The 20 arXiv ids of the list, and the title search for the preprint of the entry linked by its ACM DOI.
    assert len(offline.unanswered("arxiv")) == 21
    # stdout: the summary, no line per unresolved entry.
    assert not [line for line in offline.stdout.splitlines() if "unresolved:" in line]
    told = [line for line in offline.stdout.splitlines() if not line.startswith("wrote ")]
    assert len(told) <= 8, offline.stdout


def test_the_progress_and_the_summary_count_the_same_queries(workspace: Workspace) -> None:
    healthy = workspace.build()
    offline = workspace.build("--refresh", env=CLOSED)
    for result in (healthy, offline):
        progress = [line for line in result.stderr.splitlines() if line.startswith("resolving: ")][-1]
        summary = next(line for line in result.stdout.splitlines() if line.startswith("requests: "))
        shown = re.sub(r"\d+ sent, ", "", summary.removeprefix("requests: ")).replace(" (0 sent)", "")
        shown = re.sub(r" \((\d+ sent)\)", "", shown)
        assert progress.split("(", 1)[1][:-1] == shown, (progress, summary)


@pytest.mark.parametrize(
    ("service", "variable"),
    [("arxiv", "GEOEMB_BIB_ARXIV_URL"), ("crossref", "GEOEMB_BIB_CROSSREF_URL")],
)
def test_a_base_url_that_answers_404_is_named_with_the_variable_to_check(
    workspace: Workspace, service: str, variable: str
) -> None:
    wrong = f"{workspace.fake.url}/not-{service}"
    result = workspace.run("refresh", "--dry-run", env={variable: wrong})
    assert result.code == EXIT_FAILED
    errors = [line for line in result.stderr.splitlines() if line.startswith(f"error: {service}:")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"error: {service}: {wrong} does not serve the ")
    assert f"(HTTP 404); check {variable}; no answer for" in errors[0]
    assert "not well-formed" not in result.stderr and "not a Crossref envelope" not in result.stderr
    assert result.stderr.splitlines()[-1].endswith("fix the base URL named above and run again")
    # The first answer told it all: the service is not asked again that run (but for requests already under way).
    sent = re.search(rf"^requests: .*\b{service} \d+ \((\d+) sent, ", result.stdout, re.MULTILINE)
    assert sent is not None and 1 <= int(sent.group(1)) <= 3, result.stdout


def test_an_html_404_page_is_reported_as_such(workspace: Workspace, tmp_path: Path) -> None:
    workspace.fake.inject("crossref", "html=404", times=None)
    result = workspace.run("refresh", "--dry-run")
    assert result.code == EXIT_FAILED
    line = next(line for line in result.stderr.splitlines() if line.startswith("error: crossref:"))
    assert "does not serve the Crossref REST API (HTTP 404 with an HTML page); check GEOEMB_BIB_CROSSREF_URL" in line
