"""Tables sent to a pipe or file are printed in full; `plan` speaks json and csv too."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

TODAY = "2026-11-23"

#: Every command that prints a table, with what it needs (the records come last).
TABLE_COMMANDS = [
    ("usage", "--today", TODAY),
    ("capacity", "--today", TODAY),
    ("engagements", "--today", TODAY),
    ("actions", "--today", TODAY),
    ("plan", "--today", TODAY, "--dry-run", "--seed", "1"),
]

BOX = set("─│┌┐└┘├┤┬┴┼━┃┏┓┗┛┡┩╇╈┳┻╋")


@pytest.mark.parametrize("args", TABLE_COMMANDS, ids=[a[0] for a in TABLE_COMMANDS])
def test_piped_tables_are_whole_and_plain(args: tuple[str, ...], example: Path, stss: Any,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")  # a narrow window must not matter when nobody is looking
    result = stss(*args, "--records", example)
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    assert not BOX & set(result.stdout)
    assert len(result.stdout.splitlines()) > 3


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
    assert len(rows) == 169 and rows[0]["path"].startswith("visits/2026-27/")
    assert all(isinstance(r["staff"], list) for r in rows)
    as_csv = stss(*args, "--format", "csv")
    table = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["path"] for r in table] == [r["path"] for r in rows]
    assert "Left out: Castle Hill Primary School: an external school" in as_csv.stderr
    assert "Dry run" in as_csv.stderr and "Dry run" not in as_csv.stdout


def test_plan_says_why_a_school_is_left_out(example: Path, stss: Any) -> None:
    out = stss("plan", "--today", TODAY, "--dry-run", "--seed", "1", "--records", example).stdout
    assert "Left out: Castle Hill Primary School: an external school" in out


def test_piped_history_is_whole_and_plain(example: Path, stss: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    monkeypatch.setenv("COLUMNS", "60")
    git = ["git", "-c", "user.name=Trust Office", "-c", "user.email=office@trust.example"]
    subprocess.run([*git, "init", "--quiet"], cwd=example, check=True)
    subprocess.run([*git, "add", "."], cwd=example, check=True)
    subprocess.run([*git, "commit", "--quiet", "-m", "records"], cwd=example, check=True)
    school = example / "schools/st-annes-ce-primary.yaml"
    school.write_text(school.read_text().replace("level: core", "level: enhanced", 1))
    subprocess.run([*git, "commit", "--quiet", "-am", "more support"], cwd=example, check=True)
    result = stss("history", "--records", example)
    assert result.exit_code == 0, result.output
    assert "support level" in result.stdout
    assert "…" not in result.stdout and not BOX & set(result.stdout)
