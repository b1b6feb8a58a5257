"""Actions agreed at visits: `stss actions` lists the open ones, `stss close-action` marks one done."""


import datetime as dt
from typing import Annotated

import typer

from stss.cli.common import (
    CommitOpt,
    FormatOpt,
    RecordsOpt,
    SchoolOpt,
    TodayOpt,
    command,
    emit_rows,
    open_for_writing,
    open_records,
    say,
    say_written,
    show,
    today_of,
)
from stss.errors import require_known


@command()
def actions(
    records: RecordsOpt = None,
    school: SchoolOpt = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue actions.")] = False,
    today: TodayOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Open actions from visit notes, with owner and due date."""
    from stss import actions as actions_mod
    from stss import review, tables
    from stss.layout import Scope

    # Actions stay open across years: one school's are in its visits of every year.
    loaded = open_records(records, scope=Scope(schools=frozenset({school})) if school else None)
    require_known("school", school, loaded.records.school_ids)
    found = actions_mod.open_actions(loaded.records, today_of(today), school, overdue)
    columns = ("school", "visit", "visit_date", "text", "owner", "due", "state")
    if emit_rows([a.as_dict() for a in found], format, columns):
        return
    show(tables.actions(found, overdue))
    follow_up = review.needs_attention(review.reviews(loaded.records, today_of(today), school))
    if follow_up:
        late = sum(row.state == "late" for row in follow_up)
        say(f"Visit reports to follow up: {late} unanswered after {review.ANSWER_WITHIN} school days, "
            f"{len(follow_up) - late} marked inaccurate (see stss reviews).")


@command("close-action")
def close_action(
    school: Annotated[str, typer.Option("--school", metavar="ID", help="The school's id.", show_default=False)],
    match: Annotated[str, typer.Option(
        "--match", metavar="TEXT", show_default=False,
        help="Words from the action's text (any case). They must pick out one open action at the school; "
             "if several hold them, they are listed and nothing is written.")],
    date: Annotated[dt.datetime | None, typer.Option(
        "--date", metavar="DATE", formats=["%Y-%m-%d"], show_default=False,
        help="The day it was done (default: today).")] = None,
    commit: CommitOpt = False,
    records: RecordsOpt = None,
    today: TodayOpt = None,
) -> None:
    """Mark an action agreed at a visit as done.

    Sets the action's `status: done` and `done: DATE` in its visit file, in
    place, keeping every other line (comments included) as it was.
    """
    from stss import actions, recording

    loaded = open_for_writing(records)
    day = today_of(today)
    require_known("school", school, loaded.records.schools)
    agreed = actions.choose(loaded.records, school, match)
    when = date.date() if date else day
    done = recording.close_action(loaded, school, agreed, when, day, commit=commit)
    say_written(f"Closed \"{agreed.text}\" (done {when}): {agreed.visit}", done.commit, done.message)


