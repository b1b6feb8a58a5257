"""Data in and out: `stss import gias` and `stss export`.

The work is in `stss.gias` (reading an export), `stss.importing` (what it
changes) and `stss.export` (tables); here are the options, the output, and
the writing of export files, which may go anywhere the user asks (not
only inside the records), so each is written to a temporary file and then
renamed over the target.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stss.cli.common import (
    ExportFormatOpt,
    FormatOpt,
    RecordsOpt,
    StssGroup,
    TodayOpt,
    YearOpt,
    emit_rows,
    open_records,
    pick_year,
    say,
    show,
    today_of,
)

if TYPE_CHECKING:
    pass

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
    from stss import importing, tables

    loaded = open_records(records, write=not dry_run)
    done = importing.run(loaded, file.read_bytes(), file.name, encoding=encoding, trust=trust, urns=set(urn or ()),
                         today=today_of(today), dry_run=dry_run, commit=commit)
    for p in done.problems:
        print(p.text(), file=sys.stderr)
    outcomes = done.found.outcomes
    as_data = emit_rows([{"action": o.action, "school": o.school, "urn": o.urn, "name": o.name,
                          "what": list(o.what)} for o in outcomes], format, GIAS_COLUMNS)
    if outcomes and not as_data:
        show(tables.gias(outcomes, f"GIAS import from {file.name}" + (" (dry run: nothing written)" if dry_run else "")))
    tell = (lambda text: print(text, file=sys.stderr)) if as_data else say
    tell(f"{done.counts}; {done.found.ignored} row(s) of other schools left out.")
    if done.commit:
        tell(f"Committed {len(done.written)} file(s) as {done.commit}.")
    elif commit and not dry_run:
        tell("Nothing to commit.")
    if any(p.is_error for p in done.problems):
        raise typer.Exit(1)

def export(
    format: ExportFormatOpt = "json",
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
    from stss.errors import UsageError

    loaded = open_records(records)
    day = today_of(today)
    year_id = pick_year(loaded, year, day)
    tables = export_mod.tables(loaded.records, year_id, day, include_confidential)
    if out is None and format != "json":
        raise UsageError(f"--format {format} needs --out", "e.g. --out export/" if format == "csv"
                         else "e.g. --out trust.sqlite")
    if out is None:
        sys.stdout.write(json.dumps(tables, indent=2, ensure_ascii=False) + "\n")
        return
    written = export_mod.write(tables, format, out, loaded.root)
    say(f"Wrote {written} tables ({sum(len(t) for t in tables.values())} rows) for {year_id} to {out}.")

def register(app: typer.Typer) -> None:
    app.add_typer(import_app)
    app.command()(export)
