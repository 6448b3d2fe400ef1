"""The `geoemb-bib` command line: the only place that prints, exits, reads configuration and touches files.

Each command is a thin layer over the library. Exit codes: 0 all fine, 1 some entries failed or a domain
error, 2 usage error. Errors print as `error: <what>` and `hint: <remedy>`; `--debug` shows tracebacks.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from . import __version__
from .errors import EntriesError, GeoembBibError, InputError, OutputError

if TYPE_CHECKING:
    from .model import Catalog, CuratedList, Resolved

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

DEFAULT_ENTRIES = "entries.yaml"
ENRICHED_NAME = "enriched.yaml"
FORMATS = ("bibtex", "csl-json", "yaml", "markdown")

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """What every command shares: the debug flag and how to report."""

    def __init__(self, debug: bool) -> None:
        self.debug = debug


def _fail(error: GeoembBibError, debug: bool) -> NoReturn:
    if debug:
        raise error
    if isinstance(error, EntriesError):
        for problem in error.problems:
            click.echo(str(problem), err=True)
        count = len(error.problems)
        click.echo(f"error: {count} problem{'s' if count != 1 else ''} found", err=True)
    else:
        click.echo(f"error: {error.message}", err=True)
    if error.hint:
        click.echo(f"hint: {error.hint}", err=True)
    sys.exit(EXIT_FAILED)


def reports_errors(command: F) -> F:
    """Turn the library's errors into `error:`/`hint:` lines and exit code 1 (tracebacks only with --debug)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_object(Context)
        try:
            return command(*args, **kwargs)
        except GeoembBibError as error:
            _fail(error, debug.debug if debug else False)

    wrapper.__name__ = command.__name__
    wrapper.__doc__ = command.__doc__
    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="geoemb-bib")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Resolve a curated list of papers against arXiv, Crossref and OpenReview and export
    BibTeX, CSL-JSON, enriched YAML and the Markdown list.

    \b
    Examples:
      geoemb-bib build                      # refresh entries.yaml and write build/
      geoemb-bib check entries.yaml         # validate, no network
      geoemb-bib export --format bibtex -o refs.bib
    """
    ctx.obj = Context(debug=debug)


# -- files ------------------------------------------------------------------------------------------


def read_curated(path: Path) -> CuratedList:
    from .entries import load_entries

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", hint="give the path of your entries.yaml, or run in its folder") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return load_entries(str(path), data)


def read_enriched(path: Path) -> dict[str, Resolved]:
    """The resolved items of a previous refresh, by entry id; empty when there is no enriched.yaml yet."""
    if not path.exists():
        return {}
    from .enriched import load_items

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})", hint="delete it to rebuild it with `geoemb-bib refresh`") from None
    return load_items(text, str(path))


def write_atomically(path: Path, text: str) -> None:
    """Write the whole file or nothing: a temporary file in the same folder, flushed, then renamed over."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror})", hint="check the folder exists and is writable") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write ({exc.strerror})", hint="check the folder is writable and the disk not full") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def enriched_path_for(entries_path: Path) -> Path:
    return entries_path.parent / ENRICHED_NAME


def load_catalog(entries_path: Path) -> Catalog:
    from .catalog import build_catalog

    curated = read_curated(entries_path)
    return build_catalog(curated, read_enriched(enriched_path_for(entries_path)))


# -- commands ---------------------------------------------------------------------------------------


@main.command()
@click.argument("entries", type=click.Path(path_type=Path), default=DEFAULT_ENTRIES)
@reports_errors
def check(entries: Path) -> None:
    """Validate ENTRIES (default: entries.yaml) without touching the network.

    Prints one line per problem as `file:line:column: where: what` and exits 1 if there is any.

    \b
    Example:
      geoemb-bib check entries.yaml
    """
    curated = read_curated(entries)
    papers = sum(1 for e in curated.entries if e.is_paper)
    others = len(curated.entries) - papers
    click.echo(
        f"{entries}: ok ({_count(len(curated.entries), 'entry', 'entries')}: {_count(papers, 'paper')}, "
        f"{_count(others, 'other item')}; {_count(len(curated.sections), 'section')})"
    )


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


@main.command(name="export")
@click.option("--format", "format_name", type=click.Choice(FORMATS), required=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file instead of standard output.")
@click.option("--entries", "entries_path", type=click.Path(path_type=Path), default=DEFAULT_ENTRIES, show_default=True, help="The curated list.")
@click.option("--unicode", is_flag=True, help="BibTeX: keep non-ASCII characters (for biber) instead of LaTeX escapes.")
@click.option("--flavour", type=click.Choice(["bibtex", "biblatex"]), default="bibtex", show_default=True, help="BibTeX dialect.")
@click.option("--sort", type=click.Choice(["list", "key"]), default="list", show_default=True, help="Entry order.")
@click.option("--as-listed", is_flag=True, help="Markdown: reproduce the list exactly as curated (listed titles and venues).")
@click.option("--authors", is_flag=True, help="Markdown: add an authors column.")
@reports_errors
def export_command(
    format_name: str, output: Path | None, entries_path: Path, unicode: bool, flavour: str, sort: str, as_listed: bool, authors: bool
) -> None:
    """Export the list from entries.yaml and enriched.yaml, without touching the network.

    \b
    Examples:
      geoemb-bib export --format bibtex -o references.bib
      geoemb-bib export --format csl-json > references.json
      geoemb-bib export --format markdown --as-listed
    """
    from .exporters import ExportOptions, export

    catalog = load_catalog(entries_path)
    options = ExportOptions(
        bibtex_flavour=flavour,  # type: ignore[arg-type]
        unicode=unicode,
        sort=sort,  # type: ignore[arg-type]
        markdown_as_listed=as_listed,
        markdown_authors=authors,
    )
    text = export(format_name, catalog, options)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomically(output, text)
        click.echo(f"wrote {output}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
