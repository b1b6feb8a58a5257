"""Year planning commands: `stss plan` (entitlements into planned visits) and
`stss calendar` (visits as an iCalendar file). Placement lives in
`stss.planning`, the file format in `stss.ics`; this module parses options,
prints, and writes."""


import datetime as dt
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from stss.cli.common import (
    ForceOpt,
    FormatOpt,
    RecordsOpt,
    TodayOpt,
    YearOpt,
    command,
    emit_rows,
    err,
    open_records,
    pick_year,
    print_problems,
    say,
    scope_of,
    show,
    today_of,
)
from stss.errors import require_known

if TYPE_CHECKING:
    from stss.models import Records
    from stss.planning import Plan

UNSTAFFED_EXIT = 3


@command()
def plan(
    records: RecordsOpt = None,
    year: YearOpt = None,
    school: Annotated[list[str] | None, typer.Option("--school", help="Only this school (repeat for more).", show_default=False)] = None,
    from_: Annotated[dt.datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="Place nothing before this date (default: --today).", show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan; write nothing.")] = False,
    seed: Annotated[int, typer.Option("--seed", min=0, max=2**32 - 1, help="Seed for tie-breaks and spreading: the same seed gives the same plan.")] = 0,
    today: TodayOpt = None,
    format: FormatOpt = "table",
    force: ForceOpt = False,
) -> None:
    """Plan a visit for every owed occurrence not yet covered by a planned or completed one.

    Running it again plans only the gaps. With --format json or csv, the rows are
    the new visits and events, then what could not be placed; messages go to
    stderr. Exit code 3 when visits are left unstaffed or could not be placed.
    """
    from stss import changes, planning, tables
    from stss.layout import year_folder

    day = today_of(today)
    # The year planned, and the year before it: planning prefers whoever served a school last.
    loaded = open_records(records, write=not dry_run, scope=scope_of(year, day, before=1))
    r = loaded.records
    year_id = pick_year(loaded, year, day)
    visit_folder = year_folder("visit", year_id)
    for ident in school or []:
        require_known("school", ident, r.schools)
    start = from_.date() if from_ else day
    result = planning.plan(r, year_id, start, seed, set(school) if school else None)
    new = [changes.Change(v.path, planning.render(v), new=True) for v in result.visits]
    new += [changes.Change(e.path, planning.render_event(e), new=True) for e in result.events]
    # Refuse before printing a plan it will not write; a dry run shows warnings whatever --force.
    print_problems(changes.verify(loaded, new, force=force or dry_run), loaded.root)
    tell = say if format == "table" else _to_stderr
    if format != "table":
        emit_rows(planning.rows(result), format, planning.ROW_COLUMNS)
    else:
        if dry_run:
            show(tables.planned_visits(r, result))
        _print_summary(r, result)
    for sid, why in planning.left_out(r, year_id, result, set(school) if school else None):
        tell(f"Left out: {_school_name(r, sid)}: {why}.")
    if dry_run:
        tell("Dry run: nothing was written.")
    elif new:
        changes.write(loaded, new)
        tell(f"Wrote {len(result.visits)} visit file(s) to {visit_folder}"
            + (f" and {len(result.events)} event file(s) to {year_folder('event', year_id)}." if result.events else "."))
    else:
        tell(f"Nothing to plan: every owed visit from {start} is already planned or done.")
    waiting = planning.unstaffed_earlier(r, year_id, start, set(school) if school else None)
    if waiting:
        tell(f"{len(waiting)} visit(s) planned earlier still have no staff: name someone in their files.")
    if result.gaps:
        if format == "table":
            show(tables.plan_gaps(r, result))
        err(f"{len(result.unstaffed)} visit(s) planned without staff, {len(result.unplaced)} not placed",
            "give someone the role (people/<id>.yaml) or more capacity_days, then assign staff by hand")
        raise typer.Exit(UNSTAFFED_EXIT)


def _to_stderr(text: str) -> None:
    print(text, file=sys.stderr)


def _school_name(r: "Records", school: str) -> str:
    return r.schools[school].name if school in r.schools else school


def _print_summary(r: "Records", result: "Plan") -> None:
    from stss import tables

    schools = {v.school for v in result.visits}
    say(f"Plan for {result.year} from {result.start} (seed {result.seed}): "
        f"{len(result.visits)} visit(s) for {len(schools)} school(s), {len(result.events)} trust-wide event(s), "
        f"{len(result.unstaffed)} unstaffed, {len(result.unplaced)} not placed.")
    for table in tables.plan_summary(r, result):
        show(table)
