"""Benchmark: `geoemb-bib import README.md` of a 2,000-row awesome list (target: under 2 s), run on its own.

The list is built from the seed list's sections, each table's rows repeated with distinct titles and arXiv ids
until it holds 2,000 rows; the timed part is the whole command (interpreter start-up included) in a subprocess,
median of 5 runs.

    python benchmarks/import_list.py [--rows 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "seed-awesome-geospatial-embeddings.md"
TARGET_SECONDS = 2.0


def synthetic_list(rows: int) -> str:
    """The seed list with each table of papers grown to hold `rows` rows in all."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    all_rows = sum(1 for line in lines if line.startswith("| ") and not line.startswith("| Abbr") and "|--" not in line)
    all_rows -= sum(1 for line in lines if line.startswith("| Year"))
    body_rows = [i for i, line in enumerate(lines) if line.startswith("| **") and "arxiv.org/abs/" in line]
    per_table = (rows - all_rows) // len(body_rows) + 1
    out: list[str] = []
    made = 0
    for index, line in enumerate(lines):
        out.append(line)
        if index in body_rows:
            for copy in range(per_table):
                if made + all_rows >= rows:
                    break
                made += 1
                number = f"{2400 + made // 9000:04d}.{made % 9000 + 1000:05d}"
                row = line.replace("** |", f" {made}** |", 2)
                row = row.split("arxiv.org/abs/")[0] + f"arxiv.org/abs/{number}" + ")" + row.split(")", 1)[1]
                out.append(row.replace("github.com/", f"github.com/copy{copy}-"))
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    text = synthetic_list(args.rows)
    times = []
    cpu = []
    with tempfile.TemporaryDirectory() as folder:
        readme = Path(folder) / "README.md"
        readme.write_text(text, encoding="utf-8")
        for _ in range(args.runs):
            entries = Path(folder) / "entries.yaml"
            entries.unlink(missing_ok=True)
            start = time.perf_counter()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run(
                [sys.executable, "-m", "geoemb_bib", "import", str(readme), "--entries", str(entries)],
                capture_output=True,
                text=True,
                check=False,
            )
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            # CPU time of the command: what the machine's other work does not inflate as much as the wall time
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            if done.returncode != 0:
                raise SystemExit(done.stderr)
        count = done.stdout.split("(")[1].split(" ")[0]
    median = statistics.median(times)
    verdict = "met" if median < TARGET_SECONDS else "missed"
    print(
        f"import of a {count}-row list: median {median:.2f} s ({min(times):.2f}-{max(times):.2f}) wall, "
        f"{statistics.median(cpu):.2f} s CPU, over {args.runs} runs; target < {TARGET_SECONDS:.0f} s: {verdict}"
    )


if __name__ == "__main__":
    main()
