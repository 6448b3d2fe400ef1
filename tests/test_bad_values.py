"""Every bad value is refused where it enters, with an `error:` and a `hint:` line and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from geoemb_bib.cli import main
from geoemb_bib.errors import ConfigError
from geoemb_bib.fetch import FetchSettings, redact_url


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("GEOEMB_BIB_MAILTO", "jürgen@example.de", "not an e-mail address"),
        ("GEOEMB_BIB_MAILTO", "a\x01b@example.org", "not an e-mail address"),
        ("GEOEMB_BIB_MAILTO", "a@exa mple.org", "not an e-mail address"),
        ("GEOEMB_BIB_ARXIV_URL", "http://[::1/arxiv", "is not a valid URL"),
        ("GEOEMB_BIB_ARXIV_URL", "http://127.0.0.1:99999/arxiv", "is not a valid URL"),
        ("GEOEMB_BIB_ARXIV_URL", "http://bad host/arxiv", "holds spaces, control or non-ASCII characters"),
        ("GEOEMB_BIB_ARXIV_INTERVAL", "1e10", "must be a number from 0 to 86400"),
        ("GEOEMB_BIB_TIMEOUT", "1e300", "must be a number from 0 to 86400"),
        ("GEOEMB_BIB_TIMEOUT", "nan", "must be a number from 0 to 86400"),
        ("GEOEMB_BIB_DEADLINE", "inf", "must be a number from 0 to 86400"),
        ("GEOEMB_BIB_MAX_BODY_BYTES", "1e3", "is not a whole number"),
        ("GEOEMB_BIB_CACHE_DIR", "~nosuchuser-geoemb/x", "no such user or home folder"),
    ],
)
def test_a_bad_environment_value_is_one_error_and_a_hint(
    variable: str, value: str, said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"GEOEMB_BIB_CACHE_DIR": str(tmp_path / "cache"), variable: value}
    result = CliRunner().invoke(main, ["cache", "info"], env=env)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and said in errors[0]
    assert any(line.startswith("hint: ") for line in result.output.splitlines())


def test_a_nan_lifetime_in_the_configuration_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "geoemb-bib.toml").write_text("cache-ttl-days = { arxiv = nan }\n")
    result = CliRunner().invoke(main, ["cache", "info"], env={"GEOEMB_BIB_CACHE_DIR": str(tmp_path / "cache")})
    assert result.exit_code == 1
    assert "cache-ttl-days.arxiv must be a number of days from 0 to 3650, found nan" in result.output


@pytest.mark.parametrize("seconds", [float("nan"), float("inf"), -1.0])
def test_lifetimes_must_be_finite_and_not_negative(seconds: float) -> None:
    with pytest.raises(ConfigError, match="cache lifetime of arxiv"):
        FetchSettings(ttl={"arxiv": seconds})
    with pytest.raises(ConfigError, match="cache lifetime of not-found answers"):
        FetchSettings(negative_ttl=seconds)


def test_credentials_in_a_url_are_redacted() -> None:
    assert redact_url("http://user:s3cret@host/arxiv") == "http://***@host/arxiv"
    assert (
        redact_url("see https://token@h.example/x and http://a:b@c/") == "see https://***@h.example/x and http://***@c/"
    )
    assert redact_url("http://host/x?mail=a@b.org") == "http://host/x?mail=a@b.org"


def test_a_plain_ascii_mailto_is_accepted() -> None:
    assert FetchSettings(mailto="first.last+bib@example-uni.ac.uk").mailto == "first.last+bib@example-uni.ac.uk"
