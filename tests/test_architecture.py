"""The agreed shape holds: imports go one way, the network and the disk stay at the edges, the library never prints."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "src" / "geoemb_bib"

# module -> the project modules it may import (besides itself). Mirrors docs/architecture.md.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "text": set(),
    "services": set(),
    "yaml_layout": set(),
    "model": {"services", "ids"},
    "ids": set(),
    "names": {"model", "text"},
    "config": {"errors", "services"},
    "entries": {"model", "ids", "names", "errors", "text", "yaml_layout"},
    "fetch": {"model", "errors", "services"},
    "sources": {"model", "ids", "names", "errors", "sources", "services", "text"},
    "venues": {"model"},
    "landing": {"ids", "venues"},
    "matching": {"model", "ids", "names", "text", "venues", "landing"},
    "merge": {"model", "ids", "matching", "names", "text", "venues"},
    "keys": {"model", "matching", "text"},
    "enriched": {"model", "ids", "errors", "names", "yaml_layout"},
    "catalog": {"model"},
    "report": {"model", "keys"},
    "status": {"model"},
    "resolve": {
        "model",
        "ids",
        "errors",
        "matching",
        "merge",
        "keys",
        "catalog",
        "report",
        "sources",
        "fetch",
        "services",
        "landing",
        "venues",
        "carryover",
    },
    "carryover": {"model", "fetch"},
    "snapshots": {"model", "carryover", "enriched", "entries", "errors"},
    "adding": {"model", "ids", "keys", "venues", "entries", "errors", "sources", "fetch"},
    "exporters": {"model", "ids", "errors", "enriched", "exporters", "names", "text"},
    "importers": {"model", "ids", "errors", "entries", "matching", "names", "exporters", "importers", "yaml_layout"},
}
# Modules that may touch the network or the disk.
NETWORK_AND_CACHE = {"httpx", "diskcache", "requests", "urllib3", "socket", "http"}


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).with_suffix("")
        parts = relative.parts
        if parts[-1] in ("__init__", "__main__") and len(parts) == 1:
            continue
        found.append((parts[0], path))
    return found


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """(project modules imported, third-party/stdlib top-level names imported)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package_parts = path.relative_to(PACKAGE).parts
    own: set[str] = set()
    foreign: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.name
                if name.startswith("geoemb_bib."):
                    own.add(name.split(".")[1])
                else:
                    foreign.add(name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                module = node.module or ""
                if module.startswith("geoemb_bib"):
                    rest = module.split(".")[1:] or [alias.name for alias in node.names]
                    own.add(rest[0])
                else:
                    foreign.add(module.split(".")[0])
            else:
                base = list(package_parts[:-1])[: len(package_parts) - node.level]
                target = [*base, *(node.module.split(".") if node.module else [])]
                if target:
                    own.add(target[0])
                else:
                    own.update(alias.name for alias in node.names)
    return own, foreign


@pytest.mark.parametrize(("module", "path"), _modules(), ids=lambda value: str(value) if isinstance(value, str) else "")
def test_imports_go_one_way(module: str, path: Path) -> None:
    if module == "cli":
        return  # the command line may import anything
    own, _ = _imports(path)
    allowed = ALLOWED[module] | {module, "__init__", "__version__"}
    assert own <= allowed, f"{path.relative_to(REPO_ROOT)} imports {sorted(own - allowed)}"


@pytest.mark.parametrize(("module", "path"), _modules(), ids=lambda value: str(value) if isinstance(value, str) else "")
def test_only_fetch_talks_to_the_network_and_the_cache(module: str, path: Path) -> None:
    _, foreign = _imports(path)
    if module != "fetch":
        assert not foreign & NETWORK_AND_CACHE, (
            f"{path.relative_to(REPO_ROOT)} imports {sorted(foreign & NETWORK_AND_CACHE)}"
        )


@pytest.mark.parametrize(("module", "path"), _modules(), ids=lambda value: str(value) if isinstance(value, str) else "")
def test_the_library_never_prints_and_never_catches_everything(module: str, path: Path) -> None:
    if module == "cli":
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in ("print", "input", "exit"), f"{path.name}:{node.lineno} calls {node.func.id}()"
        if isinstance(node, ast.ExceptHandler) and isinstance(node.type, ast.Name):
            assert node.type.id not in ("Exception", "BaseException"), (
                f"{path.name}:{node.lineno} catches {node.type.id}"
            )
        if isinstance(node, ast.ExceptHandler):
            assert node.type is not None, f"{path.name}:{node.lineno} has a bare except"


def test_help_does_not_import_heavy_libraries() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from click.testing import CliRunner; from geoemb_bib.cli import main; "
        "CliRunner().invoke(main, ['--help']); "
        "print(','.join(m for m in "
        "('httpx','diskcache','bibtexparser','rapidfuzz','yaml','rich','pylatexenc','arxiv') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == ""


def test_the_services_table_names_every_source_and_nothing_else() -> None:
    """services.SERVICES is the one list: the sources registry, the record's source type and the CLI agree with it."""
    import typing

    from geoemb_bib import services, sources
    from geoemb_bib.cli import main

    assert set(services.SOURCE_NAMES) == set(sources.BY_NAME)
    assert set(typing.get_args(services.SourceName)) == set(services.SOURCE_NAMES)
    clear = main.commands["cache"].commands["clear"]  # type: ignore[attr-defined]
    choices = next(p.type.choices for p in clear.params if p.name == "source")
    assert tuple(choices) == services.SERVICE_NAMES


def test_the_format_choices_are_the_exporters() -> None:
    from geoemb_bib.cli import main
    from geoemb_bib.exporters import EXPORTERS

    choices = next(p.type.choices for p in main.commands["export"].params if p.name == "format_name")
    assert tuple(choices) == tuple(EXPORTERS)
