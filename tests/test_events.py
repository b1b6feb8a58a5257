"""Trust-wide events (events/<year>/<date>-<activity>[-<suffix>].md): one event,
several schools, each rule on a small records folder."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from stss import staffing
from stss.loader import load
from stss.planning import plan
from stss.usage import usage
from tests.helpers import EVENT_OFFER, EVENT_SCHOOLS, YEAR, problems, write_records

D = dt.date

DIRECTOR = "name: Dana Director\nroles: [director]\ncapacity_days: {days}\n"


def event(activity: str = "governor-training", day: str = "2026-10-08", status: str = "completed",
          schools: str = "[hill-top, vale]", extra: str = "") -> str:
    return (f"---\nactivity: {activity}\ndate: {day}\nstatus: {status}\nstaff: [dana]\n"
            f"schools: {schools}\n{extra}---\nNotes of the session.\n")


def root_with(mini: Path, files: dict[str, str], capacity: float = 40) -> Path:
    return write_records(mini, {"offer.yaml": EVENT_OFFER, **EVENT_SCHOOLS,
                                "people/dana.yaml": DIRECTOR.format(days=capacity), **files})


def used(root: Path, activity: str, period: str = YEAR) -> dict[str, tuple[int, int]]:
    """(completed, planned) of each school for one activity and period."""
    loaded = load(root)
    assert loaded.ok, loaded.problems
    return {r.school: (r.completed, r.planned) for r in usage(loaded.records, YEAR, D(2026, 11, 23))
            if r.activity == activity and r.period.name == period}


def test_an_event_with_two_schools_counts_once_for_each(mini: Path) -> None:
    root = root_with(mini, {f"events/{YEAR}/2026-10-08-governor-training.md": event()})
    assert used(root, "governor-training") == {"hill-top": (1, 0), "vale": (1, 0), "brook": (0, 0)}


def test_a_school_named_twice_in_an_event_counts_once_and_is_warned(stss: Any, mini: Path) -> None:
    root = root_with(mini, {f"events/{YEAR}/2026-10-08-governor-training.md":
                            event(schools="[hill-top, vale, hill-top]")})
    assert used(root, "governor-training")["hill-top"] == (1, 0)
    rows = [r for r in problems(stss, root) if "listed twice" in r["message"]]
    assert [(r["line"], r["severity"]) for r in rows] == [(6, "warning")]


def test_a_planned_event_counts_as_planned_and_a_cancelled_one_not_at_all(mini: Path) -> None:
    root = root_with(mini, {
        f"events/{YEAR}/2026-12-03-governor-training.md": event(day="2026-12-03", status="planned"),
        f"events/{YEAR}/2026-10-08-governor-training.md": event(status="cancelled"),
    })
    assert used(root, "governor-training") == {"hill-top": (0, 1), "vale": (0, 1), "brook": (0, 0)}


def test_an_unknown_school_in_an_event_is_an_error_at_its_line(stss: Any, mini: Path) -> None:
    root = root_with(mini, {f"events/{YEAR}/2026-10-08-governor-training.md":
                            event(schools="\n  - hill-top\n  - hill-tpo", extra="host: nowhere\n")})
    rows = [(r["line"], r["column"], r["message"]) for r in problems(stss, root) if r["severity"] == "error"]
    assert rows == [(8, 5, "unknown school 'hill-tpo' (hint: did you mean 'hill-top'?)"),
                    (9, 7, "unknown school 'nowhere' (hint: known: brook, hill-top, vale)")]


def test_an_event_in_the_wrong_year_folder_or_misnamed_is_located(stss: Any, mini: Path) -> None:
    root = root_with(mini, {"events/2025-26/2026-10-08-governor-training.md": event(),
                            f"events/{YEAR}/autumn-training.md": event()})
    rows = {(r["path"], r["severity"], r["message"].split(" ")[0]) for r in problems(stss, root)}
    assert ("events/2025-26/2026-10-08-governor-training.md", "error", "an") in rows
    assert (f"events/{YEAR}/autumn-training.md", "warning", "the") in rows


def test_an_event_file_named_with_a_suffix_is_fine(stss: Any, mini: Path) -> None:
    root = root_with(mini, {f"events/{YEAR}/2026-10-08-governor-training-north.md": event()})
    assert problems(stss, root) == []


def test_an_event_needs_its_schools_and_a_known_status(stss: Any, mini: Path) -> None:
    root = root_with(mini, {f"events/{YEAR}/2026-10-08-governor-training.md":
                            event(status="postponed", schools="[]")})
    messages = [r["message"] for r in problems(stss, root)]
    assert "status: 'postponed' is not one of: planned, completed, cancelled" in messages
    assert any("at least 1" in m for m in messages), messages


def test_an_event_id_that_is_not_a_slug_is_refused(stss: Any, mini: Path) -> None:
    root = root_with(mini, {f"events/{YEAR}/2026-10-08-governor-training.md":
                            event(schools='["../../etc/passwd"]')})
    assert [r["line"] for r in problems(stss, root) if r["severity"] == "error"] == [6]


def test_an_events_staff_give_its_days_once_however_many_schools_attend(mini: Path) -> None:
    root = root_with(mini, {f"events/{YEAR}/2026-10-08-governor-training.md":
                            event(schools="[hill-top, vale, brook]")})
    dana = next(x for x in staffing.loads(load(root).records, YEAR) if x.person == "dana")
    assert (dana.delivered, dana.planned) == (1.0, 0.0)


def test_plan_places_one_event_a_term_for_every_school_owed_it(mini: Path) -> None:
    root = root_with(mini, {f"events/{YEAR}/2026-10-08-network-meeting.md":
                            event(activity="network-meeting", schools="[hill-top, vale]")})
    result = plan(load(root).records, YEAR, D(2026, 9, 3), seed=2)
    assert not [v for v in result.visits if v.activity == "network-meeting"]
    got = [(e.period, e.schools, e.staff) for e in result.events]
    assert got == [(f"{YEAR}/autumn", ("brook",), ("dana",)),
                   (f"{YEAR}/spring", ("brook", "hill-top", "vale"), ("dana",)),
                   (f"{YEAR}/summer", ("brook", "hill-top", "vale"), ("dana",))]
    assert all(e.path == f"events/{YEAR}/{e.date}-network-meeting.md" for e in result.events)


def test_plan_places_events_within_capacity(mini: Path) -> None:
    # Dana has one day: the two half-day autumn and spring meetings; summer's is left unstaffed.
    root = root_with(mini, {}, capacity=1)
    result = plan(load(root).records, YEAR, D(2026, 9, 3), seed=5)
    assert [e.staff for e in result.events] == [("dana",), ("dana",), ()]
    gaps = [g for g in result.gaps if g.activity == "network-meeting"]
    assert len(gaps) == 1 and "at capacity" in gaps[0].reason
    total = sum(0.5 for e in result.events if e.staff)
    assert total <= 1


def test_plan_writes_event_files_that_validate_and_count(stss: Any, mini: Path) -> None:
    root = root_with(mini, {"people/alex.yaml": "name: Alex\nroles: [school-improvement-lead]\ncapacity_days: 40\n"})
    result = stss("plan", "--records", root, "--today", "2026-09-03", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert "and 3 event file(s) to events/2026-27/" in result.stdout
    files = sorted((root / "events" / YEAR).glob("*.md"))
    assert len(files) == 3
    assert files[0].read_text().startswith("---\nactivity: network-meeting\n")
    validate = stss("validate", "--records", root)
    assert validate.exit_code == 0 and "0 error(s), 0 warning(s)" in validate.output
    rows = json.loads(stss("usage", "--records", root, "--today", "2026-09-03", "--format", "json").stdout)
    assert {(r["school"], r["planned"]) for r in rows if r["activity"] == "network-meeting"} == {
        ("brook", 1), ("hill-top", 1), ("vale", 1)}
    again = stss("plan", "--records", root, "--today", "2026-09-03", "--seed", "1")
    assert "0 trust-wide event(s)" in again.stdout


def test_events_are_exported_with_their_schools(stss: Any, mini: Path) -> None:
    root = root_with(mini, {f"events/{YEAR}/2026-10-08-governor-training.md": event()})
    result = stss("export", "--records", root, "--today", "2026-11-23", "--format", "json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["events"]
    assert row == {"path": f"events/{YEAR}/2026-10-08-governor-training.md", "academic_year": YEAR,
                   "activity": "governor-training", "event_date": "2026-10-08", "status": "completed",
                   "days": 1.0, "staff": ["dana"], "schools": ["hill-top", "vale"], "host": None,
                   "confidential": False, "notes": "Notes of the session."}


def test_hostile_text_in_an_event_is_never_markup_in_the_report(stss: Any, mini: Path, tmp_path: Path) -> None:
    hostile = EVENT_OFFER.replace("Governor training", '"<script>alert(1)</script> training"')
    root = root_with(mini, {"offer.yaml": hostile, f"events/{YEAR}/2026-10-08-governor-training.md":
                            event().replace("Notes of the session.", "<img src=x onerror=alert(1)>")})
    out = tmp_path / "pack.html"
    result = stss("report", "--records", root, "--year", YEAR, "--term", "autumn", "--today", "2026-11-23",
                  "--school", "vale", "--format", "html", "--out", out)
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; training" in html
    assert "<script>alert" not in html and "onerror" not in html


def test_plan_json_lists_the_new_events_with_their_schools(stss: Any, mini: Path) -> None:
    root = root_with(mini, {})
    result = stss("plan", "--records", root, "--today", "2026-09-03", "--seed", "1", "--dry-run", "--format", "json")
    rows = [r for r in json.loads(result.stdout) if r["school"] == "trust-wide"]
    assert [(r["activity"], r["period"], r["schools"]) for r in rows] == [
        ("network-meeting", f"{YEAR}/{term}", ["brook", "hill-top", "vale"]) for term in ("autumn", "spring", "summer")]
    assert all(r["path"].startswith(f"events/{YEAR}/") for r in rows)


def test_history_tells_an_event_planned_held_moved_and_cancelled() -> None:
    from stss.history import Meta, trust_event_events

    meta = Meta(D(2027, 1, 20), "abc1234", "Dana")
    planned = {"activity": "network-meeting", "date": D(2027, 1, 14), "status": "planned",
               "schools": ["hill-top", "vale"]}
    held = {**planned, "status": "completed"}
    moved = {**planned, "date": D(2027, 1, 19)}
    called_off = {**planned, "status": "cancelled"}
    told = [(e.kind, e.school, e.summary) for old, new in ((None, planned), (planned, held), (planned, moved),
                                                          (planned, called_off), (planned, None))
            for e in trust_event_events(old, new, meta)]
    assert told == [
        ("event-planned", None, "event planned: network-meeting on 2027-01-14 (2 schools)"),
        ("event-logged", None, "event held: network-meeting on 2027-01-14 (2 schools)"),
        ("event-moved", None, "event moved: network-meeting 2027-01-14 -> 2027-01-19"),
        ("event-cancelled", None, "event cancelled: network-meeting on 2027-01-14 (2 schools)"),
        ("event-removed", None, "event removed: network-meeting on 2027-01-14 (2 schools) (was planned)"),
    ]


def test_events_are_in_the_calendar_with_their_schools(stss: Any, mini: Path, tmp_path: Path) -> None:
    root = root_with(mini, {f"events/{YEAR}/2026-10-08-governor-training.md": event(extra="host: vale\n")})
    out = tmp_path / "cal.ics"
    result = stss("calendar", "--records", root, "--today", "2026-11-23", "--out", out, "--school", "vale")
    assert result.exit_code == 0, result.output
    text = out.read_text().replace("\n ", "")
    assert "SUMMARY:Governor training – 2 schools\\, at Vale" in text
    assert "Schools: Hill Top\\, Vale" in text and "DTSTART;VALUE=DATE:20261008" in text
    assert "Notes of the session" not in text
    other = stss("calendar", "--records", root, "--today", "2026-11-23", "--out", out, "--school", "brook")
    assert other.exit_code == 0 and "Governor training" not in out.read_text()
