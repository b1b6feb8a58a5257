"""`stss history`: what changed in the records, when and by whom, read from git."""


import datetime as dt
import json
import sys
from typing import Annotated

import typer

from stss.cli.common import FormatOpt, RecordsOpt, command, emit_rows, say, show

#: Columns of `history --format csv`.
HISTORY_COLUMNS = ("date", "commit", "author", "kind", "school", "summary", "path")


@command()
def history(
    school: Annotated[str | None, typer.Argument(help="Only this school (its id).", show_default=False)] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="From this date (YYYY-MM-DD), or after this git revision (a tag, a branch, a hash).",
        show_default=False)] = None,
    until: Annotated[dt.datetime | None, typer.Option(
        "--until", formats=["%Y-%m-%d"], help="Up to this date (YYYY-MM-DD).", show_default=False)] = None,
    format: FormatOpt = "table",
    records: RecordsOpt = None,
) -> None:
    """What changed, when and by whom: support decisions, visits, events, schools, engagements.

    Read from the git history of schools/, engagements/, visits/ and events/. In a shallow
    clone it says what history is missing; outside a git repository it exits 1.
    """
    from stss import history as history_mod
    from stss import store, tables

    found, rows = history_mod.listing(store.find_root(records), since, until.date() if until else None, school)
    if format == "json":
        print(json.dumps({"events": [e.as_dict() for e in rows], "notes": found.notes,
                          "shallow": found.shallow}, indent=2))
        return
    for note in found.notes:
        print(f"note: {note}", file=sys.stderr)
    if emit_rows([e.as_dict() for e in rows], format, HISTORY_COLUMNS):
        return
    if not rows:
        say("No changes to schools, engagements or visits" + (f" for {school}" if school else "")
            + (f" since {since}" if since else "") + ".")
        return
    show(tables.history(rows, school))
    say(f"{len(rows)} change(s) in {len({e.commit for e in rows})} commit(s).")
