"""`stss import gias`: schools added and updated from the DfE's register (the work is in `stss.importing`)."""


import sys
from pathlib import Path
from typing import Annotated

import typer

from stss.cli.common import (
    REGISTERED,
    FormatOpt,
    RecordsOpt,
    StssGroup,
    TodayOpt,
    emit_rows,
    open_records,
    say,
    show,
    today_of,
)

#: Columns of `import gias --format csv`: one row a school the export names.
GIAS_COLUMNS = ("action", "school", "urn", "name", "what")

import_app = typer.Typer(cls=StssGroup, name="import", help="Bring data in from outside the records.",
                         no_args_is_help=True, rich_markup_mode=None)
REGISTERED.append(import_app)


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
