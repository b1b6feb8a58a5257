"""`stss calendar`: visits and trust-wide events as an iCalendar file (the format is `stss.ics`)."""


import sys
from pathlib import Path
from typing import Annotated

import typer

from stss.cli.common import (
    RecordsOpt,
    SchoolOpt,
    TodayOpt,
    YearOpt,
    command,
    open_records,
    pick_year,
    say,
    scope_of,
    today_of,
)
from stss.errors import require_known


@command()
def calendar(
    out: Annotated[Path, typer.Option("--out", help="The .ics file to write ('-' for standard output).", dir_okay=False)],
    records: RecordsOpt = None,
    year: YearOpt = None,
    person: Annotated[str | None, typer.Option("--person", help="Only this person's visits (their id).", show_default=False)] = None,
    school: SchoolOpt = None,
    today: TodayOpt = None,
) -> None:
    """Visits and trust-wide events as an iCalendar file for Outlook or Google Calendar.

    Each visit keeps its UID when it moves to another day, so importing a newer
    file updates events instead of adding copies; planned visits are tentative,
    cancelled and postponed ones are sent as cancelled. The same records give
    the same file on any day: each event's stamp and sequence come from the
    visit's last commit (or, outside git, from the visit itself).
    """
    from stss import ics, store

    day = today_of(today)
    # The year's records of every school: a trust-wide event names the other schools it brings together.
    loaded = open_records(records, scope=scope_of(year, day))
    r = loaded.records
    year_id = pick_year(loaded, year, day)
    require_known("school", school, r.school_ids)
    require_known("person", person, r.people)
    chosen = ics.chosen(r, year_id, school, person)
    history = ics.revisions_in(loaded.root, year_id)
    data = ics.render(r, chosen, history)
    if str(out) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    store.write_output(out, data, loaded.root)
    say(f"Wrote {len(chosen)} event(s) to {out}.")
