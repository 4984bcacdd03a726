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
    assert set(data) == {"console", "database", "dispatch", "sla", "assessment", "audit", "keys"}
    for section in ("console", "database", "dispatch", "sla", "audit"):
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
        # exact types (issue 16, item 12; issue 15, item 9)
        ("[dispatch]\nverify_tls = 'yes'\n", "dispatch.verify_tls", "valid boolean"),
        ("[console]\nshow_full_phone = 1\n", "console.show_full_phone", "valid boolean"),
        ("[console]\nrefresh_seconds = '5'\n", "console.refresh_seconds", "valid integer"),
        ("[console]\nrefresh_seconds = 5.0\n", "console.refresh_seconds", "valid integer"),
        ("[dispatch]\ntimeout_seconds = '5'\n", "dispatch.timeout_seconds", "valid number"),
        ("[dispatch]\nmax_attempts = true\n", "dispatch.max_attempts", "valid integer"),
        ("[dispatch]\nretry_for_minutes = 0\n", "dispatch.retry_for_minutes", "greater than or equal to 1"),
        ("[dispatch]\nmax_backoff_seconds = '300'\n", "dispatch.max_backoff_seconds", "valid number"),
        ("[console]\noperator = 1023\n", "console.operator", "valid string"),
        ("[sla.limits.repair.urban]\nrespond_minutes = '45'\n", "sla.limits.repair.urban.respond_minutes", "valid integer"),
        ("[dispatch]\ntoken_env = ''\n", "dispatch.token_env", "at least 1"),
        ("[dispatch]\ntoken_env = 'MY TOKEN'\n", "dispatch.token_env", "environment variable"),
        ("[keys]\n'screen.nowhere' = 'f1'\n", "keys.screen.nowhere", "no such binding id"),
        ("[keys]\nscreen.nowhere = 'f1'\n", "keys.screen.nowhere", "no such binding id"),
        ("[keys]\nquit = ''\n", "keys.quit", "at least 1"),
        ("[console]\ntheme = 'no-such-theme'\n", "console.theme", "unknown theme"),
        ("[dispatch]\nbase_url = '127.0.0.1:8765'\n", "dispatch.base_url", "http:// or https://"),
        ("[dispatch]\nbase_url = 'ftp://dispatch.example'\n", "dispatch.base_url", "http:// or https://"),
        ("[dispatch]\nbase_url = 'http://dispatch.example:99999'\n", "dispatch.base_url", "Port out of range"),
        ("[dispatch]\nbase_url = 'http://[::1'\n", "dispatch.base_url", "not a URL"),
        ("[dispatch]\nbase_url = 'http://user:pw@dispatch.example'\n", "dispatch.base_url", "credentials"),
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


def test_a_byte_order_mark_at_the_start_is_accepted(tmp_path):
    config = tmp_path / "notepad.toml"
    config.write_bytes("\ufeff[console]\nrefresh_seconds = 7\n".encode("utf-8"))
    assert load_settings(config).console.refresh_seconds == 7


def test_good_values_of_the_checked_keys_are_accepted():
    settings = parse_settings(
        {
            "console": {"theme": "nord", "show_full_phone": True, "refresh_seconds": 10},
            "dispatch": {"base_url": "https://dispatch.example/api/", "token_env": "SITE_TOKEN", "timeout_seconds": 2,
                         "retry_for_minutes": 60, "max_backoff_seconds": 30, "max_attempts": 2, "verify_tls": False},
            "keys": {"screen.queue": "f1", "list": {"reassign": "R"}},
        }
    )
    assert settings.dispatch.timeout_seconds == 2.0 and settings.dispatch.retry_for_minutes == 60
    assert settings.keys == {"screen.queue": "f1", "list.reassign": "R"}


def test_the_dispatch_defaults_are_the_spec_s():
    dispatch = parse_settings({}).dispatch
    assert (dispatch.retry_for_minutes, dispatch.max_backoff_seconds, dispatch.max_attempts) == (1440, 300, 3)
    assert (dispatch.token_env, dispatch.timeout_seconds, dispatch.verify_tls) == ("WOQ_DISPATCH_TOKEN", 5, True)


def test_the_binding_ids_the_config_knows_are_the_console_s(context):
    """ui_names.BINDING_IDS stands in for the bindings while Textual is not loaded:
    it must name exactly the ids of woq_tui/app.py and woq_tui/screens/*.py."""
    import importlib
    import pkgutil

    import woq_tui.screens
    from woq_tui.app import WoqApp
    from woq_tui.ui_names import BINDING_IDS

    found = set()
    modules = [importlib.import_module("woq_tui.app")] + [
        importlib.import_module(f"woq_tui.screens.{info.name}") for info in pkgutil.iter_modules(woq_tui.screens.__path__)
    ]
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                for binding in getattr(value, "BINDINGS", []):
                    if getattr(binding, "id", None):
                        found.add(binding.id)
    assert found == set(BINDING_IDS)
    assert WoqApp  # imported: the app's own bindings are among the modules above


def test_the_theme_names_the_config_knows_are_the_console_s(context):
    """A config may name any of Textual's themes (docs/configuration.md); the palette offers the
    ones whose colours are checked (themes.py), which must be among them."""
    from textual.theme import BUILTIN_THEMES

    from woq_tui.app import WoqApp
    from woq_tui.themes import OFFERED_THEMES
    from woq_tui.ui_names import THEME_NAMES

    assert set(BUILTIN_THEMES) == set(THEME_NAMES) and set(OFFERED_THEMES) <= set(THEME_NAMES)
    app = WoqApp(context)
    assert set(app.available_themes) == set(OFFERED_THEMES)


def test_the_offered_themes_are_kept_until_a_theme_is_registered(context):
    """Textual looks the current theme up thousands of times a frame: the offered themes
    are made once, and again when a theme is registered or unregistered."""
    from dataclasses import replace as copy

    from woq_tui.app import WoqApp

    app = WoqApp(context)
    offered = app.offered_themes
    assert app.offered_themes is offered and app.current_theme is offered[app.theme]
    assert app.get_theme("nope, textual-light") is offered["textual-light"] and app.get_theme("nope") is None
    lighter = copy(offered["textual-light"], primary="#004488")
    app.register_theme(lighter)  # the same name: the offered one is the new one
    assert app.get_theme("textual-light") is lighter and app.available_themes["textual-light"] is lighter
    app.unregister_theme("textual-light")
    assert "textual-light" not in app.available_themes and app.get_theme("textual-light") is None


@pytest.mark.parametrize(
    ("text", "zh"),
    [
        ('[console]\nrefresh_seconds = "5"\n', "console.refresh_seconds: 应为整数（实际为 '5'）"),
        ('[console]\nrole = "boss"\n', "console.role: 应为以下之一：'viewer'、'dispatcher'、'manager'（实际为 'boss'）"),
        ("[console]\nnope = 1\n", "console.nope: 未知的键"),
        ('[dispatch]\nbase_url = "ftp://x"\n', "dispatch.base_url: 应以 http:// 或 https:// 开头（实际为 'ftp://x'）"),
        ('[console]\ntheme = "nope"\n', "console.theme: 未知的配色主题；可选："),
    ],
)
def test_config_errors_speak_the_console_language(tmp_path, text, zh):
    """A Chinese console's config errors in Chinese (issue 15, item 6); English as before."""
    from woq_tui.i18n import set_language

    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    set_language("zh")
    try:
        with pytest.raises(ConfigError) as caught:
            load_settings(path)
    finally:
        set_language("en")
    assert str(caught.value).startswith(f"{path}: {zh}")
