"""The BibTeX export compiled by the real tools: a document that \\nocite{*}s the whole export, with pdflatex + bibtex
(natbib, plainnat) and with pdflatex + biblatex/biber. Errors and warnings are read from the .log and .blg files;
the bundled list and the realistic samples must give none, hostile metadata no error."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path
from typing import Literal

import pytest

from catalog_samples import hostile_catalog, realistic_catalog
from geoemb_bib.exporters import ExportOptions, export
from geoemb_bib.model import Catalog
from resolved_replay import resolved_bundled_catalog
from test_export_bibtex import bundled_catalog

pytestmark = pytest.mark.tex


def _missing_tools() -> str | None:
    for tool in ("pdflatex", "bibtex", "biber", "kpsewhich"):
        if shutil.which(tool) is None:
            return tool
    for style in ("natbib.sty", "plainnat.bst", "biblatex.sty", "url.sty"):
        found = subprocess.run(["kpsewhich", style], capture_output=True, text=True).stdout.strip()
        if not found:
            return style
    return None


MISSING = _missing_tools()
needs_tex = pytest.mark.skipif(
    MISSING is not None,
    reason=f"TeX tool or package {MISSING} is absent "
    "(Debian: texlive-latex-base texlive-latex-recommended texlive-bibtex-extra biber)",
)

# T1: the classic flavour keeps letters such as ę (\k{e}), đ and þ, which LaTeX sets only in the T1 font encoding.
NATBIB_DOCUMENT = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage[numbers]{natbib}
\usepackage{url}
\begin{document}
\nocite{*}
\bibliographystyle{plainnat}
\bibliography{references}
\end{document}
"""
BIBLATEX_DOCUMENT = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage[backend=biber]{biblatex}
\usepackage{url}
\addbibresource{references.bib}
\begin{document}
\nocite{*}
\printbibliography
\end{document}
"""
# Box badness is typography (long URLs in a narrow column), not something the .bib can fix; everything else counts.
_LOG_WARNING = re.compile(
    r"^(?:LaTeX|Package|Class) .*Warning|^pdfTeX warning|Missing character|^LaTeX Font Warning", re.MULTILINE
)
_LOG_ERROR = re.compile(r"^! .*$", re.MULTILINE)


@dataclasses.dataclass
class Outcome:
    errors: list[str]
    warnings: list[str]

    def __str__(self) -> str:
        return "\n".join(["errors:", *self.errors, "warnings:", *self.warnings])


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=300, stdin=subprocess.DEVNULL
    )


def _latex(cwd: Path) -> None:
    _run(["pdflatex", "-interaction=nonstopmode", "-no-shell-escape", "document.tex"], cwd)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _document(template: str, t1: bool) -> str:
    return template if t1 else template.replace("\\usepackage[T1]{fontenc}\n", "")


def compile_natbib(bib: str, workdir: Path, t1: bool = True) -> Outcome:
    (workdir / "references.bib").write_text(bib, encoding="utf-8")
    (workdir / "document.tex").write_text(_document(NATBIB_DOCUMENT, t1), encoding="utf-8")
    _latex(workdir)
    bibtex = _run(["bibtex", "document"], workdir)
    _latex(workdir)
    _latex(workdir)
    blg = _read(workdir / "document.blg")
    log = _read(workdir / "document.log")
    errors = _LOG_ERROR.findall(log) + re.findall(
        r"^.*(?:error message|I was expecting|I'm skipping|Illegal|Aborted).*$", blg, re.MULTILINE
    )
    if bibtex.returncode >= 2:
        errors.append(f"bibtex exited {bibtex.returncode}")
    warnings = _LOG_WARNING.findall(log) + re.findall(r"^Warning--.*$", blg, re.MULTILINE)
    return Outcome(errors, warnings)


def compile_biblatex(bib: str, workdir: Path, t1: bool = True) -> Outcome:
    (workdir / "references.bib").write_text(bib, encoding="utf-8")
    (workdir / "document.tex").write_text(_document(BIBLATEX_DOCUMENT, t1), encoding="utf-8")
    _latex(workdir)
    biber = _run(["biber", "document"], workdir)
    _latex(workdir)
    _latex(workdir)
    blg = _read(workdir / "document.blg")
    log = _read(workdir / "document.log")
    errors = _LOG_ERROR.findall(log) + re.findall(r"^.*\bERROR\b.*$", blg, re.MULTILINE)
    if biber.returncode != 0:
        errors.append(f"biber exited {biber.returncode}: {biber.stdout[-500:]}")
    warnings = _LOG_WARNING.findall(log) + re.findall(r"^.*\bWARN\b.*$", blg, re.MULTILINE)
    return Outcome(errors, warnings)


def _bib(catalog: Catalog, flavour: Literal["bibtex", "biblatex"]) -> str:
    return export("bibtex", catalog, ExportOptions(bibtex_flavour=flavour))


# "resolved" is the bundled list after a refresh against the replay corpus: what a survey author compiles.
CATALOGS = {"bundled": bundled_catalog, "realistic": realistic_catalog, "resolved": resolved_bundled_catalog}


@needs_tex
@pytest.mark.parametrize("name", sorted(CATALOGS))
def test_natbib_plainnat_compiles_without_errors_or_warnings(name: str, tmp_path: Path) -> None:
    outcome = compile_natbib(_bib(CATALOGS[name](), "bibtex"), tmp_path)
    assert not outcome.errors and not outcome.warnings, str(outcome)
    assert (tmp_path / "document.pdf").exists()
    bbl = _read(tmp_path / "document.bbl")
    assert bbl.count("\\bibitem") == len(CATALOGS[name]().items)


@needs_tex
@pytest.mark.parametrize("name", sorted(CATALOGS))
def test_biblatex_biber_compiles_without_errors_or_warnings(name: str, tmp_path: Path) -> None:
    outcome = compile_biblatex(_bib(CATALOGS[name](), "biblatex"), tmp_path)
    assert not outcome.errors and not outcome.warnings, str(outcome)
    bbl = _read(tmp_path / "document.bbl")
    assert bbl.count("\\entry{") == len(CATALOGS[name]().items)


@needs_tex
@pytest.mark.parametrize("flavour", ("bibtex", "biblatex"))
def test_a_document_without_t1_still_compiles_clean(flavour: str, tmp_path: Path) -> None:
    # Letters only T1 sets (ę as {\k{e}}) get a plain-letter default in @preamble for LaTeX's default OT1 encoding.
    compile_document = compile_natbib if flavour == "bibtex" else compile_biblatex
    bib = _bib(realistic_catalog(), flavour)
    assert "J{\\k{e}}drzej" in bib
    outcome = compile_document(bib, tmp_path, t1=False)
    assert not outcome.errors and not outcome.warnings, str(outcome)


@needs_tex
def test_classic_bibtex_read_by_biber_is_clean_too(tmp_path: Path) -> None:
    # Survey authors switch engines without re-exporting: the classic flavour must also satisfy biber.
    outcome = compile_biblatex(_bib(realistic_catalog(), "bibtex"), tmp_path)
    assert not outcome.errors and not outcome.warnings, str(outcome)


@needs_tex
def test_hostile_metadata_compiles_without_errors(tmp_path: Path) -> None:
    (tmp_path / "natbib").mkdir()
    (tmp_path / "biblatex").mkdir()
    natbib = compile_natbib(_bib(hostile_catalog(), "bibtex"), tmp_path / "natbib")
    assert not natbib.errors, str(natbib)
    # The only complaints are about the item that has neither author, year nor a usable title.
    assert all("empty-record" in warning for warning in natbib.warnings), str(natbib)
    biblatex = compile_biblatex(_bib(hostile_catalog(), "biblatex"), tmp_path / "biblatex")
    assert not biblatex.errors and not biblatex.warnings, str(biblatex)
    # Nothing from the data ran: no file was read or written by \input or \write18.
    for log in tmp_path.rglob("document.log"):
        assert "/etc/passwd" not in _read(log)


@needs_tex
def test_unicode_output_is_clean_for_biber_and_pdflatex(tmp_path: Path) -> None:
    # UTF-8 for biber, yet a lone Greek letter (ESA Φ-lab) is math: pdflatex's inputenc has no text glyph for it.
    bib = export("bibtex", realistic_catalog(), ExportOptions(bibtex_flavour="biblatex", unicode=True))
    assert "Bojanowski, Jędrzej S." in bib and "{IBM \\& ESA {$\\Phi$}-lab}" in bib
    outcome = compile_biblatex(bib, tmp_path)
    assert not outcome.errors and not outcome.warnings, str(outcome)


@needs_tex
def test_extreme_sizes_compile_without_errors(tmp_path: Path) -> None:
    # Issue #7: a 10,000-character title and 2,000 authors from a service must not break the document.
    from catalog_samples import catalog, geoclip
    from geoemb_bib.model import Person

    record = dataclasses.replace(
        geoclip().record,
        title="Embeddings " * 909 + "Earth",
        author=tuple(Person(family=f"Author{n}", given="Given") for n in range(2000)),
    )
    extreme = catalog([dataclasses.replace(geoclip(), record=record)])
    (tmp_path / "natbib").mkdir()
    (tmp_path / "biblatex").mkdir()
    assert not compile_natbib(_bib(extreme, "bibtex"), tmp_path / "natbib").errors
    assert not compile_biblatex(_bib(extreme, "biblatex"), tmp_path / "biblatex").errors
