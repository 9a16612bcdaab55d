"""The error boundary: a bug says how to see the traceback; a user's mistake is one line."""

from __future__ import annotations

import click
import pytest

from optimizer import cli
from optimizer.errors import ConfigError


@pytest.fixture
def failing_command():
    """A command that fails the way a bug would, registered on the real group for one test."""

    def install(error: Exception) -> None:
        @cli.cli.command("explode")
        @click.option("-v", "--verbose", is_flag=True, expose_value=False, callback=cli._set_verbose)
        def explode() -> None:
            raise error

    yield install
    cli.cli.commands.pop("explode", None)
    cli._verbose = False


def test_unexpected_error_exits_3_and_says_how_to_see_the_traceback(failing_command, capsys):
    failing_command(KeyError("boom"))
    assert cli.main(["explode"]) == 3
    err = capsys.readouterr().err
    assert "unexpected error: KeyError" in err and "-v" in err and "Traceback" not in err


def test_verbose_shows_the_traceback(failing_command, capsys):
    failing_command(KeyError("boom"))
    assert cli.main(["explode", "-v"]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_user_error_is_one_line_and_exit_1(failing_command, capsys):
    failing_command(ConfigError("optimizer.yaml: at window/hours: -3 is less than the minimum"))
    assert cli.main(["explode"]) == 1
    assert capsys.readouterr().err == "optimizer: error: optimizer.yaml: at window/hours: -3 is less than the minimum\n"


def test_usage_error_exits_2(capsys):
    assert cli.main(["run", "--no-such-option"]) == 2
    assert "No such option" in capsys.readouterr().err
