"""Data in and out: `stss import gias` and `stss export`.

The work is in `stss.gias` (reading an export), `stss.importing` (what it
changes) and `stss.export` (tables); here are the options, the output, and
the writing of export files, which may go anywhere the user asks (not
only inside the records), so each is written to a temporary file and then
renamed over the target.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from stss.cli.common import (
    RecordsOpt,
    StssGroup,
    TodayOpt,
    YearOpt,
    console,
    open_records,
    pick_year,
    today_of,
)

if TYPE_CHECKING:
    from stss.export import Table

import_app = typer.Typer(cls=StssGroup, name="import", help="Bring data in from outside the records.",
                         no_args_is_help=True, rich_markup_mode=None)


@import_app.command("gias")
def import_gias(
    file: Annotated[Path, typer.Argument(help="A GIAS establishment export (CSV).", exists=True, dir_okay=False)],
    trust: Annotated[str | None, typer.Option(
        "--trust", help="Take this trust's schools (as GIAS names it, any case; default: the name in trust.yaml).",
        show_default=False)] = None,
    urn: Annotated[list[int] | None, typer.Option(
        "--urn", help="Take this school (repeat for more).", show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    commit: Annotated[bool, typer.Option("--commit", help="Commit exactly the files written.")] = False,
    today: TodayOpt = None,
    records: RecordsOpt = None,
) -> None:
    """Add and update schools from a GIAS export: name, phase, religious character, LA, headteacher.

    Rows are taken for schools already in the records (matched by URN), for each
    --urn, and for the trust's schools. New schools get a file of their own;
    existing ones have only the fields GIAS owns updated, keeping comments and
    everything else. Closed schools are reported, not created. Exit 1 if any row
    could not be read.
    """
    from rich.markup import escape
    from rich.table import Table

    from stss import changes, gias, git, importing, store

    loaded = open_records(records)
    root = loaded.root
    if commit and not dry_run:
        git.require_repo(root)
    read = gias.read(file.read_bytes(), file.name)
    for p in read.problems:
        print(p.text(), file=sys.stderr)
    found = importing.plan(loaded.records, read.rows, lambda rel: store.read_text(root, rel),
                           trust=trust, urns=set(urn or ()), today=today_of(today))
    written: list[str] = []
    if found.changes and not dry_run:
        for p in store.locate(root, changes.check(loaded.records, found.changes)):
            print(p.text(), file=sys.stderr)
        # New schools have no support level yet: validate warns, and that is expected.
        written = changes.apply(loaded, found.changes, force=True)
    table = Table(title=f"GIAS import from {file.name}" + (" (dry run: nothing written)" if dry_run else ""))
    for col in ("", "school", "URN", "name", "what"):
        table.add_column(col, overflow="fold")
    colour = {"created": "green", "updated": "cyan", "closed": "yellow", "skipped": "red", "unchanged": "dim"}
    for o in found.outcomes:
        table.add_row(f"[{colour[o.action]}]{o.action}[/]", o.school or "", str(o.urn), escape(o.name),
                      escape("; ".join(o.what)))
    if found.outcomes:
        console().print(table)
    counts = ", ".join(f"{n} {action}" for action, n in found.counts.items() if n) or "no schools"
    console().print(f"{counts}; {found.ignored} row(s) of other schools left out.")
    if written and commit:
        short = git.commit_files(root, written, f"Import from GIAS ({file.name}): {counts}")
        console().print(f"Committed {len(written)} file(s) as {short}.")
    elif commit and not dry_run:
        console().print("Nothing to commit.")
    if any(p.is_error for p in read.problems):
        raise typer.Exit(1)


def export(
    format: Annotated[Literal["csv", "json", "sqlite"], typer.Option(
        "--format", help="csv (a folder with one file a table), json (one document) or sqlite (one database).")
    ] = "json",
    out: Annotated[Path | None, typer.Option(
        "--out", help="Where to write: a folder for csv, a file for json and sqlite (json: default stdout).",
        show_default=False)] = None,
    year: YearOpt = None,
    today: TodayOpt = None,
    records: RecordsOpt = None,
) -> None:
    """Schools, support, visits, actions, engagements and usage as flat tables.

    For spreadsheets and BI tools: dates stay ISO (YYYY-MM-DD), lists are joined
    with "; ". --year picks the year of the usage table and of each school's
    support level (default: the year containing --today); every visit is exported.
    """
    from stss import export as export_mod
    from stss.errors import UsageError

    loaded = open_records(records)
    day = today_of(today)
    year_id = pick_year(loaded, year, day)
    tables = export_mod.tables(loaded.records, year_id, day)
    if out is None and format != "json":
        raise UsageError(f"--format {format} needs --out", "e.g. --out export/" if format == "csv"
                         else "e.g. --out trust.sqlite")
    if format == "json":
        text = json.dumps(tables, indent=2, ensure_ascii=False) + "\n"
        if out is None:
            sys.stdout.write(text)
            return
        _replace(out, _bytes(text.encode("utf-8")))
    elif format == "csv":
        assert out is not None
        if out.exists() and not out.is_dir():
            raise UsageError(f"{out} is a file; csv goes into a folder", "pass a folder to --out")
        for name, rows in tables.items():
            _replace(out / f"{name}.csv", _bytes(_csv(export_mod.SCHEMA[name].names, rows)))
    else:
        assert out is not None
        _replace(out, lambda tmp: _sqlite(tmp, export_mod.SCHEMA, tables))
    count = sum(len(t) for t in tables.values())
    console().print(f"Wrote {len(tables)} tables ({count} rows) for {year_id} to {out}.")


def _csv(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["true" if v is True else "false" if v is False else "" if v is None else v
                         for v in row.values()])
    # A byte-order mark, so spreadsheets read accented names as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _bytes(data: bytes) -> Callable[[Path], object]:
    return lambda path: path.write_bytes(data)


def _sqlite(path: Path, schema: Any, tables: dict[str, list[dict[str, Any]]]) -> None:
    import sqlite3

    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        for name, rows in tables.items():
            table: Table = schema[name]
            columns = ", ".join(f'"{col}" {kind}' + (" NOT NULL" if col in table.key else "")
                                for col, kind in table.columns)
            key = ", ".join(f'"{k}"' for k in table.key)
            refs = "".join(f', FOREIGN KEY ("{col}") REFERENCES "{other}"'
                           for col, other in table.references.items())
            db.execute(f'CREATE TABLE "{name}" ({columns}, PRIMARY KEY ({key}){refs})')
            marks = ", ".join("?" for _ in table.columns)
            db.executemany(f'INSERT INTO "{name}" VALUES ({marks})', [tuple(row.values()) for row in rows])
        db.commit()
    finally:
        db.close()


def _replace(target: Path, fill: Callable[[Path], object]) -> None:
    """Write `target` through a temporary file beside it, so a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        fill(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def register(app: typer.Typer) -> None:
    app.add_typer(import_app)
    app.command()(export)
