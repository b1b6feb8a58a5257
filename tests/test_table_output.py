"""Tables sent to a pipe or file are printed in full; every table command speaks json and csv too."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import GIAS_SAMPLE, TODAY, cli_commands, git

#: Every command that prints a table, with what it needs (the records come last): the
#: test below checks this against the CLI itself, so a new table command cannot be missed.
TABLE_COMMANDS: dict[str, tuple[str, ...]] = {
    "usage": ("--today", TODAY),
    "capacity": ("--today", TODAY),
    "engagements": ("--today", TODAY),
    "actions": ("--today", TODAY),
    "plan": ("--today", TODAY, "--dry-run", "--seed", "1"),
    "history": (),
    "import gias": (str(GIAS_SAMPLE), "--urn", "106653", "--dry-run", "--today", TODAY),
    "requests": ("--today", TODAY),
    "reviews": ("--today", TODAY),
}
#: Variants of a table command that print other tables.
VARIANTS: dict[str, tuple[str, ...]] = {"engagements --funding": ("engagements", "--today", TODAY, "--funding")}
#: Commands that print no table, and what they print instead.
NOT_TABLES = {
    "validate": "problems, one a line (--format text|json|github)",
    "init": "what it made", "schema": "JSON Schemas", "export": "files (--format csv|json|sqlite)",
    "log-visit": "what it wrote", "log-event": "what it wrote", "edit-support": "what it wrote", "review-objective": "what it wrote",
    "log-request": "what it wrote", "update-request": "what it wrote", "review": "what it wrote",
    "close-action": "what it wrote", "share": "a visit report (--format md|html|pdf)",
    "report": "a report (--format md|html|pdf)", "calendar": "an iCalendar file",
}

BOX = set("─│┌┐└┘├┤┬┴┼━┃┏┓┗┛┡┩╇╈┳┻╋")


def _formats(command: Any) -> set[str]:
    """The choices of a command's --format, read from its function's `format: Literal[...]`."""
    import inspect
    import typing

    hint = typing.get_type_hints(inspect.unwrap(command.callback), include_extras=True).get("format")
    return set(typing.get_args(typing.get_args(hint)[0])) if hint else set()


def test_every_command_that_prints_a_table_offers_table_json_and_csv() -> None:
    commands = cli_commands()
    assert set(commands) == set(TABLE_COMMANDS) | set(NOT_TABLES), "list a new command above"
    for name in TABLE_COMMANDS:
        assert _formats(commands[name]) == {"table", "json", "csv"}, name
    for name in NOT_TABLES:
        assert "table" not in _formats(commands[name]), name


@pytest.fixture
def committed(example: Path) -> Path:
    """The example trust in a git repository of its own, with one change after the first commit."""
    git(example, "init", "--quiet")
    git(example, "add", ".")
    git(example, "commit", "--quiet", "-m", "records")
    school = example / "schools/st-annes-ce-primary.yaml"
    school.write_text(school.read_text().replace("level: core", "level: enhanced", 1))
    git(example, "commit", "--quiet", "-am", "more support", when="2026-09-02T10:00:00+01:00")
    return example


RUNS = {name: (*name.split(), *args) for name, args in TABLE_COMMANDS.items()} | VARIANTS


@pytest.mark.parametrize("name", list(RUNS))
def test_piped_tables_are_whole_and_plain(name: str, committed: Path, stss: Any,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")  # a narrow window must not matter when nobody is looking
    result = stss(*RUNS[name], "--records", committed)
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    assert not BOX & set(result.stdout)
    assert len(result.stdout.splitlines()) > 3


@pytest.mark.parametrize("name", list(RUNS))
def test_every_table_as_json_and_csv(name: str, committed: Path, stss: Any) -> None:
    as_json = stss(*RUNS[name], "--records", committed, "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    rows = data["events"] if name == "history" else data
    assert rows and all(isinstance(row, dict) for row in rows)
    as_csv = stss(*RUNS[name], "--records", committed, "--format", "csv")
    assert as_csv.exit_code == 0, as_csv.output
    table = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(table) == len(rows) and "…" not in as_csv.stdout


def test_piped_plan_keeps_long_names_whole(example: Path, stss: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    out = stss("plan", "--today", TODAY, "--dry-run", "--seed", "1", "--records", example).stdout
    assert "christian-distinctiveness-visit" in out and "St Benedict's Catholic High School" in out


def test_at_a_terminal_long_cells_wrap_instead_of_being_cut() -> None:
    from rich.console import Console
    from rich.table import Table

    from stss.cli.common import fit_table

    table = Table()
    table.add_column("activity")
    table.add_row("christian-distinctiveness-visit-with-a-longer-name")
    fit_table(table, terminal=True)
    buffer = io.StringIO()
    Console(file=buffer, width=20, force_terminal=True, color_system=None).print(table)
    text = buffer.getvalue()
    assert "…" not in text
    assert "".join(line.strip("│ ") for line in text.splitlines()[3:-1]) == \
        "christian-distinctiveness-visit-with-a-longer-name"


def test_plan_as_json_and_csv(example: Path, stss: Any) -> None:
    args = ("plan", "--today", TODAY, "--dry-run", "--seed", "1", "--records", example)
    as_json = stss(*args, "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    rows = json.loads(as_json.stdout)
    # 178 visits, then the two trust-wide headteachers' network meetings (spring and summer).
    assert len(rows) == 180 and rows[0]["path"].startswith("visits/2026-27/")
    assert [r["path"].split("/")[0] for r in rows[-2:]] == ["events", "events"]
    assert all(isinstance(r["staff"], list) for r in rows)
    as_csv = stss(*args, "--format", "csv")
    table = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["path"] for r in table] == [r["path"] for r in rows]
    assert "Left out: Castle Hill Primary School: an external school" in as_csv.stderr
    assert "Dry run" in as_csv.stderr and "Dry run" not in as_csv.stdout


def test_plan_says_why_a_school_is_left_out(example: Path, stss: Any) -> None:
    out = stss("plan", "--today", TODAY, "--dry-run", "--seed", "1", "--records", example).stdout
    assert "Left out: Castle Hill Primary School: an external school" in out


def test_piped_history_tells_the_change(committed: Path, stss: Any) -> None:
    result = stss("history", "--records", committed)
    assert result.exit_code == 0, result.output
    assert "support level" in result.stdout
