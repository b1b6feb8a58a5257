"""The headteacher's accuracy check of a visit report: `stss share`, `stss review`, `stss reviews`.

`share` renders one visit's report through the sandboxed report templates and
records the day it went to the school in the visit's `review`; `review`
records the school's answer. Both write like `log-visit`: the write lock,
the new text checked with the rest of the records, an atomic write, and with
`--commit` a commit of exactly the visit.
"""


from pathlib import Path
from typing import Annotated, Literal

import typer

from stss.cli.common import (
    CommitOpt,
    DocumentFormatOpt,
    FormatOpt,
    RecordsOpt,
    SchoolOpt,
    TodayOpt,
    command,
    emit_rows,
    open_records,
    open_visit_for_writing,
    say,
    say_written,
    show,
    today_of,
)
from stss.errors import require_known

VisitArg = Annotated[str, typer.Argument(
    metavar="VISIT", show_default=False,
    help="The visit's file name, with or without .md and its folder (e.g. 2026-10-06-st-annes-education-review).")]


@command()
def share(
    visit: VisitArg,
    out: Annotated[Path, typer.Option("--out", help="Write the report here (not into a record file).", dir_okay=False, show_default=False)],
    format: DocumentFormatOpt = "md",
    include_confidential: Annotated[bool, typer.Option("--include-confidential", help="Share a confidential visit (a safeguarding review) too.")] = False,
    commit: CommitOpt = False,
    records: RecordsOpt = None,
    today: TodayOpt = None,
) -> None:
    """Send one visit's report to its school for the headteacher's accuracy check.

    Renders the visit's notes, focus and agreed actions with the visit-report
    template (the trust's own in templates/, else the built-in one) and records
    `review: {shared: TODAY}` in the visit, in place. Sharing again, after a
    correction, starts a new check.
    """
    from stss import recording, render, review

    loaded, path = open_visit_for_writing(records, visit)
    r = loaded.records
    day = today_of(today)
    review.check_share(r, path, include_confidential)

    def report() -> str | bytes:
        text = render.render(review.visit_report(r, path, day), "visit-report", format, loaded.root)
        return render.to_pdf(text) if format == "pdf" else text

    done = recording.share(loaded, path, report, out, day, commit=commit)
    say_written(f"wrote {out}; recorded review.shared {day} in {path}", done.commit, done.message)


@command("review")
def review_visit(
    visit: VisitArg,
    accurate: Annotated[bool, typer.Option("--accurate", help="The school says the report is accurate.")] = False,
    inaccurate: Annotated[bool, typer.Option("--inaccurate", help="The school says it is not (needs --comment).")] = False,
    comment: Annotated[str | None, typer.Option("--comment", metavar="TEXT", help="What the school says is wrong.", show_default=False)] = None,
    commit: CommitOpt = False,
    records: RecordsOpt = None,
    today: TodayOpt = None,
) -> None:
    """Record the school's answer to a shared visit report: accurate, or inaccurate and why."""
    from stss import recording
    from stss.errors import UsageError

    if accurate == inaccurate:
        raise UsageError("say --accurate or --inaccurate (one of them)")
    loaded, path = open_visit_for_writing(records, visit)
    response: Literal["accurate", "inaccurate"] = "accurate" if accurate else "inaccurate"
    day = today_of(today)
    done = recording.answer(loaded, path, response, comment, day, commit=commit)
    say_written(f"Recorded {response} ({day}) in {path}", done.commit, done.message)


@command()
def reviews(
    records: RecordsOpt = None,
    school: SchoolOpt = None,
    show_all: Annotated[bool, typer.Option("--all", help="Every shared report, not only those needing follow-up.")] = False,
    today: TodayOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Visit reports awaiting the school's answer for more than ten school days, and those marked inaccurate."""
    from stss import review, tables

    loaded = open_records(records)
    r = loaded.records
    require_known("school", school, r.schools)
    day = today_of(today)
    rows = review.reviews(r, day, school)
    if not show_all:
        rows = review.needs_attention(rows)
    if emit_rows([row.as_dict() for row in rows], format, review.COLUMNS):
        return
    what = "Shared visit reports" if show_all else "Visit reports to follow up"
    show(tables.reviews(rows, f"{what}, as of {day}"), plain=True)
    say(f"{len(rows)} report(s); late = no answer after {review.ANSWER_WITHIN} school days.")
