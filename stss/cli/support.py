"""`stss edit-support`: a school's support level for a year, or a change within it, in its file."""


import datetime as dt
from typing import Annotated

import typer

from stss.cli import ask
from stss.cli.common import (
    CommitOpt,
    ForceOpt,
    RecordsOpt,
    TodayOpt,
    YearOpt,
    command,
    open_for_writing,
    pick_year,
    say,
    say_written,
    today_of,
)
from stss.errors import require_known


@command("edit-support")
def edit_support(
    school: Annotated[str, typer.Argument(help="The school's id.", show_default=False)],
    level: Annotated[str | None, typer.Option("--level", metavar='ID', help="The support level from offer.yaml (asked for at a terminal).", show_default=False)] = None,
    rationale: Annotated[str | None, typer.Option("--rationale", metavar='TEXT', help="Why this level (asked for at a terminal).", show_default=False)] = None,
    decided: Annotated[dt.datetime | None, typer.Option("--decided", metavar='DATE', formats=["%Y-%m-%d"], help="When it was decided (default: today).", show_default=False)] = None,
    from_: Annotated[dt.datetime | None, typer.Option(
        "--from", metavar='DATE', formats=["%Y-%m-%d"], show_default=False,
        help="A mid-year change: the level is in force from this date (within the year, not before "
             "the year's decision). Without it, the year's level is set.")] = None,
    year: YearOpt = None,
    force: ForceOpt = False,
    commit: CommitOpt = False,
    records: RecordsOpt = None,
    today: TodayOpt = None,
) -> None:
    """Record a school's support level for a year in its file, keeping its comments and layout.

    With --from, a change within the year: added to the year's `changes`
    (usage, plan and reports follow the level in force on each day).
    """
    from stss import calendar, recording
    from stss.layout import Scope

    # A support decision is checked against the schools, offer and trust: no visit has a rule about it.
    loaded = open_for_writing(records, Scope(years=frozenset()))
    r = loaded.records
    day = today_of(today)
    loaded.require("school", school)
    since = from_.date() if from_ else None
    trust = r.trust
    in_year = calendar.year_of(trust, since) if since and trust and year is None else None
    year_id = in_year or pick_year(loaded, year, day)
    levels = list(r.offer.levels) if r.offer else []
    level = ask.required(level, "--level", lambda: ask.choose("level", levels))
    require_known("level", level, levels)
    rationale = ask.required(rationale, "--rationale", lambda: ask.line("Rationale"))
    if not rationale.strip():
        from stss.errors import UsageError

        raise UsageError("--rationale is empty", "say in a sentence why this level was chosen")
    done = recording.support_level(loaded, school, year_id, level, rationale, decided.date() if decided else day,
                                   since, force=force, commit=commit)
    if done.unchanged:
        say(f"Nothing to change: {done.change.path} already says this.")
        return
    what = f"{level} from {since}" if since else level
    say_written(f"Recorded {year_id} support for {r.schools[school].name}: {what} ({done.change.path})",
                done.commit, done.message)


