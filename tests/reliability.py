"""A list repository for the command-line tests: entries.yaml, its cache and the fake services; the CLI run in a
subprocess (the real process: signals, exit codes, files) or in-process with click's CliRunner."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from conftest import MAILTO
from fakeservices import FakeServices, LoggedRequest
from geoemb_bib.cli import main
from geoemb_bib.enriched import load_items
from geoemb_bib.model import Resolved

MAX_RETRIES = 2
# Polite pacing is for the real services; against the fake it would only make the tests slow. The tool accepts
# faster pacing only because the base URLs point at the fake.
FAST = {
    "GEOEMB_BIB_ARXIV_INTERVAL": "0.05",
    "GEOEMB_BIB_CROSSREF_RATE": "200",
    "GEOEMB_BIB_OPENREVIEW_RATE": "200",
    "GEOEMB_BIB_MAX_BACKOFF": "0.2",
    "GEOEMB_BIB_MAX_RETRIES": str(MAX_RETRIES),
    "GEOEMB_BIB_TIMEOUT": "1.0",
}
OUTPUTS = ("references.bib", "references.json", "enriched.yaml", "list.md")
COMMAND = [sys.executable, "-m", "geoemb_bib"]


def environment(
    fake: FakeServices | None, cache: Path, extra: dict[str, str] | None = None, *, fast: bool = True
) -> dict[str, str]:
    """The process environment of a run: nothing of the caller's GEOEMB_BIB_* settings, the fake's base URLs."""
    variables = {key: value for key, value in os.environ.items() if not key.startswith("GEOEMB_BIB_") and key != "CI"}
    if fake is not None:
        variables.update(fake.env(cache_dir=cache, mailto=MAILTO))
    else:
        variables.update({"GEOEMB_BIB_CACHE_DIR": str(cache), "GEOEMB_BIB_MAILTO": MAILTO})
    variables.update(FAST if fake is not None and fast else {})
    variables.update(extra or {})
    return variables


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    log: list[LoggedRequest]

    @property
    def errors(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("error: ")]

    def unanswered(self, service: str) -> list[str]:
        """The entries the run names as left without an answer by `service` (its one `error:` line ends with them)."""
        found = re.findall(rf"^error: {service}: .*; no answer for \d+ entr(?:y|ies): (.+)$", self.stderr, re.MULTILINE)
        return found[0].split(", ") if found else []


@dataclass
class Workspace:
    """A list repository: entries.yaml (and the outputs of earlier runs), its own cache, the fake services.

    `fast` shrinks pacing and backoff to the fake's (FAST); without it a run is paced as a user's would be.
    """

    folder: Path
    fake: FakeServices
    fast: bool = True

    @property
    def cache(self) -> Path:
        return self.folder / "cache"

    def run(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 120, input_text: str | None = None
    ) -> Run:
        """The real CLI in a subprocess, in the list's folder."""
        self.fake.clear_log()
        started = time.monotonic()
        result = subprocess.run(
            [*COMMAND, *args],
            cwd=self.folder,
            env=environment(self.fake, self.cache, env, fast=self.fast),
            input=input_text,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Run(result.returncode, result.stdout, result.stderr, time.monotonic() - started, self.fake.log)

    def invoke(self, *args: str, env: dict[str, str] | None = None, input_text: str | None = None) -> Run:
        """The CLI in this process (click's CliRunner), in the list's folder: for what a subprocess adds nothing to."""
        self.fake.clear_log()
        wanted = environment(self.fake, self.cache, env, fast=self.fast)
        # CliRunner sets these for the call and restores them after; None unsets the caller's own settings.
        variables: dict[str, str | None] = {key: None for key in os.environ if key not in wanted}
        variables.update(wanted)
        started = time.monotonic()
        here = Path.cwd()
        os.chdir(self.folder)
        try:
            result = CliRunner().invoke(main, list(args), env=variables, input=input_text, catch_exceptions=False)
        finally:
            os.chdir(here)
        return Run(result.exit_code, result.stdout, result.stderr, time.monotonic() - started, self.fake.log)

    def enriched(self) -> dict[str, Resolved]:
        return load_items((self.folder / "enriched.yaml").read_text(encoding="utf-8"), "enriched.yaml")

    def build(self, *args: str, env: dict[str, str] | None = None) -> Run:
        return self.run("build", *args, env=env)

    def files(self) -> dict[str, str]:
        """enriched.yaml beside entries.yaml and the four outputs, as text."""
        texts = {"enriched.yaml (lock file)": (self.folder / "enriched.yaml").read_text(encoding="utf-8")}
        texts.update({name: (self.folder / "bibliography" / name).read_text(encoding="utf-8") for name in OUTPUTS})
        return texts
