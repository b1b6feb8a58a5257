"""iCalendar export (`stss.ics`): the fields Outlook and Google need, UIDs from a
visit's identity, and stamps from the visit's own history, never the day it runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from stss import git as stss_git
from stss import ics
from stss.models import Contact, Offer, Person, Records, School, Trust, Visit
from tests.helpers import TRUST, git, visit

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


def render(*visits: tuple[str, Visit], trust: Trust = TRUST) -> bytes:
    return ics.render(records(*visits, trust=trust), visits)


def events(data: bytes) -> list[Any]:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def moved(pair: tuple[str, Visit], day: dt.date) -> tuple[str, Visit]:
    """The same visit on another day, under the file name that day gives it."""
    path, v = pair
    return path.replace(str(v.date), str(day)), v.model_copy(update={"date": day})


def test_calendar_header_for_outlook_and_google() -> None:
    data = render()
    cal = Calendar.from_ical(data)
    assert (str(cal["VERSION"]), str(cal["CALSCALE"]), str(cal["METHOD"])) == ("2.0", "GREGORIAN", "PUBLISH")
    assert str(cal["PRODID"]) == ics.PRODID
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


def test_a_visit_is_an_all_day_event_named_for_activity_and_school() -> None:
    v = visit("s", "review", D(2027, 2, 2), "planned", ("alex",))
    data = render(v)
    assert b"DTSTART;VALUE=DATE:20270202\r\n" in data and b"DTEND;VALUE=DATE:20270203\r\n" in data
    (event,) = events(data)
    assert str(event["SUMMARY"]) == "Education review – St Anne's CE Primary"
    assert "Staff: Alex Morgan" in str(event["DESCRIPTION"]) and "Status: planned" in str(event["DESCRIPTION"])


@pytest.mark.parametrize(("status", "expected"), [
    ("planned", "TENTATIVE"), ("completed", "CONFIRMED"), ("cancelled", "CANCELLED"), ("postponed", "CANCELLED"),
])
def test_status_says_whether_the_visit_is_still_to_happen(status: str, expected: str) -> None:
    (event,) = events(render(visit("s", "review", D(2027, 2, 2), status)))
    assert str(event["STATUS"]) == expected


# --- identity -------------------------------------------------------------------


def test_a_visit_moved_to_another_day_keeps_its_uid() -> None:
    first = visit("s", "review", D(2026, 10, 6), "planned")
    later = moved(first, D(2026, 10, 13))
    assert first[0] != later[0]
    assert str(events(render(first))[0]["UID"]) == str(events(render(later))[0]["UID"])


def test_uids_come_from_identity_not_path_or_which_visits_are_shown() -> None:
    a, b = visit("s", "review", D(2026, 10, 6)), visit("s", "review", D(2027, 3, 2), "planned")
    other = visit("s", "sg", D(2026, 10, 6))
    r = records(a, b, other)
    everything = {str(e["UID"]) for e in events(ics.render(r, [a, b, other]))}
    assert len(everything) == 3
    alone = events(ics.render(r, [b]))
    assert str(alone[0]["UID"]) in everything
    assert str(alone[0]["UID"]) != str(events(ics.render(records(b), [b]))[0]["UID"])  # the second review, not the first
    assert all("visits/" not in uid and "s/review" not in uid for uid in everything)


def test_a_visit_with_a_uid_keeps_it_whatever_else_changes() -> None:
    path, v = visit("s", "review", D(2026, 10, 6), "planned")
    v = v.model_copy(update={"uid": "7f3c9a2e"})
    earlier = visit("s", "review", D(2026, 9, 15))  # now it is the second review of the year
    (first,) = events(ics.render(records((path, v)), [(path, v)]))
    second = {str(e["UID"]) for e in events(ics.render(records((path, v), earlier), [(path, v), earlier]))}
    assert str(first["UID"]) == ics.uid("7f3c9a2e") and ics.uid("7f3c9a2e") in second


# --- the same records give the same bytes ----------------------------------------


def test_same_records_same_bytes_whatever_the_order() -> None:
    vs = [visit("s", "review", D(2027, 2, 2), "planned"), visit("s", "sg", D(2026, 10, 6), staff=("alex",))]
    assert render(*vs) == ics.render(records(*vs), list(reversed(vs)))


def test_without_history_the_stamps_come_from_the_visit_itself() -> None:
    planned = visit("s", "review", D(2027, 2, 2), "planned")
    (event,) = events(render(planned))
    assert event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt == dt.datetime(2027, 2, 2, tzinfo=dt.UTC)
    assert int(event["SEQUENCE"]) == 0
    done = events(render((planned[0], planned[1].model_copy(update={"status": "completed"}))))[0]
    assert int(done["SEQUENCE"]) == 1


def test_history_gives_the_stamp_and_sequence() -> None:
    v = visit("s", "review", D(2027, 2, 2), "planned")
    when = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
    (event,) = events(ics.render(records(v), [v], {v[0]: ics.Revision(3, when)}))
    assert event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt == when and int(event["SEQUENCE"]) == 3


PLANNED, COMPLETED = "---\nstatus: planned\n---\n", "---\nstatus: completed\n---\n"


def history_of(root: Path, files: dict[str, str], moves: dict[str, str], changed: dict[str, str]) -> None:
    """A repository at `root`: `files` committed, then `moves` (old path: new) committed,
    then `changed` written and left uncommitted."""
    git(root, "init", "--quiet")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "plan", when="2026-09-01T10:00:00+01:00")
    for old, new in moves.items():
        (root / new).parent.mkdir(parents=True, exist_ok=True)
        (root / old).rename(root / new)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "move", when="2026-09-20T16:00:00+01:00")
    for rel, text in changed.items():
        (root / rel).write_text(text)


def test_revisions_count_commits_follow_moves_and_a_change_not_yet_committed(tmp_path: Path) -> None:
    history_of(tmp_path, {"visits/2026-27/2026-10-06-s-review.md": PLANNED + "notes\n" * 20,
                          "visits/2026-27/2026-10-07-s-sg.md": PLANNED},
               {"visits/2026-27/2026-10-06-s-review.md": "visits/2026-27/2026-10-13-s-review.md"},
               {"visits/2026-27/2026-10-07-s-sg.md": COMPLETED})
    found = ics.revisions(stss_git.log(tmp_path, ["visits"]), stss_git.uncommitted(tmp_path, ["visits"]))
    assert found == {
        "visits/2026-27/2026-10-13-s-review.md": ics.Revision(1, dt.datetime(2026, 9, 20, 15, tzinfo=dt.UTC)),
        "visits/2026-27/2026-10-07-s-sg.md": ics.Revision(1, dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC)),
    }


def test_a_years_revisions_follow_moves_from_other_years_and_keep_each_commits_changes(tmp_path: Path) -> None:
    history_of(tmp_path, {"visits/2025-26/2026-09-08-s-review.md": PLANNED + "notes\n" * 20,  # misfiled
                          "visits/2025-26/2026-06-10-s-sg.md": PLANNED, "visits/2026-27/2026-10-07-s-sg.md": PLANNED},
               {"visits/2025-26/2026-09-08-s-review.md": "visits/2026-27/2026-09-08-s-review.md"},
               {"visits/2026-27/2026-10-07-s-sg.md": COMPLETED, "visits/2025-26/2026-06-10-s-sg.md": COMPLETED})
    every, year = ics.revisions_in(tmp_path), ics.revisions_in(tmp_path, "2026-27")
    assert year["visits/2026-27/2026-09-08-s-review.md"] == ics.Revision(1, dt.datetime(2026, 9, 20, 15, tzinfo=dt.UTC))
    assert year["visits/2026-27/2026-10-07-s-sg.md"].sequence == 1  # its change not yet committed counts
    # The year's files, as a calendar of every year has them; another year's are that year's
    # calendar's to count (its change not yet committed included).
    assert year == {p: r for p, r in every.items() if p.startswith("visits/2026-27/")}
    assert every["visits/2025-26/2026-06-10-s-sg.md"].sequence == 1
    from stss import store

    ids = git(tmp_path, "rev-list", "HEAD").split()
    with store.CommitChanges(tmp_path) as cache:  # each commit diffed once, then read from the cache
        assert set(cache.get(ids)) == set(ids)


# --- what stays out, and who publishes ------------------------------------------


def test_notes_stay_out_and_a_confidential_visits_reason_too() -> None:
    path, v = visit("s", "sg", D(2026, 10, 6), "cancelled", ("alex",))
    v = v.model_copy(update={"notes": "Child A's case file", "reason": "Child B's hearing"})
    data = render((path, v))
    assert str(events(data)[0]["STATUS"]) == "CANCELLED"
    assert b"Child A" not in data and b"Child B" not in data
    path, v = visit("s", "review", D(2026, 10, 6), "cancelled")
    v = v.model_copy(update={"reason": "Ofsted arrived"})
    assert "Reason: Ofsted arrived" in str(events(render((path, v)))[0]["DESCRIPTION"])


def test_every_event_has_the_trusts_contact_as_organizer() -> None:
    trust = TRUST.model_copy(update={"contact": Contact(name="School improvement team", email="si@tsl.example")})
    vs = [visit("s", "review", D(2027, 2, 2), "planned"), visit("s", "sg", D(2026, 10, 6))]
    for event in events(render(*vs, trust=trust)):
        assert str(event["ORGANIZER"]) == "mailto:si@tsl.example"
        assert event["ORGANIZER"].params["CN"] == "School improvement team"


def test_without_a_contact_the_organizer_is_the_trust_at_an_address_that_takes_no_mail() -> None:
    (event,) = events(render(visit("s", "review", D(2027, 2, 2), "planned")))
    assert str(event["ORGANIZER"]) == f"mailto:{ics.FALLBACK_ORGANIZER}"
    assert event["ORGANIZER"].params["CN"] == TRUST.name and ics.FALLBACK_ORGANIZER.endswith(".invalid")


def test_a_hostile_trust_name_cannot_add_lines_to_the_calendar() -> None:
    trust = TRUST.model_copy(update={"name": 'Evil";X-INJECT=1:mailto:x@y\r\nBEGIN:VEVENT'})
    data = render(visit("s", "review", D(2027, 2, 2), "planned"), trust=trust)
    lines = data.split(b"\r\n")
    assert lines.count(b"BEGIN:VEVENT") == 1 and not [line for line in lines if line.startswith(b"X-INJECT")]
    (event,) = events(data)
    assert b'X-WR-CALNAME:Evil"\\;X-INJECT=1:mailto:x@y\\nBEGIN:VEVENT: visits' in lines
    assert str(event["ORGANIZER"]) == f"mailto:{ics.FALLBACK_ORGANIZER}" and "X-INJECT" not in event["ORGANIZER"].params


def test_unstaffed_visits_say_so() -> None:
    (event,) = events(render(visit("s", "review", D(2027, 2, 2), "planned")))
    assert "Staff: not yet assigned" in str(event["DESCRIPTION"])


# --- `stss calendar` on the example trust ---------------------------------------------


def _export(stss: Any, root: Path, out: Path, today: str) -> bytes:
    result = stss("calendar", "--records", root, "--year", "2026-27", "--today", today, "--out", out)
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_the_calendar_is_the_same_file_on_any_day(stss: Any, example: Path, tmp_path: Path) -> None:
    assert _export(stss, example, tmp_path / "a.ics", "2026-11-23") == \
        _export(stss, example, tmp_path / "b.ics", "2027-03-01")
    git(example, "init", "--quiet")
    git(example, "add", "-A")
    git(example, "commit", "-qm", "records")
    first = _export(stss, example, tmp_path / "c.ics", "2026-11-23")
    assert first == _export(stss, example, tmp_path / "d.ics", "2027-03-01")
    assert b"DTSTAMP:20260901T090000Z\r\n" in first and b"DTSTAMP:2026112" not in first


def test_a_visit_moved_to_another_day_keeps_its_event(stss: Any, example: Path, tmp_path: Path) -> None:
    git(example, "init", "--quiet")
    git(example, "add", "-A")
    git(example, "commit", "-qm", "records")
    folder = example / "visits" / "2026-27"
    old = folder / "2026-12-01-ashcombe-primary-education-review.md"
    before = {str(e["UID"]): e for e in events(_export(stss, example, tmp_path / "a.ics", "2026-11-23"))}
    text = old.read_text().replace("date: 2026-12-01", "date: 2026-12-08")
    old.unlink()
    (folder / "2026-12-08-ashcombe-primary-education-review.md").write_text(text)
    git(example, "add", "-A")
    git(example, "commit", "-qm", "Ashcombe's review moves a week", when="2026-11-20T12:00:00+00:00")
    after = {str(e["UID"]): e for e in events(_export(stss, example, tmp_path / "b.ics", "2026-11-23"))}
    assert set(after) == set(before)
    (uid,) = [u for u, e in after.items() if "2026-12-08-ashcombe-primary-education-review" in str(e["DESCRIPTION"])]
    assert before[uid]["DTSTART"].dt == D(2026, 12, 1) and after[uid]["DTSTART"].dt == D(2026, 12, 8)
    assert int(after[uid]["SEQUENCE"]) == int(before[uid]["SEQUENCE"]) + 1
    assert after[uid]["DTSTAMP"].dt == dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    unchanged = [u for u in before if u != uid]
    assert all(after[u].to_ical() == before[u].to_ical() for u in unchanged)


# --- two independent parsers read the same calendar ------------------------------------


def _by_icalendar(data: bytes) -> list[tuple[object, ...]]:
    return sorted((str(e["UID"]), str(e["STATUS"]), e["DTSTART"].dt, e["DTEND"].dt, int(e["SEQUENCE"]),
                   e["DTSTAMP"].dt, e["LAST-MODIFIED"].dt, str(e["SUMMARY"]), str(e["DESCRIPTION"]),
                   str(e["ORGANIZER"]), str(e["ORGANIZER"].params["CN"]), str(e["TRANSP"]))
                  for e in Calendar.from_ical(data).walk("VEVENT"))


def _by_ical(data: bytes) -> list[tuple[object, ...]]:
    """The same fields as read by `ical` (Home Assistant's parser: pydantic models, no code shared with icalendar)."""
    from ical.calendar_stream import IcsCalendarStream

    cal = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    assert (cal.prodid, cal.method) == (ics.PRODID, "PUBLISH")
    return sorted((e.uid, e.status.value if e.status else None, e.dtstart, e.dtend, e.sequence, e.dtstamp,
                   e.last_modified, e.summary, e.description, e.organizer.uri if e.organizer else None,
                   e.organizer.common_name if e.organizer else None, e.transparency)
                  for e in cal.events)


def test_two_independent_parsers_read_the_same_events(stss: Any, example: Path, tmp_path: Path) -> None:
    called_off = example / "visits/2026-27/2026-10-01-the-willows-school-headteacher-coaching.md"
    called_off.write_text(called_off.read_text().replace(
        "reason: Headteacher unwell.", 'reason: "Head unwell; re-arrange, with governors\\\\ and SENCo"'))
    git(example, "init", "--quiet")
    git(example, "add", "-A")
    git(example, "commit", "-qm", "records")
    data = _export(stss, example, tmp_path / "trust.ics", "2026-11-23")
    first, second = _by_icalendar(data), _by_ical(data)
    assert first == second
    assert len(first) == data.count(b"BEGIN:VEVENT") > 100 and len({e[0] for e in first}) == len(first)
    assert {e[1] for e in first} == {"TENTATIVE", "CONFIRMED", "CANCELLED"}
    assert any("Reason: Head unwell; re-arrange, with governors\\ and SENCo" in str(e[8]) for e in second)
