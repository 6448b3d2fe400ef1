"""The CSL-JSON export rendered by real citation processors, pandoc --citeproc and citeproc-js (Zotero's engine),
with the APA style: every item comes out with its author, title, year and container."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from catalog_samples import hostile_catalog, realistic_catalog
from geoemb_bib.exporters import ExportOptions, export
from geoemb_bib.exporters._citation import citations, plain
from geoemb_bib.model import Catalog
from resolved_replay import resolved_bundled_catalog
from test_export_bibtex import bundled_catalog

TESTS = Path(__file__).parent
APA = TESTS / "fixtures" / "csl" / "styles" / "apa.csl"
LOCALE = TESTS / "fixtures" / "csl" / "locales" / "locales-en-US.xml"
JS = TESTS / "js"
CATALOGS = {"bundled": bundled_catalog, "realistic": realistic_catalog, "resolved": resolved_bundled_catalog}


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split()).casefold()


def check_complete(catalog: Catalog, rendered: dict[str, str]) -> None:
    for c in citations(catalog):
        text = _text(rendered[c.key])
        if c.authors:
            first = c.authors[0]
            assert (first.literal or first.family).casefold() in text, (c.key, text)
        title = plain(c.title).casefold()
        assert title[:40] in text, (c.key, title, text)
        assert (str(c.issued.year) if c.issued else "n.d.") in text, (c.key, text)
        if c.form in ("conference", "journal") and c.container:
            assert c.container.casefold() in text, (c.key, text)


def _pandoc(catalog: Catalog, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "references.json"
    path.write_text(export("csl-json", catalog, ExportOptions()), encoding="utf-8")
    result = subprocess.run(
        ["pandoc", "-f", "csljson", "-t", "html", "--citeproc", "--wrap=none", f"--csl={APA}", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and not result.stderr, result.stderr
    return dict(re.findall(r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>\s*(.*?)\s*</div>', result.stdout, re.DOTALL))


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is not installed (Debian: apt-get install pandoc)")
@pytest.mark.parametrize("name", sorted(CATALOGS))
def test_pandoc_citeproc_renders_every_item_complete(name: str, tmp_path: Path) -> None:
    catalog = CATALOGS[name]()
    rendered = _pandoc(catalog, tmp_path)
    assert sorted(rendered) == sorted(item.key for item in catalog.items)
    check_complete(catalog, rendered)


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is not installed (Debian: apt-get install pandoc)")
def test_pandoc_renders_hostile_items(tmp_path: Path) -> None:
    assert len(_pandoc(hostile_catalog(), tmp_path)) == len(hostile_catalog().items)


def _citeproc_js(catalog: Catalog, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "references.json"
    path.write_text(export("csl-json", catalog, ExportOptions()), encoding="utf-8")
    result = subprocess.run(
        ["node", str(JS / "render.js"), str(path), str(APA), str(LOCALE)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["errors"] == []
    return output["entries"]


needs_citeproc_js = pytest.mark.skipif(
    shutil.which("node") is None or not (JS / "node_modules" / "citeproc").is_dir(),
    reason="citeproc-js is not installed: run `npm ci --prefix tests/js` (needs node and npm)",
)


@needs_citeproc_js
@pytest.mark.parametrize("name", sorted(CATALOGS))
def test_citeproc_js_renders_every_item_complete(name: str, tmp_path: Path) -> None:
    catalog = CATALOGS[name]()
    rendered = _citeproc_js(catalog, tmp_path)
    assert sorted(rendered) == sorted(item.key for item in catalog.items)
    check_complete(catalog, rendered)


@needs_citeproc_js
def test_citeproc_js_renders_hostile_items(tmp_path: Path) -> None:
    assert len(_citeproc_js(hostile_catalog(), tmp_path)) == len(hostile_catalog().items)
