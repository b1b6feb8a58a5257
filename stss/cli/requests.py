"""Requests from schools: `stss log-request`, `stss update-request`, `stss requests`.

The writers take the same path as `log-visit`: the write lock, the new text
checked with the rest of the records, an atomic write, and with `--commit`
a commit of exactly that file.
"""


import datetime as dt
from typing import Annotated, Literal

import typer

from stss.cli.common import (
    CommitOpt,
    FormatOpt,
    RecordsOpt,
    SchoolOpt,
    TodayOpt,
    command,
    emit_rows,
    ids,
    open_for_writing,
    open_records,
    say,
    say_written,
    show,
    today_of,
)
from stss.errors import require_known

Urgency = Literal["low", "medium", "high"]
Status = Literal["open", "triaged", "in-progress", "resolved", "declined"]
DateOpt = Annotated[dt.datetime | None, typer.Option(
    "--respond-by", metavar="DATE", formats=["%Y-%m-%d"], show_default=False,
    help="When the school should have an answer by (default: five school days after it was raised).")]


@command("log-request")
def log_request(
    school: Annotated[str, typer.Option("--school", metavar="ID", help="The school that asked.", show_default=False)],
    summary: Annotated[str, typer.Option("--summary", metavar="TEXT", help="What the school asked for, in a sentence.", show_default=False)],
    urgency: Annotated[Urgency, typer.Option("--urgency", help="low, medium or high.")] = "medium",
    category: Annotated[str | None, typer.Option("--category", metavar="SLUG", help="A free slug, such as attendance or send.", show_default=False)] = None,
    raised_by: Annotated[str | None, typer.Option("--raised-by", metavar="WHO", help="Who asked: a role or a name.", show_default=False)] = None,
    assign: Annotated[list[str] | None, typer.Option("--assign", metavar="ID", help="Who takes it on (person ids; repeat, or separate with commas).", show_default=False)] = None,
    respond_by: DateOpt = None,
    commit: CommitOpt = False,
    records: RecordsOpt = None,
    today: TodayOpt = None,
) -> None:
    """Log a problem or request a school brought to the trust, raised today.

    Writes requests/<school>-<first words of the summary>.yaml, due an answer
    five school days later (half-term breaks and closures skipped) unless
    --respond-by says otherwise.
    """
    from stss import recording, requests

    loaded = open_for_writing(records)
    new = requests.NewRequest(
        school=school, summary=summary, raised=today_of(today), urgency=urgency, category=category,
        raised_by=raised_by, assigned=ids(assign) or (),
        respond_by=respond_by.date() if respond_by else None)
    ident, due, done = recording.new_request(loaded, new, commit=commit)
    say_written(f"Logged {ident}: {done.change.path} (respond by {due})", done.commit, done.message)


@command("update-request")
def update_request(
    request: Annotated[str, typer.Argument(metavar="REQUEST", help="The request's id (its file name without .yaml).", show_default=False)],
    status: Annotated[Status | None, typer.Option("--status", help="triaged, in-progress, resolved or declined (open to undo a triage).", show_default=False)] = None,
    outcome: Annotated[str | None, typer.Option("--outcome", metavar="TEXT", help="What was done, or why it was declined (needed to close it).", show_default=False)] = None,
    engagement: Annotated[str | None, typer.Option("--engagement", metavar="ID", help="The engagement (of the same school) it became.", show_default=False)] = None,
    assign: Annotated[list[str] | None, typer.Option("--assign", metavar="ID", help="Add people who take it on (repeat, or separate with commas).", show_default=False)] = None,
    respond_by: DateOpt = None,
    commit: CommitOpt = False,
    records: RecordsOpt = None,
    today: TodayOpt = None,
) -> None:
    """Move a request on: triage it, start work, resolve or decline it, link its engagement.

    The request's file is edited in place: every other line, and every comment, stays as it was.
    Closing it (resolved, declined) records today as `resolved`.
    """
    from stss import recording, requests
    from stss.parsing import is_slug

    loaded = open_for_writing(records)
    if not is_slug(request):
        from stss.errors import UsageError

        raise UsageError(f"'{request}' is not a request id", "ids are lower-case slugs; see `stss requests`")
    move = requests.Move(status=status, outcome=outcome, engagement=engagement,
                         assign=ids(assign) or (), respond_by=respond_by.date() if respond_by else None)
    done = recording.request_moved(loaded, request, move, today_of(today), commit=commit)
    if done.unchanged:
        say(f"Nothing to change: {done.change.path} already says this.")
        return
    say_written(f"Updated {request}: {status or loaded.records.requests[request].status} ({done.change.path})",
                done.commit, done.message)


@command("requests")
def requests_list(
    records: RecordsOpt = None,
    status: Annotated[Status | None, typer.Option("--status", help="Only requests with this status.", show_default=False)] = None,
    school: SchoolOpt = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only requests still open or triaged after their respond-by date.")] = False,
    today: TodayOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Requests from schools, most pressing first: overdue, then by urgency and respond-by date."""
    from stss import requests, tables

    loaded = open_records(records)
    r = loaded.records
    require_known("school", school, r.schools)
    day = today_of(today)
    rows = requests.listing(r, day, status=status, school=school, overdue_only=overdue)
    if emit_rows([row.as_dict() for row in rows], format, requests.COLUMNS):
        return
    show(tables.requests(r, rows, f"Requests from schools, as of {day}"), plain=True)
    late = sum(row.overdue for row in rows)
    still = sum(row.status not in requests.CLOSED for row in rows)
    say(f"{len(rows)} request(s): {still} open, {late} overdue.")
