"""The headteacher's accuracy check: `stss share` renders one visit's report and
records `review.shared` in place; `stss review` records the answer; `stss
reviews` lists reports late (ten school days unanswered) or marked inaccurate.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from stss import review
from stss.loader import load
from tests.helpers import git, make_repo, problem_lines, snapshot, write_records

VISIT = "visits/2026-27/2026-10-06-hill-top-education-review.md"
FRONT = """\
---
# Agreed with the head on the day.
school: hill-top
activity: education-review
date: 2026-10-06
status: completed      # notes written up the same week
staff: [alex-morgan]
focus: [reading, send]
actions:
  - {text: Share the phonics plan with governors, owner: headteacher, due: 2026-11-20, status: open}
"""
NOTES = """\
## Summary
Leaders know the school well. <script>alert(1)</script>

## Next steps
Phonics | consistency in KS1.
"""
VISIT_TEXT = FRONT + "---\n" + NOTES
SAFEGUARDING = "visits/2026-27/2026-10-07-hill-top-safeguarding-review.md"
SAFEGUARDING_TEXT = """\
---
school: hill-top
activity: safeguarding-review
date: 2026-10-07
status: completed
---
Single central record checked with the DSL.
"""
PLANNED = "visits/2026-27/2026-12-01-hill-top-partnership-visit.md"
PLANNED_TEXT = """\
---
school: hill-top
activity: partnership-visit
date: 2026-12-01
status: planned
---
"""


@pytest.fixture
def repo(mini: Path) -> Path:
    write_records(mini, {VISIT: VISIT_TEXT, SAFEGUARDING: SAFEGUARDING_TEXT, PLANNED: PLANNED_TEXT})
    return make_repo(mini)


def share(stss: Any, root: Path, out: Path, *args: str, today: str = "2026-10-08") -> Any:
    return stss("share", "2026-10-06-hill-top-education-review", "--records", root, "--out", out,
                "--today", today, *args)


def answer(stss: Any, root: Path, *args: str, today: str = "2026-10-12") -> Any:
    return stss("review", "2026-10-06-hill-top-education-review", "--records", root, "--today", today, *args)


# --- sharing ------------------------------------------------------------------------------


def test_share_writes_the_report_and_records_shared_in_place(stss: Any, repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out/report.md"
    result = share(stss, repo, out)
    assert result.exit_code == 0, result.output
    report = out.read_text("utf-8")
    assert report.startswith("# Education review: Hill Top Primary\n")
    assert "Leaders know the school well. \\<script>" in report  # raw HTML shown as text
    assert "**Focus:** Reading, SEND" in report
    assert "- Share the phonics plan with governors (owner: headteacher; due 20 November 2026; open)" in report
    assert "Please tell us by\n22 October 2026" in report  # ten school days after 8 October
    assert (repo / VISIT).read_text("utf-8") == FRONT + "review:\n  shared: 2026-10-08\n---\n" + NOTES


def test_share_as_html_escapes_the_notes(stss: Any, repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert share(stss, repo, out, "--format", "html").exit_code == 0
    html = out.read_text("utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<h5>Summary</h5>" in html and "Share the phonics plan with governors" in html


def test_a_confidential_visit_is_shared_only_when_asked(stss: Any, repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "sg.md"
    args = ("share", "2026-10-07-hill-top-safeguarding-review.md", "--records", repo, "--out", out,
            "--today", "2026-10-08")
    before = snapshot(repo)
    result = stss(*args)
    assert result.exit_code == 2 and "--include-confidential" in result.stderr
    assert snapshot(repo) == before and not out.exists()
    assert stss(*args, "--include-confidential").exit_code == 0
    assert "**Confidential.**" in out.read_text("utf-8")


def test_a_planned_visit_has_no_report_to_share(stss: Any, repo: Path, tmp_path: Path) -> None:
    result = stss("share", PLANNED, "--records", repo, "--out", tmp_path / "x.md")
    assert result.exit_code == 2 and "only a completed visit" in result.stderr


def test_sharing_again_starts_a_new_check(stss: Any, repo: Path, tmp_path: Path) -> None:
    assert share(stss, repo, tmp_path / "a.md").exit_code == 0
    assert answer(stss, repo, "--inaccurate", "--comment", "Wrong year group").exit_code == 0
    assert share(stss, repo, tmp_path / "b.md", today="2026-10-13").exit_code == 0
    visit = load(repo).records.visits[VISIT]
    assert visit.review is not None
    assert (visit.review.shared, visit.review.response, visit.review.comment) == (dt.date(2026, 10, 13), None, None)


# --- the school's answer --------------------------------------------------------------------


def test_an_accurate_answer_is_recorded_in_place_with_comments_kept(stss: Any, repo: Path, tmp_path: Path) -> None:
    assert share(stss, repo, tmp_path / "r.md").exit_code == 0
    result = answer(stss, repo, "--accurate", "--commit")
    assert result.exit_code == 0, result.output
    assert (repo / VISIT).read_text("utf-8") == FRONT + (
        "review:\n  shared: 2026-10-08\n  response: accurate\n  responded: 2026-10-12\n---\n") + NOTES
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [VISIT]


def test_an_inaccurate_answer_needs_and_keeps_the_comment(stss: Any, repo: Path, tmp_path: Path) -> None:
    assert share(stss, repo, tmp_path / "r.md").exit_code == 0
    before = snapshot(repo)
    result = answer(stss, repo, "--inaccurate")
    assert result.exit_code == 2 and "needs the school's comment" in result.stderr
    assert snapshot(repo) == before
    assert answer(stss, repo, "--inaccurate", "--comment", "Phonics is taught daily in Year 1").exit_code == 0
    visit = load(repo).records.visits[VISIT]
    assert visit.review is not None
    assert (visit.review.response, visit.review.comment) == ("inaccurate", "Phonics is taught daily in Year 1")


@pytest.mark.parametrize(("args", "today", "message"), [
    (("--accurate", "--inaccurate"), "2026-10-12", "one of them"),
    ((), "2026-10-12", "one of them"),
    (("--accurate",), "2026-10-07", "cannot come before the report was shared"),
])
def test_review_refuses_what_cannot_be(stss: Any, repo: Path, tmp_path: Path, args: tuple[str, ...],
                                       today: str, message: str) -> None:
    assert share(stss, repo, tmp_path / "r.md").exit_code == 0
    before = snapshot(repo)
    result = answer(stss, repo, *args, today=today)
    assert result.exit_code == 2 and message in result.stderr
    assert snapshot(repo) == before


def test_a_report_not_shared_cannot_be_answered(stss: Any, repo: Path) -> None:
    result = answer(stss, repo, "--accurate")
    assert result.exit_code == 2 and "has not been shared" in result.stderr


# --- what needs following up, in school days -----------------------------------------------------


def shared_on(root: Path, day: str, extra: str = "") -> None:
    (root / VISIT).write_text(FRONT + f"review:\n  shared: {day}\n{extra}---\n" + NOTES, "utf-8")


def listed(stss: Any, root: Path, today: str, *args: str) -> list[dict[str, Any]]:
    result = stss("reviews", "--records", root, "--today", today, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def test_a_report_unanswered_for_more_than_ten_school_days_is_late(stss: Any, repo: Path) -> None:
    shared_on(repo, "2026-10-08")
    # 9 Oct .. 22 Oct is ten school days; the eleventh is 23 Oct.
    assert listed(stss, repo, "2026-10-22") == []
    [row] = listed(stss, repo, "2026-10-23")
    assert (row["visit"], row["state"], row["school_days_waiting"]) == (VISIT, "late", 11)


def test_the_half_term_break_does_not_count_while_waiting(stss: Any, repo: Path) -> None:
    shared_on(repo, "2026-10-19")
    # 20-23 October and 2-3 November: six school days, the break between does not count.
    [row] = listed(stss, repo, "2026-11-03", "--all")
    assert (row["state"], row["school_days_waiting"]) == ("awaiting", 6)


def test_inaccurate_reports_are_listed_and_accurate_ones_only_with_all(stss: Any, repo: Path) -> None:
    shared_on(repo, "2026-10-08", "  response: inaccurate\n  responded: 2026-10-09\n  comment: Wrong class\n")
    [row] = listed(stss, repo, "2026-11-20")
    assert (row["state"], row["comment"]) == ("inaccurate", "Wrong class")
    shared_on(repo, "2026-10-08", "  response: accurate\n  responded: 2026-10-09\n")
    assert listed(stss, repo, "2026-11-20") == []
    assert [r["state"] for r in listed(stss, repo, "2026-11-20", "--all")] == ["accurate"]


def test_review_figures_for_a_term(repo: Path) -> None:
    shared_on(repo, "2026-10-08")
    figures = review.figures(load(repo).records, dt.date(2026, 9, 3), dt.date(2026, 12, 18), dt.date(2026, 11, 2))
    assert figures.as_dict() == {"shared": 1, "awaiting": 0, "late": 1, "accurate": 0, "inaccurate": 0}


# --- located errors and hostile input --------------------------------------------------------------


def test_a_bad_response_is_an_error_at_its_line(stss: Any, repo: Path) -> None:
    shared_on(repo, "2026-10-08", "  response: maybe\n")
    [problem] = problem_lines(stss, repo, "visits")
    assert problem.startswith(f"{VISIT}:13:13: error:") and "'maybe'" in problem


def test_an_answer_before_the_report_was_shared_is_an_error(stss: Any, repo: Path) -> None:
    shared_on(repo, "2026-10-08", "  response: accurate\n  responded: 2026-10-01\n")
    [problem] = problem_lines(stss, repo, "visits")
    assert problem.startswith(f"{VISIT}:14:14: error: the answer (2026-10-01) came before")


@pytest.mark.parametrize("ref", ["../../trust.yaml", "/etc/passwd", "visits/2026-27/../../offer.yaml",
                                 "2026-10-06-hill-top-education-review\n"])
def test_a_visit_name_is_only_looked_up_never_opened(stss: Any, repo: Path, tmp_path: Path, ref: str) -> None:
    before = snapshot(repo)
    result = stss("share", ref, "--records", repo, "--out", tmp_path / "x.md")
    assert result.exit_code == 2
    assert "no visit" in result.stderr or "control character" in result.stderr
    assert snapshot(repo) == before and not (tmp_path / "x.md").exists()


@pytest.mark.parametrize("target", ["trust.yaml", "schools/hill-top.yaml", VISIT, "templates/visit-report.md.j2"])
def test_the_report_is_never_written_over_the_records(stss: Any, repo: Path, target: str) -> None:
    before = snapshot(repo)
    result = share(stss, repo, repo / target)
    assert result.exit_code == 2 and "inside the records' own files" in result.stderr
    assert snapshot(repo) == before


def test_the_example_trust_exports_each_visits_review(stss: Any, example: Path) -> None:
    doc = json.loads(stss("export", "--records", example, "--today", "2026-11-23").stdout)
    shared = {row["path"].rsplit("/", 1)[1]: row for row in doc["visits"] if row["review_shared"]}
    inaccurate = shared["2026-11-03-hollybank-primary-education-review.md"]
    assert (inaccurate["review_response"], inaccurate["review_responded"]) == ("inaccurate", "2026-11-09")
    assert inaccurate["review_comment"].startswith("The Year 2 class was taught by a supply teacher")
    assert shared["2026-10-06-brookfield-primary-education-review.md"]["review_response"] is None


def test_actions_point_at_reports_to_follow_up(stss: Any, example: Path) -> None:
    result = stss("actions", "--records", example, "--today", "2026-11-23")
    assert result.stdout.splitlines()[-1] == (
        "Visit reports to follow up: 1 unanswered after 10 school days, 1 marked inaccurate (see stss reviews).")


def test_share_with_commit_commits_the_visit_and_not_the_report(stss: Any, repo: Path) -> None:
    result = share(stss, repo, repo / "shared/report.md", "--commit")
    assert result.exit_code == 0, result.output
    assert git(repo, "show", "--name-only", "--format=%s", "HEAD").splitlines() == [
        "Share the report of 2026-10-06-hill-top-education-review with the school (2026-10-08)", "", VISIT]
    assert git(repo, "status", "--porcelain").strip() == "?? shared/"
