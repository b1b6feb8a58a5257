"""What every command shares: option types, loading the records, output, errors.

Kept light: only typer and the standard library are imported at module level,
so `stss --help` does not pay for pydantic, ruamel.yaml or Jinja.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from rich.console import Console

    from stss.layout import Scope
    from stss.loader import Loaded
    from stss.tables import Table


class StssGroup(TyperGroup):
    """Turns every `StssError` from any command into a message and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        from stss.errors import RecordsInvalid, StssError

        global _held
        try:
            with contextlib.ExitStack() as _held:
                return super().invoke(ctx)
        except RecordsInvalid as exc:
            print_problems(exc.problems, exc.root)
            err(exc.message, exc.hint)
            raise typer.Exit(exc.exit_code) from None
        except StssError as exc:
            err(exc.message, exc.hint)
            raise typer.Exit(exc.exit_code) from None
        finally:
            _held = contextlib.ExitStack()


#: What the running command holds until it ends (its write lock).
_held = contextlib.ExitStack()

#: The commands and command groups the modules in `stss.cli.main.COMMANDS` declare, in order.
REGISTERED: list[tuple[str | None, Callable[..., Any]] | typer.Typer] = []


def command(name: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the function below a command of `stss`, called `name` (else the function's name)."""
    def declare(callback: Callable[..., Any]) -> Callable[..., Any]:
        REGISTERED.append((name, callback))
        return callback

    return declare


# --- shared options -----------------------------------------------------------

RecordsOpt = Annotated[
    Path | None,
    typer.Option("--records", help="The records folder (default: $STSS_RECORDS, or the nearest folder upwards with trust.yaml).",
                 show_default=False, file_okay=False),
]
YearOpt = Annotated[str | None, typer.Option("--year", help="Academic year, e.g. 2026-27 (default: the year containing --today).", show_default=False)]
TodayOpt = Annotated[
    dt.datetime | None,
    typer.Option("--today", formats=["%Y-%m-%d"], help="Pretend today is this date (YYYY-MM-DD), for replays and tests.", show_default=False),
]
def visit_days(value: float | None) -> float | None:
    """A visit's days on the command line, held to the records' own limit (0 < d <= 30)."""
    import math

    from stss.models import MAX_DAYS

    if value is not None and not (math.isfinite(value) and 0 < value <= MAX_DAYS):
        raise typer.BadParameter(f"days must be more than 0 and at most {MAX_DAYS}, got {value:g}")
    return value


# --- every option's value, checked before a command runs ---------------------

#: Options whose text may run over lines (it goes into YAML as a block or a note).
FREE_TEXT = frozenset({"reason", "rationale", "note"})


def checked_options(callback: Callable[..., Any]) -> Callable[..., Any]:
    """`callback`, run only once every option value is fit to become a file name
    or go into a record: no NUL or other control character (a newline or tab
    only in free text), no character that is not text (bytes that were not
    UTF-8), no absurd length, and every number finite. Each is a usage error
    (exit 2) naming the option; nothing has been read or written yet."""

    @functools.wraps(callback)
    def run(**params: Any) -> Any:
        from stss.parsing import unfit

        for name, value in params.items():
            for item in value if isinstance(value, list | tuple) else (value,):
                why = unfit(item, free_text=name in FREE_TEXT)
                if why:
                    from stss.errors import UsageError

                    raise UsageError(f"{_option_name(callback, name)} {why}; nothing was read or written")
        return callback(**params)

    return run


def _option_name(callback: Callable[..., Any], name: str) -> str:
    """How the person typed the option: `--out` for the parameter `out`, `DIRECTORY` for an argument."""
    import typing

    from typer.models import ArgumentInfo, OptionInfo

    try:
        hint = typing.get_type_hints(callback, include_extras=True).get(name)
    except NameError:
        hint = None
    for info in typing.get_args(hint)[1:]:
        if isinstance(info, OptionInfo) and info.param_decls:
            return max(info.param_decls, key=len)
        if isinstance(info, ArgumentInfo):
            return name.upper()
    return f"--{name.replace('_', '-')}"


def check_all_options(app: typer.Typer) -> None:
    """Give every command of `app` (and of its sub-apps) `checked_options`."""
    for info in app.registered_commands:
        if info.callback is not None:
            info.callback = checked_options(info.callback)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            check_all_options(group.typer_instance)


SchoolOpt = Annotated[str | None, typer.Option("--school", help="Only this school (its id).", show_default=False)]
TermOpt = Annotated[str | None, typer.Option("--term", help="autumn, spring or summer.", show_default=False)]
CommitOpt = Annotated[bool, typer.Option("--commit", help="Commit exactly the files written (refused if other changes are staged).")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Write even if the change brings warnings (such as a date that is not a school day).")]

# --- `--format`: one family, each command takes the one for what it prints ---------

#: A command that prints a table: the table, or its rows as data (`emit_rows`).
Format = Literal["table", "json", "csv"]
FormatOpt = Annotated[Format, typer.Option("--format", help="table, json or csv (the table's rows as data).")]
#: A document: a report, a visit report.
DocumentFormat = Literal["md", "html", "pdf"]
DocumentFormatOpt = Annotated[DocumentFormat, typer.Option(
    "--format", help="md, html or pdf (printed from the HTML by headless Chromium).")]
#: Problems found in the records.
ProblemFormatOpt = Annotated[Literal["text", "json", "github"], typer.Option(
    "--format", help="text, json, or github (workflow annotations).")]
#: Tables for other tools.
ExportFormatOpt = Annotated[Literal["csv", "json", "sqlite"], typer.Option(
    "--format", help="csv (a folder with one file a table), json (one document) or sqlite (one database).")]


def emit_rows(rows: list[dict[str, Any]], format: Format, columns: tuple[str, ...]) -> bool:
    """Print `rows` as JSON (lists stay arrays) or CSV (`columns`, lists joined with "; ");
    returns False when the caller should print its table instead."""
    import csv
    import json

    if format == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
    elif format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: "; ".join(map(str, v)) if isinstance(v, list | tuple) else v for k, v in row.items()}
                         for row in rows)
    return format != "table"




def today_of(today: dt.datetime | None) -> dt.date:
    """The date a command treats as today: --today, else the real date (the only clock read)."""
    return today.date() if today else dt.date.today()


# --- output -------------------------------------------------------------------

_console: Console | None = None


#: Width for output that goes to a pipe or file: wide enough that no table is cut.
PIPE_WIDTH = 10_000


def console() -> Console:
    """The one console every command prints through. At a terminal, tables fit
    the window by wrapping long cells (never cutting them with an ellipsis); sent
    to a pipe or a file, tables are printed in full, without box drawing."""
    global _console
    if _console is None:
        from rich.console import Console
        from rich.table import Table

        class _Console(Console):
            def print(self, *objects: Any, **kwargs: Any) -> None:
                for item in objects:
                    if isinstance(item, Table):
                        fit_table(item, terminal=self.is_terminal)
                super().print(*objects, **kwargs)

        probe = Console()
        width = None if probe.is_terminal else PIPE_WIDTH
        _console = _Console(highlight=False, soft_wrap=False, width=width)
    return _console


def fit_table(table: Any, terminal: bool) -> None:
    """Wrap rather than cut long cells; in a pipe, plain columns with no box."""
    for column in table.columns:
        column.overflow = "fold"
        column.no_wrap = column.no_wrap and not terminal
    if not terminal:
        table.box = None
        table.show_edge = False
        table.pad_edge = False
        table.title_justify = "left"


def err(message: str, hint: str | None = None) -> None:
    print(f"stss: {message}", file=sys.stderr)
    if hint:
        print(f"  hint: {hint}", file=sys.stderr)


def fail(message: str, hint: str | None = None, code: int = 2) -> NoReturn:
    err(message, hint)
    raise typer.Exit(code)


def print_problems(problems: Any, root: Path | None) -> None:
    from stss.outputs import path_shower

    shown = path_shower(root, os.getcwd())
    for p in problems:
        print(p.text().replace(p.path, shown(p.path), 1), file=sys.stderr)


# --- records --------------------------------------------------------------------


def open_records(records: Path | None, *, strict: bool = True, write: bool = False,
                 scope: Scope | None = None) -> Loaded:
    """Find and load the records (only those `scope` reads, if given); with
    `strict`, refuse to go on past errors, since figures computed from broken
    records would mislead. With `write`, first take the records' write lock
    (`stss.lock`) and hold it until the command ends, so what it read is still
    what is on disk when it writes."""
    from stss import layout, loader, store
    from stss.errors import RecordsInvalid

    root = store.find_root(records)
    if write:
        hold_write_lock(root)
    # Warnings are shown by validate, not here: they are left unlocated (no round-trip parse).
    loaded = loader.load(root, scope=scope or layout.EVERYTHING, locate_warnings=False)
    if strict and not loaded.ok:
        errors = [p for p in loaded.problems if p.is_error]
        raise RecordsInvalid(errors, f"{len(errors)} error(s) in the records; run 'stss validate' and fix them first",
                             root=root)
    return loaded


def scope_of(year: str | None = None, today: dt.date | None = None, school: str | None = None,
             days: tuple[dt.date, ...] = (), before: int = 0, schools: list[str] | None = None) -> Scope:
    """What a command about one year (--year, else the year containing `today`;
    and the years of `days`, and `before` years before them) and, with
    --school, one school (or `schools`) reads."""
    from stss.layout import Scope

    chosen = [school] if school else schools
    return Scope(years=frozenset({year}) if year else frozenset(),
                 days=(*((today,) if year is None and today is not None else ()), *days),
                 schools=frozenset(chosen) if chosen else None, before=before)


def scope_of_visit(ref: str) -> Scope | None:
    """What a command about one visit file reads: the year its folder names, else the year
    its name's date falls in (`<date>-<school>-...`); None (everything) when it says neither."""
    from stss.layout import YEAR_NAME, Scope, date_named

    parts = ref.replace("\\", "/").split("/")
    if len(parts) >= 2 and YEAR_NAME.fullmatch(parts[-2]):
        return Scope(years=frozenset({parts[-2]}))
    day = date_named(parts[-1])
    return Scope(days=(day,)) if day is not None else None


def open_visit_for_writing(records: Path | None, ref: str) -> tuple[Loaded, str]:
    """The records a command about one visit needs, under the write lock, and the visit's
    path: its year's (`scope_of_visit`), or every year's when the visit is not where its name
    says (a file in another year's folder, which validate warns about)."""
    from stss import review
    from stss.errors import UsageError

    loaded = open_for_writing(records, scope_of_visit(ref))
    try:
        return loaded, review.find_visit(loaded.records, ref)
    except UsageError:
        if loaded.scope.everything:
            raise
    loaded = open_records(records, strict=False)  # the lock is already held
    return loaded, review.find_visit(loaded.records, ref)


def hold_write_lock(root: Path) -> None:
    """Hold the write lock of `root` until the running command ends (every writing command)."""
    from stss import lock

    _held.enter_context(lock.writing(root))


def pick_year(loaded: Loaded, year: str | None, today: dt.date) -> str:
    """--year if given and configured, else the academic year containing today."""
    from stss.calendar import chosen_year

    assert loaded.records.trust is not None
    return chosen_year(loaded.records.trust, year, today)


def open_for_writing(records: Path | None, scope: Scope | None = None) -> Loaded:
    """The records (those `scope` reads) under the write lock, even with errors elsewhere:
    a change is judged by the problems it brings. trust.yaml and offer.yaml must validate."""
    loaded = open_records(records, strict=False, write=True, scope=scope)
    if loaded.records.trust is None or loaded.records.offer is None:
        from stss.errors import RecordsInvalid
        from stss.layout import OFFER_FILE, TRUST_FILE

        errors = [p for p in loaded.problems if p.is_error and p.path in (TRUST_FILE, OFFER_FILE)]
        raise RecordsInvalid(errors, "trust.yaml and offer.yaml must validate before anything is recorded")
    return loaded


def say(text: str) -> None:
    """A line about what a command did: record text in it is printed as written, never as markup."""
    console().print(text, soft_wrap=True, markup=False, highlight=False)


def say_written(done: str, commit: str | None, message: str) -> None:
    """What a writing command did, and the commit it made with --commit."""
    say(done)
    if commit:
        say(f"Committed {commit}: {message}")


def ids(values: list[str] | None) -> tuple[str, ...] | None:
    """Ids from a repeatable option, each occurrence perhaps a comma-separated list."""
    if values is None:
        return None
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def read_notes(notes: str) -> str:
    """Notes from --notes FILE, or from stdin for '-'."""
    from stss.errors import UsageError

    if notes == "-":
        return sys.stdin.read()
    try:
        return Path(notes).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read --notes {notes}: {getattr(exc, 'strerror', None) or exc}") from None


#: How a cell's meaning (`stss.tables.Style`) looks at a colour terminal.
STYLES = {"bad": "red", "warn": "yellow", "good": "green", "note": "cyan", "muted": "dim", "strong": "bold",
          "over": "magenta"}
_ANSI = {"red": "31", "yellow": "33", "green": "32", "cyan": "36", "dim": "2", "bold": "1", "magenta": "35"}


def show(table: Table, *, plain: bool = False) -> None:
    """Print a table from `stss.tables`: at a terminal a Rich table that wraps to the window,
    or with `plain` (thousands of rows) an aligned grid written in one go. Cell text is
    never read as markup."""
    if plain:
        _grid(table)
        return
    from rich.table import Table as RichTable
    from rich.text import Text

    out = RichTable(title=Text(table.title))
    for col in table.columns:
        out.add_column(col, justify="right" if col in table.right else "left", no_wrap=col in table.keep,
                       overflow="fold", max_width=table.widest.get(col))
    for row in table.rows:
        out.add_row(*(Text(c.text, style=STYLES.get(c.style, "")) for c in row))
    console().print(out)


def _grid(table: Table) -> None:
    """A plain aligned table: a Rich table costs seconds at thousands of rows. One-cell rows
    are group headings (a school's name). Control characters from the records are dropped,
    so a name cannot drive the terminal."""
    from stss.outputs import without_control

    rows = [tuple((without_control(c.text).replace("\t", " "), STYLES.get(c.style, "")) for c in row)
            for row in table.rows]
    full = [row for row in rows if len(row) == len(table.columns)]
    widths = [max([len(h)] + [len(row[i][0]) for row in full]) for i, h in enumerate(table.columns)]
    colour = console().color_system is not None and console().is_terminal

    def paint(text: str, style: str) -> str:
        return f"\x1b[{_ANSI[style]}m{text}\x1b[0m" if colour and style else text

    def line(cells: tuple[tuple[str, str], ...]) -> str:
        return "  ".join(paint(text.rjust(w) if col in table.right else text.ljust(w), style)
                         for (text, style), w, col in zip(cells, widths, table.columns, strict=True)).rstrip()

    out = [table.title, "", line(tuple((h, "") for h in table.columns)), "  ".join("-" * w for w in widths)]
    out += [paint(*row[0]) if len(row) == 1 else line(row) for row in rows]
    sys.stdout.write("\n".join(out) + "\n")
