"""Configuration: defaults, every kind of mistake (exit 2, one line), overrides."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from woq_tui.cli import main
from woq_tui.config import ConfigError, load_settings, parse_settings, resolve_database_url

EXAMPLE = Path(__file__).parent.parent / "config.example.toml"


def test_example_file_is_valid_and_lists_every_section():
    settings = load_settings(EXAMPLE)
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert set(data) == {"console", "database", "dispatch", "sla", "assessment", "keys"}
    for section in ("console", "dispatch", "sla"):
        model_keys = {f.name for f in dataclasses.fields(getattr(settings, section))}
        # every key of the model is written (or commented) in the example
        text = EXAMPLE.read_text(encoding="utf-8")
        missing = [key for key in model_keys if f"{key} =" not in text and f"[{section}.{key}." not in text]
        assert missing == [], f"[{section}] keys missing from config.example.toml: {missing}"


@pytest.mark.parametrize(
    ("toml", "key", "problem"),
    [
        ("[console]\nrefresh_seconds = 0\n", "console.refresh_seconds", "greater than or equal to 1"),
        ("[console]\nrefresh_seconds = 'fast'\n", "console.refresh_seconds", "valid integer"),
        ("[console]\ncolour = 'red'\n", "console.colour", "unknown key"),
        ("[consoel]\n", "consoel", "unknown key"),
        ("[console]\nlanguage = 'fr'\n", "console.language", "'zh' or 'en'"),
        ("[console]\ntimezone = 'Mars/Olympus'\n", "console.timezone", "unknown time zone"),
        ("[console]\nrole = 'admin'\n", "console.role", "viewer"),
        ("[dispatch]\nmax_attempts = -1\n", "dispatch.max_attempts", "greater than or equal to 1"),
        ("[sla]\nat_risk_fraction = 2\n", "sla.at_risk_fraction", "less than or equal to 1"),
        ("[sla.limits.repair.downtown]\nrespond_minutes = 5\n", "sla.limits.repair", "urban"),
        ("[sla]\nextra_holidays = ['tomorrow']\n", "sla.extra_holidays.0", "date"),
    ],
)
def test_each_mistake_is_one_line_naming_file_and_key(tmp_path, capsys, toml, key, problem):
    config = tmp_path / "bad.toml"
    config.write_text(toml, encoding="utf-8")
    status = main(["--config", str(config), "db", "upgrade", "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1, err
    assert str(config) in err and key in err and problem in err
    assert "Traceback" not in err
    assert not (tmp_path / "x.db").exists()


def test_broken_toml_is_one_line(tmp_path, capsys):
    config = tmp_path / "broken.toml"
    config.write_text("[console\nlanguage = ", encoding="utf-8")
    assert main(["--config", str(config), "db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not valid TOML" in err


def test_missing_config_file(tmp_path, capsys):
    assert main(["--config", str(tmp_path / "nope.toml"), "db", "upgrade"]) == 2
    assert "config file not found" in capsys.readouterr().err


def test_config_from_environment(tmp_path, monkeypatch):
    config = tmp_path / "env.toml"
    config.write_text("[console]\nrefresh_seconds = 9\n", encoding="utf-8")
    monkeypatch.setenv("WOQ_CONFIG", str(config))
    assert load_settings().console.refresh_seconds == 9


def test_database_url_precedence_and_password_from_environment(monkeypatch):
    settings = parse_settings({"database": {"url": "postgresql+psycopg://woq@db:5432/woq"}})
    monkeypatch.delenv("WOQ_DATABASE_URL", raising=False)
    monkeypatch.setenv("WOQ_DATABASE_PASSWORD", "s3cret")
    assert resolve_database_url(None, settings) == "postgresql+psycopg://woq:s3cret@db:5432/woq"
    monkeypatch.setenv("WOQ_DATABASE_URL", "sqlite:///env.db")
    assert resolve_database_url(None, settings) == "sqlite:///env.db"
    assert resolve_database_url("sqlite:///cli.db", settings) == "sqlite:///cli.db"


def test_bad_database_url_is_a_config_error():
    with pytest.raises(ConfigError, match="not a database URL"):
        resolve_database_url("not a url", parse_settings({}))


def test_language_defaults_from_locale(monkeypatch):
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert parse_settings({}).console.language == "zh"
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert parse_settings({}).console.language == "en"


def test_sla_limit_override_replaces_working_days():
    policy = parse_settings({"sla": {"limits": {"complaint": {"urban": {"resolve_minutes": 600}}}}}).sla_policy()
    limit = policy.limit("complaint", "urban")
    assert limit.resolve_minutes == 600 and limit.resolve_working_days is None
    assert policy.limit("complaint", "rural").resolve_working_days == 4
