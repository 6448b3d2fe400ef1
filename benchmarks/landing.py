"""Scenario 6 (issue #11): a synthetic list of landing-page entries, as real lists are written: how many resolve, how
many abstain (and why), how many are wrong, and the cold refresh time against the lower bound the services' limits
allow.

    .venv/bin/python benchmarks/landing.py                # 240 entries, writes its section of RESULTS.md
    .venv/bin/python benchmarks/landing.py --size 60 --no-write
    .venv/bin/python benchmarks/run.py --only 6           # the same, as a scenario of the benchmark

Every entry links a landing page (IEEE Xplore, ScienceDirect, MDPI, CVF, NeurIPS, PMLR, ECVA, ACM, Springer, T&F,
Wiley, Nature, AAAI, unknown hosts), never an arXiv id, and has no `ids:`. Each comes with the truth: the record it
must resolve to, or "abstain" when the listing does not carry the evidence (a same-title record the listing cannot
confirm, a name-only title on an unknown host, two same-title records it cannot tell apart, a same-title record at
another venue). Every search answer holds a near-identical decoy. The refresh runs the real command line against the
loopback fake, which adds a latency to every answer and ENFORCES the services' limits (429 beyond them).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work" / "landing"
sys.path.insert(0, str(HERE))

from geoemb_bib.enriched import load_items
from geoemb_bib.fetch import OPENREVIEW_SEARCH_WINDOW
from geoemb_bib.sources.arxiv import TITLES_PER_SEARCH
from services import BenchServices, Corpus, Limits, _Answer, crossref_json, normalise
from synthetic import _FAMILY, _GIVEN, _WORDS

PYTHON = Path(sys.executable)
CLI = PYTHON.parent / "geoemb-bib"
MAILTO = "bench@example.org"
START, END = "<!-- scenario 6: landing-page list (benchmarks/landing.py) -->", "<!-- end of scenario 6 -->"
GAP_NOTE = (
    "The gap to the bound is the order of the rounds: an entry's Crossref and OpenReview searches wait for its arXiv"
    " title search (its authors, when arXiv has the preprint, carry those searches), and a round goes out only once"
    " the previous one is answered, so the Crossref searches start after the last arXiv request (about 33 s in)"
    " rather than after the first answer, as the bound lets them. Load on the shared machine adds the rest."
)
SYNTHETIC = "Synthetic Landing Benchmark Publisher (benchmarks/landing.py; not a real record)"

# Profile -> weight. "abstain-*" profiles must abstain; every other one must resolve to its own record.
PROFILES: tuple[tuple[str, int], ...] = (
    ("ieee-conference", 14),
    ("ieee-journal", 10),
    ("sciencedirect", 12),
    ("mdpi", 12),
    ("cvf", 12),
    ("cvf-name-only", 4),
    ("neurips", 6),
    ("pmlr", 4),
    ("ecva", 6),
    ("doi-link", 12),
    ("aaai", 5),
    ("unknown-journal", 8),
    ("abstain-no-venue", 4),
    ("abstain-name-only", 3),
    ("abstain-tie", 3),
    ("abstain-other-venue", 3),
)
JOURNALS = (
    ("TGRS", "IEEE Transactions on Geoscience and Remote Sensing", ("0196-2892", "1558-0644")),
    ("GRSL", "IEEE Geoscience and Remote Sensing Letters", ("1545-598X", "1558-0571")),
    ("JSTARS", "IEEE Journal of Selected Topics in Applied Earth Observations and Remote Sensing", ("1939-1404",)),
)
ELSEVIER = (
    ("RSE", "Remote Sensing of Environment", ("0034-4257",), "S0034425"),
    ("ISPRS P&RS", "ISPRS Journal of Photogrammetry and Remote Sensing", ("0924-2716",), "S0924271"),
    (
        "Int. J. Appl. Earth Obs. Geoinf.",
        "International Journal of Applied Earth Observation and Geoinformation",
        ("1569-8432",),
        "S1569843",
    ),
)
CVF = (
    ("ICCV", "IEEE/CVF International Conference on Computer Vision"),
    ("CVPR", "IEEE/CVF Conference on Computer Vision and Pattern Recognition"),
    ("WACV", "IEEE/CVF Winter Conference on Applications of Computer Vision"),
)
DOI_LINKS = (
    (
        "https://dl.acm.org/doi/abs/{doi}",
        "10.1145",
        "SIGSPATIAL",
        "Proceedings of the ACM SIGSPATIAL International Conference on Advances in Geographic Information Systems",
    ),
    ("https://link.springer.com/article/{doi}", "10.1007", "IJCV", "International Journal of Computer Vision"),
    (
        "https://www.tandfonline.com/doi/full/{doi}",
        "10.1080",
        "IJGIS",
        "International Journal of Geographical Information Science",
    ),
    ("https://onlinelibrary.wiley.com/doi/{doi}", "10.1002", "ESSD", "Earth System Science Data"),
)


@dataclass
class LandingList:
    entries_yaml: str
    corpus: Corpus
    truth: dict[str, str | None]  # entry id -> expected standard id (None: must abstain)
    profiles: Counter[str] = field(default_factory=Counter)
    needs: Counter[str] = field(default_factory=Counter)  # requests the entries need at least, per kind


def _ascii(name: str) -> str:
    """A family name as CVF and PMLR write it in their URLs: accents off, letters only."""
    folded = unicodedata.normalize("NFKD", name)
    return "".join(c for c in folded if c.isascii() and c.isalpha())


def _people(rng: random.Random) -> list[tuple[str, str]]:
    return [(rng.choice(_GIVEN), rng.choice(_FAMILY)) for _ in range(rng.choice((1, 2, 3, 4, 6)))]


def _title(rng: random.Random, index: int) -> str:
    return " ".join(rng.sample(_WORDS, rng.randint(5, 9))).capitalize() + f" for Landing Case {index}"


def _item(
    doi: str, title: str, people: list[tuple[str, str]], year: int, container: str, **extra: Any
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "publisher": extra.pop("publisher", SYNTHETIC),
        "DOI": doi,
        "type": extra.pop("kind", "journal-article"),
        "title": [title],
        "author": [
            {"given": g, "family": f, "sequence": "first" if n == 0 else "additional", "affiliation": []}
            for n, (g, f) in enumerate(people)
        ],
        "container-title": [container] if isinstance(container, str) else container,
        "issued": {"date-parts": [[year]]},
        "score": extra.pop("score", 50.0),
        "URL": f"https://doi.org/{doi}",
    }
    item.update({key.replace("_", "-"): value for key, value in extra.items()})
    return item


def _list(items: list[dict[str, Any]]) -> bytes:
    message = {
        "facets": {},
        "total-results": 1000 + len(items),
        "items": items,
        "items-per-page": 5,
        "query": {"start-index": 0, "search-terms": None},
    }
    return crossref_json({"status": "ok", "message-type": "work-list", "message-version": "1.0.0", "message": message})


def _work(item: dict[str, Any]) -> _Answer:
    message = {**item, "score": 1, "relation": {}}
    return _Answer(
        200,
        "application/json",
        crossref_json({"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": message}),
    )


def _note(
    note_id: str,
    title: str,
    people: list[tuple[str, str]],
    *,
    venue: str,
    venueid: str,
    year: int,
    accepted: bool,
    api: str,
) -> dict[str, Any]:
    names = [f"{g} {f}" for g, f in people]
    millis = int((year - 1970) * 365.25 * 86_400_000)
    kind = "inproceedings" if accepted else "misc"
    author = " and ".join(names)
    bibtex = f"@{kind}{{\nbench{note_id.lower()},\ntitle={{{title}}},\nauthor={{{author}}},\nyear={{{year}}}\n}}"
    fields = {"title": title, "authors": names, "venue": venue, "venueid": venueid, "_bibtex": bibtex}
    if api == "v2":
        note: dict[str, Any] = {
            "id": note_id,
            "forum": note_id,
            "content": {k: {"value": v} for k, v in fields.items()},
            "cdate": millis,
            "odate": millis,
            "domain": venueid.split("/Rejected")[0],
            "version": 2,
        }
        if accepted:
            note["pdate"] = millis + 100 * 86_400_000
        return note
    return {
        "id": note_id,
        "forum": note_id,
        "content": fields,
        "cdate": millis,
        "replyto": None,
        "ddate": None,
        "invitation": f"{venueid.split('/Rejected')[0]}/-/Blind_Submission",
    }


def _notes(notes: list[dict[str, Any]]) -> bytes:
    return json.dumps({"notes": notes}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def generate(size: int, *, seed: int = 11) -> LandingList:  # noqa: C901 - one branch per link form, beside its records
    """`size` landing-page entries (entries.yaml text), the answers that resolve them, and the truth."""
    rng = random.Random(f"landing-{seed}-{size}")
    corpus = Corpus(None)  # filled in memory; the fake's lookups are unchanged
    truth: dict[str, str | None] = {}
    profiles: Counter[str] = Counter()
    needs: Counter[str] = Counter()
    names = [name for name, _ in PROFILES]
    weights = [weight for _, weight in PROFILES]
    rows: list[str] = []
    for index in range(size):
        profile = rng.choices(names, weights)[0]
        profiles[profile] += 1
        entry_id = f"landing-{index:04d}"
        title = _title(rng, index)
        people, others = _people(rng), _people(rng)
        year = rng.randint(2019, 2025)
        decoy_doi = f"10.5555/bench-decoy.{index}"
        expected: str | None = None
        abbr = None
        search_title = title
        if profile in ("ieee-conference", "ieee-journal"):
            arnumber = str(9_000_000 + index)
            if profile == "ieee-conference":
                doi = f"10.1109/IGARSS-bench.{year}.{arnumber}"
                right = _item(
                    doi,
                    title,
                    people,
                    year,
                    f"IGARSS {year} - {year} IEEE International Geoscience and Remote Sensing Symposium",
                    kind="proceedings-article",
                    publisher="IEEE",
                )
                venue = f"IGARSS {year}"
            else:
                acronym, journal, issns = rng.choice(JOURNALS)
                doi = f"10.1109/{acronym}-bench.{year}.{index}"
                right = _item(
                    doi,
                    title + rng.choice(("", " [Feature]")),
                    people,
                    year,
                    journal,
                    ISSN=list(issns),
                    publisher="IEEE",
                )
                venue = f"{acronym}{year}" if rng.random() < 0.5 else f"IEEE {acronym} {year}"
            url = f"https://ieeexplore.ieee.org/{'abstract/' if index % 2 else ''}document/{arnumber}"
            decoy = _item(decoy_doi, title + " Revisited", others, year, "Journal of Synthetic Test Records")
            corpus.crossref_search[normalise(title)] = _list([right, decoy])
            expected = f"doi:{doi.lower()}"
            needs["crossref-list"] += 1
        elif profile == "sciencedirect":
            label, journal, issns, prefix = rng.choice(ELSEVIER)
            pii = f"{prefix}{year % 100:02d}{index:06d}"
            doi = f"10.1016/bench.{year}.{index}"
            corpus.crossref_works[doi.lower()] = _work(
                _item(
                    doi, title, people, year, journal, ISSN=list(issns), alternative_id=[pii], publisher="Elsevier BV"
                )
            )
            url = f"https://www.sciencedirect.com/science/article/{'abs/' if index % 2 else ''}pii/{pii}"
            venue = f"{label} {year}"
            expected = f"doi:{doi.lower()}"
            needs["crossref-list"] += 1
        elif profile == "mdpi":
            volume, issue, article = year - 2008, rng.randint(1, 24), rng.randint(1, 6000)
            doi = f"10.3390/bench.{index}"
            right = _item(
                doi,
                title,
                people,
                year,
                "Remote Sensing",
                ISSN=["2072-4292"],
                volume=str(volume),
                issue=str(issue),
                article_number=str(article),
                publisher="MDPI AG",
            )
            decoy = _item(
                decoy_doi,
                title,
                others,
                year,
                "Remote Sensing",
                ISSN=["2072-4292"],
                volume=str(volume),
                issue=str(issue % 24 + 1),
                article_number=str(article + 1),
                publisher="MDPI AG",
            )
            corpus.crossref_search[normalise(title)] = _list([decoy, right])
            url = f"https://www.mdpi.com/2072-4292/{volume}/{issue}/{article}"
            venue = rng.choice((f"RS{year}", f"Remote Sensing {year}", f"MDPI Remote Sensing {year}"))
            expected = f"doi:{doi.lower()}"
            needs["crossref-list"] += 1
        elif profile in ("cvf", "cvf-name-only"):
            acronym, name = rng.choice(CVF)
            words = re.sub(r"[^A-Za-z0-9 ]", "", title).split()
            first = "_".join(_ascii(word) for word in people[0][1].split())  # CVF: "Van_der_Berg_Title_..."
            if profile == "cvf-name-only":
                abbr = f"Bench{index}Net"
                title = f"{abbr}: " + title
                words = [abbr, *words]
                search_title = " ".join(words)
            doi = f"10.1109/{acronym}-bench.{year}.{index}"
            right = _item(
                doi, title, people, year, f"{year} {name} ({acronym})", kind="proceedings-article", publisher="IEEE"
            )
            decoy = _item(
                decoy_doi, title, others, year + 1, f"{year + 1} {name} ({acronym})", kind="proceedings-article"
            )
            corpus.crossref_search[normalise(search_title)] = _list([decoy, right])
            url = f"https://openaccess.thecvf.com/content/{acronym}{year}/html/{first}_{'_'.join(words)}_{acronym}_{year}_paper.html"
            venue = f"{acronym} {year}" if rng.random() < 0.6 else f"{acronym}{year}"
            if profile == "cvf-name-only":
                title = abbr  # the list writes only the model's name
            expected = f"doi:{doi.lower()}"
            needs["crossref-list"] += 1
        elif profile in ("neurips", "pmlr"):
            if profile == "neurips":
                year = rng.randint(2021, 2024)
                api = "v1" if year <= 2022 else "v2"
                venueid, label = f"NeurIPS.cc/{year}/Conference", f"NeurIPS {year}"
                url = f"https://proceedings.neurips.cc/paper_files/paper/{year}/hash/{index:032x}-Abstract-Conference.html"
            else:
                year = rng.choice((2023, 2024))
                api, venueid, label = "v2", f"ICML.cc/{year}/Conference", f"ICML {year}"
                volume = {2023: 202, 2024: 235}[year]
                url = f"https://proceedings.mlr.press/v{volume}/{_ascii(people[0][1]).lower()}{year % 100}a.html"
            note_id = f"BENCHa{index:05d}"
            right = _note(
                note_id, title, people, venue=f"{label} poster", venueid=venueid, year=year, accepted=True, api=api
            )
            decoy = _note(
                f"BENCHd{index:05d}",
                title,
                others,
                venue=f"Submitted to {label}",
                venueid=f"{venueid}/Rejected_Submission",
                year=year,
                accepted=False,
                api=api,
            )
            (corpus.openreview_search if api == "v2" else corpus.openreview_search_v1)[normalise(title)] = _notes(
                [decoy, right]
            )
            venue = label
            expected = f"openreview:{note_id}"
            needs["crossref-list"] += 1
            needs["openreview-search"] += 1
        elif profile == "ecva":
            year = rng.choice((2020, 2022, 2024))
            doi = f"10.1007/bench-eccv.{year}.{index}"
            right = _item(
                doi,
                title,
                people,
                year,
                ["Lecture Notes in Computer Science", f"Computer Vision \u2013 ECCV {year}"],
                kind="book-chapter",
                event={"name": "European Conference on Computer Vision"},
                publisher="Springer Nature Switzerland",
                page="1-17",
            )
            decoy = _item(decoy_doi, title, others, year, "Journal of Synthetic Test Records")
            corpus.crossref_search[normalise(title)] = _list([decoy, right])
            url = f"https://www.ecva.net/papers/eccv_{year}/papers_ECCV/html/{index}_ECCV_{year}_paper.php"
            venue = f"ECCV {year}"
            expected = f"doi:{doi.lower()}"
            needs["crossref-list"] += 1
        elif profile == "doi-link":
            template, prefix, acronym, container = rng.choice(DOI_LINKS)
            doi = f"{prefix}/bench.{index}"
            corpus.crossref_works[doi.lower()] = _work(_item(doi, title, people, year, container))
            url = template.format(doi=doi)
            venue = f"{acronym} {year}"
            expected = f"doi:{doi.lower()}"
            needs["crossref-record"] += 1
        elif profile == "aaai":
            doi = f"10.1609/aaai.bench.{index}"
            right = _item(
                doi,
                title,
                people,
                year,
                "Proceedings of the AAAI Conference on Artificial Intelligence",
                publisher="AAAI Press",
            )
            decoy = _item(
                decoy_doi,
                title + " (Student Abstract)",
                others,
                year,
                "Proceedings of the AAAI Conference on Artificial Intelligence",
            )
            corpus.crossref_search[normalise(title)] = _list([right, decoy])
            url = f"https://ojs.aaai.org/index.php/AAAI/article/view/{40000 + index}"
            venue = f"AAAI {year}"
            expected = f"doi:{doi.lower()}"
            needs["crossref-list"] += 1
        elif profile == "unknown-journal":
            acronym, journal, issns = rng.choice(JOURNALS)
            doi = f"10.1109/{acronym}-bench.{year}.{index}"
            right = _item(doi, title, people, year, journal, ISSN=list(issns), publisher="IEEE")
            decoy = _item(decoy_doi, title + ": Supplementary Material", others, year, journal, ISSN=list(issns))
            corpus.crossref_search[normalise(title)] = _list([right, decoy])
            url = f"https://www.researchgate.net/publication/{index}_{'_'.join(title.split()[:4])}"
            venue = f"{acronym} {year}"
            expected = f"doi:{doi.lower()}"
            needs["crossref-list"] += 1
        else:  # the abstentions
            url = f"https://example.org/papers/{entry_id}.html"
            venue = f"Arxiv {year}"
            if profile == "abstain-no-venue":
                items = [
                    _item(f"10.5555/bench-lookalike.{index}", title, others, year, "Journal of Synthetic Test Records")
                ]
            elif profile == "abstain-name-only":
                abbr = title = search_title = f"Bench{index}Former"
                venue = f"CVPR {year}"
                items = [
                    _item(
                        f"10.5555/bench-lookalike.{index}",
                        f"{title}",
                        others,
                        year,
                        f"{year} IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)",
                        kind="proceedings-article",
                    )
                ]
            elif profile == "abstain-tie":
                acronym, journal, issns = rng.choice(JOURNALS)
                venue = f"{acronym} {year}"
                items = [
                    _item(f"10.5555/bench-twin.{index}.{n}", title, _people(rng), year, journal, ISSN=list(issns))
                    for n in range(2)
                ]
            else:  # abstain-other-venue: listed at a symposium, the only same-title record is a journal article
                _, other_journal, other_issns = rng.choice(JOURNALS)
                venue = f"IGARSS {year}"
                items = [
                    _item(
                        f"10.5555/bench-elsewhere.{index}", title, others, year, other_journal, ISSN=list(other_issns)
                    )
                ]
            corpus.crossref_search[normalise(search_title)] = _list(items)
            needs["crossref-list"] += 1
        needs["arxiv-title"] += 1
        truth[entry_id] = expected
        row = [f"  - id: {entry_id}\n", "    section: papers\n", f"    title: {_yaml(title)}\n"]
        if abbr:
            row.append(f"    abbr: {_yaml(abbr)}\n")
        row += [f"    venue: {_yaml(venue)}\n", "    links:\n", f"      paper: {_yaml(url)}\n"]
        rows.append("".join(row))
    head = (
        "# Synthetic landing-page list for the geoemb-bib benchmark (benchmarks/landing.py): invented papers.\n"
        "list:\n  title: Synthetic Landing List\nsections:\n  - id: papers\n    title: Papers\nentries:\n"
    )
    return LandingList(head + "\n".join(rows), corpus, truth, profiles, needs)


def lower_bound(needs: Counter[str], latency: float, limits: Limits) -> dict[str, float]:
    """The time the services' limits force, per service, with the one dependency that cannot be avoided: an
    entry's Crossref and OpenReview searches need its arXiv title search answered (its authors carry them).

    arXiv: one `ti:` request per TITLES_PER_SEARCH titles, one every 3 s. Crossref: list queries (searches, filters)
    at the documented polite rate of 3 a second, records at 10. OpenReview: guests' full-text searches at 20 a
    minute. Each request takes one latency. The bound is the last answer of the slowest service.
    """
    arxiv_requests = math.ceil(needs["arxiv-title"] / TITLES_PER_SEARCH)
    arxiv = (arxiv_requests - 1) * limits.arxiv_interval + latency
    first_answer = latency  # the first arXiv batch is answered after one latency
    crossref = first_answer + needs["crossref-list"] / 3.0 + needs["crossref-record"] / 10.0 + latency
    searches = needs["openreview-search"]
    per_minute = OPENREVIEW_SEARCH_WINDOW[0] + 1
    openreview = first_answer + (math.ceil(searches / per_minute) - 1) * 60.0 + latency if searches else 0.0
    return {
        "arxiv": round(arxiv, 2),
        "crossref": round(crossref, 2),
        "openreview": round(openreview, 2),
        "bound": round(max(arxiv, crossref, openreview), 2),
        "arxiv_requests": arxiv_requests,
    }


def _load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def run(size: int, latency: float) -> dict[str, Any]:
    generated = generate(size)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    (WORK / "entries.yaml").write_text(generated.entries_yaml, encoding="utf-8")
    limits = Limits()
    fake = BenchServices(latency=latency, enforce_limits=True, limits=limits, corpus=generated.corpus).start()
    load_before = _load()
    try:
        env = {key: value for key, value in os.environ.items() if not key.startswith("GEOEMB_BIB_")}
        env.update(fake.env(cache_dir=WORK / "cache", mailto=MAILTO))
        started = time.perf_counter()
        done = subprocess.run(
            [str(CLI), "refresh", "--mailto", MAILTO], cwd=WORK, env=env, capture_output=True, text=True, check=False
        )
        wall = time.perf_counter() - started
        log = fake.log
    finally:
        fake.stop()
    if done.returncode not in (0, 1) or not (WORK / "enriched.yaml").exists():
        raise SystemExit(f"refresh failed ({done.returncode}):\n{done.stderr[-3000:]}")
    items = load_items((WORK / "enriched.yaml").read_text(encoding="utf-8"), "enriched.yaml")
    resolved = wrong = abstained = 0
    reasons: Counter[str] = Counter()
    wrong_ids: list[str] = []
    for entry_id, expected in generated.truth.items():
        item = items[entry_id]
        found = item.record.standard_id if item.status == "published" else None
        if found is None:
            abstained += 1
            line = next((p for p in item.problems if p.startswith("abstained: ")), None)
            reasons[_reason(line) if line else "no record close to the title"] += 1
            if expected is not None:
                wrong_ids.append(f"{entry_id}: expected {expected}, abstained")
        elif expected is not None and found.lower() == expected.lower():
            resolved += 1
        else:
            wrong += 1
            wrong_ids.append(f"{entry_id}: expected {expected}, got {found}")
    counts = Counter(request.service for request in log)
    return {
        "size": size,
        "latency": latency,
        "profiles": dict(generated.profiles),
        "should_resolve": sum(1 for value in generated.truth.values() if value is not None),
        "should_abstain": sum(1 for value in generated.truth.values() if value is None),
        "resolved": resolved,
        "abstained": abstained,
        "wrong": wrong,
        "missed": [line for line in wrong_ids if line.endswith("abstained")],
        "wrong_entries": [line for line in wrong_ids if not line.endswith("abstained")],
        "reasons": dict(reasons.most_common()),
        "wall": round(wall, 2),
        "requests": dict(counts),
        "limited": sum(1 for request in log if request.limited),
        "bound": lower_bound(generated.needs, latency, limits),
        "needs": dict(generated.needs),
        "load_before": load_before,
        "load_after": _load(),
        "cpus": os.cpu_count(),
        "exit": done.returncode,
    }


def _reason(line: str) -> str:
    """An abstention line without its record ids and titles, so that equal reasons count together."""
    text = line.removeprefix("abstained: ")
    text = re.sub(r"^[^:]+: \S+ has the title but ", "", text)
    text = re.sub(r"'[^']*'", "'…'", text)
    text = re.sub(r"\b(?:10\.\d+/\S+|doi:\S+)", "<doi>", text)
    return re.sub(r"\d{4}", "<year>", text)


def render(result: dict[str, Any]) -> str:
    bound, needs = result["bound"], result["needs"]
    ratio = result["wall"] / bound["bound"] if bound["bound"] else float("nan")
    lines = [
        START,
        "## Scenario 6: a list written with landing-page links (issue #11)",
        "",
        f"{result['size']} synthetic entries (`benchmarks/landing.py`, seed fixed), every one linked to a landing page"
        " (no arXiv id, no `ids:`), each search answer with a near-identical decoy; one cold `geoemb-bib refresh`"
        f" against the fake with {result['latency']} s latency per answer and the services' limits enforced. Run once"
        f" on a shared machine ({result['cpus']} cores; load average before {result['load_before']}, after"
        f" {result['load_after']}).",
        "",
        "| | entries |",
        "|---|---|",
        f"| should resolve / should abstain | {result['should_resolve']} / {result['should_abstain']} |",
        f"| **resolved to the right record** | **{result['resolved']}** |",
        f"| **abstained** | **{result['abstained']}** (of which {len(result['missed'])} should have resolved) |",
        f"| **wrong** | **{result['wrong']}** |",
        "",
        "Abstentions by the missing evidence (each entry's one-line reason in `status` and the change report):",
        "",
        "| reason | entries |",
        "|---|---|",
        *[f"| {reason} | {count} |" for reason, count in result["reasons"].items()],
        "",
        "| cold refresh | seconds |",
        "|---|---|",
        f"| measured wall time (process start to exit) | {result['wall']} |",
        f"| lower bound (slowest service) | {bound['bound']} |",
        f"| of which arXiv: {bound['arxiv_requests']} `ti:` requests for {needs.get('arxiv-title', 0)} titles,"
        f" 3 s apart | {bound['arxiv']} |",
        f"| of which Crossref: {needs.get('crossref-list', 0)} list queries at 3/s,"
        f" {needs.get('crossref-record', 0)} records at 10/s | {bound['crossref']} |",
        f"| of which OpenReview: {needs.get('openreview-search', 0)} title searches at 20 a minute"
        f" | {bound['openreview']} |",
        f"| ratio measured / bound | {ratio:.2f} |",
        "",
        f"Requests made: {', '.join(f'{service} {count}' for service, count in sorted(result['requests'].items()))};"
        f" answered 429 by the enforced limits: {result['limited']}. Profiles: "
        + ", ".join(f"{name} {count}" for name, count in sorted(result["profiles"].items()))
        + ".",
        "",
        GAP_NOTE,
    ]
    if result["missed"] or result["wrong_entries"]:
        lines += ["", "Not as expected: " + "; ".join(result["missed"] + result["wrong_entries"])]
    lines.append(END)
    return "\n".join(lines) + "\n"


def write_section(section: str, path: Path = HERE / "RESULTS.md") -> None:
    """Put the scenario's section into RESULTS.md, replacing an earlier one, keeping everything else."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section.rstrip("\n") + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=240, help="entries in the synthetic list (default 240)")
    parser.add_argument("--latency", type=float, default=0.15, help="seconds the fake adds to every answer")
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing RESULTS.md")
    args = parser.parse_args(argv)
    result = run(args.size, args.latency)
    (HERE / ".work").mkdir(exist_ok=True)
    (HERE / ".work" / "landing-results.json").write_text(json.dumps(result, indent=1))
    section = render(result)
    if args.no_write:
        print(section)
    else:
        write_section(section)
        print(f"wrote scenario 6 into {HERE / 'RESULTS.md'}", file=sys.stderr)
    return 0 if result["wrong"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
