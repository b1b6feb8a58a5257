"""Visit identity and merging: work done on two branches merges cleanly in a
real git repository, and a visit keeps its identity when its date changes.

The scenarios are a team's: two people log the same visit on two branches;
two people run `plan` from the same records; a visit file is copied by hand.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from stss import identity, loader
from tests.helpers import TODAY, VISITS, copy_example, git, git_run, make_repo, write_records


def merge(root: Path, branch: str) -> subprocess.CompletedProcess[str]:
    return git_run(root, "merge", "--no-edit", "--no-ff", branch)


def usage_row(stss: Any, root: Path, activity: str, period: str) -> dict[str, Any]:
    result = stss("usage", "--records", root, "--today", TODAY, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = [r for r in json.loads(result.stdout) if r["activity"] == activity and r["period"] == period]
    assert len(rows) == 1
    row: dict[str, Any] = rows[0]
    return row


def test_the_same_visit_logged_on_two_branches_merges_cleanly_and_both_count(stss: Any, mini: Path) -> None:
    root = make_repo(mini)
    for branch, notes in (("alex", "Alex's notes.\n"), ("sam", "Sam's notes.\n")):
        git(root, "switch", "--quiet", "-c", branch, "main")
        result = stss("log-visit", "--records", root, "--today", TODAY, "--school", "hill-top",
                      "--activity", "partnership-visit", "--date", "2026-10-06", "--notes", "-",
                      "--commit", input=notes)
        assert result.exit_code == 0, result.output
    git(root, "switch", "--quiet", "main")
    assert merge(root, "alex").returncode == 0
    merged = merge(root, "sam")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert git(root, "status", "--porcelain") == ""
    names = sorted(p.name for p in (root / VISITS).iterdir())
    assert len(names) == 2 and all(n.startswith("2026-10-06-hill-top-partnership-visit-") for n in names)
    row = usage_row(stss, root, "partnership-visit", "2026-27/autumn")
    assert (row["completed"], row["over"]) == (2, 1)
    # Both count, and validate asks whether they are one visit.
    validate = stss("validate", "--records", root)
    assert validate.exit_code == 0
    assert "possible duplicate: a completed partnership-visit at this school on 2026-10-06 too" in validate.output


def test_the_same_plan_on_two_branches_is_byte_identical_and_merges_cleanly(stss: Any, mini: Path) -> None:
    root = make_repo(mini)
    trees = []
    for branch in ("alex", "sam"):
        git(root, "switch", "--quiet", "-c", branch, "main")
        result = stss("plan", "--records", root, "--year", "2026-27", "--today", "2026-09-01", "--seed", "3")
        assert result.exit_code == 0, result.output
        git(root, "add", "--all")
        git(root, "commit", "--quiet", "-m", f"Plan by {branch}")
        trees.append(git(root, "rev-parse", "HEAD^{tree}"))
    assert trees[0] == trees[1]  # the same files, byte for byte, under the same names
    git(root, "switch", "--quiet", "main")
    assert merge(root, "alex").returncode == 0
    assert merge(root, "sam").returncode == 0
    planned = loader.load(root, use_cache=False).records.visits
    assert planned and all(v.uid and path.endswith(f"-{v.uid}.md") for path, v in planned.items())
    again = stss("plan", "--records", root, "--year", "2026-27", "--today", "2026-09-01", "--seed", "3")
    assert "0 visit(s)" in again.stdout  # nothing doubled


def test_planned_uids_come_from_the_visit_and_never_repeat_one_in_use() -> None:
    parts = ("hill-top", "education-review", "2026-10-06", "alex-morgan")
    first = identity.planned(parts, set())
    assert first == identity.planned(parts, set()) and len(first) == identity.LENGTH
    assert identity.planned(parts, {first}) != first
    assert identity.planned(("hill-top", "education-review", "2026-10-07", "alex-morgan"), set()) != first


def test_a_copied_visit_sharing_a_uid_is_an_error_at_its_uid(mini: Path) -> None:
    text = "---\nschool: hill-top\nactivity: partnership-visit\ndate: {day}\nstatus: completed\nuid: 7f3c9a2e\n---\n"
    write_records(mini, {
        f"{VISITS}/2026-10-06-hill-top-partnership-visit-7f3c9a2e.md": text.format(day="2026-10-06"),
        f"{VISITS}/2027-01-12-hill-top-partnership-visit.md": text.format(day="2027-01-12"),
    })
    problems = [(p.path, p.line, p.message) for p in loader.load(mini, use_cache=False).problems if p.is_error]
    assert problems == [(f"{VISITS}/2027-01-12-hill-top-partnership-visit.md", 6,
                         f"uid 7f3c9a2e is also the uid of {VISITS}/2026-10-06-hill-top-partnership-visit-7f3c9a2e.md")]


def test_a_second_completed_visit_within_a_week_is_a_possible_duplicate(mini: Path) -> None:
    text = "---\nschool: hill-top\nactivity: {activity}\ndate: {day}\nstatus: {status}\n---\n"
    write_records(mini, {
        f"{VISITS}/2026-10-05-hill-top-partnership-visit.md": text.format(
            activity="partnership-visit", day="2026-10-05", status="completed"),
        f"{VISITS}/2026-10-09-hill-top-partnership-visit.md": text.format(
            activity="partnership-visit", day="2026-10-09", status="completed"),
        f"{VISITS}/2026-10-16-hill-top-partnership-visit.md": text.format(  # a week after: two visits
            activity="partnership-visit", day="2026-10-16", status="completed"),
        f"{VISITS}/2026-10-06-hill-top-education-review.md": text.format(  # another activity
            activity="education-review", day="2026-10-06", status="completed"),
        f"{VISITS}/2026-10-07-hill-top-education-review.md": text.format(  # only planned
            activity="education-review", day="2026-10-07", status="planned"),
    })
    warnings = [(p.path, p.line, p.message) for p in loader.load(mini, use_cache=False).problems
                if "duplicate" in p.message]
    assert warnings == [(f"{VISITS}/2026-10-09-hill-top-partnership-visit.md", 4,
                         "possible duplicate: a completed partnership-visit at this school on 2026-10-05 too "
                         "(2026-10-05-hill-top-partnership-visit.md)")]


def test_a_suffix_after_the_date_school_and_activity_is_a_good_file_name(mini: Path) -> None:
    text = "---\nschool: hill-top\nactivity: partnership-visit\ndate: 2026-10-06\nstatus: planned\nuid: 7f3c9a2e\n---\n"
    write_records(mini, {f"{VISITS}/2026-10-06-hill-top-partnership-visit-7f3c9a2e.md": text})
    assert not loader.load(mini, use_cache=False).problems


def test_a_planned_event_has_a_uid_from_the_plan_that_stays_when_it_moves(stss: Any, example: Path,
                                                                           tmp_path: Path) -> None:
    from icalendar import Calendar

    def plan(root: Path) -> dict[str, str]:
        result = stss("plan", "--records", root, "--year", "2026-27", "--today", TODAY, "--seed", "1")
        assert result.exit_code == 0, result.output
        return {p.name: p.read_text("utf-8") for p in sorted((root / "events/2026-27").iterdir())
                if "uid: " in p.read_text("utf-8")}

    def calendar_uids() -> dict[str, str]:
        out = tmp_path / "visits.ics"
        assert stss("calendar", "--records", example, "--year", "2026-27", "--today", TODAY,
                    "--out", out).exit_code == 0
        cal = Calendar.from_ical(out.read_bytes())
        return {str(e["description"]).rsplit("Record: ", 1)[1].split("\n")[0]: str(e["uid"])
                for e in cal.walk("VEVENT")}

    first = plan(example)
    assert list(first) == ["2027-01-11-headteacher-network.md", "2027-04-20-headteacher-network.md"]
    other = tmp_path / "other"  # another branch, planning from the same records
    copy_example(other)
    assert plan(other) == first  # computed from the event, so the same plan writes the same bytes
    uid = first["2027-01-11-headteacher-network.md"].split("uid: ", 1)[1].split("\n")[0]
    assert identity.planned(("event", "headteacher-network", "2027-01-11", "daniel-okafor"), set()) == uid
    before = calendar_uids()["events/2026-27/2027-01-11-headteacher-network.md"]
    logged = stss("log-event", "--records", example, "--today", "2027-01-20", "--activity", "headteacher-network",
                  "--date", "2027-01-13")
    assert logged.exit_code == 0, logged.output
    moved = example / "events/2026-27/2027-01-13-headteacher-network.md"
    assert f"uid: {uid}\n" in moved.read_text("utf-8")
    assert not (example / "events/2026-27/2027-01-11-headteacher-network.md").exists()
    assert calendar_uids()["events/2026-27/2027-01-13-headteacher-network.md"] == before
