"""Recording what happened, as one call each: a visit (`log-visit`) and a trust-wide event (`log-event`).

`stss.visits` and `stss.events` decide what a log means and build the new file
texts from texts they are given; this module does the steps around them that
need the records on disk: reading the planned file, listing the names a new
file could collide with, checking the visit files that may be this one, and
saving through `stss.changes` (checked, atomic, and with `commit` committed).
The CLI parses, asks, calls one of these and prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from stss import changes, events, identity, loader, store, visits
from stss.errors import RecordsInvalid
from stss.layout import Scope
from stss.loader import Loaded


@dataclass(frozen=True)
class Recorded:
    """What a log did: its outcome, the commit it made, and whether the file already said it all."""

    outcome: visits.Outcome
    commit: str | None
    unchanged: bool = False


def visit(loaded: Loaded, log: visits.Log, today: dt.date, *, edit_notes: Callable[[], str | None] | None = None,
          force: bool = False, commit: bool = False) -> Recorded:
    """Record `log`: update the planned (or completed) visit it completes, else add a new file.

    With `edit_notes` (at a terminal, no --notes), the change is verified before the
    notes are asked for, so a refusal never throws away what a person has typed."""
    r = loaded.records
    match = visits.find_target(r, log, today)
    on = visits.date_of(log, match[1] if match else None, today)
    visits.check(r, log, on, today)
    broken = visits.broken_visits(r, loaded.problems, log, on)
    if broken:
        raise RecordsInvalid(broken, f"refused: {len({p.path for p in broken})} visit file(s) of {log.school} for "
                             f"{log.activity} have errors, and one may be this visit; fix them first (nothing was "
                             "written)", root=loaded.root)
    changes.ready(loaded, commit)
    planned = (match[0], store.read_text(loaded.root, match[0])) if match else None
    taken = _taken(loaded, log, today)
    uids = (identity.fresh(), identity.fresh())  # a new visit, and the one a postponement leaves
    outcome = visits.build(r, log, today, planned, taken, iter(uids).__next__)
    if edit_notes is not None:
        changes.verify(loaded, outcome.changes, force=force)
        typed = edit_notes()
        if typed is not None:
            outcome = visits.build(r, replace(log, notes=typed), today, planned, taken, iter(uids).__next__)
    if planned is not None and [c.text for c in outcome.changes] == [planned[1]] and not outcome.moved_from:
        made = changes.commit_if_uncommitted(loaded, outcome.path, outcome.message) if commit else None
        return Recorded(outcome, made, unchanged=True)
    return Recorded(outcome, changes.save(loaded, outcome.changes, outcome.message, force=force, commit=commit))


def _taken(loaded: Loaded, log: visits.Log, today: dt.date) -> set[str]:
    """The visit file names a new visit of the school could collide with: those of
    the school in the years of the visit's date and its new date (read already,
    unless those years were only known once the date was asked for)."""
    dates = tuple(d for d in (log.date or today, log.new_date) if d is not None)
    scope = loader.resolve(loaded.root, Scope(days=dates, schools=frozenset({log.school})))
    if loaded.scope.years is not None and scope.years is not None and scope.years <= loaded.scope.years:
        return set(loaded.paths)
    return {f.path for f in store.list_files(loaded.root, scope)[0]}


@dataclass(frozen=True)
class EventRecorded:
    outcome: events.Outcome
    commit: str | None


def event(loaded: Loaded, log: events.EventLog, today: dt.date, *, force: bool = False,
          commit: bool = False) -> EventRecorded:
    """Record a trust-wide event: update the planned one of the same activity and term, else add a file."""
    r = loaded.records
    match = events.find_planned(r, log.activity, log.date or today)
    events.check(r, log, events.date_of(log, match[1] if match else None, today), today, match[1] if match else None)
    changes.ready(loaded, commit)
    planned = (match[0], store.read_text(loaded.root, match[0])) if match else None
    outcome = events.build(r, log, today, planned, {f.path for f in store.list_files(loaded.root)[0]})
    return EventRecorded(outcome, changes.save(loaded, outcome.changes, outcome.message, force=force, commit=commit))
