"""Recording an engagement's progress: `stss review-objective`.

Writes through the same path as `log-visit`: the write lock, the change
checked with the rest of the records, an atomic write that keeps the file's
comments, and with `--commit` a commit of exactly that file.
"""


import datetime as dt
from typing import Annotated, Literal

import typer

from stss.cli.common import (
    CommitOpt,
    ForceOpt,
    RecordsOpt,
    TodayOpt,
    command,
    open_for_writing,
    say,
    say_written,
    today_of,
)
from stss.errors import require_known


@command("review-objective")
def review_objective(
    engagement: Annotated[str, typer.Argument(metavar="ENGAGEMENT", help="The engagement's id.", show_default=False)],
    objective: Annotated[str, typer.Argument(
        metavar="OBJECTIVE", show_default=False,
        help="The objective's id, or its number in the engagement's list (1 for the first).")],
    rag: Annotated[Literal["red", "amber", "green", "met"], typer.Option(
        "--rag", help="The rating: red, amber, green, or met (achieved).", show_default=False)],
    note: Annotated[str, typer.Option("--note", metavar="TEXT", help="What the review found, in a sentence or two.",
                                      show_default=False)],
    date: Annotated[dt.datetime | None, typer.Option(
        "--date", metavar="DATE", formats=["%Y-%m-%d"], help="The day of the review (default: today).",
        show_default=False)] = None,
    force: ForceOpt = False,
    commit: CommitOpt = False,
    records: RecordsOpt = None,
    today: TodayOpt = None,
) -> None:
    """Add a progress review (a red, amber, green or met rating and a note) to an engagement's
    objective, in the engagement's file, keeping its comments and layout.

    An objective written as a plain sentence is given an id from its first words, so later
    reviews can name it. Nothing is written unless the records still validate.
    """
    from stss import recording
    from stss.errors import UsageError
    from stss.models import Review

    loaded = open_for_writing(records)
    day = today_of(today)
    require_known("engagement", engagement, loaded.records.engagements)
    if not note.strip():
        raise UsageError("--note is empty", "say in a sentence what the review found")
    review = Review(date=date.date() if date else day, rag=rag, note=" ".join(note.split()))
    done, recorded = recording.objective_review(loaded, engagement, objective, review, day, force=force,
                                                commit=commit)
    if recorded.named:
        say(f"Objective {objective} now has the id '{recorded.objective}'.")
    say_written(f"Recorded {review.rag} for {recorded.objective} on {review.date}: {done.change.path}",
                done.commit, done.message)


