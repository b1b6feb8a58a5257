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

#: The longest text an option takes (ids, names, a line of text); free text may be
#: longer; a path at most what the system allows. Longer is a slip, or hostile.
MAX_OPTION_TEXT = 1_000
MAX_FREE_TEXT = 20_000
MAX_OPTION_PATH = 4_096
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
        for name, value in params.items():
            for item in value if isinstance(value, list | tuple) else (value,):
                why = _unfit(name, item)
                if why:
                    from stss.errors import UsageError

                    raise UsageError(f"{_option_name(callback, name)} {why}; nothing was read or written")
        return callback(**params)

    return run


def _unfit(name: str, value: Any) -> str | None:
    import math
    import unicodedata

    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number, got {value}"
    if not isinstance(value, str | Path):
        return None
    text = str(value)
    limit = MAX_OPTION_PATH if isinstance(value, Path) else MAX_FREE_TEXT if name in FREE_TEXT else MAX_OPTION_TEXT
    if len(text) > limit:
        return f"is {len(text):,} characters long; at most {limit:,}"
    allowed = "\n\t" if name in FREE_TEXT else ""
    for char in text:
        if char not in allowed and unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp"):
            what = "a NUL byte" if char == "\0" else ("a byte that is not UTF-8" if unicodedata.category(char) == "Cs"
                                                     else f"a control character (U+{ord(char):04X})")
            return f"holds {what}"
    return None


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
#: `--format` of every command that prints a table: the table, or its rows as data.
Format = Literal["table", "json", "csv"]
FormatOpt = Annotated[Format, typer.Option("--format", help="table, json or csv.")]


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
TermOpt = Annotated[str | None, typer.Option("--term", help="autumn, spring or summer.", show_default=False)]


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


def display_path(root: Path | None, rel: str) -> str:
    """A problem's path as a person at this prompt would type it."""
    if root is None:
        return rel
    full = root / rel
    # Lexical only: resolving would follow the very links (even loops) a problem may be about.
    here = os.path.abspath(os.getcwd())
    absolute = os.path.abspath(full)
    return os.path.relpath(absolute, here) if absolute.startswith(here + os.sep) else str(full)


def print_problems(problems: Any, root: Path | None) -> None:
    for p in problems:
        print(p.text().replace(p.path, display_path(root, p.path), 1), file=sys.stderr)


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
    loaded = loader.load(root, scope=scope or layout.EVERYTHING)
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


def hold_write_lock(root: Path) -> None:
    """Hold the write lock of `root` until the running command ends (every writing command)."""
    from stss import lock

    _held.enter_context(lock.writing(root))


def pick_year(loaded: Loaded, year: str | None, today: dt.date) -> str:
    """--year if given and configured, else the academic year containing today."""
    from stss import calendar

    trust = loaded.records.trust
    assert trust is not None
    if year is not None:
        if year not in trust.years:
            from stss.errors import UsageError, did_you_mean

            raise UsageError(f"{year} is not an academic year in trust.yaml",
                             did_you_mean(year, trust.years) or f"configured: {', '.join(sorted(trust.years))}")
        return year
    found = calendar.year_of(trust, today)
    if found is None:
        from stss.errors import UsageError

        raise UsageError(f"{today} is in no academic year in trust.yaml",
                         f"pass --year (configured: {', '.join(sorted(trust.years))})")
    return found


def check_record(loaded: Loaded, kind: str, ident: str | None) -> None:
    """An id given to a writing command must name a record that validated. When its
    file is there but has errors, those refuse the command, each at its line (exit 1):
    "unknown school" would send a person looking for a file that exists."""
    from stss import layout
    from stss.errors import RecordsInvalid

    known = getattr(loaded.records, layout.KINDS[kind].field)
    if ident is not None and ident not in known:
        path = layout.record_path(kind, ident)
        errors = loaded.errors_in(path)
        if errors:
            raise RecordsInvalid(errors, f"refused: {path} has {len(errors)} error(s); fix them first "
                                 "(nothing was written)", root=loaded.root)
        from stss.errors import UsageError, unknown_id_hint

        # Hints from every id on disk, read or not (a command about one school reads one).
        everyone = sorted(set(known) | loaded.records.unread.get(kind, frozenset()))
        raise UsageError(f"unknown {kind} '{ident}'", unknown_id_hint(ident, everyone))


def check_id(kind: str, ident: str | None, known: Any) -> None:
    """An id given on the command line must name a record (usage error otherwise)."""
    if ident is not None and ident not in known:
        from stss.errors import UsageError, unknown_id_hint

        raise UsageError(f"unknown {kind} '{ident}'", unknown_id_hint(ident, known))
