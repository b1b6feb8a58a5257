"""`stss log-visit`: record a visit, completed, cancelled or postponed, in seconds.

The options are parsed and asked for here; `stss.recording.visit` does the rest
(find the planned visit, check, build, write atomically, and with `--commit`
commit exactly those files).
"""


import datetime as dt
import sys
from typing import TYPE_CHECKING, Annotated, Literal

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
    say,
    say_written,
    scope_of,
    today_of,
    visit_days,
)
from stss.errors import require_known

if TYPE_CHECKING:
    from stss.loader import Loaded


@command("log-visit")
def log_visit(
    school: Annotated[str | None, typer.Option("--school", metavar='ID', help="The school's id (asked for at a terminal).", show_default=False)] = None,
    activity: Annotated[str | None, typer.Option("--activity", metavar='ID', help="The activity's id from offer.yaml (asked for at a terminal).", show_default=False)] = None,
    date: Annotated[dt.datetime | None, typer.Option(
        "--date", metavar='DATE', formats=["%Y-%m-%d"], show_default=False,
        help="The day of the visit. Default: the planned visit's own date (for a completed visit, "
             "once that date has come), else today.")] = None,
    staff: Annotated[list[str] | None, typer.Option("--staff", metavar='ID', help="Who led it (person ids; repeat, or separate with commas). Replaces a planned visit's staff.", show_default=False)] = None,
    days: Annotated[float | None, typer.Option("--days", metavar='N', callback=visit_days, help="Days it took, if not the activity's usual days.", show_default=False)] = None,
    focus: Annotated[list[str] | None, typer.Option("--focus", metavar='TAG', help="Focus tags (repeat, or separate with commas).", show_default=False)] = None,
    engagement: Annotated[str | None, typer.Option("--engagement", metavar='ID', help="The engagement (of this school) it was part of.", show_default=False)] = None,
    notes: Annotated[str | None, typer.Option(
        "--notes", metavar='FILE|-', show_default=False,
        help="A markdown file of notes, or - to read them from stdin. Notes are added below what the "
             "file already says (a planned visit's purpose is kept). Without --notes, at a terminal, "
             "$EDITOR opens the notes template for the activity (templates/notes/<activity>.md, else "
             "Summary / Strengths / Next steps).")] = None,
    action: Annotated[list[str] | None, typer.Option("--action", metavar='"TEXT;OWNER;DUE"', help='An agreed action, "text;owner;due" (due YYYY-MM-DD, may be left out). Repeat for more; added to any already there.', show_default=False)] = None,
    status: Annotated[Literal["completed", "cancelled", "postponed"], typer.Option("--status", help="What happened.")] = "completed",
    reason: Annotated[str | None, typer.Option("--reason", metavar='TEXT', help="Why it was cancelled or postponed (needed for those).", show_default=False)] = None,
    new_date: Annotated[dt.datetime | None, typer.Option("--new-date", metavar='DATE', formats=["%Y-%m-%d"], help="For a postponed visit: its new date, where a planned visit is left.", show_default=False)] = None,
    confidential: Annotated[bool, typer.Option("--confidential", help="Keep the notes out of reports.")] = False,
    force: ForceOpt = False,
    commit: CommitOpt = False,
    records: RecordsOpt = None,
    today: TodayOpt = None,
) -> None:
    """Record a visit: completed, cancelled or postponed.

    A planned visit for the same school and activity in the same period (the
    entitlement's half-term or term, else the term, else the year; the
    nearest in date) is updated in place, keeping its comments and notes;
    otherwise a new file is written under visits/<year>/. A postponed visit
    leaves a planned one on --new-date. Nothing is written unless the records
    still validate.
    """
    from stss import recording, visits

    day = today_of(today)
    # Only what the visit touches: its school's visits in the year of its date
    # (and of --new-date), with every id and rule they are checked against.
    dates = tuple(d.date() for d in (date, new_date) if d is not None) or (day,)
    loaded = open_for_writing(records, scope_of(days=dates, school=school))
    r = loaded.records
    school = ask.required(school, "--school", lambda: ask.choose("school", sorted(r.school_ids)))
    loaded.require("school", school)
    known_activities = list(r.offer.activities) if r.offer else []
    activity = ask.required(activity, "--activity", lambda: ask.choose("activity", known_activities))
    require_known("activity", activity, known_activities)
    if status != "completed" and reason is None and ask.is_terminal():
        reason = ask.line(f"Why was it {status}")
    if status == "postponed" and new_date is None and ask.is_terminal():
        new_date = dt.datetime.combine(_ask_date("New date (YYYY-MM-DD)"), dt.time())
    log = visits.Log(
        school=school, activity=activity, status=status, date=date.date() if date else None,
        staff=ids(staff), days=days, focus=ids(focus), engagement=engagement,
        actions=tuple(visits.parse_action(text) for text in action or ()), reason=reason,
        new_date=new_date.date() if new_date else None, confidential=confidential,
        notes=read_notes(notes) if notes is not None else None,
    )
    for person in log.staff or ():
        loaded.require("person", person)
    loaded.require("engagement", engagement)
    editing = notes is None and status == "completed" and ask.is_terminal()
    done = recording.visit(loaded, log, day, edit_notes=(lambda: _edited_notes(loaded, activity)) if editing else None,
                           force=force, commit=commit)
    outcome = done.outcome
    if done.unchanged:
        say(f"Nothing to add: {outcome.path} already says this.")
        if done.commit:
            say(f"Committed {done.commit}: {outcome.message}")
        return
    what = {"completed": "Logged", "cancelled": "Cancelled", "postponed": "Postponed"}[status]
    rebooked = f"\nPlanned again on {log.new_date}: {outcome.rebooked}" if outcome.rebooked else ""
    say_written(f"{what} {outcome.message.split(' ', 1)[1]}: {outcome.path} ({outcome.how}){rebooked}",
                done.commit, outcome.message)


def _edited_notes(loaded: "Loaded", activity: str) -> str | None:
    """Notes typed in the editor, from the activity's template; None if left as it was."""
    from stss import editor, store, visits

    template = visits.notes_template(store.notes_template(loaded.root, activity))
    written = editor.edit(template)
    return None if written.strip() == template.strip() else written


def _ask_date(prompt: str) -> dt.date:
    while True:
        answer = ask.line(prompt)
        try:
            return dt.date.fromisoformat(answer)
        except ValueError:
            print(f"  '{answer}' is not a date; write it as YYYY-MM-DD", file=sys.stderr)
