"""`stss export`: the records as flat tables for spreadsheets, BI tools and Datasette (`stss.export`)."""


import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from stss.cli.common import (
    ExportFormatOpt,
    RecordsOpt,
    TodayOpt,
    YearOpt,
    command,
    open_records,
    pick_year,
    say,
    today_of,
)


@command()
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
