"""`stss init`: a new records repository, with CI, pre-commit and schemas (`stss.skeleton`)."""


from pathlib import Path
from typing import Annotated

import typer

from stss.cli.common import TodayOpt, command, say, today_of


@command()
def init(
    directory: Annotated[Path, typer.Argument(help="Where to create the records (default: here).")] = Path("."),
    name: Annotated[str, typer.Option("--name", help="The trust's name.")] = "Example Learning Trust",
    today: TodayOpt = None,
) -> None:
    """Start a new records repository: git on main with a first commit, term dates, an offer,
    CI and pre-commit pinned to this stss, and JSON Schemas for editors."""
    from stss import provenance, skeleton

    made = skeleton.create(directory, name, today_of(today), provenance.running())
    say(f"Created records for {name} in {directory}.")
    say("This is inside an existing git repository, so stss left its history alone: review the new files "
        "and commit them yourself." if made is None else f"Committed {made} on main.")
    say("Next: add schools/ and people/, check the term dates in trust.yaml, then run 'stss validate'.")
