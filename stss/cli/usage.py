"""`stss usage`: what each school is owed, has had, has planned, and what is overdue or missed."""


from typing import Annotated

import typer

from stss.cli.common import (
    FormatOpt,
    RecordsOpt,
    SchoolOpt,
    TermOpt,
    TodayOpt,
    YearOpt,
    command,
    emit_rows,
    open_records,
    pick_year,
    say,
    scope_of,
    show,
    today_of,
)
from stss.errors import require_known


@command()
def usage(
    records: RecordsOpt = None,
    year: YearOpt = None,
    term: TermOpt = None,
    school: SchoolOpt = None,
    activity: Annotated[str | None, typer.Option("--activity", help="Only this activity.", show_default=False)] = None,
    today: TodayOpt = None,
    format: FormatOpt = "table",
) -> None:
    """What each school is owed, has had, has planned, and what is overdue or missed."""

    from stss import calendar, tables
    from stss import requests as requests_mod
    from stss import usage as usage_mod

    day = today_of(today)
    loaded = open_records(records, scope=scope_of(year, day, school))
    r = loaded.records
    year_id = pick_year(loaded, year, day)
    require_known("school", school, r.school_ids)
    if activity is not None and r.offer is not None:
        known = set(r.offer.activities) | {v.activity for v in r.visits.values()}
        require_known("activity", activity, known)
    if term is not None:
        require_known("term", term, calendar.TERMS)
    rows = usage_mod.chosen(usage_mod.usage(r, year_id, day), school, activity, term)
    if emit_rows([row.as_dict() for row in rows], format, usage_mod.COLUMNS):
        return
    show(tables.usage(r, rows, f"Entitlement usage {year_id}" + (f" ({term})" if term else "") + f", as of {day}"),
         plain=True)
    print("owed = entitled, done = completed, plan = planned, late = overdue, left = remaining")
    sums = usage_mod.totals(rows)
    say(f"{sums['entitled']} owed, {sums['completed']} completed, {sums['planned']} planned, "
        f"{sums['overdue']} overdue, {sums['missed']} missed, {sums['over']} over entitlement.")
    asked = requests_mod.figures(r, day, day, day, [school] if school else None)
    if asked.open:
        say(f"Requests from schools: {asked.open} open, {asked.overdue} overdue (see stss requests).")
