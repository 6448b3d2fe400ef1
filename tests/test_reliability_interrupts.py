"""Issue #7, interruption: Ctrl-C, SIGTERM and SIGKILL at random points of a refresh and of its writes.

Whatever the moment, entries.yaml, enriched.yaml and every output are either the old or the new version, never a
mix within a file; Ctrl-C and SIGTERM end the run promptly with one line, exit 130/143, no traceback and no
temporary file left behind. SIGKILL cannot be handled: it may leave a hidden `.<name>.<random>.tmp`, never a
damaged file. The random moments come from a seeded generator, so a failure can be replayed.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from fakeservices import FakeServices
from geoemb_bib.enriched import load_items
from geoemb_bib.entries import load_entries
from reliability import COMMAND, OUTPUTS, environment

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")

SEED = 7  # the issue number: the same moments on every run
FILES = ("entries.yaml", "enriched.yaml", *(f"bibliography/{name}" for name in OUTPUTS))
EXPECTED_EXIT = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGKILL: -signal.SIGKILL}
MESSAGES = {
    signal.SIGINT: "error: interrupted (Ctrl-C); no file was left half-written, each is as it was or complete\n",
    signal.SIGTERM: "error: terminated (SIGTERM); no file was left half-written, each is as it was or complete\n",
}


@dataclass
class Versions:
    """The files of the bundled list before (an offline build with an empty cache: all unresolved) and after the
    build the tests interrupt (run to its end once, from the old files), and a cache filled by a healthy build."""

    fake: FakeServices
    old: dict[str, bytes]
    new: dict[str, bytes]
    cache: Path
    # How many requests a build with an empty cache sends, to interrupt one at a request-counted moment.
    network_requests: int = 0


def snapshot(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILES if (folder / name).exists()}


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Versions]:
    with FakeServices() as fake:
        old = tmp_path_factory.mktemp("old")
        shutil.copy(REPO_ROOT / "entries.yaml", old / "entries.yaml")
        offline = run_to_end(old, fake, "build", "--offline", cache=old / "cache")
        assert offline.returncode == 1, offline.stderr
        filled = tmp_path_factory.mktemp("filled")
        shutil.copy(REPO_ROOT / "entries.yaml", filled / "entries.yaml")
        fake.clear_log()
        healthy = run_to_end(filled, fake, "build", cache=filled / "cache")
        assert healthy.returncode == 0, healthy.stderr
        versions = Versions(fake, snapshot(old), {}, filled / "cache", network_requests=fake.count())
        new = tmp_path_factory.mktemp("new")
        cache = prepare(new, versions, filled_cache=True)
        uninterrupted = run_to_end(new, fake, "build", "--offline", cache=cache)
        assert uninterrupted.returncode == 0, uninterrupted.stderr
        versions.new = snapshot(new)
        assert all(versions.old[name] != versions.new[name] for name in FILES if name != "entries.yaml")
        yield versions


def run_to_end(folder: Path, fake: FakeServices, *args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args],
        cwd=folder,
        env=environment(fake, cache),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def start(
    folder: Path, fake: FakeServices, *args: str, cache: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*COMMAND, *args],
        cwd=folder,
        env=environment(fake, cache, env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def prepare(folder: Path, versions: Versions, *, filled_cache: bool) -> Path:
    """A list folder holding the old version of every file; returns its cache folder."""
    for name, data in versions.old.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    cache = folder / "cache"
    if filled_cache:
        shutil.copytree(versions.cache, cache)
    return cache


def untimed(data: bytes) -> bytes:
    """The file without its timestamps: a run resolves the same data as the reference run, at another second."""
    return TIMESTAMP.sub(b"<time>", data)


TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def assert_each_file_old_or_new(folder: Path, versions: Versions) -> dict[str, str]:
    """Every file is the old or the new version (byte for byte but for timestamps) and parses; returns which."""
    which = {}
    for name in FILES:
        data = untimed((folder / name).read_bytes())
        old, new = untimed(versions.old[name]), untimed(versions.new[name])
        assert data in (old, new), f"{name} is neither the old nor the new version"
        which[name] = "old" if data == old else "new"
    load_entries("entries.yaml", (folder / "entries.yaml").read_bytes())
    load_items((folder / "enriched.yaml").read_text(encoding="utf-8"), "enriched.yaml")
    return which


def stray_temporaries(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*.tmp") if "cache" not in path.parts)


def assert_ended_cleanly(
    process: subprocess.Popen[str], sent: signal.Signals, folder: Path, versions: Versions
) -> dict[str, str]:
    """The run ended as the signal demands, every file is old or new (returned: which), no debris."""
    stdout, stderr = process.communicate(timeout=30)
    assert "Traceback" not in stderr + stdout
    which = assert_each_file_old_or_new(folder, versions)
    if process.returncode in (0, 1) or (process.returncode == -sent and sent != signal.SIGKILL):
        # The signal came once the command had finished (the handler is the default again by then).
        assert set(which.values()) == {"new"} or process.returncode == 1, (process.returncode, which)
        return which
    assert process.returncode == EXPECTED_EXIT[sent], (process.returncode, stderr)
    if sent == signal.SIGKILL:
        # Nothing runs after SIGKILL: a stray may remain, hidden and named after the file it was to become.
        assert all(path.name.startswith(".") for path in stray_temporaries(folder)), stray_temporaries(folder)
        return which
    assert stray_temporaries(folder) == []
    assert stderr.endswith(MESSAGES[sent]), stderr
    assert stderr.count("error: ") == 1, stderr
    return which


SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGKILL]


def wait_until_the_command_runs(process: subprocess.Popen[str]) -> None:
    """Until the command has taken over SIGTERM, i.e. Python has started and imported the tool. (Before that, Ctrl-C
    is Python's own business: a KeyboardInterrupt during start-up, nothing written yet.)"""
    status = Path(f"/proc/{process.pid}/status")
    if not status.exists():
        time.sleep(1.0)
        return
    deadline = time.monotonic() + 30
    while process.poll() is None and time.monotonic() < deadline:
        try:
            lines = status.read_text().splitlines()
        except FileNotFoundError:  # it has ended already
            return
        caught = next((line.split()[1] for line in lines if line.startswith("SigCgt:")), "0")
        if int(caught, 16) & (1 << (signal.SIGTERM - 1)):
            return
        time.sleep(0.002)


# Slow answers must not become failures on a loaded machine: a failed service would give a third version of the
# files, neither the old nor the new one, which is not what this test is about.
PATIENT = {"GEOEMB_BIB_TIMEOUT": "30"}


@pytest.mark.parametrize("sent", SIGNALS, ids=lambda s: s.name)
def test_a_signal_during_the_network_refresh_leaves_every_file_as_it_was(
    sent: signal.Signals, versions: Versions, tmp_path: Path
) -> None:
    """The fake answers slowly; the signal comes after a seeded number of answers, while others are still to come, so
    it lands inside the network refresh however fast or loaded the machine is."""
    moments = random.Random(f"{SEED}-network-{sent.name}")
    fake = versions.fake
    fake.latency = 0.15
    assert versions.network_requests > 2
    try:
        for trial in range(3):
            folder = tmp_path / f"trial{trial}"
            folder.mkdir()
            cache = prepare(folder, versions, filled_cache=False)
            answers = moments.randint(1, versions.network_requests - 1)
            fake.clear_log()
            process = start(folder, fake, "build", cache=cache, env=PATIENT)
            wait_until_the_command_runs(process)
            _wait_for_answers(fake, answers, process)
            assert process.poll() is None, "the build ended before the signal: it was not interrupted"
            process.send_signal(sent)
            which = assert_ended_cleanly(process, sent, folder, versions)
            assert process.returncode == EXPECTED_EXIT[sent], (answers, process.returncode)
            # Interrupted while asking the services: nothing was written yet.
            assert set(which.values()) == {"old"}, (answers, which)
    finally:
        fake.latency = 0.0


def _wait_for_answers(fake: FakeServices, answers: int, process: subprocess.Popen[str]) -> None:
    """Until the fake has sent `answers` answers (it logs each one as it goes out), or the process ended."""
    deadline = time.monotonic() + 60
    while fake.count() < answers and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)


@pytest.mark.parametrize("sent", SIGNALS, ids=lambda s: s.name)
def test_a_signal_while_the_outputs_are_written_leaves_each_file_old_or_new(
    sent: signal.Signals, versions: Versions, tmp_path: Path
) -> None:
    """Offline on a filled cache the refresh is quick; the signal comes just after enriched.yaml was replaced, that
    is while the four outputs are being written, at a random offset of a few milliseconds."""
    moments = random.Random(f"{SEED}-writes-{sent.name}")
    mixed = 0
    outcomes = []
    # How long the outputs take to write on this machine, measured on an undisturbed build: the signals are then
    # sent at random moments inside that span, so a fast or a loaded machine is hit between two outputs alike.
    span = _writing_span(tmp_path / "measure", versions)
    # At least 4 trials; more (up to 20) until one signal has landed between two outputs.
    for trial in range(20):
        if trial >= 4 and mixed:
            break
        folder = tmp_path / f"trial{trial}"
        folder.mkdir()
        cache = prepare(folder, versions, filled_cache=True)
        lock_file = folder / "enriched.yaml"
        before = lock_file.stat().st_ino
        process = start(folder, versions.fake, "build", "--offline", cache=cache)
        _wait_until_replaced(lock_file, before, process)
        time.sleep(moments.uniform(0.0, span * 0.8))
        process.send_signal(sent)
        which = assert_ended_cleanly(process, sent, folder, versions)
        assert which["enriched.yaml"] == "new"  # replaced before the signal was sent
        mixed += len(set(which.values())) > 1
        outcomes.append((process.returncode, sorted(which.items())))
    # At least one signal landed between two outputs; otherwise this test did not test what it says.
    assert mixed, f"every signal came after the last write; the trigger is too slow on this machine: {outcomes}"


def _wait_until_replaced(lock_file: Path, before: int, process: subprocess.Popen[str]) -> None:
    """Until the build has renamed a new enriched.yaml over the old one (inode `before`), ended, or 30 s passed."""
    deadline = time.monotonic() + 30
    while lock_file.stat().st_ino == before and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.0002)


def _writing_span(folder: Path, versions: Versions) -> float:
    """Seconds from enriched.yaml being replaced to the last output written, in an undisturbed offline build."""
    folder.mkdir()
    cache = prepare(folder, versions, filled_cache=True)
    lock_file = folder / "enriched.yaml"
    before = lock_file.stat().st_ino
    process = start(folder, versions.fake, "build", "--offline", cache=cache)
    _wait_until_replaced(lock_file, before, process)
    replaced = time.monotonic()
    deadline = replaced + 30
    last = replaced
    outputs = [
        folder / "bibliography" / name for name in ("references.bib", "references.json", "enriched.yaml", "list.md")
    ]
    while process.poll() is None and time.monotonic() < deadline:
        if all(path.exists() for path in outputs):
            last = time.monotonic()
            break
        time.sleep(0.0002)
    process.wait(timeout=30)
    return max(last - replaced, 0.002)


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from geoemb_bib.cli import write_atomically

    target, first, second = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    texts = [Path(first).read_text(encoding="utf-8"), Path(second).read_text(encoding="utf-8")]
    print("ready", flush=True)
    turn = 0
    while True:
        write_atomically(target, texts[turn % 2])
        turn += 1
    """
)


def test_sigkill_in_the_middle_of_a_large_write_never_leaves_a_partial_file(tmp_path: Path) -> None:
    """A process that rewrites a 12 MB file over and over, killed at random moments: the file is always one of the
    two complete versions, and the only debris is a hidden temporary file."""
    moments = random.Random(f"{SEED}-sigkill-writer")
    versions = [tmp_path / "a.txt", tmp_path / "b.txt"]
    versions[0].write_text("".join(f"line {n} of version A\n" for n in range(550_000)), encoding="utf-8")
    versions[1].write_text("".join(f"line {n} of version B, longer\n" for n in range(420_000)), encoding="utf-8")
    expected = {path.read_bytes() for path in versions}
    target = tmp_path / "out" / "references.bib"
    for _ in range(8):
        process = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(target), *map(str, versions)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        time.sleep(moments.uniform(0.05, 0.6))
        process.kill()
        process.wait(timeout=10)
        if target.exists():
            assert target.read_bytes() in expected
        strays = [path for path in target.parent.iterdir() if path != target]
        assert all(path.name.startswith(".references.bib.") and path.name.endswith(".tmp") for path in strays), strays
    assert target.exists(), "no write finished in any trial"


def test_entries_yaml_is_old_or_new_when_add_is_killed(tmp_path: Path) -> None:
    """`add` is the one command that writes entries.yaml: killed at any moment, the file is the old list or the
    list with the new entry, and parses."""
    moments = random.Random(f"{SEED}-add")
    old = (REPO_ROOT / "entries.yaml").read_bytes()
    args = ["add", "2401.00001", "--section", "location", "--title", "A Paper Added While Being Killed", "--offline"]
    env = environment(None, tmp_path / "cache")
    completed = subprocess.run(
        [*COMMAND, *args],
        cwd=_copy_list(tmp_path / "reference", old),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    new = (tmp_path / "reference" / "entries.yaml").read_bytes()
    assert new != old
    for trial in range(6):
        folder = _copy_list(tmp_path / f"trial{trial}", old)
        process = subprocess.Popen(
            [*COMMAND, *args], cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        time.sleep(moments.uniform(0.1, 1.2))
        process.kill()
        process.wait(timeout=10)
        data = (folder / "entries.yaml").read_bytes()
        assert data in (old, new)
        load_entries("entries.yaml", data)


def _copy_list(folder: Path, data: bytes) -> Path:
    folder.mkdir(parents=True)
    (folder / "entries.yaml").write_bytes(data)
    return folder


def test_ctrl_c_does_not_wait_for_a_request_on_the_wire(versions: Versions, tmp_path: Path) -> None:
    """Crossref takes 20 s to answer (within the 30 s read timeout): Ctrl-C still ends the run at once."""
    fake = versions.fake
    fake.inject("crossref", "slow=20", times=None)
    try:
        folder = tmp_path / "list"
        folder.mkdir()
        cache = prepare(folder, versions, filled_cache=False)
        fake.clear_log()  # the wait below is for this run's arXiv request, not one logged by the runs before it
        process = subprocess.Popen(
            [*COMMAND, "build"],
            cwd=folder,
            env=environment(fake, cache, {"GEOEMB_BIB_TIMEOUT": "30"}),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while fake.count("arxiv") == 0 and time.monotonic() < deadline:  # crossref is being asked by now
            time.sleep(0.01)
        time.sleep(0.5)
        sent_at = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
        assert time.monotonic() - sent_at < 3
        assert process.returncode == 130
        assert stderr.endswith(MESSAGES[signal.SIGINT])
        assert snapshot(folder) == versions.old
    finally:
        fake.clear_faults()
