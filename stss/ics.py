"""Visits as an iCalendar (RFC 5545) file, for Outlook and Google Calendar.

Owns the mapping from a visit to a calendar event, and nothing else: the
caller picks the visits and writes the bytes. Pure: no clock, no files.

- One all-day event per visit (DTSTART;VALUE=DATE, DTEND the day after).
- UID `<sha1 of the visit's path>@stss`: the path names a visit for life, so
  importing a newer export updates the event instead of adding a copy.
- DTSTAMP and LAST-MODIFIED are the export day (`stamp`, the CLI's --today),
  and SEQUENCE counts days from 2000-01-01 to it, so a later export always
  supersedes an earlier one and the same inputs give the same bytes.
- Cancelled and postponed visits are exported with STATUS:CANCELLED, so a
  calendar that imported them as planned drops or strikes them.
- Notes never leave the records: the description holds staff, status, the
  activity's length and the record's path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from stss.models import Records, Visit

PRODID = "-//stss//School improvement visits//EN"
EPOCH = dt.date(2000, 1, 1)
_STATUS = {"planned": "CONFIRMED", "completed": "CONFIRMED", "cancelled": "CANCELLED", "postponed": "CANCELLED"}


def uid(path: str) -> str:
    return f"{hashlib.sha1(path.encode('utf-8')).hexdigest()}@stss"


def render(records: Records, visits: Iterable[tuple[str, Visit]], stamp: dt.date) -> bytes:
    """An iCalendar file with one event per (path, visit), in path order."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if records.trust is not None:
        cal.add("x-wr-calname", f"{records.trust.name}: visits")
    moment = dt.datetime.combine(stamp, dt.time(), tzinfo=dt.UTC)
    for path, visit in sorted(visits, key=lambda pair: pair[0]):
        activity = records.activity(visit.activity)
        school = records.schools.get(visit.school)
        school_name = school.name if school else visit.school
        activity_name = activity.name if activity else visit.activity
        staff = ", ".join(records.people[p].name if p in records.people else p for p in visit.staff)
        days = visit.days_for(activity)
        lines = [f"Staff: {staff or 'not yet assigned'}", f"Status: {visit.status}",
                 f"Days: {days:g}", f"Record: {path}"]
        if visit.reason and visit.called_off:
            lines.insert(2, f"Reason: {visit.reason}")
        event = Event()
        event.add("uid", uid(path))
        event.add("dtstamp", moment)
        event.add("last-modified", moment)
        event.add("sequence", (stamp - EPOCH).days)
        event.add("dtstart", visit.date)
        event.add("dtend", visit.date + dt.timedelta(days=1))
        event.add("summary", f"{activity_name} – {school_name}")
        event.add("description", "\n".join(lines))
        event.add("status", _STATUS[visit.status])
        event.add("transp", "TRANSPARENT" if visit.called_off else "OPAQUE")
        event.add("categories", [activity_name])
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
