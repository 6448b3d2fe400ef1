"""The `geoemb-bib` command line: the only place that prints, exits, reads configuration and touches files.

Each command is a thin layer over the library. Exit codes: 0 all fine, 1 some entries failed or a domain
error, 2 usage error, 130/143 interrupted by Ctrl-C/SIGTERM (every file as it was or complete). Errors print
as `error: <what>` and `hint: <remedy>`; `--debug` shows tracebacks.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import secrets
import signal
import stat
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn, TypeVar

import click

from . import __version__
from .errors import ConfigError, EntriesError, GeoembBibError, InputError, OutputError, Problem, UsageError
from .exporters import EXPORTERS
from .services import SERVICE_NAMES, SERVICES

if TYPE_CHECKING:
    from . import snapshots
    from .config import Config
    from .fetch import Fetcher, FetchSettings
    from .importers import Imported
    from .model import Catalog, CuratedList, Resolved
    from .resolve import RefreshResult

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
# What shells report for a process ended by a signal (128 + its number), so a CI log reads as expected.
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_TERMINATED = 128 + signal.SIGTERM
# A reader that went away (`status | head -1`): what the shell reports for any tool ended by SIGPIPE.
EXIT_BROKEN_PIPE = 128 + getattr(signal, "SIGPIPE", 13)
# Failures of the standard output itself (a full disk behind `> file`, /dev/full): one line, not a traceback.
OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EIO, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)})

DEFAULT_ENTRIES = "entries.yaml"
ENRICHED_NAME = "enriched.yaml"

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """What every command shares: the debug flag and how to report."""

    def __init__(self, debug: bool, verbose: int = 0) -> None:
        self.debug = debug
        self.verbose = verbose


def _fail(error: GeoembBibError, debug: bool) -> NoReturn:
    if debug:
        raise error
    if isinstance(error, EntriesError):
        for problem in error.problems:
            click.echo(str(problem), err=True)
        count = len(error.problems)
        click.echo(f"error: {count} problem{'s' if count != 1 else ''} found", err=True)
    else:
        click.echo(f"error: {_printable(error.message)}", err=True)
    if error.hint:
        click.echo(f"hint: {_printable(error.hint)}", err=True)
    sys.exit(EXIT_USAGE if isinstance(error, UsageError) else EXIT_FAILED)


# Options of the whole tool that a user also types after the command (`geoemb-bib build --debug`).
GLOBAL_FLAGS = frozenset({"--debug", "--verbose", "-v", "-vv", "-vvv"})


def _globals_first(args: list[str]) -> list[str]:
    """The arguments with the global flags moved in front of the command, where click reads them (up to `--`)."""
    end = args.index("--") if "--" in args else len(args)
    flags = [arg for arg in args[:end] if arg in GLOBAL_FLAGS]
    rest = [arg for arg in args[:end] if arg not in GLOBAL_FLAGS]
    return [*flags, *rest, *args[end:]]


class Commands(click.Group):
    """The command group, with click's usage errors told in the tool's one style: `error:` and `hint:`, exit 2."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        arguments = list(sys.argv[1:] if args is None else args)
        try:
            value = super().main(_globals_first(arguments), prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as error:
            _usage_failed(error)
        except click.Abort:
            click.echo("error: aborted", err=True)
            sys.exit(EXIT_FAILED)
        if not standalone_mode:
            return value
        sys.exit(value if isinstance(value, int) else EXIT_OK)


def _usage_failed(error: click.UsageError) -> NoReturn:
    message = " ".join(error.format_message().split())
    click.echo(f"error: {_printable(message[:1].lower() + message[1:])}", err=True)
    command = error.ctx.command_path if error.ctx is not None else "geoemb-bib"
    click.echo(f"hint: `{command} --help` lists the arguments and options, with examples", err=True)
    sys.exit(EXIT_USAGE)


def _stdout_gone(code: int) -> NoReturn:
    # What is still buffered can never be written: point the descriptor at /dev/null so the interpreter's last flush
    # at exit neither fails nor prints "Exception ignored".
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    sys.exit(code)


class Terminated(KeyboardInterrupt):
    """SIGTERM (a cancelled CI job, `kill`), raised like Ctrl-C so that the same clean-up runs on the way out."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    # Python's default for SIGTERM ends the process on the spot: temporary files stay behind and nothing is said.
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupted(interruption: KeyboardInterrupt) -> NoReturn:
    terminated = isinstance(interruption, Terminated)
    # Every file is written whole or not at all (write_atomically), and the temporary one is gone by now.
    what = "terminated (SIGTERM)" if terminated else "interrupted (Ctrl-C)"
    click.echo(f"error: {what}; no file was left half-written, each is as it was or complete", err=True)
    code = EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    if sys.stdout is sys.__stdout__ and sys.stderr is sys.__stderr__:
        # The real process (not click's test runner): end here. When Ctrl-C lands while Python runs code given to
        # exec() (a dataclass being defined by a lazy import), CPython remembers an "unhandled" KeyboardInterrupt
        # even though it was handled, and at exit kills itself with SIGINT instead of returning 130.
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
        os._exit(code)
    sys.exit(code)


# Blocked while a file is replaced, so Ctrl-C or SIGTERM find it finished or never started (a few milliseconds).
DEFERRED_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, DEFERRED_SIGNALS)
    try:
        yield
    finally:
        # A signal that came meanwhile is handled right here: after the rename, or after the clean-up.
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


# Text from services and files goes to a terminal: control characters (escape sequences that recolour, retitle or
# rewrite it, a bell) and bidirectional overrides are dropped and line breaks folded, so each line says what it shows.


def _printable(text: str) -> str:
    from .text import INVISIBLE  # here, not at the top: --help does not need the text rules

    return INVISIBLE.sub("", text.replace("\n", " ").replace("\t", " "))


def reports_errors(command: F) -> F:
    """Turn the library's errors into `error:`/`hint:` lines and exit code 1, and Ctrl-C/SIGTERM into one line and
    exit code 130/143 (tracebacks only with --debug)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        context = click.get_current_context().find_object(Context)
        debug = context.debug if context else False
        with _sigterm_as_interrupt():
            try:
                result = command(*args, **kwargs)
                # Buffered output meets a full disk or a closed pipe here, not at exit where it would trace back.
                sys.stdout.flush()
                return result
            except BrokenPipeError:
                _stdout_gone(EXIT_BROKEN_PIPE)
            except OSError as error:
                if error.errno not in OUTPUT_ERRNOS:
                    raise
                click.echo(f"error: cannot write the output ({error.strerror})", err=True)
                _stdout_gone(EXIT_FAILED)
            except GeoembBibError as error:
                _fail(error, debug)
            except KeyboardInterrupt as interruption:
                if debug:
                    raise
                _interrupted(interruption)

    wrapper.__name__ = command.__name__
    wrapper.__doc__ = command.__doc__
    return wrapper  # type: ignore[return-value]


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="geoemb-bib")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.option("-v", "--verbose", count=True, help="Log what the tool does (-vv: every request).")
@click.pass_context
def main(ctx: click.Context, debug: bool, verbose: int) -> None:
    """Resolve a curated list of papers against arXiv, Crossref and OpenReview and export
    BibTeX, CSL-JSON, enriched YAML and the Markdown list.

    \b
    Examples:
      geoemb-bib build                      # refresh entries.yaml and write bibliography/
      geoemb-bib check entries.yaml         # validate, no network
      geoemb-bib export --format bibtex -o refs.bib
    """
    ctx.obj = Context(debug=debug, verbose=verbose)
    _configure_logging(verbose)
    _collect_less_often()


def _collect_less_often() -> None:
    import gc

    # A command builds large acyclic data (a list of 10,000 entries is millions of objects) and then exits; at the
    # default threshold (700 allocations) the cycle collector walks it again and again: 15-20% of a warm refresh.
    gc.set_threshold(100_000, 50, 100)


def _configure_logging(verbose: int) -> None:
    import logging

    # Without -v the command reports problems itself (error:/warning: lines); the library's log would repeat them.
    level = logging.ERROR if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    # httpx logs every request at INFO; our own fetch log says the same with the service name.
    logging.getLogger("httpx").setLevel(logging.WARNING if verbose < 2 else logging.INFO)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


# -- files ------------------------------------------------------------------------------------------


def read_curated(path: Path, folder: Path | None = None) -> CuratedList:
    """entries.yaml's list; with a copies `folder`, only the entries whose text changed since the last read are read
    again (snapshots.load_curated)."""
    from .entries import load_entries

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            f"{path}: no such file", hint="give the path of your entries.yaml, or run in its folder"
        ) from None
    except IsADirectoryError:
        inside_it = path / DEFAULT_ENTRIES
        raise InputError(
            f"{path}: is a folder, not a list of entries",
            hint=f"give the file: {inside_it}" if inside_it.is_file() else "give the path of your entries.yaml",
        ) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if folder is None:
        return load_entries(str(path), data)
    from . import carryover, snapshots

    try:
        copy: bytes | None = _copy_path(folder, path, "curated").read_bytes()
    except OSError:
        copy = None
    curated, new_copy = snapshots.load_curated(str(path), data, copy, carryover.tool_digest())
    if new_copy is not None:
        save_copy(folder, path, new_copy, "curated")
    return curated


def read_enriched(path: Path) -> dict[str, Resolved]:
    """The resolved items of a previous refresh, by entry id; empty when there is no enriched.yaml yet."""
    if not path.exists():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{path}: cannot read ({exc})", hint="delete it to rebuild it with `geoemb-bib refresh`"
        ) from None
    return parse_enriched(path, text)


def parse_enriched(path: Path, text: str) -> dict[str, Resolved]:
    from .enriched import load_items

    try:
        return load_items(text, str(path))
    except (ValueError, RecursionError) as exc:
        # The loader locates every problem it knows; a hand-damaged lock file can still hit the YAML library's own
        # limits (a 5,000-digit number, lists nested thousands deep), which must end in a message, not a traceback.
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(
            f"{path}: cannot be read ({reason[:120]})", hint="delete it to rebuild it with `geoemb-bib refresh`"
        ) from None


# Beside the cached answers, in the cache directory: the parsed copies of enriched.yaml and entries.yaml.
COPIES_FOLDER = "parsed"


class Lock(NamedTuple):
    """A previous enriched.yaml: its items by entry id, its text, and its parsed copy when one checked out."""

    items: dict[str, Resolved]
    text: str | None = None
    loaded: snapshots.Loaded | None = None


def copies_folder(config: Config, cache_dir: Path | None = None) -> Path:
    """Where the parsed copies of lock files live: beside the cached answers, in the cache directory."""
    from .fetch import default_cache_dir

    base = cache_dir or (Path(config.cache_dir) if config.cache_dir else None) or default_cache_dir()
    return base.expanduser() / COPIES_FOLDER


def _copy_path(folder: Path, path: Path, kind: str) -> Path:
    import hashlib

    return folder / f"{hashlib.blake2b(str(path.resolve()).encode(), digest_size=16).hexdigest()}.{kind}"


def read_lock(path: Path, folder: Path | None) -> Lock:
    """enriched.yaml from its parsed copy in `folder` when the copy is of this very text, else parsed (and a copy
    kept for the next run). The copy is checked before use (snapshots.py); any problem with it only costs time."""
    if not path.exists():
        return Lock({})
    from . import carryover, snapshots

    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{path}: cannot read ({exc})", hint="delete it to rebuild it with `geoemb-bib refresh`"
        ) from None
    digest = snapshots.text_digest(data)
    del data  # 26 MB for 10,000 entries, not needed while the copy is decoded
    if folder is not None:
        try:
            copy = _copy_path(folder, path, "lock").read_bytes()
        except OSError:
            copy = b""
        loaded = (
            snapshots.decode(copy, digest=digest, tool=carryover.tool_digest(), text_length=len(text)) if copy else None
        )
        if loaded is not None:
            return Lock({item.entry.id: item for item in loaded.snapshot.items}, text, loaded)
    items = parse_enriched(path, text)
    if folder is not None:
        snapshot = snapshots.LockSnapshot(digest, carryover.tool_digest(), tuple(items.values()))
        save_copy(folder, path, snapshots.encode(snapshot), "lock")
    return Lock(items, text)


def save_copy(folder: Path, path: Path, data: bytes, kind: str) -> None:
    """Keep a file's parsed copy; a cache that cannot be written costs the next run time, nothing else."""
    target = _copy_path(folder, path, kind)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()


def write_atomically(path: Path, text: str) -> None:
    """Write the whole file or nothing: a temporary file in the same folder, flushed to disk, then renamed over.

    The new file keeps the permissions of the one it replaces (a new file gets the umask's), and an interruption
    at any point (Ctrl-C, SIGTERM, a full disk) leaves the old version and removes the temporary file.
    """
    kind = _existing_kind(path)
    if kind is not None:
        # A device, a FIFO, a pipe: renaming over it would put a regular file in its place (a CI container's
        # /dev/null, or a FIFO whose reader then gets nothing). Those are written through (links followed).
        _write_through(path, text, kind, shown=path)
        return
    # A symbolic link stays a link: the file it points at is the one replaced.
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    folder = target.parent if str(target.parent) else Path(".")
    with _signals_deferred():
        handle, temporary = _open_temporary(folder, target.name, shown=path)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            with contextlib.suppress(FileNotFoundError):
                os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))
            os.replace(temporary, target)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise OutputError(
                f"{path}: cannot write ({exc.strerror})", hint="check the folder is writable and the disk not full"
            ) from None
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        _sync_folder(folder)


def _existing_kind(path: Path) -> str | None:
    """What `path` is when it exists and is neither a regular file nor missing (a folder is refused)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        raise OutputError(f"{path}: is a folder, not a file", hint="give a file name")
    return "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"


def _write_through(path: Path, text: str, kind: str, *, shown: Path) -> None:
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write to {kind} ({exc.strerror})") from None


def refuse_own_files(path: Path, entries_path: Path) -> None:
    """Refuse an output path that is the curated list, its lock file or the configuration beside them: a report or
    an export written there would destroy what every later run reads."""
    from .config import CONFIG_FILE, PYPROJECT_FILE

    folder = entries_path.parent
    for protected in (entries_path, enriched_path_for(entries_path), folder / CONFIG_FILE, folder / PYPROJECT_FILE):
        if _same_file(path, protected):
            raise OutputError(
                f"{path}: is {protected.name} of this list; refusing to overwrite it with an output",
                hint="choose another file name",
            )


def _same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return os.path.realpath(first) == os.path.realpath(second)


# A second run in the same list folder waits this long for the first to finish (a full refresh of a long list takes
# minutes), saying so once, then gives up with a message instead of overwriting what the first one writes.
LIST_LOCK_WAIT = 900.0
LIST_LOCK_POLL = 0.1


@contextlib.contextmanager
def holding_list(entries_path: Path) -> Iterator[None]:
    """One writer at a time per list folder: entries.yaml and enriched.yaml are read, changed and replaced under
    an advisory lock, so two `add` or two `refresh` never lose each other's work.

    The lock is taken on the folder itself: the files in it are replaced by rename (a lock on them would stay with
    the old file), and a lock file would be one more file in the user's repository.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield
        return
    folder = entries_path.parent if str(entries_path.parent) else Path(".")
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        # No such folder yet (init, import) or one we cannot open: the command reports what it cannot do.
        yield
        return
    try:
        _wait_for(descriptor, folder, fcntl)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _wait_for(descriptor: int, folder: Path, fcntl: Any) -> None:
    import time

    give_up = time.monotonic() + LIST_LOCK_WAIT
    said = False
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > give_up:
                raise OutputError(
                    f"{folder}: another geoemb-bib run has been changing this list for over "
                    f"{LIST_LOCK_WAIT / 60:.0f} minutes; nothing written",
                    hint="wait for it to finish (refresh, build, add and import take turns in one folder)",
                ) from None
            if not said:
                click.echo(f"waiting for another geoemb-bib run in {folder} to finish", err=True)
                said = True
            time.sleep(LIST_LOCK_POLL)


def holds_list(parameter: str) -> Callable[[F], F]:
    """Run the command holding its list folder's lock; `parameter` names its entries.yaml argument."""

    def decorate(command: F) -> F:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with holding_list(Path(kwargs[parameter])):
                return command(*args, **kwargs)

        wrapper.__name__ = command.__name__
        wrapper.__doc__ = command.__doc__
        return wrapper  # type: ignore[return-value]

    return decorate


def inside(folder: Path, name: str) -> Path:
    """`folder / name`, refused unless `name` is a plain file name: a name that comes from data (a format's file, a
    key) must never climb out of the folder the user chose, or into one of its subfolders."""
    if not name or name in (".", "..") or Path(name).name != name or "/" in name or "\\" in name or "\0" in name:
        raise OutputError(f"{name!r}: not a plain file name; refusing to write outside {folder}")
    return folder / name


def ensure_writable(folder: Path) -> None:
    """Fail before a refresh, not after it, when `folder` cannot take the files the command will write."""
    with _signals_deferred():
        handle, temporary = _open_temporary(folder, "write-test", shown=folder)
        os.close(handle)
        temporary.unlink(missing_ok=True)


def _open_temporary(folder: Path, name: str, *, shown: Path) -> tuple[int, Path]:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError(f"{folder}: not a directory", hint="choose another folder for the output") from None
    except OSError as exc:
        raise OutputError(
            f"{folder}: cannot write ({exc.strerror})",
            hint="check the folder exists and is writable, or choose another",
        ) from None
    for _ in range(100):
        # Hidden, named after the file it becomes, so a process killed outright (SIGKILL) leaves an obvious stray.
        # Cut so that a valid name of up to 255 bytes still leaves room for the suffix.
        temporary = folder / f".{name.encode()[:200].decode(errors='ignore')}.{secrets.token_hex(6)}.tmp"
        try:
            # 0o666 and no chmod: the kernel applies the umask, as it does for any file the user creates.
            return os.open(
                temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666
            ), temporary
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(
                f"{shown}: cannot write ({exc.strerror})", hint="check the folder is writable, or choose another"
            ) from None
    raise OutputError(f"{folder}: cannot create a temporary file", hint="remove the stray .*.tmp files in it")


def _sync_folder(folder: Path) -> None:
    # The rename is on disk only once the folder is (POSIX); without it a power cut may bring the old file back.
    if os.name != "posix":
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        # Some file systems refuse fsync on folders; the file itself is complete either way.
        pass
    finally:
        os.close(descriptor)


def enriched_path_for(entries_path: Path) -> Path:
    return entries_path.parent / ENRICHED_NAME


def load_catalog(entries_path: Path) -> tuple[Catalog, Lock]:
    """The catalog the exporters receive, and the lock file it was read from."""
    from .catalog import build_catalog

    folder = copies_folder(load_config(entries_path))
    curated = read_curated(entries_path, folder)
    lock = read_lock(enriched_path_for(entries_path), folder)
    return build_catalog(curated, lock.items), lock


def lock_text_is_export(catalog: Catalog, lock: Lock) -> bool:
    """True when the YAML export of `catalog` is the lock file's text itself: the tool wrote that text from these
    very items (in this order, none added) with this code, so writing them again would give the same bytes."""
    from . import carryover

    loaded = lock.loaded
    if loaded is None or lock.text is None or not loaded.snapshot.written:
        return False
    if loaded.snapshot.tool != carryover.tool_digest() or len(catalog.items) != len(loaded.snapshot.items):
        return False
    return all(item is kept for item, kept in zip(catalog.items, loaded.snapshot.items, strict=True))


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
    from .adding import shared_dois

    curated = read_curated(entries)
    twins = [
        Problem(
            str(entries), later.line, None, f"entry '{later.id}': resolved to doi:{doi}, as entry '{earlier.id}' did"
        )
        for earlier, later, doi in shared_dois(curated, read_enriched(enriched_path_for(entries)))
    ]
    if twins:
        raise EntriesError(twins, hint="one paper listed twice: keep one entry (the refresh found the published one)")
    papers = sum(1 for e in curated.entries if e.is_paper)
    others = len(curated.entries) - papers
    click.echo(
        f"{entries}: ok ({_count(len(curated.entries), 'entry', 'entries')}: {_count(papers, 'paper')}, "
        f"{_count(others, 'other item')}; {_count(len(curated.sections), 'section')})"
    )


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


@main.command(name="export")
@click.option("--format", "format_name", type=click.Choice(tuple(EXPORTERS)), required=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file instead of standard output.")
@click.option(
    "--entries",
    "entries_path",
    type=click.Path(path_type=Path),
    default=DEFAULT_ENTRIES,
    show_default=True,
    help="The curated list.",
)
@click.option("--unicode", is_flag=True, help="BibTeX: keep non-ASCII characters (for biber) instead of LaTeX escapes.")
@click.option(
    "--flavour", type=click.Choice(["bibtex", "biblatex"]), default="bibtex", show_default=True, help="BibTeX dialect."
)
@click.option("--sort", type=click.Choice(["list", "key"]), default="list", show_default=True, help="Entry order.")
@click.option(
    "--as-listed", is_flag=True, help="Markdown: reproduce the list exactly as curated (listed titles and venues)."
)
@click.option("--authors", is_flag=True, help="Markdown: add an authors column.")
@reports_errors
def export_command(
    format_name: str,
    output: Path | None,
    entries_path: Path,
    unicode: bool,
    flavour: str,
    sort: str,
    as_listed: bool,
    authors: bool,
) -> None:
    """Export the list from entries.yaml and enriched.yaml, without touching the network.

    \b
    Examples:
      geoemb-bib export --format bibtex -o references.bib
      geoemb-bib export --format csl-json > references.json
      geoemb-bib export --format zotero-rdf -o references.rdf   # Zotero: File > Import
      geoemb-bib export --format markdown --as-listed
    """
    from .exporters import ExportOptions, export

    _refuse_idle_options(format_name, as_listed=as_listed, authors=authors)
    if output is not None:
        refuse_own_files(output, entries_path)
    catalog, lock = load_catalog(entries_path)
    if format_name in CITED_FORMATS:
        catalog = keyed_only(catalog, format_name)
    options = ExportOptions(
        bibtex_flavour=flavour,  # type: ignore[arg-type]
        unicode=unicode,
        sort=sort,  # type: ignore[arg-type]
        markdown_as_listed=as_listed,
        markdown_authors=authors,
    )
    as_written = lock.text if format_name == "yaml" and lock_text_is_export(catalog, lock) else None
    # The parsed copy (45 MB for 10,000 entries) is not needed by an exporter: let it go before exporting.
    del lock
    text = as_written if as_written is not None else export(format_name, catalog, options)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomically(output, text)
        click.echo(f"wrote {output}", err=True)


# Formats made of citations: an entry with no key yet (never resolved, keys.py's rule) cannot be in them.
CITED_FORMATS = frozenset({"bibtex", "csl-json", "zotero-rdf"})


def keyed_only(catalog: Catalog, output: str, *, told: set[str] | frozenset[str] = frozenset()) -> Catalog:
    """The catalog without the entries that have no citation key yet, saying which were left out of `output`
    (but for those in `told`: the failure summary names them already)."""

    keyless = [item.entry.id for item in catalog.items if not item.key]
    if not keyless:
        return catalog
    if set(keyless) <= told:
        return catalog.keyed()
    click.echo(
        f"note: {_count(len(keyless), 'entry', 'entries')} left out of {output}, with no citation key until "
        f"first resolved: {', '.join(keyless)}",
        err=True,
    )
    click.echo(
        "hint: run `geoemb-bib refresh` when the services answer, or pin a key with `key:` in entries.yaml", err=True
    )
    return catalog.keyed()


# The export options that change only some formats' output: given for another format, they would do nothing.
OPTION_FORMATS: Mapping[str, tuple[str, ...]] = {
    "unicode": ("bibtex",),
    "flavour": ("bibtex",),
    "as_listed": ("markdown",),
    "authors": ("markdown",),
}


def _refuse_idle_options(format_name: str, *, as_listed: bool, authors: bool) -> None:
    """A UsageError for an option typed for a format that ignores it (`--flavour` with csl-json)."""
    from click.core import ParameterSource

    context = click.get_current_context()
    for name, formats in OPTION_FORMATS.items():
        if format_name not in formats and context.get_parameter_source(name) is ParameterSource.COMMANDLINE:
            flag = "--" + name.replace("_", "-")
            raise UsageError(
                f"{flag} does nothing with --format {format_name}: it applies to {' and '.join(formats)} only",
                hint=f"drop {flag}, or export with --format {formats[0]}",
            )
    if as_listed and authors:
        raise UsageError(
            "--authors does nothing with --as-listed: the list as curated has no authors column",
            hint="drop one of them: --as-listed reproduces the list, --authors adds authors to the resolved one",
        )


# -- configuration and the network ------------------------------------------------------------------


def load_config(entries_path: Path) -> Config:
    """Settings from geoemb-bib.toml or pyproject.toml beside entries.yaml, then the environment."""
    from .config import CONFIG_FILE, PYPROJECT_FILE, Config, apply_environment, parse_config

    config = Config()
    folder = entries_path.parent
    for name in (CONFIG_FILE, PYPROJECT_FILE):
        candidate = folder / name
        if candidate.is_file():
            try:
                text = candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{candidate}: cannot read ({exc})") from None
            config = parse_config(text, str(candidate))
            if name == CONFIG_FILE or config != Config(source=str(candidate)):
                break
    return apply_environment(config, os.environ)


def fetch_settings(
    config: Config, *, offline: bool, refresh: bool, mailto: str | None, cache_dir: Path | None
) -> FetchSettings:
    from .fetch import FetchSettings, expand_user
    from .services import DAY

    if offline and refresh:
        raise UsageError(
            "--offline and --refresh cannot be combined: one forbids the network, the other ignores the cache",
            hint="drop one of them",
        )
    overrides: dict[str, Any] = {"offline": offline, "refresh": refresh}
    if mailto or config.mailto:
        overrides["mailto"] = mailto or config.mailto
    if cache_dir is not None or config.cache_dir:
        overrides["cache_dir"] = expand_user(str(cache_dir or config.cache_dir or ""), "cache directory")
    if config.cache_ttl_days:
        # Set per source; a source's hosts (OpenReview's two APIs) share its setting.
        days = config.cache_ttl_days
        overrides["ttl"] = {service.name: days[service.source] * DAY for service in SERVICES if service.source in days}
    return FetchSettings.from_environment(os.environ, **overrides)


def network_options(command: F) -> F:
    """--offline, --refresh, --mailto and --cache-dir, shared by every command that may ask the services."""
    command = click.option(
        "--cache-dir",
        type=click.Path(path_type=Path),
        help="Cache directory (default: the user cache dir; env GEOEMB_BIB_CACHE_DIR).",
    )(command)
    command = click.option(
        "--mailto",
        metavar="ADDRESS",
        help="Contact address sent to the services (env GEOEMB_BIB_MAILTO); selects Crossref's polite pool.",
    )(command)
    command = click.option(
        "--refresh", "bypass_cache", is_flag=True, help="Ask the services again even for answers in the cache."
    )(command)
    command = click.option(
        "--offline", is_flag=True, help="Use only the cache; an answer not in it is a per-entry failure."
    )(command)
    return command


def open_fetcher(settings: FetchSettings, *, quiet: bool = False) -> Fetcher:
    from .fetch import Fetcher

    if settings.public_pool and not quiet:
        click.echo(
            "note: no contact address (--mailto or GEOEMB_BIB_MAILTO): Crossref's slower public pool applies", err=True
        )
    return Fetcher(settings)


class ProgressDisplay:
    """A rich progress bar with per-service counts on a terminal; plain lines in CI or when not a TTY. The counts are
    the ones the summary prints (`QueryCounts`, from the same answers), so the two always agree."""

    def __init__(self) -> None:
        self.interactive = sys.stderr.isatty() and not os.environ.get("CI")
        self.counts = QueryCounts()
        self._progress: Any = None
        self._task: Any = None
        self._last_line = 0
        self._done = 0

    def __enter__(self) -> ProgressDisplay:
        if self.interactive:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("resolving"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task("", total=None)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc_info)
        elif self._last_line and self._done != self._last_line and exc_info[0] is None:
            # The plain lines come every 25 answers; the last one says where the run ended.
            click.echo(f"resolving: {self._done} answered ({self.counts.shown()})", err=True)

    def update(self, event: Any) -> None:
        self.counts.add(event.service, from_cache=event.from_cache, failed=event.failed)
        self._done = event.done
        if self._progress is not None:
            self._progress.update(self._task, total=event.total, completed=event.done, description=self.counts.shown())
        elif event.done - self._last_line >= 25:
            self._last_line = event.done
            click.echo(f"resolving: {event.done} answered ({self.counts.shown()})", err=True)


def service_name(service: str) -> str:
    """A service as users know it: its source (both OpenReview APIs are `openreview`)."""
    from .services import BY_NAME

    return BY_NAME[service].source if service in BY_NAME else service


class QueryCounts:
    """Queries answered per service (as users name them), how many from the cache and how many failed."""

    def __init__(self) -> None:
        self.by_service: dict[str, list[int]] = {}

    def add(self, service: str, *, from_cache: bool, failed: bool) -> None:
        self.add_many(service, (1, int(from_cache), int(failed)))

    def add_many(self, service: str, numbers: tuple[int, int, int]) -> None:
        counts = self.by_service.setdefault(service_name(service), [0, 0, 0])
        for index, number in enumerate(numbers):
            counts[index] += number

    def shown(self, sent: Mapping[str, int] | None = None, throttled: Mapping[str, int] | None = None) -> str:
        """`arxiv 2, crossref 19 (3 cached, 1 failed)`: queries answered; with `sent`, also the HTTP requests sent
        (retries included) and those throttled."""
        parts = []
        for service, (answered, cached, failed) in sorted(self.by_service.items()):
            extras = [f"{sent.get(service, 0)} sent"] if sent is not None else []
            extras += [f"{cached} cached"] if cached else []
            extras += [f"{throttled[service]} throttled (429)"] if throttled and throttled.get(service) else []
            extras += [f"{failed} failed"] if failed else []
            parts.append(f"{service} {answered}" + (f" ({', '.join(extras)})" if extras else ""))
        return ", ".join(parts)


class RefreshRun(NamedTuple):
    """A refresh's result with what the command still needs: the previous items, the fetcher, the curated list."""

    result: RefreshResult
    previous: dict[str, Resolved]
    fetcher: Fetcher
    curated: CuratedList
    lock: Lock


def run_refresh(
    entries_path: Path,
    *,
    offline: bool,
    bypass_cache: bool,
    mailto: str | None,
    cache_dir: Path | None,
    only: tuple[str, ...] = (),
    section: str | None = None,
    rekey: bool = False,
    writes: tuple[Path, ...] = (),
    quiet: bool = False,
) -> RefreshRun:
    """Refresh the list; `writes` are the folders the command writes into afterwards, checked before the network."""
    from .resolve import RefreshOptions, refresh, select_entries

    config = load_config(entries_path)
    settings = fetch_settings(config, offline=offline, refresh=bypass_cache, mailto=mailto, cache_dir=cache_dir)
    folder = copies_folder(config, settings.cache_dir)
    curated = read_curated(entries_path, folder)
    lock = read_lock(enriched_path_for(entries_path), folder)
    previous = lock.items
    # A mistyped --only or --section is told before anything else is said or done.
    select_entries(curated, previous, RefreshOptions(only=only, section=section))
    for folder in writes:
        ensure_writable(folder)
    fetcher = open_fetcher(settings, quiet=quiet)
    try:
        with ProgressDisplay() as display:
            result = refresh(
                curated,
                previous,
                fetcher,
                RefreshOptions(only=only, section=section, rekey=rekey, key_scheme=config.key_scheme),
                on_progress=display.update,
                fingerprints=lock.loaded.snapshot.fingerprints if lock.loaded is not None else None,
            )
    except BaseException:
        fetcher.close()
        raise
    if fetcher.cache_problem:
        click.echo(f"warning: {fetcher.cache_problem}", err=True)
    return RefreshRun(result, previous, fetcher, curated, lock)


def write_enriched(entries_path: Path, result: RefreshResult, lock: Lock, folder: Path | None) -> str:
    """Write enriched.yaml beside entries.yaml and keep its parsed copy in `folder`; returns its text (the YAML
    export of `build` is the same). A text equal to the file's is not written again."""
    from . import carryover, snapshots

    tool = carryover.tool_digest()
    written = snapshots.write(result.items, result.fingerprints, tool, lock.loaded, lock.text)
    path = enriched_path_for(entries_path)
    if written.text != lock.text or not path.exists():
        write_atomically(path, written.text)
    before = lock.loaded.snapshot if lock.loaded is not None else None
    if folder is not None and (
        before is None
        or not before.written
        or before.text_digest != written.snapshot.text_digest
        or before.tool != tool
        or before.fingerprints != written.snapshot.fingerprints
    ):
        save_copy(folder, path, snapshots.encode(written.snapshot, written.reuse), "lock")
    return written.text


def print_summary(result: RefreshResult, fetcher: Fetcher) -> None:
    """The status counts, the requests made per service, and the changes, on standard output."""
    from .model import STATUSES
    from .report import shown_key

    counts = {status: 0 for status in STATUSES}
    for item in result.items:
        counts[item.status] += 1
    click.echo("status:   " + ", ".join(f"{count} {status}" for status, count in counts.items()))
    queries = QueryCounts()
    for service, numbers in result.queries.items():
        queries.add_many(service, numbers)
    sent: dict[str, int] = {}
    throttled: dict[str, int] = {}
    for service, stats in fetcher.stats.items():
        sent[service_name(service)] = sent.get(service_name(service), 0) + stats.requests
        throttled[service_name(service)] = throttled.get(service_name(service), 0) + stats.throttled
    click.echo("requests: " + (queries.shown(sent, throttled) or "none"))
    if result.carried:
        click.echo(
            f"unchanged: {_count(len(result.carried), 'entry', 'entries')} kept as they were (same curated fields, "
            "cached answers and tool)"
        )
    # Entries a service failed for are named once, in the failure lines; listing them here too floods the output.
    failed = set(result.failures)
    keyless_new = [c for c in result.changes if c.kind == "new-entry" and not c.key and c.entry_id in failed]
    shown_changes = [change for change in result.changes if change not in keyless_new]
    if shown_changes or keyless_new:
        click.echo("changes:")
        for change in shown_changes:
            click.echo(f"  {shown_key(change.key, change.entry_id)}: {_printable(change.detail)}")
        if keyless_new:
            click.echo(f"  {_count(len(keyless_new), 'new entry', 'new entries')}, no key until resolved (see below)")
    else:
        click.echo("changes:  none")
    refreshed = set(result.refreshed)  # a set: `in` a tuple of 10,000 ids, once per item, was quadratic
    still_open = [
        item
        for item in result.items
        if item.entry.id in refreshed and item.status in ("unresolved", "conflict") and item.entry.id not in failed
    ]
    for item in still_open:
        shown = shown_key(item.key, item.entry.id)
        click.echo(f"  {item.status}: {shown}: {_printable('; '.join(item.problems)) or 'nothing found'}")


def finish(result: RefreshResult, previous: Mapping[str, Resolved], *, left_out: str = "") -> None:
    """Report what failed, and exit 1 if anything did."""
    report_failures(result, previous, left_out=left_out)
    if not result.ok:
        sys.exit(EXIT_FAILED)


def report_failures(result: RefreshResult, previous: Mapping[str, Resolved], *, left_out: str = "") -> None:
    """One `error:` line per failed service (as users name it): why, and every entry it left without an answer;
    then one `hint:` line saying what became of those entries (`left_out`: the outputs keyless ones are not in)."""
    causes: dict[str, dict[str, list[str]]] = {}
    entries: dict[str, list[str]] = {}
    for service, message in sorted(result.service_problems.items()):
        # A service given up for the run: the one sentence that says why covers each of its failures.
        _add_cause(causes.setdefault(service_name(service), {}), service, message)
    for entry_id, failed in result.failed_services.items():
        for service, message in failed.items():
            named = service_name(service)
            if named not in result.service_problems and service not in result.service_problems:
                _add_cause(causes.setdefault(named, {}), service, message)
            if entry_id not in entries.setdefault(named, []):
                entries[named].append(entry_id)
    for named in sorted(causes):
        # A cause met once is told with its request; one met many times once, without them.
        told = [found[0] if len(found) == 1 else cause for cause, found in causes[named].items()]
        line = f"error: {named}: {'; '.join(told)}"
        if entries.get(named):
            line += f"; no answer for {_count(len(entries[named]), 'entry', 'entries')}: {', '.join(entries[named])}"
        click.echo(_printable(line), err=True)
    if result.failures:
        kept = [
            entry_id
            for entry_id in result.failures
            if entry_id in previous and previous[entry_id].status != "unresolved"
        ]
        parts = [f"{_count(len(kept), 'entry', 'entries')} kept their previous data"] if kept else []
        if len(kept) < len(result.failures):
            unresolved = len(result.failures) - len(kept)
            parts.append(
                f"{_count(unresolved, 'entry', 'entries')} without previous data stay unresolved"
                + (f" (no key yet, so not in {left_out})" if left_out else "")
            )
        wrong_url = any(BASE_URL_PROBLEM in cause for found in causes.values() for cause in found)
        then = "fix the base URL named above and run again" if wrong_url else "run again when the services answer"
        click.echo(f"hint: {', '.join(parts)}; {then}", err=True)


# How fetch.py words an answer that shows the base URL is not the service's API.
BASE_URL_PROBLEM = "does not serve the"
# The parts of a failure message that differ from request to request, and so would make one cause look like many.
_REQUEST_DETAIL = re.compile(r" for (?:GET|HEAD) \S+| \((?:after \d+ attempts|on the first attempt)\)")


def _add_cause(causes: dict[str, list[str]], service: str, message: str) -> None:
    """File one failure under its cause: the sentence without the request it was about (the key) and without the
    service's internal name (`openreview_v1: ...` is OpenReview's API v1); the sentences themselves are kept."""
    text = message
    for name in sorted(SERVICE_NAMES, key=len, reverse=True):
        if text.startswith(name + ": "):
            text = text[len(name) + 2 :]
            service = name
            break
    if service.endswith("_v1"):
        text = f"API v1: {text}"
    found = causes.setdefault(_REQUEST_DETAIL.sub("", text), [])
    if text not in found:
        found.append(text)


# -- refresh, build, status, add, cache -----------------------------------------------------------------


@main.command(name="refresh")
@click.argument("entries", type=click.Path(path_type=Path), default=DEFAULT_ENTRIES)
@click.option("--only", multiple=True, metavar="KEY", help="Only this entry (entry id or citation key); repeatable.")
@click.option("--section", metavar="ID", help="Only the entries of this section (and its subsections).")
@click.option("--dry-run", is_flag=True, help="Show what would change without writing enriched.yaml.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path),
    help="Also write the change report as Markdown to this file.",
)
@click.option("--rekey", is_flag=True, help="Recompute citation keys (keys are otherwise never changed once written).")
@network_options
@reports_errors
@holds_list("entries")
def refresh_command(
    entries: Path,
    only: tuple[str, ...],
    section: str | None,
    dry_run: bool,
    report_path: Path | None,
    rekey: bool,
    offline: bool,
    bypass_cache: bool,
    mailto: str | None,
    cache_dir: Path | None,
) -> None:
    """Resolve ENTRIES against arXiv, Crossref and OpenReview and write enriched.yaml beside it.

    Prints a summary (statuses, requests, cache hits) and the changes since the last refresh. Exits 1 when a
    service failed for some entries; they keep their previous data.

    \b
    Examples:
      geoemb-bib refresh --mailto you@example.org
      geoemb-bib refresh --only satclip --dry-run
      geoemb-bib refresh --report report.md      # for a pull request
    """
    from .report import markdown_report

    if report_path is not None:
        refuse_own_files(report_path, entries)
    result, previous, fetcher, _, lock = run_refresh(
        entries,
        offline=offline,
        bypass_cache=bypass_cache,
        mailto=mailto,
        cache_dir=cache_dir,
        only=only,
        section=section,
        rekey=rekey,
        writes=() if dry_run else (enriched_path_for(entries).parent,),
    )
    with fetcher:
        if dry_run:
            click.echo("dry run: enriched.yaml not written")
        else:
            write_enriched(entries, result, lock, copies_folder(load_config(entries), fetcher.settings.cache_dir))
            click.echo(f"wrote {enriched_path_for(entries)}")
        print_summary(result, fetcher)
        if report_path is not None:
            write_atomically(
                report_path, markdown_report(result.changes, result.items, result.failures, result.service_problems)
            )
            click.echo(f"wrote {report_path}")
    finish(result, previous)


@main.command()
@click.argument("entries", type=click.Path(path_type=Path), default=DEFAULT_ENTRIES)
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(path_type=Path),
    help="Where to write the outputs (default: build, or output-dir in the config).",
)
@network_options
@reports_errors
@holds_list("entries")
def build(
    entries: Path,
    output_dir: Path | None,
    offline: bool,
    bypass_cache: bool,
    mailto: str | None,
    cache_dir: Path | None,
) -> None:
    """Refresh ENTRIES, then write every format into bibliography/: references.bib, references.json (CSL-JSON),
    enriched.yaml and list.md (the regenerated Markdown list).

    When a service cannot be reached it says so, still writes every output from the data it has, and exits 1.

    \b
    Example:
      geoemb-bib build --mailto you@example.org
    """
    from .catalog import build_catalog
    from .exporters import ExportOptions, export

    config = load_config(entries)
    # -o is the user's path as typed; the configured (or default) folder lives beside entries.yaml, like enriched.yaml.
    folder = output_dir if output_dir is not None else entries.parent / Path(config.output_dir).expanduser()
    targets = {name: inside(folder, format_.build_file) for name, format_ in EXPORTERS.items()}
    result, previous, fetcher, curated, lock = run_refresh(
        entries,
        offline=offline,
        bypass_cache=bypass_cache,
        mailto=mailto,
        cache_dir=cache_dir,
        writes=(enriched_path_for(entries).parent, folder),
    )
    with fetcher:
        enriched_text = write_enriched(entries, result, lock, copies_folder(config, fetcher.settings.cache_dir))
        print_summary(result, fetcher)
    del lock  # the parsed copy and the old text: not needed by the exporters, and 70 MB for 10,000 entries
    catalog = build_catalog(curated, {item.entry.id: item for item in result.items})
    cited_files = " and ".join(targets[name].name for name in targets if name in CITED_FORMATS)
    cited = keyed_only(catalog, cited_files, told=set(result.failures))
    options = ExportOptions(bibtex_flavour=config.bibtex_flavour, unicode=config.unicode, sort=config.sort)
    for format_name, target in targets.items():
        # The YAML export is the lock file's own text: written once, not generated twice.
        chosen = cited if format_name in CITED_FORMATS else catalog
        write_atomically(target, enriched_text if format_name == "yaml" else export(format_name, chosen, options))
        click.echo(f"wrote {target}")
    finish(result, previous, left_out=cited_files)


@main.command()
@click.argument("entries", type=click.Path(path_type=Path), default=DEFAULT_ENTRIES)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@reports_errors
def status(entries: Path, as_json: bool) -> None:
    """Show every entry with its key, status, evidence, venue and what is missing (no network).

    \b
    Examples:
      geoemb-bib status
      geoemb-bib status --json | jq '.[] | select(.status == "preprint")'
    """
    from .status import status_rows

    rows = status_rows(load_catalog(entries)[0])
    if as_json:
        import json

        click.echo(json.dumps([row.as_dict() for row in rows], indent=2, ensure_ascii=False))
        return
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(*STATUS_HEADER, box=None)
        for row in rows:
            # Text, not rich markup: a venue such as "[bold]..." from a service is shown as it is.
            cells = (row.key or NO_KEY_YET, row.status, row.evidence, _printable(row.venue), ", ".join(row.missing))
            table.add_row(*(Text(cell) for cell in cells))
        Console().print(table)
        return
    table_rows = [
        (row.key or NO_KEY_YET, row.status, row.evidence, _printable(row.venue), ", ".join(row.missing)) for row in rows
    ]
    widths = [max(len(cells[column]) for cells in [STATUS_HEADER, *table_rows]) for column in range(4)]
    for cells in [STATUS_HEADER, *table_rows]:
        click.echo(
            "  ".join([*(cell.ljust(width) for cell, width in zip(cells[:4], widths, strict=True)), cells[4]]).rstrip()
        )


STATUS_HEADER = ("key", "status", "evidence", "venue", "missing")
# What `status` shows in the key column of an entry never resolved (keys.py: it has no key yet).
NO_KEY_YET = "-"


@main.command()
@click.argument("identifier", metavar="ID_OR_URL")
@click.option("--section", metavar="ID", help="The section the entry goes in (default: the list's only section).")
@click.option("--code", metavar="URL", help="Link to the code.")
@click.option("--dataset", metavar="URL", help="Link to the dataset.")
@click.option("--key", metavar="KEY", help="Pin the citation key.")
@click.option("--id", "entry_id", metavar="ID", help="The entry id (default: derived from author, year and title).")
@click.option("--abbr", metavar="TEXT", help="The abbreviation column.")
@click.option("--title", metavar="TEXT", help="The title, when it cannot be looked up (offline).")
@click.option("--entries", "entries_path", type=click.Path(path_type=Path), default=DEFAULT_ENTRIES, show_default=True)
@network_options
@reports_errors
@holds_list("entries_path")
def add(
    identifier: str,
    section: str | None,
    code: str | None,
    dataset: str | None,
    key: str | None,
    entry_id: str | None,
    abbr: str | None,
    title: str | None,
    entries_path: Path,
    offline: bool,
    bypass_cache: bool,
    mailto: str | None,
    cache_dir: Path | None,
) -> None:
    """Add a paper to entries.yaml by arXiv id or URL, DOI or URL, or OpenReview link.

    Looks the paper up for its title and venue (offline, asks for the title), refuses a paper already listed,
    and inserts one block after the section's last entry, keeping every other byte of the file.

    \b
    Examples:
      geoemb-bib add 2311.17179 --section location --code https://github.com/microsoft/satclip
      geoemb-bib add https://doi.org/10.1109/ICCV48922.2021.00928 --section remote-sensing
    """
    from .adding import build_entry, duplicate_of, look_up
    from .entries import insert_entry, load_entries
    from .ids import identify

    found = identify(identifier)
    if found is None or found.scheme not in ("arxiv", "doi", "openreview"):
        raise click.BadParameter(
            "not an arXiv id or URL, a DOI or DOI URL, or an OpenReview link", param_hint="ID_OR_URL"
        )
    curated = read_curated(entries_path)
    if section is None and len(curated.sections) == 1:
        section = curated.sections[0].id
    if section is None:
        raise click.BadParameter(
            f"the list has several sections ({', '.join(s.id for s in curated.sections)}): name one",
            param_hint="--section",
        )
    if section not in {s.id for s in curated.sections}:
        known = ", ".join(s.id for s in curated.sections)
        raise click.BadParameter(
            f"no section '{section}' in {entries_path} (sections: {known})", param_hint="--section"
        )
    existing = duplicate_of(curated, found, key, read_enriched(enriched_path_for(entries_path)))
    if existing is not None:
        raise InputError(f"{entries_path}: {existing}", hint="edit that entry instead of adding it again")
    # Offline, the cache may still know the paper (--offline means "cache only").
    settings = fetch_settings(
        load_config(entries_path), offline=offline, refresh=bypass_cache, mailto=mailto, cache_dir=cache_dir
    )
    with open_fetcher(settings) as fetcher:
        record, note = look_up(fetcher, found)
    if note and not offline:
        click.echo(f"note: {note}", err=True)
    if record is None and title is None:
        if not sys.stdin.isatty():
            raise InputError(f"cannot look up {found.standard_id}: give its title with --title")
        title = click.prompt("Title")
    entry = build_entry(
        curated,
        found,
        section=section,
        record=record,
        title=title,
        code=code,
        dataset=dataset,
        key=key,
        entry_id=entry_id,
        abbr=abbr,
    )
    text = entries_path.read_text(encoding="utf-8")
    updated = insert_entry(text, entry)
    load_entries(str(entries_path), updated.encode("utf-8"))
    write_atomically(entries_path, updated)
    click.echo(f"added '{entry.id}' ({_printable(entry.title)}) to section '{section}' of {entries_path}")
    # Resolved at once and written to enriched.yaml, so the key printed is the key the entry keeps (keys.py).
    result, _, fetcher, _, lock = run_refresh(
        entries_path,
        offline=offline,
        bypass_cache=bypass_cache,
        mailto=mailto,
        cache_dir=cache_dir,
        only=(entry.id,),
        writes=(enriched_path_for(entries_path).parent,),
        quiet=True,
    )
    with fetcher:
        write_enriched(entries_path, result, lock, copies_folder(load_config(entries_path), fetcher.settings.cache_dir))
    item = next(item for item in result.items if item.entry.id == entry.id)
    if item.key:
        click.echo(f"key: {item.key} ({item.status}; written to {enriched_path_for(entries_path)}, it stays)")
        return
    why = _printable(result.failures.get(entry.id, "") or "; ".join(item.problems) or "nothing found")
    click.echo(f"key: none yet: the entry is {item.status} ({why})")
    click.echo(f"next: geoemb-bib refresh --only {entry.id}   # gives its key once a service answers")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option("--title", metavar="TEXT", help="The list's title (default: the folder's name).")
@reports_errors
def init(folder: Path, title: str | None) -> None:
    """Start a list in FOLDER (default: here): a minimal entries.yaml and a commented geoemb-bib.toml.

    Refuses to overwrite either file. Then add papers with `geoemb-bib add`, or bring a list you already have
    with `geoemb-bib import`.

    \b
    Examples:
      geoemb-bib init my-list --title "Awesome Geospatial Embeddings"
      geoemb-bib init && geoemb-bib add 2309.16020
    """
    from .importers.writing import initial_files

    name = title or folder.resolve().name.replace("-", " ").replace("_", " ").strip() or "Bibliography"
    files = initial_files(name)
    existing = [folder / file_name for file_name in files if (folder / file_name).exists()]
    if existing:
        raise InputError(
            f"{existing[0]}: already exists; nothing written", hint="choose another folder, or edit the file"
        )
    for file_name, text in files.items():
        write_atomically(inside(folder, file_name), text)
        click.echo(f"wrote {folder / file_name}")
    click.echo(f"next: geoemb-bib add ID_OR_URL --entries {folder / 'entries.yaml'}")


IMPORT_FORMATS = ("markdown", "bibtex", "csl-json")


@main.command(name="import")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--entries", "entries_path", type=click.Path(path_type=Path), default=DEFAULT_ENTRIES, show_default=True)
@click.option(
    "--format", "format_name", type=click.Choice(IMPORT_FORMATS), help="Input format (default: from the name)."
)
@click.option("--update", is_flag=True, help="Sync an existing entries.yaml with SOURCE instead of writing a new one.")
@click.option("--dry-run", is_flag=True, help="Show what would change (a diff) without writing.")
@click.option(
    "--overrides",
    metavar="FIELDS",
    help=".bib/CSL-JSON: which of their fields become overrides the refresh never replaces: none (default), all, "
    "or names such as title,author.",
)
@reports_errors
@holds_list("entries_path")
def import_command(
    source: Path, entries_path: Path, format_name: str | None, update: bool, dry_run: bool, overrides: str | None
) -> None:
    """Write entries.yaml from a list you already have: a Markdown awesome list, a .bib or a CSL-JSON file.

    Markdown headings become sections and table rows or bullets entries, with the list's text kept; a .bib or
    CSL-JSON item becomes an entry with its citation key pinned and its DOI, arXiv or OpenReview id. What cannot be
    placed is reported with its line. With --update, new rows are added, the listed titles, venues and links of
    existing entries updated (nothing else), and rows gone from SOURCE reported, not deleted.

    \b
    Examples:
      geoemb-bib import README.md
      geoemb-bib import refs.bib --overrides title,author
      geoemb-bib import --update --dry-run README.md
    """
    import difflib

    from .entries import load_entries
    from .importers import ImportOptions, detect_format, read
    from .importers.writing import render_list

    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{source}: cannot read ({exc})", hint="save it as UTF-8") from None
    chosen = format_name or detect_format(source.name, text)
    if overrides is not None and chosen == "markdown":
        raise click.BadParameter("applies to .bib and CSL-JSON files only", param_hint="--overrides")
    imported = read(chosen, str(source), text, ImportOptions.parse_overrides(overrides))
    for notice in imported.notices:
        click.echo(f"warning: {_printable(notice.located(str(source)))}", err=True)
    if update:
        current_text, new_text = _sync_entries(entries_path, source, imported)
    else:
        if entries_path.exists() and not dry_run:
            raise InputError(
                f"{entries_path}: already exists; nothing written",
                hint=f"`geoemb-bib import --update {source}` syncs it, or give another file with --entries",
            )
        current_text = ""
        new_text = render_list(imported.curated, source.name)
    curated = load_entries(str(entries_path), new_text.encode("utf-8"))
    if dry_run:
        diff = difflib.unified_diff(
            current_text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            str(entries_path),
            str(entries_path),
        )
        click.echo("".join(diff), nl=False)
        return
    if new_text != current_text:
        write_atomically(entries_path, new_text)
        click.echo(
            f"wrote {entries_path} ({_count(len(curated.entries), 'entry', 'entries')} in "
            f"{_count(len(curated.sections), 'section')}; {_count(len(imported.notices), 'warning')})"
        )
    click.echo(f"next: geoemb-bib check {entries_path} && geoemb-bib refresh {entries_path}")


def _sync_entries(entries_path: Path, source: Path, imported: Imported) -> tuple[str, str]:
    """`import --update`: the entries.yaml text before and after the sync, what changed said on standard output."""
    from .importers.sync import sync

    current = read_curated(entries_path)
    current_text = entries_path.read_text(encoding="utf-8")
    result = sync(current_text, current, imported)
    for change in result.added:
        click.echo(f"added '{change.entry_id}'")
    for change in result.updated:
        click.echo(f"updated '{change.entry_id}': {', '.join(change.fields)}")
    for section_id in result.new_sections:
        click.echo(f"added section '{section_id}'")
    for removed in result.removed:
        click.echo(
            f"not in {source} any more, kept: '{removed.entry_id}' (line {removed.line}): {_printable(removed.title)}"
        )
    if not result.changed:
        click.echo(f"{entries_path}: up to date with {source}")
    return current_text, result.text


@main.group()
def cache() -> None:
    """Inspect or clear the on-disk cache of service answers.

    \b
    Examples:
      geoemb-bib cache info
      geoemb-bib cache clear --source crossref
    """


@cache.command(name="info")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Cache directory (default: the user cache dir).")
@click.option("--entries", "entries_path", type=click.Path(path_type=Path), default=DEFAULT_ENTRIES, show_default=True)
@reports_errors
def cache_info_command(cache_dir: Path | None, entries_path: Path) -> None:
    """Where the cache is, its size, and how many answers it holds per service.

    \b
    Example:
      geoemb-bib cache info
    """
    from .fetch import cache_info

    settings = fetch_settings(load_config(entries_path), offline=False, refresh=False, mailto=None, cache_dir=cache_dir)
    info = cache_info(settings)
    click.echo(f"directory: {info.directory}")
    click.echo(f"size:      {info.size_bytes / 1024:.1f} KiB")
    for service, count in info.entries.items():
        click.echo(f"{service + ':':<15}{count} answers")


@cache.command(name="clear")
@click.option(
    "--source",
    type=click.Choice(SERVICE_NAMES),
    help="Clear only this service's answers.",
)
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Cache directory (default: the user cache dir).")
@click.option("--entries", "entries_path", type=click.Path(path_type=Path), default=DEFAULT_ENTRIES, show_default=True)
@reports_errors
def cache_clear_command(source: str | None, cache_dir: Path | None, entries_path: Path) -> None:
    """Remove cached answers (of one service, or all).

    \b
    Example:
      geoemb-bib cache clear --source openreview
    """
    from .fetch import clear_cache

    settings = fetch_settings(load_config(entries_path), offline=False, refresh=False, mailto=None, cache_dir=cache_dir)
    removed = clear_cache(settings, source)
    if source is None and settings.cache_dir is not None:
        # The parsed copies go too: they only save time, and "clear" should leave nothing behind.
        import shutil

        shutil.rmtree(settings.cache_dir / COPIES_FOLDER, ignore_errors=True)
    click.echo(f"removed {_count(removed, 'cached answer')}{f' of {source}' if source else ''}")


if __name__ == "__main__":  # pragma: no cover
    main()
