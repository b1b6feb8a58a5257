"""Logging a visit: which planned visit it updates, and the files it writes.

The rules behind `stss log-visit`, as pure functions over `Records`:

- a log for a school and activity updates the planned visit for them in the
  same period, if there is one (the nearest in date); the period is the
  entitlement's own when the school is owed the activity per half-term or
  per term, else the term the date falls in, else the year;
- a completed visit already logged for the school and activity on that day is
  added to (notes, focus, staff, actions), never written a second time, and
  what it already says is not said twice (so a rerun adds nothing);
- a new visit gets a new file, `visits/<year>/<date>-<school>-<activity>-<uid>.md`,
  named by its new `uid` (`stss.identity`), so visits logged on two branches
  never share a name; a visit whose date changes keeps its uid;
- a postponed visit leaves a planned one on its new date;
- `--action "text;owner;due"` becomes an `Action`.

Files are edited with `stss.yamledit`, so a planned visit's comments, order
and notes survive being completed. Reading and writing is the caller's (and
`stss.changes`'): the existing file's text comes in, `Change`s go out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace

from stss import calendar, identity, layout, yamledit
from stss.calendar import Period
from stss.changes import Change
from stss.entitlements import owed
from stss.errors import Problem, UsageError, require_known
from stss.models import (
    CALLED_OFF,
    Action,
    Records,
    Visit,
    VisitFrontMatter,
    VisitStatus,
)

#: Front-matter keys in the order the records format lists them.
KEYS = tuple(VisitFrontMatter.model_fields)
#: The notes template when the trust has none for the activity.
DEFAULT_NOTES = "## Summary\n\n\n## Strengths\n\n\n## Next steps\n\n"
_FINEST_FIRST = ("half-term", "term")
_VERBS = {"completed": "Log", "cancelled": "Cancel", "postponed": "Postpone"}


@dataclass(frozen=True)
class Log:
    """What a person asked to record; None and empty mean "not given"."""

    school: str
    activity: str
    status: VisitStatus = "completed"
    date: dt.date | None = None
    staff: tuple[str, ...] | None = None
    days: float | None = None
    focus: tuple[str, ...] | None = None
    engagement: str | None = None
    actions: tuple[Action, ...] = ()
    reason: str | None = None
    new_date: dt.date | None = None
    confidential: bool = False
    notes: str | None = None


@dataclass(frozen=True)
class Outcome:
    """The files a log writes, and what to call it in a commit."""

    changes: tuple[Change, ...]
    path: str  # the visit logged
    updated: bool  # True when a visit was updated rather than a file added
    date: dt.date
    message: str
    rebooked: str | None = None  # the planned visit a postponement leaves
    moved_from: str | None = None  # the planned visit's old name, when its date changed
    added: bool = False  # True when it added to a visit already completed

    @property
    def how(self) -> str:
        """What the log did to the file, for people."""
        if self.added:
            return "added to the visit already logged"
        if not self.updated:
            return "new file"
        return f"the planned visit, renamed from {self.moved_from}" if self.moved_from else "updated the planned visit"


# --- finding the planned visit ---------------------------------------------------


def period_for(records: Records, school: str, activity: str, day: dt.date) -> Period | None:
    """The period within which a log matches a planned visit (None outside every year)."""
    trust = records.trust
    year_id = calendar.year_of(trust, day) if trust else None
    if trust is None or year_id is None:
        return None
    year = trust.years[year_id]
    entitled = {o.period.per for o in owed(records, school, year_id) if o.activity == activity}
    for per in _FINEST_FIRST:
        if per in entitled and (period := calendar.period_of(year_id, year, per, day)):
            return period
    return calendar.period_of(year_id, year, "term", day) or calendar.period_of(year_id, year, "year", day)


def find_planned(records: Records, school: str, activity: str, day: dt.date) -> tuple[str, Visit] | None:
    """The planned visit a log on `day` completes: same school, activity and period, nearest date."""
    period = period_for(records, school, activity, day)
    if period is None:
        return None
    found = [
        (path, v) for path, v in records.visits_of(school)
        if v.activity == activity and v.status == "planned" and v.date in period
    ]
    found.sort(key=lambda item: (abs((item[1].date - day).days), item[1].date, item[0]))
    return found[0] if found else None


def find_completed(records: Records, school: str, activity: str, day: dt.date) -> tuple[str, Visit] | None:
    """The completed visit of this activity at this school on `day`, if one was logged."""
    found = sorted((path, v) for path, v in records.visits_of(school)
                   if v.activity == activity and v.status == "completed" and v.date == day)
    return found[0] if found else None


def find_target(records: Records, log: Log, today: dt.date) -> tuple[str, Visit] | None:
    """The visit a log updates: for a completed visit, one already logged for
    that day (adding to it); else the planned visit it completes, if any."""
    planned = find_planned(records, log.school, log.activity, log.date or today)
    if log.status == "completed":
        done = find_completed(records, log.school, log.activity,
                              date_of(log, planned[1] if planned else None, today))
        if done is not None:
            return done
    return planned


def date_of(log: Log, planned: Visit | None, today: dt.date) -> dt.date:
    """The visit's date: `--date`; else a planned visit's own date (a completed
    one only if that date has come); else today."""
    if log.date is not None:
        return log.date
    if planned is not None and (log.status != "completed" or planned.date <= today):
        return planned.date
    return today


# --- checking the request ------------------------------------------------------------


def check(records: Records, log: Log, day: dt.date, today: dt.date) -> None:
    """Refuse, as a usage error, a log that names things that do not exist or cannot be."""
    require_known("school", log.school, records.schools)
    require_known("activity", log.activity, records.offer.activities if records.offer else {})
    for person in log.staff or ():
        require_known("person", person, records.people)
    if log.engagement is not None:
        require_engagement_of(records, log.engagement, log.school,
                              "name an engagement of this school, or leave --engagement out")
    if log.days is not None and log.days <= 0:
        raise UsageError(f"--days must be more than 0, got {log.days:g}")
    for when, what in ((day, "the visit's date"), (log.new_date, "the new date")):
        if when is not None:
            _in_a_year(records, when, what)
    if log.status == "completed" and day > today:
        raise UsageError(f"a completed visit cannot be dated after today ({day} is after {today})",
                         "a visit still to come stays planned: log it once it has happened")
    if log.status in CALLED_OFF and not (log.reason or "").strip():
        raise UsageError(f"a {log.status} visit needs a reason", "pass --reason \"...\"")
    if log.status != "postponed" and log.new_date is not None:
        raise UsageError("--new-date goes with --status postponed")
    if log.status == "completed" and log.reason is not None:
        raise UsageError("--reason goes with --status cancelled or postponed")
    if log.status == "postponed":
        if log.new_date is None:
            raise UsageError("a postponed visit needs its new date", "pass --new-date, or use --status cancelled")
        if log.new_date <= day:
            raise UsageError(f"the new date ({log.new_date}) must be after the visit's date ({day})")


def broken_visits(records: Records, problems: Iterable[Problem], log: Log, day: dt.date) -> list[Problem]:
    """The errors of the visit files named for this school and activity in the visit's
    year that did not load. One of them may be the very visit being logged, so a log
    waits until they are fixed rather than write a second file beside it."""
    year_id = calendar.year_of(records.trust, day) if records.trust else None
    if year_id is None:
        return []
    folder = layout.year_folder("visit", year_id)
    return [p for p in problems if p.is_error and p.path.startswith(folder) and p.path not in records.visits
            and layout.names_visit_of(p.path, log.school, log.activity)]


def require_engagement_of(records: Records, engagement: str, school: str, hint: str) -> None:
    """Refuse (a usage error) an engagement that does not exist or is for another school."""
    require_known("engagement", engagement, records.engagements)
    other = records.engagements[engagement].school
    if other != school:
        raise UsageError(f"engagement '{engagement}' is for {other}, not {school}", hint)


def _in_a_year(records: Records, day: dt.date, what: str) -> None:
    trust = records.trust
    if trust is not None and calendar.year_of(trust, day) is None:
        raise UsageError(f"{what}, {day}, is outside every academic year in trust.yaml",
                         f"years configured: {', '.join(sorted(trust.years))}")


def parse_action(text: str) -> Action:
    """`"text;owner;due"` (due optional, YYYY-MM-DD) as an open action."""
    parts = [part.strip() for part in text.split(";")]
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise UsageError(f"--action '{text}' is not \"text;owner;due\"",
                         "e.g. --action \"Share the phonics plan with governors;headteacher;2026-11-20\" "
                         "(the due date may be left out)")
    due = None
    if len(parts) == 3 and parts[2]:
        try:
            due = dt.date.fromisoformat(parts[2])
        except ValueError:
            raise UsageError(f"--action '{text}': '{parts[2]}' is not a date",
                             "write the due date as YYYY-MM-DD") from None
    return Action(text=parts[0], owner=parts[1], due=due)


# --- building the files ------------------------------------------------------------------


unique_path = layout.unique_visit_path


def build(records: Records, log: Log, today: dt.date, planned: tuple[str, str] | None,
          taken: Collection[str], new_uid: Callable[[], str] | None = None) -> Outcome:
    """The changes that record `log`. `planned` is the (path, text) of the visit
    to update, from `find_target`; `taken` the visit paths already on disk;
    `new_uid` gives each new visit its uid (default: a random one)."""
    new_uid = new_uid or identity.fresh
    trust = records.trust
    assert trust is not None
    old = records.visits[planned[0]] if planned else None
    day = date_of(log, old, today)
    year_id = calendar.year_of(trust, day)
    assert year_id is not None
    taken = set(taken)
    if planned is not None:
        doc = yamledit.load(planned[1], front_matter=True, path=planned[0])
        path = planned[0]
        if old is not None and old.date != day:
            # Moved to another day: a new name, the same identity (its uid, which
            # names the file; a visit written by hand without one keeps the
            # identity the calendar gives it, its place among its kind).
            path = unique_path(taken - {planned[0]}, year_id, day, log.school, log.activity, old.uid)
    else:
        doc = yamledit.load("---\n---\n", front_matter=True)
        uid = new_uid()
        path = unique_path(taken, year_id, day, log.school, log.activity, uid)
    taken.add(path)
    added = old is not None and old.status == "completed"
    _fill(doc, log, day, adding=added)
    if log.notes and log.notes.strip() and log.notes.strip() not in doc.body:
        doc.body = _appended(doc.body, log.notes)
    if planned is None:
        yamledit.set_key(doc.data, "uid", uid, KEYS)
    moved_from = planned[0] if planned and path != planned[0] else None
    changes = [Change(path, yamledit.dump(doc), was=moved_from)]
    rebooked = None
    if log.status == "postponed" and log.new_date is not None:
        rebooked = _rebook(records, log, doc, day, taken, new_uid())
        changes.append(rebooked)
    return Outcome(tuple(changes), path, planned is not None, day, commit_message(records, log, day),
                   rebooked.path if rebooked else None, moved_from, added)


def _fill(doc: yamledit.Document, log: Log, day: dt.date, *, adding: bool = False) -> None:
    """Write the log into the front matter. `adding` to a visit already
    completed, staff and focus are added to rather than replaced."""
    data = doc.data

    def put(key: str, value: object) -> None:
        if key not in data or data[key] != value:
            yamledit.set_key(data, key, value, KEYS)

    def listed(key: str, given: tuple[str, ...] | None) -> None:
        if given is None:
            return
        had = [str(item) for item in data.get(key) or []]
        wanted = [*had, *(item for item in given if item not in had)] if adding else list(given)
        if wanted != had:
            put(key, yamledit.flow_list(wanted))

    put("school", log.school)
    put("activity", log.activity)
    put("date", day)
    put("status", log.status)
    listed("staff", log.staff)
    if log.days is not None:
        put("days", int(log.days) if log.days == int(log.days) else log.days)
    if log.engagement is not None:
        put("engagement", log.engagement)
    listed("focus", log.focus)
    if log.actions:
        actions = data.get("actions")
        if not isinstance(actions, list):
            actions = []
            put("actions", actions)
            actions = data["actions"]
        agreed = {_said(a.get("text")) for a in actions if isinstance(a, dict)}
        for action in log.actions:
            if _said(action.text) in agreed:
                continue  # already agreed at this visit: a rerun adds it once
            agreed.add(_said(action.text))
            pairs: list[tuple[str, object]] = [("text", action.text), ("owner", action.owner)]
            pairs += [("due", action.due)] if action.due else []
            actions.append(yamledit.flow_map([*pairs, ("status", action.status)]))
    if log.reason is not None:
        put("reason", yamledit.text_value(log.reason))
    if log.confidential:
        put("confidential", True)


def _said(text: object) -> str:
    """Text compared as people read it: case and spacing do not make it different."""
    return " ".join(str(text or "").split()).casefold()


def _appended(body: str, notes: str) -> str:
    notes = notes.strip("\n") + "\n"
    if not body.strip():
        return notes
    return body.rstrip("\n") + "\n\n" + notes


def _rebook(records: Records, log: Log, postponed: yamledit.Document, day: dt.date, taken: set[str],
            uid: str) -> Change:
    """The planned visit a postponement leaves on its new date, carrying over
    who, how long, what for, and the notes written so far."""
    assert log.new_date is not None and records.trust is not None
    year_id = calendar.year_of(records.trust, log.new_date)
    assert year_id is not None
    data = postponed.data
    doc = yamledit.load("---\n---\n", front_matter=True)
    carried = {key: data[key] for key in ("days", "engagement", "focus", "confidential") if key in data}
    replanned = replace(log, status="planned", date=log.new_date, reason=None, actions=(), notes=None,
                        staff=tuple(data.get("staff") or ()), confidential=False)
    _fill(doc, replanned, log.new_date)
    for key, value in carried.items():
        yamledit.set_key(doc.data, key, value, KEYS)
    doc.body = _appended(f"Postponed from {day}: {' '.join((log.reason or '').split())}\n", postponed.body)
    yamledit.set_key(doc.data, "uid", uid, KEYS)
    path = unique_path(taken, year_id, log.new_date, log.school, log.activity, uid)
    taken.add(path)
    return Change(path, yamledit.dump(doc))


def commit_message(records: Records, log: Log, day: dt.date) -> str:
    """`Log education review at St Anne's CE Primary School (2026-10-06)`."""
    activity = records.activity(log.activity)
    school = records.schools.get(log.school)
    what = _lower_first(activity.name if activity else log.activity)
    where = school.name if school else log.school
    when = f"{day}, now {log.new_date}" if log.status == "postponed" else f"{day}"
    return f"{_VERBS.get(log.status, 'Log')} {what} at {where} ({when})"


def _lower_first(name: str) -> str:
    # "Education review" -> "education review", but "CEO visit" stays.
    if len(name) > 1 and name[0].isupper() and not name[1].isupper():
        return name[0].lower() + name[1:]
    return name


def notes_template(activity_template: str | None) -> str:
    """The text the editor opens with: the trust's template for the activity, or the default."""
    return activity_template if activity_template and activity_template.strip() else DEFAULT_NOTES

