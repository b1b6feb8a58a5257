"""Commands over the records as a whole: validate, init, schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from stss.cli.common import (
    RecordsOpt,
    TodayOpt,
    console,
    display_path,
    fail,
    hold_write_lock,
    today_of,
)


def validate(
    records: RecordsOpt = None,
    format: Annotated[Literal["text", "json", "github"], typer.Option("--format", help="text, json, or github (workflow annotations).")] = "text",
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Read every file afresh.")] = False,
) -> None:
    """Check every record and report all problems at once, sorted by file and line.

    Exit code 0 when there are no errors (warnings allowed), 1 when there are.
    """
    from stss import loader, outputs, store

    root = store.find_root(records)
    loaded = loader.load(root, use_cache=not no_cache)
    problems = loaded.problems
    if format == "json":
        rows = [{**p.as_dict(), "path": display_path(root, p.path)} for p in problems]
        print(json.dumps(rows, indent=2))
    elif format == "github":
        for p in problems:
            print(outputs.annotation(p.severity.value, display_path(root, p.path), p.line, p.column,
                                     str(p.as_dict()["message"])))
    else:
        for p in problems:
            print(outputs.printable(f"{display_path(root, p.path)}:{p.line}:{p.column}: {p.severity.value}: "
                                    f"{p.message}" + (f" (hint: {p.hint})" if p.hint else "")))
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
    from stss import git, layout, provenance, skeleton, store

    if (directory / layout.ROOT_MARKER).exists():
        fail(f"{directory} already holds records ({layout.ROOT_MARKER}); nothing was written", code=1)
    files = skeleton.files(name, today_of(today), provenance.running())
    clashes = [rel for rel in files if (directory / rel).exists()]
    if clashes:
        fail(f"{directory} already has {', '.join(clashes)}; nothing was written", code=1)
    probe = directory.resolve()
    while not probe.exists():
        probe = probe.parent
    existing = git.is_repo(probe)  # the target or a folder above it is already under git
    if not existing and git.identity_missing(probe):
        fail("git has no name and email to make the first commit with; nothing was written",
             "run: git config --global user.name 'Your Name' && git config --global user.email you@example.org",
             code=1)
    directory.mkdir(parents=True, exist_ok=True)
    root = directory.resolve()
    hold_write_lock(root)
    for rel, text in files.items():
        store.write_text(root, rel, text)
    out = console()
    out.print(f"Created records for {name} in {directory}.", markup=False)
    if existing:
        out.print("This is inside an existing git repository, so stss left its history alone: "
                  "review the new files and commit them yourself.", markup=False)
    else:
        git.init(root)
        short = git.commit_all(root, f"Start the records of {name} with stss init")
        out.print(f"Committed {short} on main.", markup=False)
    out.print("Next: add schools/ and people/, check the term dates in trust.yaml, then run 'stss validate'.")


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
