"""Logging a trust-wide event: which planned event it updates, and the file it writes.

The rules behind `stss log-event`, as pure functions over `Records`:

- a log for an activity updates the planned event of that activity in the
  same term (the nearest in date), if there is one; else a new file,
  `events/<year>/<date>-<activity>.md`, with `-2`, `-3`, ... when taken;
- `--school` names the schools that took part, replacing a planned event's
  list (left out, the planned event's list stands; a new event needs one);
- an event's date, staff and host change only when given;
- a new event gets a random `uid` (`stss.identity`), as a planned one has its
  computed uid: it stays when the event moves to another day, so its calendar
  event moves rather than leaving a ghost.

Files are edited with `stss.yamledit`, so a planned event's comments, order
and notes survive being completed. The existing file's text comes in,
`Change`s go out, for `stss.changes` to check and write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass

from stss import calendar, identity, layout, yamledit
from stss.changes import Change
from stss.errors import UsageError, unknown_id_hint
from stss.models import Event, EventFrontMatter, EventStatus, Records

#: Front-matter keys in the order the records format lists them.
KEYS = tuple(EventFrontMatter.model_fields)
_VERBS = {"completed": "Log", "planned": "Plan", "cancelled": "Cancel"}


@dataclass(frozen=True)
class EventLog:
    """What a person asked to record; None means "not given"."""

    activity: str
    status: EventStatus = "completed"
    date: dt.date | None = None
    schools: tuple[str, ...] | None = None
    staff: tuple[str, ...] | None = None
    host: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Outcome:
    changes: tuple[Change, ...]
    path: str
    updated: bool  # a planned event was updated rather than a file added
    date: dt.date
    message: str


def find_planned(records: Records, activity: str, day: dt.date) -> tuple[str, Event] | None:
    """The planned event a log on `day` completes: same activity and term (else year), nearest date."""
    trust = records.trust
    year_id = calendar.year_of(trust, day) if trust else None
    if trust is None or year_id is None:
        return None
    year = trust.years[year_id]
    period = calendar.period_of(year_id, year, "term", day) or calendar.period_of(year_id, year, "year", day)
    found = [(path, e) for path, e in records.events.items()
             if e.activity == activity and e.status == "planned" and period is not None and e.date in period]
    found.sort(key=lambda item: (abs((item[1].date - day).days), item[1].date, item[0]))
    return found[0] if found else None


def date_of(log: EventLog, planned: Event | None, today: dt.date) -> dt.date:
    """`--date`; else a planned event's own date (for a completed one, once it has come); else today."""
    if log.date is not None:
        return log.date
    if planned is not None and (log.status != "completed" or planned.date <= today):
        return planned.date
    return today


def check(records: Records, log: EventLog, day: dt.date, today: dt.date, planned: Event | None) -> None:
    """Refuse, as a usage error, a log naming what does not exist or cannot be."""
    _known("activity", log.activity, records.offer.activities if records.offer else {})
    for school in log.schools or ():
        _known("school", school, records.schools)
    for person in log.staff or ():
        _known("person", person, records.people)
    if log.host is not None:
        _known("school", log.host, records.schools)
    trust = records.trust
    if trust is not None and calendar.year_of(trust, day) is None:
        raise UsageError(f"the event's date, {day}, is outside every academic year in trust.yaml",
                         f"years configured: {', '.join(sorted(trust.years))}")
    if log.status == "completed" and day > today:
        raise UsageError(f"a completed event cannot be dated after today ({day} is after {today})",
                         "an event still to come is planned: pass --status planned")
    if not log.schools and planned is None:
        raise UsageError("say which schools took part", "pass --school for each (or separate them with commas)")


def _known(kind: str, ident: str, known: Collection[str]) -> None:
    if ident not in known:
        raise UsageError(f"unknown {kind} '{ident}'", unknown_id_hint(ident, known))


def build(records: Records, log: EventLog, today: dt.date, planned: tuple[str, str] | None,
          taken: Collection[str], new_uid: Callable[[], str] = identity.fresh) -> Outcome:
    """The change that records `log`. `planned` is the (path, text) of the planned
    event to update, from `find_planned`; `taken` the paths already on disk. A new
    event gets a uid from `new_uid` (a random one), which stays when it moves."""
    trust = records.trust
    assert trust is not None
    old = records.events[planned[0]] if planned else None
    day = date_of(log, old, today)
    year_id = calendar.year_of(trust, day)
    assert year_id is not None
    if planned is not None:
        doc = yamledit.load(planned[1], front_matter=True, path=planned[0])
        path = planned[0]
        if old is not None and old.date != day:
            path = layout.unique_event_path(set(taken) - {planned[0]}, year_id, day, log.activity)
    else:
        doc = yamledit.load("---\n---\n", front_matter=True)
        path = layout.unique_event_path(taken, year_id, day, log.activity)
    _fill(doc, log, day)
    if planned is None:
        yamledit.set_key(doc.data, "uid", new_uid(), KEYS)
    if log.notes and log.notes.strip():
        notes = log.notes.strip("\n") + "\n"
        doc.body = notes if not doc.body.strip() else doc.body.rstrip("\n") + "\n\n" + notes
    moved_from = planned[0] if planned and path != planned[0] else None
    change = Change(path, yamledit.dump(doc), was=moved_from)
    return Outcome((change,), path, planned is not None, day, commit_message(records, log, day))


def _fill(doc: yamledit.Document, log: EventLog, day: dt.date) -> None:
    data = doc.data

    def put(key: str, value: object) -> None:
        if key not in data or data[key] != value:
            yamledit.set_key(data, key, value, KEYS)

    put("activity", log.activity)
    put("date", day)
    put("status", log.status)
    for key, ids in (("staff", log.staff), ("schools", log.schools)):
        if ids is not None and list(data.get(key) or []) != list(ids):
            put(key, yamledit.flow_list(ids))
    if "staff" not in data:
        put("staff", yamledit.flow_list(()))
    if log.host is not None:
        put("host", log.host)


def commit_message(records: Records, log: EventLog, day: dt.date) -> str:
    """`Log headteachers' network meeting for 10 schools (2027-01-14)`."""
    activity = records.activity(log.activity)
    what = activity.name if activity else log.activity
    count = len(log.schools) if log.schools else None
    who = f" for {count} school{'s' if count != 1 else ''}" if count else ""
    return f"{_VERBS[log.status]} {what}{who} ({day})"
