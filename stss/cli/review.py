"""The headteacher's accuracy check of a visit report: `stss share`, `stss review`, `stss reviews`.

`share` renders one visit's report through the sandboxed report templates and
records the day it went to the school in the visit's `review`; `review`
records the school's answer. Both write like `log-visit`: the write lock,
the new text checked with the rest of the records, an atomic write, and with
`--commit` a commit of exactly the visit.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from stss.cli import visits as writing
from stss.cli.common import (
    FormatOpt,
    RecordsOpt,
    SchoolOpt,
    TodayOpt,
    check_id,
    console,
    emit_rows,
    open_records,
    today_of,
)
from stss.cli.usage import _print_grid

if TYPE_CHECKING:
    from stss.loader import Loaded

VisitArg = Annotated[str, typer.Argument(
    metavar="VISIT", show_default=False,
    help="The visit's file name, with or without .md and its folder (e.g. 2026-10-06-st-annes-education-review).")]


def share(
    visit: VisitArg,
    out: Annotated[Path, typer.Option("--out", help="Write the report here (not into a record file).", dir_okay=False, show_default=False)],
    format: Annotated[Literal["md", "html", "pdf"], typer.Option("--format", help="md, html or pdf (printed from the HTML by headless Chromium).")] = "md",
    include_confidential: Annotated[bool, typer.Option("--include-confidential", help="Share a confidential visit (a safeguarding review) too.")] = False,
    commit: writing.CommitOpt = False,
    records: RecordsOpt = None,
    today: TodayOpt = None,
) -> None:
    """Send one visit's report to its school for the headteacher's accuracy check.

    Renders the visit's notes, focus and agreed actions with the visit-report
    template (the trust's own in templates/, else the built-in one) and records
    `review: {shared: TODAY}` in the visit, in place. Sharing again, after a
    correction, starts a new check.
    """
    from stss import changes, render, review, store

    loaded = writing._open(records)
    r = loaded.records
    day = today_of(today)
    path = review.find_visit(r, visit)
    review.check_share(r, path, include_confidential)
    _not_a_record(loaded, out)
    writing._ready(loaded, commit)
    text = render.render(review.visit_report(r, path, day), "visit-report", format, loaded.root)
    change = review.share(store.read_text(loaded.root, path), path, day)
    changes.verify(loaded, (change,))  # refuse before the report goes anywhere
    render.write(out, render.to_pdf(text) if format == "pdf" else text)
    message = f"Share the report of {path.rsplit('/', 1)[-1][:-3]} with the school ({day})"
    written = writing._write(loaded, (change,), message, force=False, commit=commit)
    writing._say_written(f"wrote {out}; recorded review.shared {day} in {path}", written, message)


def review_visit(
    visit: VisitArg,
    accurate: Annotated[bool, typer.Option("--accurate", help="The school says the report is accurate.")] = False,
    inaccurate: Annotated[bool, typer.Option("--inaccurate", help="The school says it is not (needs --comment).")] = False,
    comment: Annotated[str | None, typer.Option("--comment", metavar="TEXT", help="What the school says is wrong.", show_default=False)] = None,
    commit: writing.CommitOpt = False,
    records: RecordsOpt = None,
    today: TodayOpt = None,
) -> None:
    """Record the school's answer to a shared visit report: accurate, or inaccurate and why."""
    from stss import review, store
    from stss.errors import UsageError

    if accurate == inaccurate:
        raise UsageError("say --accurate or --inaccurate (one of them)")
    loaded = writing._open(records)
    r = loaded.records
    day = today_of(today)
    path = review.find_visit(r, visit)
    response: Literal["accurate", "inaccurate"] = "accurate" if accurate else "inaccurate"
    review.check_answer(r.visits[path], path, response, comment, day)
    writing._ready(loaded, commit)
    change = review.answer(store.read_text(loaded.root, path), path, response, comment, day)
    message = f"Record the school's answer to the report of {path.rsplit('/', 1)[-1][:-3]}: {response}"
    written = writing._write(loaded, (change,), message, force=False, commit=commit)
    writing._say_written(f"Recorded {response} ({day}) in {path}", written, message)


def reviews(
    records: RecordsOpt = None,
    school: SchoolOpt = None,
    show_all: Annotated[bool, typer.Option("--all", help="Every shared report, not only those needing follow-up.")] = False,
    today: TodayOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Visit reports awaiting the school's answer for more than ten school days, and those marked inaccurate."""
    from stss import review

    loaded = open_records(records)
    r = loaded.records
    check_id("school", school, r.schools)
    day = today_of(today)
    rows = review.reviews(r, day, school)
    if not show_all:
        rows = review.needs_attention(rows)
    if emit_rows([row.as_dict() for row in rows], format, review.COLUMNS):
        return
    lines: list[tuple[str, ...]] = [
        (row.visit.rsplit("/", 1)[-1][:-3], str(row.shared),
         str(row.school_days_waiting) if row.response is None else str(row.responded),
         " ".join((row.comment or "").split()) or "-", row.state) for row in rows]
    what = "Shared visit reports" if show_all else "Visit reports to follow up"
    _print_grid(f"{what}, as of {day}", ("visit", "shared", "waiting / answered", "comment", "state"), lines,
                right=range(0))
    console().print(f"{len(rows)} report(s); late = no answer after {review.ANSWER_WITHIN} school days.", markup=False)


def _not_a_record(loaded: Loaded, out: Path) -> None:
    """--out may be anywhere but over a record, a template or git's own files."""
    from stss import layout
    from stss.errors import UsageError

    root = loaded.root.resolve()
    target = out.resolve()
    if not target.is_relative_to(root):
        return
    rel = target.relative_to(root).as_posix()
    if layout.is_record_path(rel) or rel.split("/")[0] in ("templates", ".git", ".stss-cache") \
            or rel.split("/")[0] in layout.FOLDERS:
        raise UsageError(f"--out {out} is inside the records' own files", "write the report somewhere else")


def register(app: typer.Typer) -> None:
    app.command()(share)
    app.command("review")(review_visit)
    app.command()(reviews)
