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
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from stss.cli.common import (
    FormatOpt,
    RecordsOpt,
    StssGroup,
    TodayOpt,
    YearOpt,
    console,
    emit_rows,
    open_records,
    pick_year,
    today_of,
)

if TYPE_CHECKING:
    from stss.export import Table

#: Columns of `import gias --format csv`: one row a school the export names.
GIAS_COLUMNS = ("action", "school", "urn", "name", "what")

import_app = typer.Typer(cls=StssGroup, name="import", help="Bring data in from outside the records.",
                         no_args_is_help=True, rich_markup_mode=None)


@import_app.command("gias")
def import_gias(
    file: Annotated[Path, typer.Argument(help="A GIAS establishment export (CSV).", exists=True, dir_okay=False)],
    trust: Annotated[str | None, typer.Option(
        "--trust", help="Take this trust's schools (as GIAS names it, any case; default: the name in trust.yaml).",
        show_default=False)] = None,
    urn: Annotated[list[int] | None, typer.Option(
        "--urn", min=100000, max=999999, help="Take this school, by its six-digit URN (repeat for more).",
        show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    commit: Annotated[bool, typer.Option("--commit", help="Commit exactly the files written.")] = False,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="The file's encoding, when it is neither UTF-8 nor Windows-1252 (e.g. iso-8859-1).",
        show_default=False)] = None,
    today: TodayOpt = None,
    records: RecordsOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Add and update schools from a GIAS export: name, phase, religious character, LA, headteacher.

    Rows are taken for schools already in the records (matched by URN), for each
    --urn, and for the trust's schools. New schools get a file of their own;
    existing ones have only the fields GIAS owns updated, keeping comments and
    everything else. Closed schools are reported, not created. Exit 1 if any row
    could not be read. With --format json or csv, one row a school on stdout
    and the summary on stderr.
    """
    from rich.markup import escape
    from rich.table import Table

    from stss import changes, gias, git, importing, store

    loaded = open_records(records, write=not dry_run)
    root = loaded.root
    if commit and not dry_run:
        git.ready_to_commit(root, others_staged=True)
    read = gias.read(file.read_bytes(), file.name, encoding)
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
    as_data = emit_rows([{"action": o.action, "school": o.school, "urn": o.urn, "name": o.name,
                          "what": list(o.what)} for o in found.outcomes], format, GIAS_COLUMNS)
    if found.outcomes and not as_data:
        console().print(table)

    def say(text: str) -> None:
        if as_data:
            print(text, file=sys.stderr)
        else:
            console().print(text, markup=False)

    counts = ", ".join(f"{n} {action}" for action, n in found.counts.items() if n) or "no schools"
    say(f"{counts}; {found.ignored} row(s) of other schools left out.")
    if written and commit:
        short = git.commit_files(root, written, f"Import from GIAS ({file.name}): {counts}")
        say(f"Committed {len(written)} file(s) as {short}.")
    elif commit and not dry_run:
        say("Nothing to commit.")
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
    include_confidential: Annotated[bool, typer.Option(
        "--include-confidential", help="Include confidential visits' notes, focus and actions.")] = False,
    today: TodayOpt = None,
    records: RecordsOpt = None,
) -> None:
    """Schools, support, visits, actions, engagements and usage as flat tables.

    For spreadsheets and BI tools: dates stay ISO (YYYY-MM-DD); lists are arrays in
    JSON, link tables in SQLite (e.g. visits_staff) and "; "-joined in CSV; CSV cells
    that a spreadsheet would run as formulas start with an apostrophe. --year picks
    the year of the usage table and of each school's support level (default: the
    year containing --today); every visit is exported. Confidential visits' notes,
    focus and actions are left out unless --include-confidential.
    """
    from stss import export as export_mod
    from stss import store
    from stss.errors import UsageError

    loaded = open_records(records)
    day = today_of(today)
    year_id = pick_year(loaded, year, day)
    tables = export_mod.tables(loaded.records, year_id, day, include_confidential)
    if out is None and format != "json":
        raise UsageError(f"--format {format} needs --out", "e.g. --out export/" if format == "csv"
                         else "e.g. --out trust.sqlite")
    if format == "json":
        text = json.dumps(tables, indent=2, ensure_ascii=False) + "\n"
        if out is None:
            sys.stdout.write(text)
            return
        store.write_output(out, text)
    elif format == "csv":
        assert out is not None
        if out.exists() and not out.is_dir():
            raise UsageError(f"{out} is a file; csv goes into a folder", "pass a folder to --out")
        for name, rows in tables.items():
            store.write_output(out / f"{name}.csv", _csv(export_mod.SCHEMA[name].names, rows))
    else:
        assert out is not None
        store.write_output(out, lambda tmp: _sqlite(tmp, export_mod.SCHEMA, tables))
    count = sum(len(t) for t in tables.values())
    written = len(tables) + (sum(len(export_mod.link_tables(name)) for name in tables) if format == "sqlite" else 0)
    console().print(f"Wrote {written} tables ({count} rows) for {year_id} to {out}.", markup=False)


def _csv(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> bytes:
    from stss.export import csv_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["true" if v is True else "false" if v is False else "" if v is None else csv_cell(v)
                         for v in row.values()])
    # A byte-order mark, so spreadsheets read accented names as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sqlite(path: Path, schema: Any, tables: dict[str, list[dict[str, Any]]]) -> None:
    """One table per export table with named keys and references (Datasette and
    BI tools follow them), and one link table per list column."""
    import sqlite3

    from stss.export import link_tables

    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        for name, rows in tables.items():
            table: Table = schema[name]
            plain = [(col, kind) for col, kind in table.columns if col not in table.lists]
            refs = [((col,), other, (other_key,)) for col, (other, other_key) in table.references.items()]
            _create(db, name, plain, table.key, refs)
            db.executemany(f'INSERT INTO "{name}" VALUES ({", ".join("?" for _ in plain)})',
                           [tuple(row[col] for col, _ in plain) for row in rows])
            for link_name, link in link_tables(name).items():
                _create(db, link_name, list(link.columns), link.key, [(table.key, name, table.key)])
                col = link.names[-1]
                db.executemany(f'INSERT INTO "{link_name}" VALUES ({", ".join("?" for _ in link.columns)})',
                               [(*(row[k] for k in table.key), i, item)
                                for row in rows for i, item in enumerate(row[col], start=1)])
        db.commit()
    finally:
        db.close()


def _create(db: Any, name: str, columns: list[tuple[str, str]], key: tuple[str, ...],
            refs: Sequence[tuple[tuple[str, ...], str, tuple[str, ...]]]) -> None:
    """CREATE TABLE with a primary key and `FOREIGN KEY (cols) REFERENCES table(cols)`."""
    def names(cols: tuple[str, ...]) -> str:
        return ", ".join(f'"{c}"' for c in cols)

    defs = ", ".join(f'"{col}" {kind}' + (" NOT NULL" if col in key else "") for col, kind in columns)
    foreign = "".join(f', FOREIGN KEY ({names(cols)}) REFERENCES "{other}"({names(other_cols)})'
                      for cols, other, other_cols in refs)
    db.execute(f'CREATE TABLE "{name}" ({defs}, PRIMARY KEY ({names(key)}){foreign})')


def register(app: typer.Typer) -> None:
    app.add_typer(import_app)
    app.command()(export)
