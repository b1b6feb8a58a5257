"""`stss validate`: every problem in the records at once, each at its file, line and column."""


import os
import sys
from typing import Annotated

import typer

from stss.cli.common import ProblemFormatOpt, RecordsOpt, command


@command()
def validate(
    records: RecordsOpt = None,
    format: ProblemFormatOpt = "text",
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Read every file afresh.")] = False,
) -> None:
    """Check every record and report all problems at once, sorted by file and line.

    Exit code 0 when there are no errors (warnings allowed), 1 when there are.
    """
    from stss import loader, outputs, store

    root = store.find_root(records)
    checked = loader.check_all(root, use_cache=not no_cache)
    problems = checked.problems
    sys.stdout.write(outputs.problem_report(problems, format, outputs.path_shower(root, os.getcwd())))
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    n = checked.counts
    summary = (f"{n['schools']} schools, {n['people']} people, {n['engagements']} engagements, "
               f"{n['visits']} visits, {n['events']} events: {errors} error(s), {warnings} warning(s)")
    print(summary, file=sys.stderr)
    raise typer.Exit(1 if errors else 0)
