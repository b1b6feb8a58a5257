"""iCalendar export (`stss.ics`): the fields Outlook and Google need, stable UIDs,
and the same bytes for the same inputs."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from icalendar import Calendar

from stss import ics
from stss.models import Offer, Person, Records, School, Trust, Visit
from tests.test_planning import TRUST, visit

D = dt.date
OFFER = Offer.model_validate({
    "activities": {"review": {"name": "Education review", "days": 1},
                   "sg": {"name": "Safeguarding review", "days": 0.5, "confidential": True}},
    "levels": {},
})
SCHOOL = School(name="St Anne's CE Primary", phase="primary", membership="academy")


def records(*visits: tuple[str, Visit], trust: Trust = TRUST) -> Records:
    return Records(trust=trust, offer=OFFER, schools={"s": SCHOOL},
                   people={"alex": Person(name="Alex Morgan", capacity_days=40)}, visits=dict(visits))


def events(data: bytes) -> list[dict[str, Any]]:
    cal = Calendar.from_ical(data)
    return [dict(e) for e in cal.walk("VEVENT")]


def test_calendar_header_for_outlook_and_google() -> None:
    data = ics.render(records(), [], D(2026, 11, 23))
    cal = Calendar.from_ical(data)
    assert (str(cal["VERSION"]), str(cal["CALSCALE"]), str(cal["METHOD"])) == ("2.0", "GREGORIAN", "PUBLISH")
    assert str(cal["PRODID"]) == ics.PRODID
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


def test_a_visit_is_an_all_day_event_named_for_activity_and_school() -> None:
    v = visit("s", "review", D(2027, 2, 2), "planned", ("alex",))
    data = ics.render(records(v), [v], D(2026, 11, 23))
    assert b"DTSTART;VALUE=DATE:20270202\r\n" in data and b"DTEND;VALUE=DATE:20270203\r\n" in data
    (event,) = events(data)
    assert str(event["SUMMARY"]) == "Education review – St Anne's CE Primary"
    assert str(event["UID"]) == hashlib.sha1(v[0].encode()).hexdigest() + "@stss"
    assert "Staff: Alex Morgan" in str(event["DESCRIPTION"]) and "Status: planned" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"


def test_same_inputs_same_bytes_and_a_later_export_supersedes() -> None:
    vs = [visit("s", "review", D(2027, 2, 2), "planned"), visit("s", "sg", D(2026, 10, 6), staff=("alex",))]
    first = ics.render(records(*vs), vs, D(2026, 11, 23))
    assert first == ics.render(records(*vs), list(reversed(vs)), D(2026, 11, 23))
    later = events(ics.render(records(*vs), vs, D(2026, 12, 1)))
    earlier = events(first)
    assert [str(e["UID"]) for e in later] == [str(e["UID"]) for e in earlier]
    assert all(int(a["SEQUENCE"]) > int(b["SEQUENCE"]) for a, b in zip(later, earlier, strict=True))
    assert all(a["LAST-MODIFIED"].dt > b["LAST-MODIFIED"].dt for a, b in zip(later, earlier, strict=True))


def test_called_off_visits_are_sent_cancelled_and_notes_stay_out() -> None:
    path, v = visit("s", "sg", D(2026, 10, 6), "cancelled", ("alex",))
    v = v.model_copy(update={"notes": "Child A's case file"})
    data = ics.render(records((path, v)), [(path, v)], D(2026, 11, 23))
    (event,) = events(data)
    assert str(event["STATUS"]) == "CANCELLED"
    assert b"Child A" not in data


def test_unstaffed_visits_say_so() -> None:
    v = visit("s", "review", D(2027, 2, 2), "planned")
    (event,) = events(ics.render(records(v), [v], D(2026, 11, 23)))
    assert "Staff: not yet assigned" in str(event["DESCRIPTION"])
