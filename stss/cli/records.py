"""Commands over the records as a whole: validate, init, schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from stss.cli.common import (
    ProblemFormatOpt,
    RecordsOpt,
    TodayOpt,
    console,
    display_path,
    say,
    today_of,
)


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
    loaded = loader.load(root, use_cache=not no_cache)
    problems = loaded.problems
    sys.stdout.write(outputs.problem_report(problems, format, lambda rel: display_path(root, rel)))
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    r = loaded.records
    summary = (f"{len(r.schools)} schools, {len(r.people)} people, {len(r.engagements)} engagements, "
               f"{len(r.visits)} visits, {len(r.events)} events: {errors} error(s), {warnings} warning(s)")
    print(summary, file=sys.stderr)
    raise typer.Exit(1 if errors else 0)


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

def schema(
    out: Annotated[Path | None, typer.Option("--out", help="Write one <kind>.schema.json per record kind here.", file_okay=False)] = None,
) -> None:
    """JSON Schemas for each kind of record, for editors and check-jsonschema."""
    from stss import store
    from stss.schema import schemas

    docs = schemas()
    if out is None:
        print(json.dumps(docs, indent=2))
        return
    out.mkdir(parents=True, exist_ok=True)
    for kind, doc in docs.items():
        store.write_output(out / f"{kind}.schema.json", json.dumps(doc, indent=2) + "\n")
        console().print(f"wrote {out / f'{kind}.schema.json'}", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(init)
    app.command()(schema)
