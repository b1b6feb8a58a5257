"""Hostile command-line options: a usage error (exit 2) naming the option, never a traceback,
never a file written.

Every number an option takes has a range; every text an option takes (an id, a name, a
path, a line of text) is refused if it holds a NUL, a control character, a byte that was
not UTF-8, or is absurdly long, before anything is read or written.
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import pytest
import typer

from stss.cli.main import app
from tests.helpers import GIAS_SAMPLE, TODAY, snapshot

GIAS = str(GIAS_SAMPLE)
LOG = ("log-visit", "--school", "ashcombe-primary", "--activity", "partnership-visit", "--date", "2026-11-20",
       "--today", TODAY, "--notes", "/dev/null")

#: (id, arguments after the command, the option the message must name)
CASES: list[tuple[str, tuple[str, ...], str]] = [
    # numbers: in range
    ("seed-huge", ("plan", "--dry-run", "--today", TODAY, "--seed", "9" * 30), "--seed"),
    ("seed-negative", ("plan", "--dry-run", "--today", TODAY, "--seed", "-1"), "--seed"),
    ("urn-five-digits", ("import", "gias", GIAS, "--dry-run", "--urn", "12345"), "--urn"),
    ("urn-26-digits", ("import", "gias", GIAS, "--dry-run", "--urn", "1" * 26), "--urn"),
    ("days-nan", (*LOG, "--days", "nan"), "days"),
    # text that becomes a file name
    ("out-escape", ("calendar", "--out", "a\x1b[2Jb.ics", "--today", TODAY), "--out"),
    ("out-newline", ("report", "--format", "md", "--today", TODAY, "--out", "a\nb.md"), "--out"),
    ("out-nul", ("export", "--format", "json", "--out", "a\x00b.json"), "--out"),
    ("out-too-long", ("report", "--format", "md", "--today", TODAY, "--out", "x" * 5000 + ".md"), "--out"),
    ("template-newline", ("report", "--format", "md", "--today", TODAY, "--template", "pack\n"), "--template"),
    ("init-directory-escape", ("init", "new\x1b]0;x\x07", "--name", "New Trust"), "DIRECTORY"),
    ("notes-file-escape", (*LOG[:-1], "new\x1b.md"), "--notes"),
    # text that goes into a record
    ("init-name-newline", ("init", "new", "--name", "Trust\nyears: {}"), "--name"),
    ("init-name-too-long", ("init", "new", "--name", "T" * 5000), "--name"),
    ("reason-nul", (*LOG, "--status", "cancelled", "--reason", "snow\x00"), "--reason"),
    ("reason-not-utf8", (*LOG, "--status", "cancelled", "--reason", "snow\udcff"), "--reason"),
    ("reason-line-separator", (*LOG, "--status", "cancelled", "--reason", "snow\u2028x"), "--reason"),
    ("reason-too-long", (*LOG, "--status", "cancelled", "--reason", "x" * 30_000), "--reason"),
    ("rationale-escape", ("edit-support", "brookfield-primary", "--level", "core", "--rationale", "ok\x1b[31m",
                          "--today", TODAY), "--rationale"),
    ("staff-escape", (*LOG, "--staff", "priya-raman\x1b[2J"), "--staff"),
    ("focus-newline", (*LOG, "--focus", "maths\nstatus: planned"), "--focus"),
    ("action-escape", (*LOG, "--action", "Plan\x1b[2J;head"), "--action"),
    ("engagement-del", (*LOG, "--engagement", "x\x7f"), "--engagement"),
    ("school-c1-control", ("plan", "--dry-run", "--today", TODAY, "--school", "x\x9b"), "--school"),
    ("person-escape", ("calendar", "--out", "c.ics", "--person", "priya\x1b", "--today", TODAY), "--person"),
    ("since-nul", ("history", "--since", "HEAD\x00"), "--since"),
    ("trust-too-long", ("import", "gias", GIAS, "--dry-run", "--trust", "t" * 100_000), "--trust"),
    ("encoding-escape", ("import", "gias", GIAS, "--dry-run", "--encoding", "utf-8\x1b"), "--encoding"),
    ("year-escape", ("capacity", "--year", "2026-27\x1b"), "--year"),
]


@pytest.mark.parametrize(("name", "args", "option"), CASES, ids=[c[0] for c in CASES])
def test_a_hostile_option_is_a_usage_error(stss: Any, example: Path, monkeypatch: pytest.MonkeyPatch,
                                           name: str, args: tuple[str, ...], option: str) -> None:
    monkeypatch.chdir(example.parent)
    before = snapshot(example.parent)
    command = args if args[0] == "init" else (*args, "--records", str(example))
    result: Any = stss(*command)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert option in result.output
    assert snapshot(example.parent) == before


def test_free_text_may_run_over_lines(stss: Any, example: Path) -> None:
    result: Any = stss(*LOG, "--status", "cancelled", "--reason", "Snow closed the school;\n\tthe head rang.",
                       "--records", example)
    assert result.exit_code == 0, result.output


def test_a_unicode_trust_name_is_not_refused(stss: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result: Any = stss("init", "new", "--name", "Ysgolion Cymru 😀 👩‍👩‍👧 ‏عربي")
    assert result.exit_code == 0, result.output


def _options() -> list[tuple[str, Any]]:
    """Every option of every command, as (command path, option)."""
    found: list[tuple[str, Any]] = []

    def walk(command: Any, path: str) -> None:
        for sub_name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {sub_name}")
        found.extend((path, p) for p in getattr(command, "params", []))

    walk(typer.main.get_command(app), "stss")
    return found


def test_every_numeric_option_has_a_range() -> None:
    """A new int or float option must say its range (min= and max=, or a callback that checks it)."""
    def scalar(annotation: Any) -> Any:
        while typing.get_args(annotation) and typing.get_origin(annotation) is not typing.Literal:
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        return annotation

    numeric = [(path, p) for path, p in _options() if scalar(p.type_descriptor.annotation) in (int, float)]
    assert numeric, "no numeric options found: the walk is broken"
    unbounded = [f"{path} {p.name}" for path, p in numeric
                 if p.callback is None and (p.min is None or p.max is None)]
    assert unbounded == []
    assert {p.name for _, p in numeric} >= {"seed", "urn", "days"}
