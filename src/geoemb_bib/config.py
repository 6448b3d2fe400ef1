"""Settings from `[tool.geoemb-bib]` in pyproject.toml or from geoemb-bib.toml, then the environment, then flags.

Pure: the command line reads the files and passes their text and the environment in.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .errors import ConfigError
from .services import SOURCE_NAMES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_FILE = "geoemb-bib.toml"
PYPROJECT_FILE = "pyproject.toml"
# Ten years; nan and inf fail the range check too (a nan lifetime used to cache for ever).
MAX_TTL_DAYS = 3650

ENVIRONMENT = {
    "GEOEMB_BIB_MAILTO": "mailto",
    "GEOEMB_BIB_CACHE_DIR": "cache_dir",
    "GEOEMB_BIB_OUTPUT_DIR": "output_dir",
}


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a user can set once instead of on every command line."""

    mailto: str | None = None
    cache_dir: str | None = None
    # Not `build/`: setuptools fills that with lib/ and bdist.* when the list repository is also a package.
    output_dir: str = "bibliography"
    cache_ttl_days: Mapping[str, float] = field(default_factory=dict)
    key_scheme: Literal["author-year-word", "author-year"] = "author-year-word"
    bibtex_flavour: Literal["bibtex", "biblatex"] = "bibtex"
    unicode: bool = False
    sort: Literal["list", "key"] = "list"
    source: str | None = None  # the file the settings came from, for messages


_FIELDS: dict[str, type] = {
    "mailto": str,
    "cache_dir": str,
    "output_dir": str,
    "cache_ttl_days": dict,
    "key_scheme": str,
    "bibtex_flavour": str,
    "unicode": bool,
    "sort": str,
}
_CHOICES = {
    "key_scheme": ("author-year-word", "author-year"),
    "bibtex_flavour": ("bibtex", "biblatex"),
    "sort": ("list", "key"),
}


def parse_config(text: str, path: str) -> Config:
    """Settings from geoemb-bib.toml (top-level keys) or pyproject.toml (`[tool.geoemb-bib]`)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    table = document.get("tool", {}).get("geoemb-bib", {}) if path.endswith(PYPROJECT_FILE) else document
    return _config_from_table(table, path)


def _config_from_table(table: Mapping[str, Any], path: str) -> Config:
    values: dict[str, Any] = {}
    for name in table:
        value: Any = table[name]
        setting = name.replace("-", "_")
        if setting not in _FIELDS:
            known = ", ".join(n.replace("_", "-") for n in _FIELDS)
            raise ConfigError(f"{path}: unknown setting '{name}'", hint=f"known settings: {known}")
        if not isinstance(value, _FIELDS[setting]):
            raise ConfigError(f"{path}: setting '{name}' must be {_FIELDS[setting].__name__}, found {value!r}")
        if setting in _CHOICES and value not in _CHOICES[setting]:
            raise ConfigError(
                f"{path}: setting '{name}' must be one of {', '.join(_CHOICES[setting])}, found {value!r}"
            )
        if setting == "cache_ttl_days":
            value = _ttl_table(table[name], path)
        values[setting] = value
    return Config(**values, source=path)


def _ttl_table(value: Mapping[str, Any], path: str) -> dict[str, float]:
    table: dict[str, float] = {}
    for service, days in value.items():
        if service not in SOURCE_NAMES:
            raise ConfigError(f"{path}: cache-ttl-days: unknown service '{service}' (one of {', '.join(SOURCE_NAMES)})")
        if not isinstance(days, (int, float)) or isinstance(days, bool) or not 0 <= days <= MAX_TTL_DAYS:
            raise ConfigError(
                f"{path}: cache-ttl-days.{service} must be a number of days from 0 to {MAX_TTL_DAYS}, found {days!r}"
            )
        table[service] = float(days)
    return table


def apply_environment(config: Config, environ: Mapping[str, str]) -> Config:
    """Environment variables override the file."""
    changes: dict[str, Any] = {
        setting: environ[variable] for variable, setting in ENVIRONMENT.items() if environ.get(variable)
    }
    return replace(config, **changes) if changes else config
