"""Settings come from pyproject.toml or geoemb-bib.toml, are overridden by the environment, then by flags."""

from __future__ import annotations

import pytest

from geoemb_bib.config import Config, apply_environment, parse_config
from geoemb_bib.errors import ConfigError


def test_settings_are_read_from_the_tool_table_of_pyproject() -> None:
    text = """
[project]
name = "my-list"

[tool.geoemb-bib]
mailto = "curator@example.org"
output-dir = "out"
bibtex-flavour = "biblatex"
cache-ttl-days = { crossref = 14, openreview = 0.5 }
"""
    config = parse_config(text, "lists/pyproject.toml")
    assert config.mailto == "curator@example.org"
    assert config.output_dir == "out"
    assert config.bibtex_flavour == "biblatex"
    assert config.cache_ttl_days == {"crossref": 14.0, "openreview": 0.5}
    assert config.source == "lists/pyproject.toml"


def test_a_pyproject_without_the_tool_table_gives_the_defaults() -> None:
    assert parse_config('[project]\nname = "x"\n', "pyproject.toml") == Config(source="pyproject.toml")


def test_geoemb_bib_toml_holds_the_settings_at_top_level() -> None:
    assert parse_config('sort = "key"\nunicode = true\n', "geoemb-bib.toml").sort == "key"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('mail-to = "x"', "geoemb-bib.toml: unknown setting 'mail-to'"),
        ("unicode = 1", "geoemb-bib.toml: setting 'unicode' must be bool, found 1"),
        ('sort = "year"', "geoemb-bib.toml: setting 'sort' must be one of list, key, found 'year'"),
        (
            "cache-ttl-days = { datacite = 1 }",
            "geoemb-bib.toml: cache-ttl-days: unknown service 'datacite' (one of arxiv, crossref, openreview)",
        ),
        (
            "cache-ttl-days = { arxiv = -1 }",
            "geoemb-bib.toml: cache-ttl-days.arxiv must be a number of days from 0 to 3650, found -1",
        ),
        (
            "cache-ttl-days = { arxiv = nan }",
            "geoemb-bib.toml: cache-ttl-days.arxiv must be a number of days from 0 to 3650, found nan",
        ),
        ("mailto = ", "geoemb-bib.toml: not valid TOML"),
    ],
)
def test_bad_settings_name_the_file_and_the_setting(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "geoemb-bib.toml")
    assert caught.value.message.startswith(message)


def test_the_environment_overrides_the_file() -> None:
    config = parse_config('mailto = "file@example.org"\noutput-dir = "out"', "geoemb-bib.toml")
    overridden = apply_environment(config, {"GEOEMB_BIB_MAILTO": "env@example.org", "GEOEMB_BIB_CACHE_DIR": "/tmp/c"})
    assert (overridden.mailto, overridden.cache_dir, overridden.output_dir) == ("env@example.org", "/tmp/c", "out")
