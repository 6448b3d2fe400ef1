"""geoemb-bib benchmark (issue #8): politeness done well, then fast local work on a warm cache.

Runs the real command line in subprocesses against loopback fakes of arXiv, Crossref and OpenReview that add a
latency to every answer and ENFORCE the services' limits (429 beyond them), and writes benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/run.py                 # everything, about 15 minutes
    .venv/bin/python benchmarks/run.py --quick         # one run each, 1,000 entries only, no baseline
    .venv/bin/python benchmarks/run.py --only 1,2,5 --no-write

Scenarios: 1 cold refresh of the bundled list (+ the naive baseline and the lower bound), 2 warm refresh of the same,
3 warm refresh and build of synthetic lists (1,000 and 10,000 entries), 4 export only (10,000 entries, each format),
5 `geoemb-bib --help`, 6 (only when asked: `--only 6`) a synthetic list of landing-page entries (benchmarks/landing.py).
Work files (synthetic lists, their caches) go to benchmarks/.work/, which git ignores.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
sys.path.insert(0, str(HERE))

import bound
import landing
import synthetic
from geoemb_bib import __version__
from geoemb_bib.entries import load_entries
from geoemb_bib.exporters import EXPORTERS
from naive import run_naive
from services import BenchServices, Limits, load_corpus

PYTHON = Path(sys.executable)
CLI = PYTHON.parent / "geoemb-bib"
MAILTO = "bench@example.org"
FORMATS = tuple(EXPORTERS)
# Every answer from a filled cache must still be fresh when the warm scenarios run (OpenReview's TTL is a day).
FILL_MAX_AGE = 12 * 3600
TARGETS = {
    "1-ratio": 1.2,  # wall time / lower bound
    "1-fewer": 10.0,  # naive requests / our requests
    "2-work": 0.5,  # seconds beyond interpreter start-up
    "3-1000": 0.4,  # warm refresh of 1,000 entries (issue #17)
    "3-10000": 2.0,  # warm refresh of 10,000 unchanged entries (issue #17)
    "3-build": 3.0,  # warm build of 10,000 entries (issue #17)
    "4-export": 1.0,  # each export of 10,000 entries (issue #17)
    "memory": 300.0,  # MB (issue #17)
    "5-help": 0.3,
    "6-one-changed": 1.2,  # one entry of 10,000 changed / none changed (issue #17)
}


# -- running a command ----------------------------------------------------------------------------------------------


@dataclass
class Sample:
    """One run of a command: wall time, peak resident memory of the process, exit code and output."""

    wall: float
    rss_mb: float
    code: int
    stdout: str
    stderr: str
    started: float  # time.monotonic() at launch, the fake's clock


# Peak RSS comes from GNU time (`%M`, KiB): a child forked straight from this process reports this process's own
# memory as its high-water mark (ru_maxrss counts the address space it had before exec), so wait4's figure is useless.
TIME = Path("/usr/bin/time")


def measure(argv: Sequence[str], *, env: dict[str, str], cwd: Path) -> Sample:
    """Run argv; its wall time (as seen from here), peak RSS, exit code and output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as peak:
        wrapped = [str(TIME), "-f", "%M", "-o", peak.name, *argv] if TIME.exists() else list(argv)
        started = time.monotonic()
        process = subprocess.Popen(wrapped, env=env, cwd=cwd, stdout=out, stderr=err)
        process.wait()
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        rss = float("nan")
        if TIME.exists():
            lines = [line for line in peak.read().splitlines() if line.strip().isdigit()]
            rss = int(lines[-1]) / 1024 if lines else float("nan")
        return Sample(
            wall,
            rss,
            process.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            started,
        )


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a measured command: no GEOEMB_BIB_* from outside, plain output, bytecode cached as after a
    normal install (the sandbox sets PYTHONDONTWRITEBYTECODE, which would recompile the package on every start)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOEMB_BIB_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(CI="1", NO_COLOR="1", LC_ALL="C.UTF-8")
    env.update(extra)
    return env


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values: Sequence[float]) -> str:
    if not values:
        return "n/a"
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


_SUMMARY = re.compile(r"^requests: (.*)$", re.MULTILINE)
_CACHED = re.compile(r"(\d+) cached")


def cache_hits(stdout: str) -> int | None:
    """Cache hits from the refresh summary (`requests: arxiv 2 (0 sent, 2 cached), ...`); None if it is not there."""
    found = _SUMMARY.search(stdout)
    return sum(int(cached) for cached in _CACHED.findall(found.group(1))) if found else None


# -- the machine ----------------------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(
            next(
                line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
            ).split()[1]
        )
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "src"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "geoemb-bib": f"{__version__} at {commit}{' (src/ modified)' if dirty else ''}",
    }


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "n/a"


# -- scenarios ------------------------------------------------------------------------------------------------------


@dataclass
class Results:
    options: dict[str, Any] = field(default_factory=dict)
    machine: dict[str, str] = field(default_factory=dict)
    load: dict[str, str] = field(default_factory=dict)
    startup: list[float] = field(default_factory=list)
    cold: list[dict[str, Any]] = field(default_factory=list)
    cold_whatif: list[dict[str, Any]] = field(default_factory=list)
    warm: list[dict[str, Any]] = field(default_factory=list)
    naive: dict[str, Any] = field(default_factory=dict)
    bound: dict[str, Any] = field(default_factory=dict)
    synthetic: dict[str, dict[str, Any]] = field(default_factory=dict)
    exports: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    help: list[dict[str, Any]] = field(default_factory=list)
    one_changed: dict[str, Any] = field(default_factory=dict)
    references: dict[str, Any] = field(default_factory=dict)


def row(sample: Sample, **extra: Any) -> dict[str, Any]:
    return {"wall": round(sample.wall, 4), "rss_mb": round(sample.rss_mb, 1), "code": sample.code, **extra}


def check(sample: Sample, what: str) -> None:
    if sample.code != 0:
        raise SystemExit(
            f"{what} failed with exit code {sample.code}:\n{sample.stdout[-2000:]}\n{sample.stderr[-3000:]}"
        )


def interpreter_startup(runs: int) -> list[float]:
    return [measure([str(PYTHON), "-c", "pass"], env=child_env(), cwd=ROOT).wall for _ in range(max(runs, 5))]


def scenario_help(runs: int) -> list[dict[str, Any]]:
    measure([str(CLI), "--help"], env=child_env(), cwd=ROOT)  # compiles and caches the bytecode once
    samples = []
    for _ in range(max(runs, 10)):
        sample = measure([str(CLI), "--help"], env=child_env(), cwd=ROOT)
        check(sample, "geoemb-bib --help")
        samples.append(row(sample))
    return samples


def _wait_for_arxiv(fake: BenchServices, interval: float) -> None:
    """The fake remembers arXiv's last request across runs, as arXiv would: start the next run after the interval."""
    log = fake.requests("arxiv")
    if log:
        time.sleep(max(0.0, log[-1].time + interval + 0.2 - time.monotonic()))


def _requests(fake: BenchServices, since: float = 0.0) -> dict[str, Any]:
    log = [item for item in fake.log if item.time >= since]
    counts = Counter("openreview" if item.service.startswith("openreview") else item.service for item in log)
    return {
        "requests": {service: counts.get(service, 0) for service in ("arxiv", "crossref", "openreview")},
        "openreview_hosts": {
            service: sum(1 for item in log if item.service == service) for service in ("openreview", "openreview_v1")
        },
        "limited": sum(1 for item in log if item.limited),
        "throttled": sum(1 for item in log if item.status == 429),
        "first": min((item.time for item in log), default=None),
        "last_end": max((item.time + item.duration for item in log), default=None),
        "per_service_span": {
            service: (
                min(i.time for i in log if i.service.startswith(service)),
                max(i.time + i.duration for i in log if i.service.startswith(service)),
            )
            for service in ("arxiv", "crossref", "openreview")
            if any(i.service.startswith(service) for i in log)
        },
        "targets": [(item.service, item.target) for item in log],
    }


def scenario_cold(
    fake: BenchServices, runs: int, *, extra_env: dict[str, str] | None = None
) -> tuple[list[dict[str, Any]], Path]:
    """Cold refresh of the bundled list: a fresh cache and no enriched.yaml each run. Returns the last run's folder."""
    samples = []
    folder = WORK / "bundled"
    for _ in range(runs):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        shutil.copy(ROOT / "entries.yaml", folder / "entries.yaml")
        _wait_for_arxiv(fake, fake.limits.arxiv_interval)
        fake.clear_log()
        env = child_env(**fake.env(cache_dir=folder / "cache"), **(extra_env or {}))
        sample = measure([str(CLI), "refresh", "--mailto", MAILTO], env=env, cwd=folder)
        check(sample, "cold refresh")
        seen = _requests(fake)
        network = (seen["last_end"] - seen["first"]) if seen["first"] is not None else 0.0
        spans = {
            s: [round(a - sample.started, 3), round(b - sample.started, 3)]
            for s, (a, b) in seen.pop("per_service_span").items()
        }
        first_request = round(seen["first"] - sample.started, 3) if seen["first"] is not None else None
        samples.append(
            row(
                sample,
                cache_hits=cache_hits(sample.stdout),
                network=round(network, 3),
                first_request=first_request,
                spans=spans,
                **seen,
            )
        )
    return samples, folder


def scenario_warm(fake: BenchServices, folder: Path, runs: int) -> list[dict[str, Any]]:
    env = child_env(**fake.env(cache_dir=folder / "cache"))
    measure([str(CLI), "refresh", "--mailto", MAILTO], env=env, cwd=folder)  # warms the OS file cache, untimed
    samples = []
    for _ in range(runs):
        since = time.monotonic()
        sample = measure([str(CLI), "refresh", "--mailto", MAILTO], env=env, cwd=folder)
        check(sample, "warm refresh")
        seen = _requests(fake, since)
        samples.append(
            row(sample, cache_hits=cache_hits(sample.stdout), requests=seen["requests"], limited=seen["limited"])
        )
    return samples


def fill_synthetic(size: int, fake: BenchServices) -> tuple[Path, dict[str, Any]]:
    """NOT MEASURED: a cold refresh of a synthetic list with the pacing shrunk (the fake's limits and latency off), so
    that the warm scenarios find every answer cached. Reused while fresh (same generator, list and code version)."""
    folder = WORK / f"synthetic-{size}"
    stamp_path = folder / "stamp.json"
    generated = synthetic.generate(size)
    fake.corpus = generated.corpus
    stamp = {
        "generator": synthetic.GENERATOR_VERSION,
        "size": size,
        "version": __version__,
        "entries": hash_text(generated.entries_yaml),
    }
    if stamp_path.exists():
        old = json.loads(stamp_path.read_text())
        if {k: old.get(k) for k in stamp} == stamp and time.time() - old.get("filled_at", 0) < FILL_MAX_AGE:
            return folder, old
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "entries.yaml").write_text(generated.entries_yaml, encoding="utf-8")
    enforce, latency = fake.enforce_limits, fake.latency
    fake.enforce_limits, fake.latency = False, 0.0
    try:
        env = child_env(
            **fake.env(cache_dir=folder / "cache"),
            GEOEMB_BIB_ARXIV_INTERVAL="0.001",
            GEOEMB_BIB_CROSSREF_RATE="100000",
            GEOEMB_BIB_OPENREVIEW_RATE="100000",
        )
        started = time.monotonic()
        sample = measure([str(PYTHON), str(HERE / "fill.py"), "refresh", "--mailto", MAILTO], env=env, cwd=folder)
        check(sample, f"filling the cache for {size} synthetic entries")
    finally:
        fake.enforce_limits, fake.latency = enforce, latency
    stamp.update(
        filled_at=time.time(),
        fill_seconds=round(time.monotonic() - started, 1),
        profiles=generated.profiles,
        fill_requests=sample.stdout.strip().splitlines()[-3:],
    )
    stamp_path.write_text(json.dumps(stamp, indent=1))
    return folder, stamp


def hash_text(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def scenario_synthetic(size: int, fake: BenchServices, runs: int) -> dict[str, Any]:
    folder, stamp = fill_synthetic(size, fake)
    env = child_env(**fake.env(cache_dir=folder / "cache"))
    refresh = [str(CLI), "refresh", "--mailto", MAILTO]
    build = [str(CLI), "build", "--mailto", MAILTO, "-o", str(folder / "build")]
    warmup = measure(refresh, env=env, cwd=folder)  # untimed: OS file cache, bytecode
    check(warmup, f"warm refresh of {size} entries")
    result: dict[str, Any] = {
        "fill": {k: stamp.get(k) for k in ("fill_seconds", "profiles", "filled_at")},
        "refresh": [],
        "build": [],
    }
    for name, argv in (("refresh", refresh), ("build", build)):
        for _ in range(runs):
            since = time.monotonic()
            sample = measure(argv, env=env, cwd=folder)
            check(sample, f"warm {name} of {size} entries")
            seen = _requests(fake, since)
            result[name].append(
                row(sample, cache_hits=cache_hits(sample.stdout), requests=seen["requests"], limited=seen["limited"])
            )
    result["enriched_mb"] = round((folder / "enriched.yaml").stat().st_size / 1e6, 1)
    sample = measure([str(PYTHON), str(HERE / "breakdown.py"), str(folder)], env=child_env(), cwd=folder)
    check(sample, f"the phase breakdown of {size} entries")
    result["breakdown"] = json.loads(sample.stdout)
    return result


def scenario_exports(size: int, fake: BenchServices, runs: int) -> dict[str, list[dict[str, Any]]]:
    folder, _ = fill_synthetic(size, fake)
    env = child_env()
    results: dict[str, list[dict[str, Any]]] = {}
    for format_name in FORMATS:
        argv = [str(CLI), "export", "--format", format_name, "-o", str(folder / f"export.{format_name}")]
        measure(argv, env=env, cwd=folder)  # untimed warm-up
        results[format_name] = []
        for _ in range(runs):
            sample = measure(argv, env=env, cwd=folder)
            check(sample, f"export --format {format_name}")
            results[format_name].append(
                row(sample, output_mb=round((folder / f"export.{format_name}").stat().st_size / 1e6, 1))
            )
    return results


_UNCHANGED = re.compile(r"unchanged: ([\d,]+) entr")


def carried(stdout: str) -> int:
    """Entries the refresh kept as they were (`unchanged: N entries kept ...`); 0 when the line is absent."""
    found = _UNCHANGED.search(stdout)
    return int(found.group(1).replace(",", "")) if found else 0


def scenario_one_changed(size: int, fake: BenchServices, runs: int) -> dict[str, Any]:
    """Refreshes of `size` entries in pairs, in the same conditions: one in which one entry's curated fields
    changed (its `notes`, different in every pair), then one in which nothing changed since. Then the same with
    one cached answer gone instead (as when it expires): asked again of the fake (one request, its latency)."""
    folder, _ = fill_synthetic(size, fake)
    env = child_env(**fake.env(cache_dir=folder / "cache"))
    refresh = [str(CLI), "refresh", "--mailto", MAILTO]
    entries = folder / "entries.yaml"
    original = entries.read_text(encoding="utf-8")
    chosen = f"synth-{size // 2:05d}"
    marker = f"  - id: {chosen}\n"
    if marker not in original:
        raise SystemExit(f"{chosen} is not in the synthetic list")
    result: dict[str, Any] = {"entry": chosen, "unchanged": [], "curated": [], "answer": [], "answer_unchanged": []}
    check(measure(refresh, env=env, cwd=folder), "warm refresh before the one-changed pairs")  # untimed
    try:
        for run in range(runs):
            entries.write_text(
                original.replace(marker, f"{marker}    notes: Benchmark edit {run}.\n"), encoding="utf-8"
            )
            for name in ("curated", "unchanged"):
                sample = measure(refresh, env=env, cwd=folder)
                check(sample, f"refresh of {size} entries, {name}")
                result[name].append(row(sample, carried=carried(sample.stdout)))
    finally:
        entries.write_text(original, encoding="utf-8")
    check(measure(refresh, env=env, cwd=folder), "refresh after restoring the list")  # untimed
    for _ in range(runs):
        _forget_one_answer(folder, chosen)
        for name in ("answer", "answer_unchanged"):
            since = time.monotonic()
            sample = measure(refresh, env=env, cwd=folder)
            check(sample, f"refresh of {size} entries, {name}")
            seen = _requests(fake, since)
            result[name].append(row(sample, carried=carried(sample.stdout), requests=seen["requests"]))
    return result


def _forget_one_answer(folder: Path, entry_id: str) -> None:
    """Delete from the cache one answer `entry_id` read (its first non-arXiv one), as its expiry would."""
    from geoemb_bib import carryover, fetch, snapshots
    from geoemb_bib.cli import _copy_path, copies_folder, load_config

    lock = folder / "enriched.yaml"
    copy = _copy_path(copies_folder(load_config(folder / "entries.yaml"), folder / "cache"), lock, "lock").read_bytes()
    text = lock.read_bytes()
    loaded = snapshots.decode(
        copy, digest=snapshots.text_digest(text), tool=carryover.tool_digest(), text_length=len(text.decode("utf-8"))
    )
    if loaded is None or entry_id not in loaded.snapshot.fingerprints:
        raise SystemExit(f"no fingerprint for {entry_id}: the refresh before kept no parsed copy")
    query = next(q for q in loaded.snapshot.fingerprints[entry_id].reads if q.service != "arxiv")
    cache, _ = fetch._open_cache(folder / "cache")
    try:
        if not cache.delete(fetch.cache_key(query)):
            raise SystemExit(f"the cache held no answer for {fetch.describe(query)}")
    finally:
        cache.close()


def scenario_references(size: int, fake: BenchServices) -> dict[str, Any]:
    folder, _ = fill_synthetic(size, fake)
    for format_name in ("bibtex", "csl-json"):
        if not (folder / f"export.{format_name}").exists():
            argv = [str(CLI), "export", "--format", format_name, "-o", str(folder / f"export.{format_name}")]
            check(measure(argv, env=child_env(), cwd=folder), f"export {format_name}")
    sample = measure(
        [str(PYTHON), str(HERE / "references.py"), str(folder)],
        env=child_env(GEOEMB_BIB_CACHE_DIR=str(folder / "cache")),
        cwd=folder,
    )
    check(sample, "the reference costs")
    figures: dict[str, Any] = json.loads(sample.stdout)
    return figures


def lower_bound(latency: float, limits: Limits, cold: list[dict[str, Any]]) -> dict[str, Any]:
    curated = load_entries("entries.yaml", (ROOT / "entries.yaml").read_bytes())
    plan = bound.minimal_plan(curated, load_corpus())
    enforced = bound.fake_limits(limits)
    own_plan = bound.plan_from_log(cold[-1]["targets"]) if cold else bound.Plan()
    return {
        "requests": {service: plan.count(service) for service in ("arxiv", "crossref", "openreview")},
        "crossref_searches": plan.count("crossref", "list"),
        "openreview_searches": sum(1 for job in plan.jobs if job.service == "openreview" and job.release > 0),
        "seconds": round(bound.finish_time(plan.jobs, enforced, latency), 3),
        "seconds_even": round(bound.finish_time(plan.jobs, bound.evenly(enforced), latency), 3),
        "seconds_min_plan_own_pacing": round(bound.finish_time(plan.jobs, bound.own_pacing(), latency), 3),
        "seconds_own_plan_own_pacing": round(bound.finish_time(own_plan.jobs, bound.own_pacing(), latency), 3),
        "seconds_own_plan_enforced": round(bound.finish_time(own_plan.jobs, enforced, latency), 3),
        "own_requests": {service: own_plan.count(service) for service in ("arxiv", "crossref", "openreview")},
        "own_crossref_searches": own_plan.count("crossref", "list"),
        "jobs": [asdict(job) for job in plan.jobs],
    }


def scenario_naive(fake: BenchServices) -> dict[str, Any]:
    curated = load_entries("entries.yaml", (ROOT / "entries.yaml").read_bytes())
    _wait_for_arxiv(fake, fake.limits.arxiv_interval)
    since = time.monotonic()
    result = run_naive(curated, fake.base_urls, mailto=MAILTO)
    seen = _requests(fake, since)
    return {
        "seconds": round(result.seconds, 2),
        "requests": seen["requests"],
        "limited": seen["limited"],
        "throttled": result.throttled,
    }


# -- RESULTS.md -----------------------------------------------------------------------------------------------------


def verdict(value: float, target: float, *, higher_is_better: bool = False) -> str:
    if math.isnan(value):
        return "n/a"
    met = value >= target if higher_is_better else value <= target
    if met:
        return "met"
    missed = (target / value) if higher_is_better else (value / target)
    return f"**missed** ({missed:.2f}×)"


def _render_one_changed(results: Results) -> list[str]:
    one = results.one_changed
    if not one:
        return []
    out = [
        "",
        "## 7. One entry of 10,000 changed",
        "",
        f"Refreshes of the 10,000-entry list in pairs: one after a change to entry `{one['entry']}`, then one with "
        "nothing changed since, so both see the same machine. *Curated*: its `notes` edited (a new text in every "
        "pair; no new request). *Answer*: one of its cached answers deleted, as its expiry would (asked again of "
        "the fake: one request and its latency).",
        "",
        "| run | wall | entries kept as they were | requests | peak RSS |",
        "|---|---|---|---|---|",
    ]
    for name, label in (
        ("curated", "one entry's curated fields changed"),
        ("unchanged", "… nothing changed since"),
        ("answer", "one cached answer gone"),
        ("answer_unchanged", "… nothing changed since"),
    ):
        samples = one.get(name, [])
        if samples:
            requests = [sum(s["requests"].values()) for s in samples if "requests" in s]
            out.append(
                f"| {label} | {spread([s['wall'] for s in samples])} | "
                f"{median([s['carried'] for s in samples]):,.0f} | {median(requests) if requests else '–'} | "
                f"{median([s['rss_mb'] for s in samples]):.0f} MB |"
            )
    return out


def _render_references(results: Results) -> list[str]:
    r = results.references
    if not r:
        return []

    def ours(kind: str, key: str) -> float:
        samples = results.exports.get(key, []) if kind == "export" else results.synthetic.get("10000", {}).get(key, [])
        return median([s["wall"] for s in samples]) if samples else float("nan")

    rows = [
        (
            "bibtexparser v2 parses the .bib",
            r["bibtexparser_parse"],
            "`export --format bibtex` (whole command)",
            ours("export", "bibtex"),
        ),
        (
            "bibtexparser v2 writes it back",
            r["bibtexparser_write"],
            "`export --format bibtex` (whole command)",
            ours("export", "bibtex"),
        ),
        (
            "`json.loads` of the CSL-JSON",
            r["json_loads"],
            "`export --format csl-json` (whole command)",
            ours("export", "csl-json"),
        ),
        (
            "msgspec reads the CSL-JSON",
            r["msgspec_json"],
            "`export --format csl-json` (whole command)",
            ours("export", "csl-json"),
        ),
        (
            "`json.dumps` writes it (indent 2)",
            r["json_dumps"],
            "`export --format csl-json` (whole command)",
            ours("export", "csl-json"),
        ),
        (
            "PyYAML's C loader on enriched.yaml",
            r["pyyaml_c_loader"],
            "warm `refresh` (whole command)",
            ours("refresh", "refresh"),
        ),
        (
            "PyYAML's C loader on enriched.yaml",
            r["pyyaml_c_loader"],
            "`export --format yaml` (whole command)",
            ours("export", "yaml"),
        ),
    ]
    sizes = r["sizes_mb"]
    out = [
        "",
        "## 8. Reference costs on the same files",
        "",
        f"In one process, best of 3 (benchmarks/references.py), on the files of the {r['entries']:,}-entry list: "
        f"the .bib export ({sizes['bib']} MB), the CSL-JSON export ({sizes['csl_json']} MB), enriched.yaml "
        f"({sizes['enriched_yaml']} MB). Our figures are whole commands (start-up, reading, writing) from the "
        "scenarios above.",
        "",
        "| reference | seconds | our figure | seconds | ours / reference |",
        "|---|---|---|---|---|",
    ]
    for label, seconds, what, mine in rows:
        out.append(f"| {label} | {seconds:.2f} | {what} | {mine:.2f} | {mine / seconds:.2f}× |")
    out += [
        "",
        "Reading enriched.yaml, three ways (the decision about enriched.py's hand-written reader):",
        "",
        "| reader | seconds |",
        "|---|---|",
        f"| PyYAML's C loader (plain data, no model objects) | {r['pyyaml_c_loader']:.2f} |",
        f"| enriched.py's reader (model objects, checked, with line numbers for errors) | {r['fast_reader']:.2f} |",
    ]
    if "parsed_copy" in r:
        out.append(
            f"| the parsed copy ({sizes['parsed_copy']} MB, digest of the text {r['text_digest']:.2f} s included) | "
            f"{r['parsed_copy']:.2f} |"
        )
    return out


def render(results: Results, analysis: str) -> str:  # noqa: C901
    out: list[str] = []
    m = results.machine
    o = results.options
    startup = median(results.startup)
    out += [
        "# geoemb-bib benchmark results",
        "",
        (
            "Generated by `benchmarks/run.py` (issue #8); the analysis at the end is written by hand. Medians of "
            f"{o['runs']} runs ({o['cold_runs']} for the cold refresh), min–max in brackets, seconds unless stated."
        ),
        "",
        f"- **Date:** {m['date']}",
        f"- **Machine:** {m['cpu']}, {m['memory']} RAM, {m['os']}; {m['python']}",
        f"- **geoemb-bib:** {m['geoemb-bib']}",
        (
            f"- **Load average** (1/5/15 min) before: {results.load.get('before')}, after: {results.load.get('after')} "
            "(other work on the machine shows up as noise in the local-work scenarios)"
        ),
        (
            f"- **Fake services:** latency {o['latency'] * 1000:.0f} ms per request; limits enforced with 429: arXiv "
            "1 request per "
            f"{o['limits']['arxiv_interval']:g} s and 1 at a time; Crossref polite pool "
            f"{o['limits']['crossref_list_rate']['polite']}/s lists, "
            f"{o['limits']['crossref_record_rate']['polite']}/s records, "
            f"{o['limits']['crossref_concurrency']['polite']} at a time, "
            "rate-limit headers sent; OpenReview "
            f"{o['limits']['openreview_rate']}/s, {o['limits']['openreview_concurrency']} at a time (both hosts "
            "together). TCP_NODELAY on, so "
            "the latency is the one set (the test fake's default adds ~40 ms per answer through Nagle + delayed ACK)."
        ),
        f"- **Interpreter start-up** (`python -c pass`): {spread(results.startup)}",
        "",
        "## Summary",
        "",
        "| # | scenario | measured | target | verdict |",
        "|---|---|---|---|---|",
    ]
    cold = results.cold
    b = results.bound
    if cold:
        wall = median([s["wall"] for s in cold])
        ours = median([sum(s["requests"].values()) for s in cold])
        limited = max(s["limited"] for s in cold)
        out.append(
            f"| 1 | cold refresh, bundled list: 429s received | {limited} | 0 | "
            f"{'met' if limited == 0 else '**missed**'} |"
        )
        if b:
            out.append(
                f"| 1 | … wall time / lower bound ({b['seconds']:.2f} s) | {wall:.2f} s = {wall / b['seconds']:.2f}× "
                f"| ≤ {TARGETS['1-ratio']}× | {verdict(wall / b['seconds'], TARGETS['1-ratio'])} |"
            )
        if results.naive:
            naive = sum(results.naive["requests"].values())
            out.append(
                f"| 1 | … requests vs naive baseline ({naive}) | {ours:.0f} = {naive / ours:.1f}× fewer | ≥ "
                f"{TARGETS['1-fewer']:.0f}× fewer | "
                f"{verdict(naive / ours, TARGETS['1-fewer'], higher_is_better=True)} |"
            )
            out.append(
                f"| 1 | … wall time vs naive baseline ({results.naive['seconds']:.0f} s) | "
                f"{results.naive['seconds'] / wall:.0f}× faster | – | – |"
            )
    if results.warm:
        wall = median([s["wall"] for s in results.warm])
        out.append(
            f"| 2 | warm refresh, bundled list: work beyond start-up | {wall - startup:.2f} (wall {wall:.2f}) | < "
            f"{TARGETS['2-work']} | {verdict(wall - startup, TARGETS['2-work'])} |"
        )
    for size, data in sorted(results.synthetic.items(), key=lambda kv: int(kv[0])):
        refresh = median([s["wall"] for s in data["refresh"]])
        build = median([s["wall"] for s in data["build"]])
        refresh_target = {1000: TARGETS["3-1000"], 10000: TARGETS["3-10000"]}.get(int(size))
        build_target = {1000: TARGETS["3-1000"], 10000: TARGETS["3-build"]}.get(int(size))
        for name, wall, target in (("warm refresh", refresh, refresh_target), ("`build`", build, build_target)):
            out.append(
                f"| 3 | {name}, {int(size):,} entries | {wall:.2f} | {f'≤ {target:g}' if target else '–'} | "
                f"{verdict(wall, target) if target else '–'} |"
            )
    for format_name, samples in results.exports.items():
        wall = median([s["wall"] for s in samples])
        out.append(
            f"| 4 | export `{format_name}`, 10,000 entries | {wall:.2f} | ≤ {TARGETS['4-export']:g} | "
            f"{verdict(wall, TARGETS['4-export'])} |"
        )
    one = results.one_changed
    if one:
        unchanged = median([s["wall"] for s in one["unchanged"]])
        for name, label in (("curated", "its curated fields"), ("answer", "one of its cached answers (asked again)")):
            base = unchanged if name == "curated" else median([s["wall"] for s in one["answer_unchanged"]])
            wall = median([s["wall"] for s in one[name]])
            out.append(
                f"| 7 | refresh, one entry of 10,000 changed ({label}) / none changed | {wall:.2f} / {base:.2f} = "
                f"{wall / base:.2f}× | ≤ {TARGETS['6-one-changed']:g}× | "
                f"{verdict(wall / base, TARGETS['6-one-changed'])} |"
            )
    peaks = [s["rss_mb"] for data in results.synthetic.values() for name in ("refresh", "build") for s in data[name]]
    peaks += [s["rss_mb"] for samples in results.exports.values() for s in samples]
    peaks += [s["rss_mb"] for name in ("unchanged", "curated", "answer") for s in results.one_changed.get(name, [])]
    if peaks:
        out.append(
            f"| 3–4 | peak RSS, largest process | {max(peaks):.0f} MB | < {TARGETS['memory']:.0f} MB | "
            f"{verdict(max(peaks), TARGETS['memory'])} |"
        )
    if results.help:
        wall = median([s["wall"] for s in results.help])
        out.append(
            f"| 5 | `geoemb-bib --help` | {wall:.3f} | < {TARGETS['5-help']} | {verdict(wall, TARGETS['5-help'])} |"
        )

    if cold:
        out += ["", "## 1. Cold refresh of the bundled list", ""]
        out += [
            "`geoemb-bib refresh --mailto …` in a fresh folder with an empty cache, the fake answering from the "
            "replay corpus.",
            "",
            "| | wall | network span | first request at | requests arXiv / Crossref / OpenReview | 429s | cache hits "
            "| peak RSS |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for label, samples in (
            ("as shipped", cold),
            ("what if: `GEOEMB_BIB_OPENREVIEW_RATE=4.5`", results.cold_whatif),
        ):
            if not samples:
                continue
            requests = samples[-1]["requests"]
            out.append(
                f"| {label} | {spread([s['wall'] for s in samples])} | {spread([s['network'] for s in samples])} | "
                f"{spread([s['first_request'] for s in samples])} | {requests['arxiv']} / {requests['crossref']} / "
                f"{requests['openreview']} "
                f"(of which OpenReview API v1: {samples[-1]['openreview_hosts']['openreview_v1']}) | "
                f"{max(s['limited'] for s in samples)} | "
                f"{samples[-1]['cache_hits']} | {median([s['rss_mb'] for s in samples]):.0f} MB |"
            )
        spans = cold[-1]["spans"]
        out += [
            "",
            "Per service, in the last run (seconds after launch, first request sent → last answer in): "
            + "; ".join(f"{service} {a:.2f} → {z:.2f}" for service, (a, z) in spans.items())
            + ".",
        ]
        if b:
            out += [
                "",
                "### Lower bound",
                "",
                (
                    f"Minimal requests: arXiv {b['requests']['arxiv']}, Crossref {b['requests']['crossref']} "
                    f"({b['crossref_searches']} title searches), OpenReview {b['requests']['openreview']} "
                    f"({b['openreview_searches']} title searches). "
                    f"Ours: arXiv {b['own_requests']['arxiv']}, Crossref {b['own_requests']['crossref']} "
                    f"({b['own_crossref_searches']} searches), "
                    f"OpenReview {b['own_requests']['openreview']}."
                ),
                "",
                "| schedule | requests | last answer at | our wall time / it |",
                "|---|---|---|---|",
            ]
            wall = median([s["wall"] for s in cold])
            network = median([s["network"] for s in cold])
            for label, plan_label, seconds in (
                ("**lower bound**: minimal plan, the fake's limits (bursts allowed)", "minimal", b["seconds"]),
                ("minimal plan, documented rates spread evenly (no bursts)", "minimal", b["seconds_even"]),
                (
                    "minimal plan, our pacing (fetch.py), perfect pipelining",
                    "minimal",
                    b["seconds_min_plan_own_pacing"],
                ),
                ("our plan, the fake's limits, perfect pipelining", "ours", b["seconds_own_plan_enforced"]),
                ("our plan, our pacing, perfect pipelining", "ours", b["seconds_own_plan_own_pacing"]),
            ):
                count = sum(b["requests"].values()) if plan_label == "minimal" else sum(b["own_requests"].values())
                out.append(
                    f"| {label} | {count} | {seconds:.2f} | {wall / seconds:.2f}× (network span "
                    f"{network / seconds:.2f}×) |"
                )
        if results.naive:
            n = results.naive
            out += [
                "",
                "### Naive baseline",
                "",
                (
                    f"Per entry, sequentially, 3 s after every answer (benchmarks/naive.py): {n['seconds']:.1f} s, "
                    "requests arXiv "
                    f"{n['requests']['arxiv']} / Crossref {n['requests']['crossref']} / OpenReview "
                    f"{n['requests']['openreview']} "
                    f"= {sum(n['requests'].values())}, 429s {n['limited']}. Ours: "
                    f"{median([sum(s['requests'].values()) for s in cold]):.0f} requests "
                    f"({sum(n['requests'].values()) / median([sum(s['requests'].values()) for s in cold]):.1f}× "
                    "fewer; arXiv alone "
                    f"{n['requests']['arxiv'] / max(1, cold[-1]['requests']['arxiv']):.0f}× fewer) in "
                    f"{median([s['wall'] for s in cold]):.1f} s "
                    f"({n['seconds'] / median([s['wall'] for s in cold]):.0f}× faster)."
                ),
            ]
    if results.warm:
        w = results.warm
        out += [
            "",
            "## 2. Warm refresh of the bundled list",
            "",
            (
                f"Wall {spread([s['wall'] for s in w])}; minus interpreter start-up "
                f"{median([s['wall'] for s in w]) - startup:.2f}; "
                f"requests {sum(w[-1]['requests'].values())}; cache hits {w[-1]['cache_hits']}; peak RSS "
                f"{median([s['rss_mb'] for s in w]):.0f} MB."
            ),
        ]
    if results.synthetic:
        out += [
            "",
            "## 3. Warm refresh and build of synthetic lists",
            "",
            (
                "Lists generated by benchmarks/synthetic.py (invented papers exercising every resolution path: "
                "arXiv-only "
                "preprints, DOIs from the curator or from arXiv, versions of record found by search, OpenReview "
                "acceptances "
                "by search or by id, retitled preprints, datasets). Their cache was filled beforehand by a cold "
                "refresh with "
                "the pacing shrunk and the fake's limits off — **that step is not measured**. `build` = refresh, then "
                "every "
                "format written into build/."
            ),
            "",
            "| entries | command | wall | requests | cache hits | peak RSS | enriched.yaml |",
            "|---|---|---|---|---|---|---|",
        ]
        for size, data in sorted(results.synthetic.items(), key=lambda kv: int(kv[0])):
            for name in ("refresh", "build"):
                samples = data[name]
                out.append(
                    f"| {int(size):,} | `{name}` | {spread([s['wall'] for s in samples])} | "
                    f"{sum(samples[-1]['requests'].values())} | "
                    f"{samples[-1]['cache_hits']} | {median([s['rss_mb'] for s in samples]):.0f} MB | "
                    f"{data['enriched_mb']} MB |"
                )
        for size, data in sorted(results.synthetic.items(), key=lambda kv: int(kv[0])):
            phases = data.get("breakdown")
            if not phases:
                continue
            out += [
                "",
                (
                    f"Where a warm refresh of {int(size):,} entries spends its time (benchmarks/breakdown.py: the "
                    "same library calls in "
                    "one process, one run; the command adds its own start-up and the file writes):"
                ),
                "",
                "| phase | seconds |",
                "|---|---|",
            ]
            out += [f"| {name} | {seconds:.2f} |" for name, seconds in phases["phases"].items()]
            out += [f"| … of the refresh: {name} | {seconds:.2f} |" for name, seconds in phases["refresh"].items()]
            out += [
                f"| exporter alone (catalog in memory): {name} | {seconds:.2f} |"
                for name, seconds in phases["exporters"].items()
            ]
    if results.exports:
        out += [
            "",
            "## 4. Export only, 10,000 entries",
            "",
            "| format | wall | peak RSS | output |",
            "|---|---|---|---|",
        ]
        for format_name, samples in results.exports.items():
            out.append(
                f"| {format_name} | {spread([s['wall'] for s in samples])} | "
                f"{median([s['rss_mb'] for s in samples]):.0f} MB | {samples[-1]['output_mb']} MB |"
            )
    if results.help:
        out += [
            "",
            "## 5. Start-up",
            "",
            f"`geoemb-bib --help`: {spread([s['wall'] for s in results.help])} s, peak RSS "
            f"{median([s['rss_mb'] for s in results.help]):.0f} MB.",
        ]
    out += _render_one_changed(results) + _render_references(results)
    out += ["", analysis.strip(), ""]
    return "\n".join(out)


# -- main -----------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:  # noqa: C901
    parser = argparse.ArgumentParser(description="geoemb-bib benchmark (issue #8); writes benchmarks/RESULTS.md")
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario (median reported; default 5)")
    parser.add_argument("--cold-runs", type=int, default=3, help="runs of the cold refresh (default 3)")
    parser.add_argument(
        "--latency", type=float, default=0.15, help="seconds the fake adds to every answer (default 0.15)"
    )
    parser.add_argument(
        "--sizes", default="1000,10000", help="synthetic list sizes for scenario 3 (default 1000,10000)"
    )
    parser.add_argument("--only", default="1,2,3,4,5,6,7,8", help="scenarios to run, e.g. 1,2 (default all)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the naive baseline (about 3 minutes)")
    parser.add_argument("--no-whatif", action="store_true", help="skip the cold refresh with OpenReview paced at 4.5/s")
    parser.add_argument(
        "--openreview-rate", type=int, default=Limits.openreview_rate, help="OpenReview's enforced requests/s"
    )
    parser.add_argument("--openreview-concurrency", type=int, default=Limits.openreview_concurrency)
    parser.add_argument("--quick", action="store_true", help="1 run each, 1,000 entries, no baseline, no what-if")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--no-write", action="store_true", help="print the report instead of writing RESULTS.md")
    parser.add_argument(
        "--render", type=Path, metavar="JSON", help="only rewrite the report from a saved benchmarks/.work/results.json"
    )
    args = parser.parse_args(argv)
    if args.render is not None:
        results = Results(**json.loads(args.render.read_text()))
        return _report(results, args.output, args.no_write)
    if args.quick:
        args.runs, args.cold_runs, args.sizes, args.no_baseline, args.no_whatif = 1, 1, "1000", True, True
    only = {part.strip() for part in args.only.split(",")}
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    if not CLI.exists():
        parser.error(f"{CLI} not found: run with the project's virtualenv python (.venv/bin/python benchmarks/run.py)")

    limits = Limits(openreview_rate=args.openreview_rate, openreview_concurrency=args.openreview_concurrency)
    results = Results(machine=machine())
    results.options = {
        "runs": args.runs,
        "cold_runs": args.cold_runs,
        "latency": args.latency,
        "limits": asdict(limits),
        "sizes": sizes,
    }
    results.load["before"] = load_average()
    WORK.mkdir(exist_ok=True)

    def log(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    results.startup = interpreter_startup(args.runs)
    if "5" in only:
        log("scenario 5: --help")
        results.help = scenario_help(args.runs)
    bundled = BenchServices(latency=args.latency, enforce_limits=True, limits=limits).start()
    try:
        if "1" in only or "2" in only:
            log(f"scenario 1: cold refresh x{args.cold_runs}")
            results.cold, folder = scenario_cold(bundled, args.cold_runs)
            if not args.no_whatif and "1" in only:
                log("scenario 1 what-if: OpenReview paced at 4.5/s")
                results.cold_whatif, folder = scenario_cold(
                    bundled, args.cold_runs, extra_env={"GEOEMB_BIB_OPENREVIEW_RATE": "4.5"}
                )
            results.bound = lower_bound(args.latency, limits, results.cold)
            if "2" in only:
                log(f"scenario 2: warm refresh x{args.runs}")
                results.warm = scenario_warm(bundled, folder, args.runs)
            if "1" in only and not args.no_baseline:
                log("scenario 1 baseline: naive per-entry client (about 3 minutes)")
                results.naive = scenario_naive(bundled)
    finally:
        bundled.stop()
    if only & {"3", "4", "7", "8"}:
        fake = BenchServices(
            latency=args.latency, enforce_limits=True, limits=limits, corpus=synthetic.generate(1).corpus
        ).start()
        try:
            if "3" in only:
                for size in sizes:
                    log(f"scenario 3: {size} synthetic entries (filling the cache first if needed; not measured)")
                    results.synthetic[str(size)] = scenario_synthetic(size, fake, args.runs)
            if "4" in only:
                log("scenario 4: export only, 10,000 entries")
                results.exports = scenario_exports(10000, fake, args.runs)
            if "7" in only:
                log("scenario 7: one entry of 10,000 changed, against none changed")
                results.one_changed = scenario_one_changed(10000, fake, args.runs)
            if "8" in only:
                log("scenario 8: reference costs on the same 10,000-entry files")
                results.references = scenario_references(10000, fake)
        finally:
            fake.stop()
    if "6" in only:
        log("scenario 6: a synthetic list of landing-page entries (benchmarks/landing.py)")
        landing.main(["--latency", str(args.latency)])
    results.load["after"] = load_average()
    if only == {"6"}:
        return 0

    (WORK / "results.json").write_text(json.dumps(asdict(results), indent=1, default=str))
    return _report(results, args.output, args.no_write)


def _report(results: Results, output: Path, print_only: bool) -> int:
    analysis_path = HERE / "analysis.md"
    report = render(results, analysis_path.read_text(encoding="utf-8") if analysis_path.exists() else "")
    # Scenario 6 runs on its own (benchmarks/landing.py) and keeps its section of the file.
    earlier = output.read_text(encoding="utf-8") if output.exists() else ""
    if landing.START in earlier and landing.END in earlier:
        section = earlier.split(landing.START, 1)[1].split(landing.END, 1)[0]
        report = report.rstrip("\n") + "\n\n" + landing.START + section + landing.END + "\n"
    if print_only:
        print(report)
    else:
        output.write_text(report, encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
