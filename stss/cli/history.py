"""`stss history`: what changed in the records, when and by whom, read from git."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from stss.cli.common import Format, RecordsOpt, check_id, console, emit_rows

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Columns of `history --format csv`.
HISTORY_COLUMNS = ("date", "commit", "author", "kind", "school", "summary", "path")


def history(
    school: Annotated[str | None, typer.Argument(help="Only this school (its id).", show_default=False)] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="From this date (YYYY-MM-DD), or after this git revision (a tag, a branch, a hash).",
        show_default=False)] = None,
    until: Annotated[dt.datetime | None, typer.Option(
        "--until", formats=["%Y-%m-%d"], help="Up to this date (YYYY-MM-DD).", show_default=False)] = None,
    format: Annotated[Format, typer.Option(
        "--format", help="table, json (events with notes on missing history) or csv (one row a change).")] = "table",
    records: RecordsOpt = None,
) -> None:
    """What changed, when and by whom: support decisions, visits, events, schools, engagements.

    Read from the git history of schools/, engagements/, visits/ and events/. In a shallow
    clone it says what history is missing; outside a git repository it exits 1.
    """
    from rich.markup import escape
    from rich.table import Table

    from stss import git, store
    from stss import history as history_mod

    root = store.find_root(records)
    git.require_repo(root)
    since_date, since_rev = _since(root, since)
    found = history_mod.history(root, since=since_date, until=until.date() if until else None,
                                since_rev=since_rev)
    if school is not None:
        files, _ = store.list_files(root)
        known = {f.record_id for f in files if f.kind == "school"} | {e.school for e in found.events if e.school}
        check_id("school", school, known)
    rows = [e for e in found.events if school is None or e.school == school]
    if format == "json":
        print(json.dumps({"events": [e.as_dict() for e in rows], "notes": found.notes,
                          "shallow": found.shallow}, indent=2))
        return
    for note in found.notes:
        print(f"note: {note}", file=sys.stderr)
    if emit_rows([e.as_dict() for e in rows], format, HISTORY_COLUMNS):
        return
    if not rows:
        console().print("No changes to schools, engagements or visits" + (f" for {school}" if school else "")
                        + (f" since {since}" if since else "") + ".")
        return
    table = Table(title="History" + (f" of {school}" if school else ""))
    columns = ("date", "commit", "author", "what", "change") if school else \
        ("date", "commit", "author", "school", "what", "change")
    for col in columns:
        table.add_column(col, no_wrap=col in ("date", "commit"), overflow="fold",
                         max_width={"author": 18, "school": 22, "what": 17}.get(col))
    for e in rows:
        cells = {"date": e.date.isoformat(), "commit": e.commit, "author": escape(e.author),
                 "school": e.school or "", "what": e.kind, "change": escape(e.summary)}
        table.add_row(*(cells[c] for c in columns))
    console().print(table)
    console().print(f"{len(rows)} change(s) in {len({e.commit for e in rows})} commit(s).", markup=False)


def _since(root: Path, since: str | None) -> tuple[dt.date | None, str | None]:
    """--since as a date, or as a revision git knows."""
    from stss import git
    from stss.errors import UsageError

    if since is None:
        return None, None
    if DATE_RE.match(since):
        try:
            return dt.date.fromisoformat(since), None
        except ValueError:
            raise UsageError(f"--since {since} is not a date", "write dates as YYYY-MM-DD") from None
    if git.resolve(root, since) is None:
        raise UsageError(f"--since {since} is neither a date (YYYY-MM-DD) nor a revision git knows",
                         "use a date, a tag, a branch or a commit hash")
    return None, since


def register(app: typer.Typer) -> None:
    app.command()(history)
