"""`stss log-event`: a trust-wide event several schools attend, recorded as
`log-visit` records a visit (lock, validation, atomic write, `--commit`)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from stss import lock, store
from tests.helpers import (
    EVENT_OFFER,
    EVENT_SCHOOLS,
    STSS,
    YEAR,
    changed_lines,
    git,
    make_repo,
    snapshot,
    write_records,
)

PLANNED = f"events/{YEAR}/2027-01-14-network-meeting.md"
PLANNED_TEXT = """\
---
activity: network-meeting
date: 2027-01-14
status: planned
staff: [dana]          # booked in September
schools: [hill-top, vale, brook]
---
## Agenda
Attendance data by school.
"""


@pytest.fixture
def repo(mini: Path) -> Path:
    write_records(mini, {"offer.yaml": EVENT_OFFER, **EVENT_SCHOOLS,
                         "people/dana.yaml": "name: Dana\nroles: [director]\ncapacity_days: 40\n", PLANNED: PLANNED_TEXT})
    return make_repo(mini)


def log_event(stss: Any, root: Path, *args: str, today: str = "2027-01-20", input: str | None = None) -> Any:
    return stss("log-event", "--records", root, "--today", today, *args, input=input)


def test_an_event_with_two_schools_gets_a_new_file_and_counts_once_for_each(stss: Any, repo: Path) -> None:
    result = log_event(stss, repo, "--activity", "governor-training", "--date", "2026-10-08",
                       "--school", "hill-top,vale", "--staff", "dana", "--host", "vale")
    assert result.exit_code == 0, result.output
    path = f"events/{YEAR}/2026-10-08-governor-training.md"
    assert f"Log Governor training for 2 schools (2026-10-08): {path} (new file)" in result.stdout
    text, uids = re.subn(r"\nuid: '?([0-9a-f]{8})'?\n", "\n", (repo / path).read_text("utf-8"))
    assert uids == 1  # its identity, random, as a logged visit's
    assert text == (
        "---\nactivity: governor-training\ndate: 2026-10-08\nstatus: completed\nstaff: [dana]\n"
        "schools: [hill-top, vale]\nhost: vale\n---\n")
    rows = json.loads(stss("usage", "--records", repo, "--today", "2027-01-20", "--format", "json",
                           "--activity", "governor-training").stdout)
    assert {(r["school"], r["completed"]) for r in rows} == {("brook", 0), ("hill-top", 1), ("vale", 1)}


def test_a_planned_event_is_completed_in_place_keeping_comments_and_notes(stss: Any, repo: Path) -> None:
    result = log_event(stss, repo, "--activity", "network-meeting", "--school", "hill-top", "--school", "vale",
                       "--notes", "-", input="## Notes\nBrook sent apologies.\n")
    assert result.exit_code == 0, result.output
    assert "(updated the planned event)" in result.stdout
    assert changed_lines(git(repo, "diff")) == [
        "-status: planned", "+status: completed",
        "-schools: [hill-top, vale, brook]", "+schools: [hill-top, vale]",
        "+", "+## Notes", "+Brook sent apologies.",
    ]
    assert "staff: [dana]          # booked in September" in (repo / PLANNED).read_text("utf-8")


def test_a_planned_event_moved_to_another_day_is_renamed(stss: Any, repo: Path) -> None:
    result = log_event(stss, repo, "--activity", "network-meeting", "--date", "2027-01-19")
    assert result.exit_code == 0, result.output
    assert not (repo / PLANNED).exists()
    moved = (repo / f"events/{YEAR}/2027-01-19-network-meeting.md").read_text("utf-8")
    assert "date: 2027-01-19\n" in moved and "schools: [hill-top, vale, brook]" in moved


@pytest.mark.parametrize(("args", "message"), [
    (("--activity", "governor-training", "--school", "hill-tpo"), "unknown school 'hill-tpo'"),
    (("--activity", "governor-training", "--school", "../../etc"), "unknown school '../../etc'"),
    (("--activity", "governer-training", "--school", "vale"), "did you mean 'governor-training'?"),
    (("--activity", "governor-training", "--school", "vale", "--staff", "nobody"), "unknown person 'nobody'"),
    (("--activity", "governor-training", "--school", "vale", "--host", "nowhere"), "unknown school 'nowhere'"),
    (("--activity", "governor-training"), "say which schools took part"),
    (("--activity", "governor-training", "--school", "vale", "--date", "2027-02-01"), "cannot be dated after today"),
    (("--activity", "governor-training", "--school", "vale", "--date", "2030-02-01", "--status", "planned"),
     "outside every academic year"),
])
def test_refused_input_writes_nothing(stss: Any, repo: Path, args: tuple[str, ...], message: str) -> None:
    before = snapshot(repo)
    result = log_event(stss, repo, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert snapshot(repo) == before


def test_an_event_that_would_not_validate_is_refused_at_its_line(stss: Any, repo: Path) -> None:
    before = snapshot(repo)
    result = log_event(stss, repo, "--activity", "governor-training", "--school", "vale", "--date", "2026-10-10")
    assert result.exit_code == 1  # a Saturday: a warning, refused without --force
    assert "2026-10-10 is not a school day (Saturday)" in result.stderr and "nothing was written" in result.stderr
    assert snapshot(repo) == before
    assert log_event(stss, repo, "--activity", "governor-training", "--school", "vale", "--date", "2026-10-10",
                     "--force").exit_code == 0


def test_commit_makes_one_commit_of_the_event_file(stss: Any, repo: Path) -> None:
    result = log_event(stss, repo, "--activity", "network-meeting", "--commit")
    assert result.exit_code == 0, result.output
    assert git(repo, "log", "-1", "--format=%s").strip() == "Log Network meeting (2027-01-14)"
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [PLANNED]


def test_a_second_writer_waits_then_refuses_and_writes_nothing(repo: Path) -> None:
    before = snapshot(repo)
    with lock.writing(repo):
        proc = subprocess.run([STSS, "log-event", "--records", str(repo), "--activity", "governor-training",
                               "--school", "vale", "--date", "2026-10-08", "--today", "2027-01-20"],
                              capture_output=True, text=True, env={**os.environ, lock.ENV_WAIT: "0.5"})
    assert proc.returncode == 1
    assert "another stss command has been writing these records" in proc.stderr
    assert {k: v for k, v in snapshot(repo).items() if store.CACHE_DIR not in k} == before


def test_an_event_logged_as_planned_keeps_its_uid_when_it_is_held_on_another_day(stss: Any, repo: Path) -> None:
    planned = log_event(stss, repo, "--activity", "governor-training", "--status", "planned", "--date", "2027-02-03",
                        "--school", "hill-top,vale", today="2027-01-20")
    assert planned.exit_code == 0, planned.output
    first = repo / f"events/{YEAR}/2027-02-03-governor-training.md"
    uid = re.search(r"^uid: '?([0-9a-f]{8})'?$", first.read_text("utf-8"), re.MULTILINE)
    assert uid is not None
    held = log_event(stss, repo, "--activity", "governor-training", "--date", "2027-02-04", today="2027-02-05")
    assert held.exit_code == 0, held.output
    moved = repo / f"events/{YEAR}/2027-02-04-governor-training.md"
    assert not first.exists() and re.search(rf"^uid: '?{uid[1]}'?$", moved.read_text("utf-8"), re.MULTILINE)
    assert "status: completed" in moved.read_text("utf-8")
