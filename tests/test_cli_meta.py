"""Keeps the CLI honest: every command has help, takes --records, and is in the README."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from tests.helpers import REPO, cli_commands

#: Commands that do not work on an existing records folder.
NO_RECORDS = {"init", "schema"}


@pytest.mark.parametrize("name", sorted(cli_commands()))
def test_every_command_has_help_and_takes_records(name: str) -> None:
    command = cli_commands()[name]
    assert (command.help or "").strip(), f"{name} has no help text"
    options = {opt for param in command.params for opt in getattr(param, "opts", [])}
    if name not in NO_RECORDS:
        assert "--records" in options, f"{name} does not take --records"


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    missing = [name for name in cli_commands() if f"stss {name}" not in readme]
    assert not missing, missing


def test_help_does_not_import_heavy_modules() -> None:
    # `stss --help` must stay close to a bare Typer app: the work is imported per command.
    code = ("import sys; sys.argv = ['stss', '--help']\n"
            "from stss.cli.main import app\n"
            "try:\n    app()\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('pydantic', 'ruamel.yaml', 'jinja2', 'markdown_it', 'icalendar') if m in sys.modules]\n"
            "print('HEAVY=' + ','.join(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "HEAVY=", result.stdout


def test_unknown_command_is_a_usage_error(stss: Any) -> None:
    assert stss("frobnicate").exit_code == 2
