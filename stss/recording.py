"""Recording what happened, one call for each command that writes records.

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
from pathlib import Path
from typing import Literal

from stss import (
    actions,
    changes,
    events,
    identity,
    loader,
    objectives,
    requests,
    review,
    store,
    visits,
)
from stss.changes import Change
from stss.errors import RecordsInvalid
from stss.layout import KINDS, Scope, record_path
from stss.loader import Loaded
from stss.models import Review


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
    on = events.date_of(log, match[1] if match else None, today)
    events.check(r, log, on, today, match[1] if match else None)
    changes.ready(loaded, commit)
    planned = (match[0], store.read_text(loaded.root, match[0])) if match else None
    # The names a new event file could collide with: those of its year, not every year's.
    year = loader.resolve(loaded.root, Scope(days=(on,)))
    outcome = events.build(r, log, today, planned, {f.path for f in store.list_files(loaded.root, year)[0]})
    return EventRecorded(outcome, changes.save(loaded, outcome.changes, outcome.message, force=force, commit=commit))


# --- a record edited in place -------------------------------------------------------------


@dataclass(frozen=True)
class Edited:
    """One file edited in place: the change, its commit message, the commit made, and
    whether the file already said it all (then nothing was written)."""

    change: Change
    message: str
    commit: str | None
    unchanged: bool = False


def _edit(loaded: Loaded, path: str, build: Callable[[str], tuple[Change, str]], *, force: bool = False,
          commit: bool = False) -> Edited:
    """Read `path`, build its new text and commit message from the old text, and save it."""
    changes.ready(loaded, commit)
    text = store.read_text(loaded.root, path)
    change, message = build(text)
    if change.text == text and change.was is None:
        return Edited(change, message, None, unchanged=True)
    return Edited(change, message, changes.save(loaded, (change,), message, force=force, commit=commit))


def support_level(loaded: Loaded, school: str, year: str, level: str, rationale: str, decided: dt.date,
                  since: dt.date | None, *, force: bool = False, commit: bool = False) -> Edited:
    """A school's support level for `year` (or, `since` a date, a change within it), in its file."""
    from stss import support

    def build(text: str) -> tuple[Change, str]:
        change = (support.change(school, text, year, level, rationale, decided, since) if since
                  else support.decide(school, text, year, level, rationale, decided))
        return change, support.commit_message(loaded.records, school, year, level, since)

    return _edit(loaded, record_path("school", school), build, force=force, commit=commit)


def objective_review(loaded: Loaded, engagement: str, objective: str, review: Review, today: dt.date, *,
                     force: bool = False, commit: bool = False) -> tuple[Edited, objectives.Recorded]:
    """A progress review added to an engagement's objective (given an id first if it had none)."""
    recorded: list[objectives.Recorded] = []

    def build(text: str) -> tuple[Change, str]:
        done = objectives.add_review(engagement, loaded.records.engagements[engagement], text, objective,
                                     review, today)
        recorded.append(done)
        return done.change, objectives.commit_message(loaded.records, engagement, done.objective, review)

    edited = _edit(loaded, record_path("engagement", engagement), build, force=force, commit=commit)
    return edited, recorded[0]


def new_request(loaded: Loaded, new: requests.NewRequest, *, commit: bool = False) -> tuple[str, dt.date, Edited]:
    """A request from a school, in a file of its own (its id, when it should be answered by)."""
    requests.check_new(loaded.records, new)
    changes.ready(loaded, commit)
    # Requests are a flat folder: no year's visits need listing to find the ids taken.
    flat = Scope(years=frozenset())
    taken = {f.record_id for f in store.list_files(loaded.root, flat)[0] if f.kind == KINDS["request"].name}
    ident, due, change = requests.build_new(loaded.records, new, taken)
    message = requests.commit_message(loaded.records, "Log", new.school, new.summary)
    return ident, due, Edited(change, message, changes.save(loaded, (change,), message, commit=commit))


#: The commit message's verb for each status a request is moved to.
MOVES = {"triaged": "Triage", "in-progress": "Start", "resolved": "Resolve", "declined": "Decline", "open": "Reopen"}


def request_moved(loaded: Loaded, ident: str, move: requests.Move, today: dt.date, *,
                  commit: bool = False) -> Edited:
    """A request moved on (triaged, started, resolved, declined, linked, assigned), in place."""
    requests.check_move(loaded.records, ident, move, today)
    old = loaded.records.requests[ident]
    message = requests.commit_message(loaded.records, MOVES.get(move.status or "", "Update"), old.school,
                                      old.summary)
    return _edit(loaded, record_path("request", ident),
                 lambda text: (requests.move(loaded.records, ident, text, move, today), message), commit=commit)


def answer(loaded: Loaded, path: str, response: Literal["accurate", "inaccurate"], comment: str | None,
           today: dt.date, *, commit: bool = False) -> Edited:
    """The school's answer to a shared visit report, in the visit's `review`."""
    review.check_answer(loaded.records.visits[path], path, response, comment, today)
    message = f"Record the school's answer to the report of {_name(path)}: {response}"
    return _edit(loaded, path, lambda text: (review.answer(text, path, response, comment, today), message),
                 commit=commit)


def share(loaded: Loaded, path: str, report: Callable[[], str | bytes], out: Path, today: dt.date, *,
          commit: bool = False) -> Edited:
    """A visit report written to `out` (rendered by `report`) and `review.shared` recorded in the
    visit; the visit's change is checked before the report goes anywhere."""
    from stss import render

    store.outside_records(loaded.root, out)  # before the visit is touched
    message = f"Share the report of {_name(path)} with the school ({today})"

    def build(text: str) -> tuple[Change, str]:
        change = review.share(text, path, today)
        changes.verify(loaded, (change,))
        render.write(out, report(), loaded.root)
        return change, message

    return _edit(loaded, path, build, commit=commit)


def close_action(loaded: Loaded, school: str, agreed: actions.Agreed, when: dt.date, today: dt.date, *,
                 commit: bool = False) -> Edited:
    """An action agreed at a visit to `school` marked done on `when`, in its visit file."""
    actions.check_done(agreed, when, today)
    message = f"Close action at {loaded.records.schools[school].name}: {agreed.text}"
    return _edit(loaded, agreed.visit, lambda text: (Change(agreed.visit, actions.close(text, agreed, when)), message),
                 commit=commit)


def _name(path: str) -> str:
    """A visit's file name without its folder or `.md`, as commit messages name it."""
    return path.rsplit("/", 1)[-1].removesuffix(".md")
