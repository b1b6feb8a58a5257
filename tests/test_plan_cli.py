"""`stss plan` and `stss calendar` through the CLI, on copies of the example trust
and on the one-school mini trust."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import EXAMPLE, TODAY, YEAR, snapshot, write_records


def plan(stss: Any, root: Path, *args: str) -> Any:
    return stss("plan", "--records", root, "--year", YEAR, "--today", TODAY, *args)


def test_example_trust_plans_cleanly_and_a_second_run_plans_nothing(stss: Any, example: Path) -> None:
    before = snapshot(example)
    result = plan(stss, example, "--seed", "1")
    assert result.exit_code == 0, result.output
    after = snapshot(example)
    new = sorted(set(after) - set(before))
    events = [p for p in new if p.startswith(f"events/{YEAR}/")]
    assert new and all(p.startswith(f"visits/{YEAR}/") for p in new if p not in events)
    # The headteachers' network (event: true) is one event a term for every school, not a visit to each.
    assert [p.rsplit("-", 2)[-2:] for p in events] == [["headteacher", "network.md"]] * 2
    assert f"Wrote {len(new) - 2} visit file(s) to visits/{YEAR}/ and 2 event file(s)" in result.stdout
    assert all(after[p] == before[p] for p in before)  # nothing existing was touched

    validate = stss("validate", "--records", example)
    assert validate.exit_code == 0 and "0 error(s), 0 warning(s)" in validate.output
    rows = json.loads(stss("usage", "--records", example, "--today", TODAY, "--format", "json").stdout)
    assert not [r for r in rows if r["status"] == "due"]

    again = plan(stss, example, "--seed", "1")
    assert again.exit_code == 0 and "0 visit(s)" in again.stdout
    assert len(snapshot(example)) == len(before) + len(new)


def test_new_visit_files_hold_just_the_planned_front_matter(stss: Any, example: Path) -> None:
    assert plan(stss, example, "--school", "st-annes-ce-primary").exit_code == 0
    texts = [p.read_text() for p in (example / "visits" / YEAR).glob("*.md")
             if not (EXAMPLE / "visits" / YEAR / p.name).exists()]
    shape = re.compile(r"---\nschool: st-annes-ce-primary\nactivity: [a-z-]+\ndate: \d{4}-\d\d-\d\d\n"
                       r"status: planned\nstaff: \[[a-z-]+\]\nuid: \"?[0-9a-f]{8}\"?\n---\n")
    assert texts and all(shape.fullmatch(t) for t in texts), texts[0]


def test_the_same_seed_gives_byte_identical_trees(stss: Any, tmp_path: Path) -> None:
    copies = []
    for name in ("one", "two"):
        shutil.copytree(EXAMPLE, tmp_path / name, ignore=shutil.ignore_patterns(".stss-cache"))
        assert plan(stss, tmp_path / name, "--seed", "5").exit_code == 0
        copies.append(snapshot(tmp_path / name))
    assert copies[0] == copies[1]
    shutil.copytree(EXAMPLE, tmp_path / "three", ignore=shutil.ignore_patterns(".stss-cache"))
    assert plan(stss, tmp_path / "three", "--seed", "6").exit_code == 0
    assert snapshot(tmp_path / "three") != copies[0]


def test_dry_run_prints_the_plan_and_writes_nothing(stss: Any, example: Path) -> None:
    before = snapshot(example)
    result = plan(stss, example, "--dry-run", "--school", "meadowbank-primary")
    assert result.exit_code == 0, result.output
    assert snapshot(example) == before
    assert "Dry run: nothing was written." in result.stdout
    assert "Meadowbank Primary School" in result.stdout and "headteacher-coaching" in result.stdout


def test_from_places_nothing_earlier(stss: Any, example: Path) -> None:
    before = set(snapshot(example))
    assert plan(stss, example, "--from", "2027-04-12").exit_code == 0
    new = set(snapshot(example)) - before
    assert new and all(Path(p).name[:10] >= "2027-04-12" for p in new)


def test_unstaffed_visits_are_written_listed_and_exit_3(stss: Any, mini: Path) -> None:
    write_records(mini, {"people/alex-morgan.yaml": "name: Alex Morgan\nroles: [coach]\ncapacity_days: 40\n"})
    result = stss("plan", "--records", mini, "--year", YEAR, "--today", "2026-09-01")
    assert result.exit_code == 3, result.output
    assert "Unstaffed or not placed" in result.stdout
    assert "no one has a role that can lead it (school-improvement-lead)" in result.stdout
    assert "2 visit(s) planned without staff" in result.stderr
    reviews = sorted((mini / "visits" / YEAR).glob("*-education-review-*.md"))
    assert len(reviews) == 2 and all("staff: []" in p.read_text() for p in reviews)
    assert stss("validate", "--records", mini).exit_code == 0


def test_unknown_school_is_a_usage_error(stss: Any, mini: Path) -> None:
    result = stss("plan", "--records", mini, "--school", "hill-tip", "--today", TODAY)
    assert result.exit_code == 2 and "did you mean 'hill-top'" in result.stderr


def test_calendar_exports_visits_with_stable_uids(stss: Any, example: Path, tmp_path: Path) -> None:
    out = tmp_path / "janet.ics"
    args = ("calendar", "--records", example, "--year", YEAR, "--person", "janet-collings", "--today", TODAY)
    result = stss(*args, "--out", out)
    assert result.exit_code == 0, result.output
    first = out.read_bytes()
    assert first.startswith(b"BEGIN:VCALENDAR\r\n") and b"METHOD:PUBLISH\r\n" in first
    assert first.count(b"BEGIN:VEVENT") == sum(
        1 for p in (example / "visits" / YEAR).glob("*.md") if "janet-collings" in p.read_text())
    assert plan(stss, example, "--seed", "1").exit_code == 0
    assert stss(*args, "--out", out).exit_code == 0
    second = out.read_bytes()
    uids = [line for line in first.split(b"\r\n") if line.startswith(b"UID:")]
    assert uids and all(uid in second for uid in uids)
    assert second.count(b"BEGIN:VEVENT") > first.count(b"BEGIN:VEVENT")


def test_calendar_unknown_person_is_a_usage_error(stss: Any, mini: Path, tmp_path: Path) -> None:
    result = stss("calendar", "--records", mini, "--person", "alex", "--today", TODAY, "--out", tmp_path / "x.ics")
    assert result.exit_code == 2 and not (tmp_path / "x.ics").exists()


def test_a_plan_that_would_not_validate_writes_nothing(stss: Any, example: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from stss import planning

    def broken(v: planning.PlannedVisit) -> str:
        return f"---\nschool: {v.school}\nactivity: nope\ndate: {v.date}\nstatus: planned\n---\n"

    monkeypatch.setattr(planning, "render", broken)
    before = snapshot(example)
    result = plan(stss, example)
    assert result.exit_code == 1 and "unknown activity 'nope'" in result.stderr
    assert "nothing was written" in result.stderr
    assert snapshot(example) == before
