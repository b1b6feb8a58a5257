"""`stss log-event`: a trust-wide event (a network meeting, governor training) several schools attend."""


import datetime as dt
from typing import Annotated, Literal

import typer

from stss.cli import ask
from stss.cli.common import (
    CommitOpt,
    ForceOpt,
    RecordsOpt,
    TodayOpt,
    command,
    ids,
    open_for_writing,
    read_notes,
    say_written,
    scope_of,
    today_of,
)
from stss.errors import require_known


@command("log-event")
def log_event(
    activity: Annotated[str | None, typer.Option("--activity", metavar='ID', help="The activity's id from offer.yaml (asked for at a terminal).", show_default=False)] = None,
    school: Annotated[list[str] | None, typer.Option("--school", metavar='ID', help="A school that took part (repeat, or separate with commas). Replaces a planned event's schools.", show_default=False)] = None,
    date: Annotated[dt.datetime | None, typer.Option(
        "--date", metavar='DATE', formats=["%Y-%m-%d"], show_default=False,
        help="The day of the event. Default: the planned event's own date (for a completed event, "
             "once that date has come), else today.")] = None,
    staff: Annotated[list[str] | None, typer.Option("--staff", metavar='ID', help="Who led it (person ids; repeat, or separate with commas).", show_default=False)] = None,
    host: Annotated[str | None, typer.Option("--host", metavar='ID', help="The school that hosted it.", show_default=False)] = None,
    status: Annotated[Literal["completed", "planned", "cancelled"], typer.Option("--status", help="What happened (or, for planned, what is to come).")] = "completed",
    notes: Annotated[str | None, typer.Option("--notes", metavar='FILE|-', help="A markdown file of notes, or - for stdin; added below what the file already says.", show_default=False)] = None,
    force: ForceOpt = False,
    commit: CommitOpt = False,
    records: RecordsOpt = None,
    today: TodayOpt = None,
) -> None:
    """Record a trust-wide event (a network meeting, governor training) that several schools attend.

    A planned event of the same activity in the same term (the nearest in
    date) is updated in place, keeping its comments and notes; otherwise a
    new file is written under events/<year>/. It counts once against the
    entitlement of each school that took part. Nothing is written unless the
    records still validate.
    """
    from stss import events, recording

    # The year of the event (its date, else today's: a planned one is looked for in today's term).
    loaded = open_for_writing(records, scope_of(days=(date.date() if date else today_of(today),)))
    r = loaded.records
    known_activities = list(r.offer.activities) if r.offer else []
    activity = ask.required(activity, "--activity", lambda: ask.choose("activity", known_activities))
    require_known("activity", activity, known_activities)
    log = events.EventLog(activity=activity, status=status, date=date.date() if date else None,
                          schools=ids(school), staff=ids(staff), host=host,
                          notes=read_notes(notes) if notes is not None else None)
    for kind, idents in (("school", log.schools), ("person", log.staff), ("school", (host,) if host else ())):
        for ident in idents or ():
            loaded.require(kind, ident)
    done = recording.event(loaded, log, today_of(today), force=force, commit=commit)
    how = "updated the planned event" if done.outcome.updated else "new file"
    say_written(f"{done.outcome.message}: {done.outcome.path} ({how})", done.commit, done.outcome.message)
