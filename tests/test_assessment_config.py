"""[assessment] and [assessment.weights] (docs/configuration.md): the defaults of docs/configuration.md, exact
types, bounds, unknown keys; one line naming the key, exit 2."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from woq_tui.cli import main
from woq_tui.config import ConfigError, load_settings, parse_settings

EXAMPLE = Path(__file__).parent.parent / "config.example.toml"


def test_the_defaults_of_config_md_and_the_example_file():
    settings = parse_settings({}).assessment
    assert (settings.min_tickets, settings.backlog_count, settings.backlog_days, settings.worst_fraction,
            settings.worst_periods, settings.weeks, settings.bootstrap) == (20, 5, 7, 0.1, 3, 8, 2000)  # fmt: skip
    assert dataclasses.asdict(settings.weights) == {"on_time": 40, "one_time": 20, "satisfaction": 20, "quality": 20,
                                                    "escalation": 0}  # fmt: skip
    example = load_settings(EXAMPLE).assessment
    assert example == settings
    written = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))["assessment"]
    assert set(written) == {field.name for field in dataclasses.fields(settings)}
    assert set(written["weights"]) == {field.name for field in dataclasses.fields(settings.weights)}


def test_weights_may_be_any_non_negative_number():
    weights = parse_settings({"assessment": {"weights": {"on_time": 50, "quality": 0.5}}}).assessment.weights
    assert (weights.on_time, weights.quality, weights.one_time) == (50, 0.5, 20)


@pytest.mark.parametrize(
    "section, problem",
    [
        ({"min_tickets": "20"}, "assessment.min_tickets: Input should be a valid integer (got '20')"),
        ({"min_tickets": 20.0}, "assessment.min_tickets: Input should be a valid integer (got 20.0)"),
        ({"min_tickets": 0}, "assessment.min_tickets: Input should be greater than or equal to 1"),
        ({"bootstrap": True}, "assessment.bootstrap: Input should be a valid integer (got True)"),
        ({"bootstrap": 10}, "assessment.bootstrap: Input should be greater than or equal to 100"),
        ({"worst_fraction": 0}, "assessment.worst_fraction: Input should be greater than 0"),
        ({"worst_fraction": 1.5}, "assessment.worst_fraction: Input should be less than or equal to 1"),
        ({"worst_fraction": "10%"}, "assessment.worst_fraction: Input should be a valid number"),
        ({"weeks": 53}, "assessment.weeks: Input should be less than or equal to 52"),
        ({"weights": {"on_time": -1}}, "assessment.weights.on_time: Input should be greater than or equal to 0"),
        ({"weights": {"on_time": "40"}}, "assessment.weights.on_time: Input should be a valid number (got '40')"),
        ({"weights": {"speed": 10}}, "assessment.weights.speed: unknown key"),
        ({"blacklist": 3}, "assessment.blacklist: unknown key"),
    ],
)
def test_mistakes_name_the_key(section, problem):
    with pytest.raises(ConfigError) as error:
        parse_settings({"assessment": section})
    assert problem in str(error.value)


def test_a_bad_file_stops_the_command_with_exit_2(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text('[assessment.weights]\nquality = "high"\n', encoding="utf-8")
    assert main(["--config", str(config), "bulletin"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "assessment.weights.quality" in err and str(config) in err
