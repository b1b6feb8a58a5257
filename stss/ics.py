"""Visits and trust-wide events as an iCalendar (RFC 5545) file, for Outlook
and Google Calendar.

Owns the mapping from a visit (or an event of events/) to a calendar event,
and nothing else: the caller picks them and writes the bytes. Pure: no
clock, no files.

- One all-day event per visit (DTSTART;VALUE=DATE, DTEND the day after).
- UID: from the visit's identity, never its path, so a visit moved to another
  day (and so renamed) updates its event instead of leaving a ghost. The
  visit's `uid` when it has one; otherwise its place among the visits of the
  same school and activity in the same academic year (the second education
  review at St Anne's in 2026-27), which a change of date keeps unless the
  visit overtakes another of its kind.
- DTSTAMP, LAST-MODIFIED and SEQUENCE say when and how often the visit itself
  changed, never when the file was made, so the same records give the same
  bytes on any day. From git when the records are in git (`revisions`): the
  time of the last commit that changed the visit, and the number of commits
  since the one that created it (following renames), plus one for a change
  not yet committed. Otherwise from the visit alone (`from_content`): its own
  day, and 0 while planned, 1 once completed or called off.
- STATUS: planned visits are TENTATIVE, completed ones CONFIRMED, cancelled
  and postponed ones CANCELLED; called-off visits stay in the file, so a
  calendar that imported them as planned drops or strikes them.
- METHOD:PUBLISH with an ORGANIZER on every event (RFC 5546 3.2.1): the
  trust's `contact` in trust.yaml, else the trust's name at
  `calendar@stss.invalid` (a domain that can never receive mail).
- Notes never leave the records, and a confidential visit's reason stays out
  too: the description holds staff, status, the activity's length and the
  record's path (and, for an event, its schools).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from stss import layout
from stss.models import Event as TrustEvent
from stss.models import Records, Visit

if TYPE_CHECKING:
    from stss.git import Commit

PRODID = "-//stss//School improvement visits//EN"
FALLBACK_ORGANIZER = "calendar@stss.invalid"
_STATUS = {"planned": "TENTATIVE", "completed": "CONFIRMED", "cancelled": "CANCELLED", "postponed": "CANCELLED"}


@dataclass(frozen=True)
class Revision:
    """How often and when a visit last changed: SEQUENCE, and DTSTAMP and LAST-MODIFIED."""

    sequence: int
    stamp: dt.datetime


def from_content(visit: Visit | TrustEvent) -> Revision:
    """A visit's revision when its history is unknown: its own day, and whether it has happened."""
    return Revision(0 if visit.status == "planned" else 1,
                    dt.datetime.combine(visit.date, dt.time(), tzinfo=dt.UTC))


def revisions(commits: Sequence[Commit], uncommitted: Iterable[str] = (),
              within: tuple[str, ...] = ("",)) -> dict[str, Revision]:
    """Each file's revision from its commits (oldest first, as `git.log` gives them):
    SEQUENCE counts the commits that changed it after the one that added it,
    following renames; a file with changes not yet committed counts one more.
    Files that are not in the history are absent (use `from_content`), and so are those
    not under one of the folders `within` (every file is followed, only those are kept)."""
    seen: dict[str, tuple[int, dt.datetime]] = {}
    for commit in commits:
        when = commit.date.astimezone(dt.UTC)
        for change in commit.changes:
            if change.status == "D":
                seen.pop(change.path, None)
            elif change.status == "R" and change.old_path is not None:
                count = seen.pop(change.old_path, (0, when))[0]
                seen[change.path] = (count + 1, when)
            elif change.status in ("A", "C"):
                seen[change.path] = (1, when)
            else:
                seen[change.path] = (seen.get(change.path, (0, when))[0] + 1, when)
    found = {path: Revision(count - 1, when) for path, (count, when) in seen.items() if path.startswith(within)}
    for path in uncommitted:
        if path in found:
            found[path] = Revision(found[path].sequence + 1, found[path].stamp)
    return found


def identities(records: Records) -> dict[str, str]:
    """Each visit's identity: its `uid`, or `<school>/<activity>/<year>/<n>`, n
    counting the visits of that school, activity and year in date order."""
    groups: dict[tuple[str, str, str], list[tuple[dt.date, str]]] = defaultdict(list)
    found: dict[str, str] = {}
    for path, visit in records.visits.items():
        own = getattr(visit, "uid", None)
        if isinstance(own, str) and own:
            found[path] = own
            continue
        parsed = layout.parse(path)
        year = parsed[2] if parsed and parsed[2] else str(visit.date.year if visit.date.month >= 9
                                                          else visit.date.year - 1)
        groups[(visit.school, visit.activity, year)].append((visit.date, path))
    for (school, activity, year), members in groups.items():
        for n, (_, path) in enumerate(sorted(members), start=1):
            found[path] = f"{school}/{activity}/{year}/{n}"
    return found


def uid(identity: str) -> str:
    """The event UID for a visit's identity: a hash, so no record text reaches the calendar raw."""
    return f"{hashlib.sha1(identity.encode('utf-8')).hexdigest()}@stss"


def render(records: Records, visits: Iterable[tuple[str, Visit | TrustEvent]],
           history: Mapping[str, Revision] | None = None) -> bytes:
    """An iCalendar file with one event per (path, visit or trust-wide event), in path order.
    `history` gives the visits' revisions where known (see `revisions`)."""
    from icalendar import Calendar, Event, vCalAddress, vText

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    trust = records.trust
    if trust is not None:
        # An X- property is not escaped unless given as text: a line break in the name would end the line.
        cal.add("x-wr-calname", vText(f"{trust.name}: visits"))
    contact = trust.contact if trust is not None else None
    organizer_name = contact.name if contact else (trust.name if trust else "stss")
    organizer_email = contact.email if contact else FALLBACK_ORGANIZER
    known = history or {}
    ids = identities(records)
    for path, visit in sorted(visits, key=lambda pair: pair[0]):
        activity = records.activity(visit.activity)
        activity_name = activity.name if activity else visit.activity
        staff = ", ".join(records.people[p].name if p in records.people else p for p in visit.staff)
        days = visit.days_for(activity)
        lines = [f"Staff: {staff or 'not yet assigned'}", f"Status: {visit.status}",
                 f"Days: {days:g}", f"Record: {path}"]
        if isinstance(visit, TrustEvent):
            names = [_school_name(records, s) for s in dict.fromkeys(visit.schools)]
            where = f"{len(names)} school{'s' if len(names) != 1 else ''}" + (
                f", at {_school_name(records, visit.host)}" if visit.host else "")
            lines.insert(2, f"Schools: {', '.join(names)}")
            school_name, called_off = where, visit.status == "cancelled"
        else:
            school_name, called_off = _school_name(records, visit.school), visit.called_off
            if visit.reason and called_off and not visit.is_confidential(activity):
                lines.insert(2, f"Reason: {visit.reason}")
        revision = known.get(path) or from_content(visit)
        organizer = vCalAddress(f"mailto:{organizer_email}")
        # A double quote cannot be escaped in a parameter value (RFC 5545 3.2), nor a line break.
        organizer.params["cn"] = "".join(ch for ch in organizer_name if ch.isprintable()).replace('"', "'")
        event = Event()
        own = visit.uid if isinstance(visit, TrustEvent) else None  # a trust-wide event's, from plan
        event.add("uid", uid(ids.get(path) or own or path))
        event.add("dtstamp", revision.stamp)
        event.add("last-modified", revision.stamp)
        event.add("sequence", revision.sequence)
        event.add("organizer", organizer)
        event.add("dtstart", visit.date)
        event.add("dtend", visit.date + dt.timedelta(days=1))
        event.add("summary", f"{activity_name} – {school_name}")
        event.add("description", "\n".join(lines))
        event.add("status", _STATUS[visit.status])
        event.add("transp", "TRANSPARENT" if called_off else "OPAQUE")
        event.add("categories", [activity_name])
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def _school_name(records: Records, school_id: str) -> str:
    school = records.schools.get(school_id)
    return school.name if school else school_id


def chosen(records: Records, year: str, school: str | None = None,
           person: str | None = None) -> list[tuple[str, Visit | TrustEvent]]:
    """The year's visits, then its trust-wide events, of one school or one person if given, by path."""
    from stss import calendar

    trust = records.trust
    assert trust is not None
    first, last = calendar.year_span(year, trust.years[year])
    out: list[tuple[str, Visit | TrustEvent]] = [
        (path, v) for path, v in sorted(records.visits.items())
        if first <= v.date <= last and school in (None, v.school) and (person is None or person in v.staff)]
    out += [(path, e) for path, e in sorted(records.events.items())
            if first <= e.date <= last and (school is None or school in e.schools)
            and (person is None or person in e.staff)]
    return out


def revisions_in(root: Path, year: str | None = None) -> dict[str, Revision]:
    """Each visit's and event's last revision from git (none outside git or before a first commit).

    Each commit's changes come from the cache (`store.CommitChanges`), as a report's do: a
    trust whose first commit imported its records would otherwise have git diff that
    commit's every file on every run. The history is followed through every year's folder
    (a visit moved in from another year keeps its count); with `year`, only that year's
    folders are asked for changes not yet committed, and only their files' revisions are
    kept, since a calendar of the year shows only its files (a `git status` of every year
    stats every file)."""
    from stss import git
    from stss.store import CommitChanges

    if not (git.is_repo(root) and git.has_commits(root)):
        return {}
    folders = [f for f in (layout.KINDS["visit"].folder, layout.KINDS["event"].folder) if f]
    pending = [layout.year_folder(kind, year) for kind in ("visit", "event")] if year else folders
    with CommitChanges(root) as cache:
        commits = git.log(root, folders, cache=cache)
    return revisions(commits, git.uncommitted(root, pending), tuple(pending) if year else ("",))
