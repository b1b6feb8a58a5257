"""Year planning commands: `stss plan` (entitlements into planned visits) and
`stss calendar` (visits as an iCalendar file). Placement lives in
`stss.planning`, the file format in `stss.ics`; this module parses options,
prints, and writes."""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from stss.cli.common import (
    RecordsOpt,
    SchoolOpt,
    TodayOpt,
    YearOpt,
    check_id,
    console,
    emit_rows,
    err,
    open_records,
    pick_year,
    print_problems,
    scope_of,
    today_of,
)

if TYPE_CHECKING:
    from stss.models import Event, Records, Visit
    from stss.planning import Plan

UNSTAFFED_EXIT = 3


def plan(
    records: RecordsOpt = None,
    year: YearOpt = None,
    school: Annotated[list[str] | None, typer.Option("--school", help="Only this school (repeat for more).", show_default=False)] = None,
    from_: Annotated[dt.datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="Place nothing before this date (default: --today).", show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan; write nothing.")] = False,
    seed: Annotated[int, typer.Option("--seed", min=0, max=2**32 - 1, help="Seed for tie-breaks and spreading: the same seed gives the same plan.")] = 0,
    today: TodayOpt = None,
    format: Annotated[Literal["table", "json", "csv"], typer.Option(
        "--format", help="table, json or csv (the new visits and gaps; messages go to stderr).")] = "table",
    force: Annotated[bool, typer.Option("--force", help="Write even if the planned visits bring warnings.")] = False,
) -> None:
    """Plan a visit for every owed occurrence not yet covered by a planned or completed one.

    Running it again plans only the gaps. Exit code 3 when visits are left
    unstaffed or could not be placed.
    """
    from stss import changes, planning
    from stss.errors import RecordsInvalid
    from stss.layout import year_folder

    day = today_of(today)
    # The year planned, and the year before it: planning prefers whoever served a school last.
    loaded = open_records(records, write=not dry_run, scope=scope_of(year, day, before=1))
    r = loaded.records
    year_id = pick_year(loaded, year, day)
    visit_folder = year_folder("visit", year_id)
    for ident in school or []:
        check_id("school", ident, r.schools)
    start = from_.date() if from_ else day
    result = planning.plan(r, year_id, start, seed, set(school) if school else None)
    new = [changes.Change(v.path, planning.render(v), new=True) for v in result.visits]
    new += [changes.Change(e.path, planning.render_event(e), new=True) for e in result.events]
    if dry_run:
        problems = changes.check(r, new)
        if any(p.is_error for p in problems):
            raise RecordsInvalid(problems, "refused: the planned visits would not validate")
        print_problems(problems, loaded.root)
    else:  # refuse before printing a plan it will not write
        print_problems(changes.verify(loaded, new, force=force), loaded.root)
    say = console().print if format == "table" else _to_stderr
    if format != "table":
        _emit_rows(result, format)
    else:
        if dry_run:
            _print_visits(r, result)
        _print_summary(r, result)
    for sid, why in planning.left_out(r, year_id, result, set(school) if school else None):
        say(f"Left out: {_school_name(r, sid)}: {why}.", markup=False)
    if dry_run:
        say("Dry run: nothing was written.")
    elif new:
        changes.write(loaded, new)
        say(f"Wrote {len(result.visits)} visit file(s) to {visit_folder}"
            + (f" and {len(result.events)} event file(s) to {year_folder('event', year_id)}." if result.events else "."))
    else:
        say(f"Nothing to plan: every owed visit from {start} is already planned or done.")
    waiting = [v for path, v in r.visits.items() if path.startswith(visit_folder) and v.status == "planned"
               and not v.staff and v.date >= start and (not school or v.school in school)]
    if waiting:
        say(f"{len(waiting)} visit(s) planned earlier still have no staff: name someone in their files.")
    if result.gaps:
        if format == "table":
            _print_gaps(r, result)
        err(f"{len(result.unstaffed)} visit(s) planned without staff, {len(result.unplaced)} not placed",
            "give someone the role (people/<id>.yaml) or more capacity_days, then assign staff by hand")
        raise typer.Exit(UNSTAFFED_EXIT)


#: Columns of `plan --format json|csv`: each new visit, each new trust-wide event
#: (school "trust-wide", its schools listed), then each occurrence not placed.
PLAN_COLUMNS = ("date", "school", "activity", "period", "staff", "path", "why", "schools", "engagement")


def _emit_rows(result: Plan, format: str) -> None:
    from stss import planning

    why = {(g.school, g.activity, g.period, g.date): g.reason for g in result.gaps}
    rows: list[dict[str, object]] = [
        {"date": str(v.date), "school": v.school, "activity": v.activity, "period": v.period,
         "staff": list(v.staff), "path": v.path, "why": why.get((v.school, v.activity, v.period, v.date)),
         "schools": [v.school], "engagement": v.engagement}
        for v in result.visits]
    rows += [{"date": str(e.date), "school": planning.TRUST_WIDE, "activity": e.activity, "period": e.period,
              "staff": list(e.staff), "path": e.path,
              "why": why.get((planning.TRUST_WIDE, e.activity, e.period, e.date)),
              "schools": list(e.schools), "engagement": None}
             for e in result.events]
    rows += [{"date": None, "school": g.school, "activity": g.activity, "period": g.period, "staff": [],
              "path": None, "why": g.reason, "schools": [], "engagement": None} for g in result.unplaced]
    emit_rows(rows, "json" if format == "json" else "csv", PLAN_COLUMNS)


def _to_stderr(text: str, markup: bool = True) -> None:
    print(text, file=sys.stderr)


def _school_name(r: Records, school: str) -> str:
    return r.schools[school].name if school in r.schools else school


def _print_visits(r: Records, result: Plan) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"Planned visits {result.year} from {result.start} (seed {result.seed})")
    for col in ("date", "school", "activity", "period", "staff"):
        table.add_column(col)
    for v in result.visits:
        staff = ", ".join(v.staff) if v.staff else "[red]unstaffed[/]"
        table.add_row(str(v.date), escape(_school_name(r, v.school)), v.activity,
                      v.period.split("/", 1)[-1], staff)
    console().print(table)


def _print_summary(r: Records, result: Plan) -> None:
    from rich.markup import escape
    from rich.table import Table

    from stss import calendar, planning, staffing

    out = console()
    schools = sorted({v.school for v in result.visits})
    out.print(f"Plan for {result.year} from {result.start} (seed {result.seed}): "
              f"{len(result.visits)} visit(s) for {len(schools)} school(s), "
              f"{len(result.events)} trust-wide event(s), "
              f"{len(result.unstaffed)} unstaffed, {len(result.unplaced)} not placed.")
    if result.events:
        table = Table(title="Trust-wide events planned")
        for col in ("date", "activity", "period", "schools", "staff"):
            table.add_column(col, justify="right" if col == "schools" else "left")
        for e in result.events:
            table.add_row(str(e.date), e.activity, e.period.split("/", 1)[-1], str(len(e.schools)),
                          ", ".join(e.staff) if e.staff else "unstaffed")
        out.print(table)
    if not result.visits and not result.events:
        return
    trust = r.trust
    assert trust is not None
    terms = calendar.terms(trust.years[result.year])
    by_school: dict[str, Counter[str]] = defaultdict(Counter)
    for v in result.visits:
        term = next((name for name, t in terms.items() if t.start <= v.date <= t.end), "")
        by_school[v.school].update(["visits", term] + (["unstaffed"] if not v.staff else []))
    table = Table(title="Visits planned per school")
    for col in ("school", "visits", "autumn", "spring", "summer", "unstaffed"):
        table.add_column(col, justify="left" if col == "school" else "right")
    for sid in schools:
        counts = by_school[sid]
        table.add_row(escape(_school_name(r, sid)), *(str(counts[c]) for c in ("visits", *terms, "unstaffed")))
    out.print(table)
    before = staffing.planned_days_by_person(r, result.year)
    after = planning.loads_after(r, result)
    visits = Counter(p for v in result.visits for p in v.staff) + Counter(p for e in result.events for p in e.staff)
    table = Table(title=f"Staff load {result.year} (days)")
    for col in ("person", "id", "new", "before", "after", "capacity", "left"):
        table.add_column(col, justify="left" if col in ("person", "id") else "right")
    for pid in sorted(visits):
        person = r.people[pid]
        left = person.capacity_days - after[pid]
        table.add_row(escape(person.name), pid, str(visits[pid]), f"{before.get(pid, 0):g}", f"{after[pid]:g}",
                      f"{person.capacity_days:g}", f"[red]{left:g} OVER[/]" if left < 0 else f"{left:g}")
    out.print(table)


def _print_gaps(r: Records, result: Plan) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Unstaffed or not placed: needs a decision")
    for col in ("date", "school", "activity", "period", "why"):
        table.add_column(col)
    for g in result.gaps:
        table.add_row(str(g.date) if g.date else "not placed", escape(_school_name(r, g.school)), g.activity,
                      g.period.split("/", 1)[-1], escape(g.reason))
    console().print(table)


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
    from stss import calendar as cal
    from stss import git, ics, layout, store

    day = today_of(today)
    # The year's records of every school: a trust-wide event names the other schools it brings together.
    loaded = open_records(records, scope=scope_of(year, day))
    r = loaded.records
    year_id = pick_year(loaded, year, day)
    check_id("school", school, r.school_ids)
    check_id("person", person, r.people)
    trust = r.trust
    assert trust is not None
    first, last = cal.year_span(year_id, trust.years[year_id])
    chosen: list[tuple[str, Visit | Event]] = [
        (path, v) for path, v in sorted(r.visits.items())
        if first <= v.date <= last and (school is None or v.school == school)
        and (person is None or person in v.staff)
    ]
    chosen += [(path, e) for path, e in sorted(r.events.items())
               if first <= e.date <= last and (school is None or school in e.schools)
               and (person is None or person in e.staff)]
    history: dict[str, ics.Revision] = {}
    if git.is_repo(loaded.root) and git.has_commits(loaded.root):
        folders = [f for f in (layout.KINDS["visit"].folder, layout.KINDS["event"].folder) if f]
        history = ics.revisions(git.log(loaded.root, folders), git.uncommitted(loaded.root, folders))
    data = ics.render(r, chosen, history)
    if str(out) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    store.write_output(out, data)
    console().print(f"Wrote {len(chosen)} event(s) to {out}.", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(plan)
    app.command()(calendar)
