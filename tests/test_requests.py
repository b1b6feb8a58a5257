"""Requests from schools: the response date in school days, overdue requests,
`log-request`, `update-request` in place, `stss requests`, located errors, and
hostile input. Each case is a small records folder written inline.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from stss import calendar, requests
from stss.loader import load
from stss.models import Request
from tests.helpers import VALLEY_SCHOOL, git, make_repo, problem_lines, snapshot, write_records

REQUEST = "requests/hill-top-attendance.yaml"
REQUEST_TEXT = """\
# Raised by phone; the head wants a call back this week.
school: hill-top
raised: 2026-10-23          # the Friday before half-term
raised_by: headteacher
summary: Persistent absence in Year 6 rising since September
category: attendance
urgency: high
status: open
assigned: [alex-morgan]
"""
ENGAGEMENT = """\
school: {school}
kind: directed-support
title: Attendance support
start: 2026-11-02
days: 4
"""


@pytest.fixture
def repo(mini: Path) -> Path:
    """The mini trust with one open request, a second school and an engagement for each school."""
    write_records(mini, {
        REQUEST: REQUEST_TEXT,
        "schools/valley.yaml": VALLEY_SCHOOL,
        "engagements/hill-top-attendance.yaml": ENGAGEMENT.format(school="hill-top"),
        "engagements/valley-attendance.yaml": ENGAGEMENT.format(school="valley"),
    })
    return make_repo(mini)


def rows(stss: Any, root: Path, *args: str) -> list[dict[str, Any]]:
    result = stss("requests", "--records", root, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


# --- the response date and overdue requests, in school days ------------------------------


def test_the_default_response_date_skips_the_half_term_break(mini: Path) -> None:
    trust = load(mini).records.trust
    assert trust is not None
    # Raised on the Friday before the 26-30 October break: Mon 2 .. Fri 6 November.
    assert calendar.school_days_after(trust, dt.date(2026, 10, 23), 5) == dt.date(2026, 11, 6)
    # Raised on a Monday in term: the Monday after.
    assert calendar.school_days_after(trust, dt.date(2026, 11, 9), 5) == dt.date(2026, 11, 16)
    # Raised during the break: five school days from its end.
    assert calendar.school_days_after(trust, dt.date(2026, 10, 27), 5) == dt.date(2026, 11, 6)


def test_a_request_with_no_respond_by_is_due_five_school_days_after_it_was_raised(stss: Any, repo: Path) -> None:
    [row] = rows(stss, repo, "--today", "2026-11-06")
    assert (row["id"], row["respond_by"], row["overdue"]) == ("hill-top-attendance", "2026-11-06", False)


def test_an_open_request_is_overdue_the_school_day_after_its_respond_by(stss: Any, repo: Path) -> None:
    [row] = rows(stss, repo, "--today", "2026-11-09")
    assert (row["overdue"], row["school_days_late"]) == (True, 1)
    assert rows(stss, repo, "--today", "2026-11-09", "--overdue") == [row]
    assert rows(stss, repo, "--today", "2026-11-06", "--overdue") == []


def test_a_triaged_request_can_be_overdue_but_one_in_progress_cannot(stss: Any, repo: Path) -> None:
    path = repo / REQUEST
    for status, overdue in (("triaged", True), ("in-progress", False)):
        path.write_text(REQUEST_TEXT.replace("status: open", f"status: {status}"), "utf-8")
        [row] = rows(stss, repo, "--today", "2026-11-20")
        assert (row["status"], row["overdue"]) == (status, overdue)


def test_days_late_count_school_days_not_calendar_days(repo: Path) -> None:
    r = load(repo).records
    # Due Friday 6 November; the weekend after it does not count.
    [row] = requests.listing(r, dt.date(2026, 11, 10))
    assert row.school_days_late == 2


def test_figures_for_a_term(repo: Path) -> None:
    write_records(repo, {
        "requests/hill-top-maths.yaml": """\
            school: hill-top
            raised: 2026-11-02
            summary: Maths leader wants support with the curriculum
            status: resolved
            resolved: 2026-11-09
            outcome: Maths SLE visited.
            """,
    })
    r = load(repo).records
    figures = requests.figures(r, dt.date(2026, 9, 3), dt.date(2026, 12, 18), dt.date(2026, 11, 20))
    assert figures.as_dict() == {"open": 1, "overdue": 1, "raised": 2, "resolved": 1, "declined": 0,
                                 "median_days_to_respond": 5.0}


# --- log-request ---------------------------------------------------------------------------


def test_log_request_writes_the_request_due_after_half_term(stss: Any, repo: Path) -> None:
    result = stss("log-request", "--records", repo, "--school", "valley", "--today", "2026-10-23",
                  "--summary", "Help with a   complaint from parents about SEND provision",
                  "--urgency", "high", "--category", "send", "--raised-by", "headteacher", "--assign", "alex-morgan")
    assert result.exit_code == 0, result.output
    written = repo / "requests/valley-help-with-a-complaint-from-parents.yaml"
    assert written.read_text("utf-8") == textwrap.dedent("""\
        school: valley
        raised: 2026-10-23
        raised_by: headteacher
        summary: Help with a complaint from parents about SEND provision
        category: send
        urgency: high
        status: open
        respond_by: 2026-11-06
        assigned: [alex-morgan]
        """)
    assert "respond by 2026-11-06" in result.stdout
    assert stss("validate", "--records", repo).exit_code == 0


def test_the_same_summary_twice_gets_a_second_id(stss: Any, repo: Path) -> None:
    for _ in range(2):
        assert stss("log-request", "--records", repo, "--school", "valley", "--summary", "Attendance",
                    "--today", "2026-11-02").exit_code == 0
    assert sorted(p.name for p in (repo / "requests").iterdir()) == [
        "hill-top-attendance.yaml", "valley-attendance-2.yaml", "valley-attendance.yaml"]


def test_log_request_refuses_an_unknown_school_and_writes_nothing(stss: Any, repo: Path) -> None:
    before = snapshot(repo)
    result = stss("log-request", "--records", repo, "--school", "valey", "--summary", "Help")
    assert result.exit_code == 2
    assert "unknown school 'valey'" in result.stderr and "did you mean 'valley'?" in result.stderr
    assert snapshot(repo) == before


def test_log_request_with_commit_commits_exactly_the_request(stss: Any, repo: Path) -> None:
    (repo / "schools/valley.yaml").write_text(VALLEY_SCHOOL + "# an edit not to be committed\n", "utf-8")
    result = stss("log-request", "--records", repo, "--school", "valley", "--summary", "Governor training",
                  "--today", "2026-11-02", "--commit")
    assert result.exit_code == 0, result.output
    assert git(repo, "show", "--name-only", "--format=%s", "HEAD").split() == [
        "Log", "request", "from", "Valley", "Primary:", "Governor", "training",
        "requests/valley-governor-training.yaml"]
    assert git(repo, "status", "--porcelain").strip() == "M schools/valley.yaml"


# --- moving a request on, in place ------------------------------------------------------------


def test_resolving_a_request_keeps_its_comments_and_links_its_engagement(stss: Any, repo: Path) -> None:
    result = stss("update-request", "hill-top-attendance", "--records", repo, "--status", "resolved",
                  "--outcome", "Attendance plan agreed with the head", "--engagement", "hill-top-attendance",
                  "--today", "2026-11-04")
    assert result.exit_code == 0, result.output
    text = (repo / REQUEST).read_text("utf-8")
    assert text == REQUEST_TEXT.replace("status: open", "status: resolved") + (
        "engagement: hill-top-attendance\nresolved: 2026-11-04\noutcome: Attendance plan agreed with the head\n")
    assert stss("validate", "--records", repo).exit_code == 0


def test_triage_then_assign_edits_only_those_lines(stss: Any, repo: Path) -> None:
    assert stss("update-request", "hill-top-attendance", "--records", repo, "--status", "triaged",
                "--assign", "alex-morgan").exit_code == 0
    assert (repo / REQUEST).read_text("utf-8") == REQUEST_TEXT.replace("status: open", "status: triaged")


@pytest.mark.parametrize(("args", "message"), [
    (("--status", "resolved"), "a resolved request needs an outcome"),
    (("--outcome", "Done"), "--outcome goes with --status resolved or declined"),
    (("--engagement", "valley-attendance"), "engagement 'valley-attendance' is for valley, not hill-top"),
    (("--engagement", "nope"), "unknown engagement 'nope'"),
    (("--assign", "nobody"), "unknown person 'nobody'"),
])
def test_update_request_refuses_what_cannot_be(stss: Any, repo: Path, args: tuple[str, ...], message: str) -> None:
    before = snapshot(repo)
    result = stss("update-request", "hill-top-attendance", "--records", repo, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert snapshot(repo) == before


def test_a_closed_request_is_not_reopened(stss: Any, repo: Path) -> None:
    assert stss("update-request", "hill-top-attendance", "--records", repo, "--status", "declined",
                "--outcome", "Not ours: the local authority leads on this", "--today", "2026-11-02").exit_code == 0
    result = stss("update-request", "hill-top-attendance", "--records", repo, "--status", "open")
    assert result.exit_code == 2 and "stays closed" in result.stderr


# --- located errors -------------------------------------------------------------------------


def test_a_request_for_an_unknown_school_is_an_error_at_its_line(stss: Any, repo: Path) -> None:
    (repo / REQUEST).write_text(REQUEST_TEXT.replace("school: hill-top", "school: hill-tops"), "utf-8")
    [problem] = problem_lines(stss, repo, "requests")
    assert problem.startswith(f"{REQUEST}:2:9: error: unknown school 'hill-tops'")
    assert "did you mean 'hill-top'?" in problem


def test_a_bad_status_is_an_error_at_its_value(stss: Any, repo: Path) -> None:
    (repo / REQUEST).write_text(REQUEST_TEXT.replace("status: open", "status: done"), "utf-8")
    [problem] = problem_lines(stss, repo, "requests")
    assert problem.startswith(f"{REQUEST}:8:9: error:")
    assert "'done' is not one of: open, triaged, in-progress, resolved, declined" in problem


def test_a_resolved_request_without_date_or_outcome_is_an_error_at_its_status(stss: Any, repo: Path) -> None:
    (repo / REQUEST).write_text(REQUEST_TEXT.replace("status: open", "status: resolved"), "utf-8")
    found = problem_lines(stss, repo, "requests")
    assert [p.split(": error: ")[0] for p in found] == [f"{REQUEST}:8:9", f"{REQUEST}:8:9"]
    assert "needs the date it was closed" in found[0] + found[1]
    assert "needs an outcome" in found[0] + found[1]


def test_respond_by_before_raised_is_an_error(stss: Any, repo: Path) -> None:
    (repo / REQUEST).write_text(REQUEST_TEXT + "respond_by: 2026-10-01\n", "utf-8")
    [problem] = problem_lines(stss, repo, "requests")
    assert problem.startswith(f"{REQUEST}:10:13: error: respond_by (2026-10-01) is before")


# --- hostile input ---------------------------------------------------------------------------


@pytest.mark.parametrize("ident", ["../schools/hill-top", "hill-top-attendance\n", "/etc/passwd", "HILL-TOP"])
def test_a_request_id_that_is_not_a_slug_never_reaches_the_disk(stss: Any, repo: Path, ident: str) -> None:
    before = snapshot(repo)
    result = stss("update-request", ident, "--records", repo, "--status", "triaged")
    assert result.exit_code == 2
    assert snapshot(repo) == before


def test_a_summary_that_looks_like_yaml_stays_text(stss: Any, repo: Path) -> None:
    summary = "status: resolved - {school: valley} # ' \" & *alias ../../etc/passwd"
    result = stss("log-request", "--records", repo, "--school", "hill-top", "--summary", summary,
                  "--today", "2026-11-02")
    assert result.exit_code == 0, result.output
    [written] = [p for p in (repo / "requests").iterdir() if p.name != "hill-top-attendance.yaml"]
    assert written.name == "hill-top-status-resolved-school-valley-alias-etc.yaml"
    r = load(repo).records
    request = r.requests[written.stem]
    assert isinstance(request, Request)
    assert (request.summary, request.status, request.school) == (" ".join(summary.split()), "open", "hill-top")


@pytest.mark.parametrize("text", ["bad\x00text", "red \x1b[31malert", "bell\x07"])
def test_a_summary_with_control_characters_is_refused_and_nothing_written(stss: Any, repo: Path, text: str) -> None:
    before = snapshot(repo)
    result = stss("log-request", "--records", repo, "--school", "hill-top", "--summary", text)
    assert result.exit_code == 2 and ("control character" in result.stderr or "NUL" in result.stderr)
    assert snapshot(repo) == before


# --- in summaries and exports -------------------------------------------------------------


def test_the_example_trust_exports_its_requests(stss: Any, example: Path, tmp_path: Path) -> None:
    import sqlite3

    doc = json.loads(stss("export", "--records", example, "--today", "2026-11-23").stdout)
    by_id = {row["id"]: row for row in doc["requests"]}
    complaint = by_id["st-marys-ce-primary-parents-complaint-about-send-provision"]
    assert (complaint["status"], complaint["overdue"], complaint["assigned"]) == ("triaged", True, ["claire-whitworth"])
    assert by_id["brookfield-primary-maths-leader-new-to-the-role"]["engagement"] == "brookfield-maths-sle-2026"
    db_path = tmp_path / "trust.sqlite"
    assert stss("export", "--format", "sqlite", "--out", db_path, "--records", example,
                "--today", "2026-11-23").exit_code == 0
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT count(*) FROM requests WHERE overdue = 1").fetchone() == (1,)
    assert db.execute("SELECT assigned FROM requests_assigned WHERE id = ?",
                      ("hollybank-primary-phonics-results-below-national",)).fetchall() == [("priya-raman",)]
    db.close()


def test_usage_counts_a_schools_open_requests(stss: Any, example: Path) -> None:
    result = stss("usage", "--records", example, "--today", "2026-11-23", "--school", "st-marys-ce-primary")
    assert result.stdout.splitlines()[-1] == "Requests from schools: 1 open, 1 overdue (see stss requests)."


def test_respond_by_given_on_the_command_line_wins(stss: Any, repo: Path) -> None:
    assert stss("log-request", "--records", repo, "--school", "valley", "--summary", "Urgent safeguarding advice",
                "--urgency", "high", "--respond-by", "2026-11-03", "--today", "2026-11-02").exit_code == 0
    [row] = rows(stss, repo, "--today", "2026-11-04", "--school", "valley")
    assert (row["respond_by"], row["overdue"], row["school_days_late"]) == ("2026-11-03", True, 1)


# --- requests in the board pack ------------------------------------------------------------


def pack_with_second_request(stss: Any, repo: Path, raised: str, resolved: str, today: str) -> str:
    """The autumn board pack as of `today`, with a second request from Hill Top, resolved on `resolved`."""
    write_records(repo, {"requests/hill-top-maths.yaml": f"""\
        school: hill-top
        raised: {raised}
        summary: Maths leader wants support with the curriculum
        status: resolved
        resolved: {resolved}
        outcome: Maths SLE visited.
        """})
    result = stss("report", "--records", repo, "--today", today, "--term", "autumn", "--format", "md")
    assert result.exit_code == 0, result.output
    out: str = result.stdout
    return out


def test_the_board_pack_gives_requests_per_school_and_for_the_trust(stss: Any, repo: Path) -> None:
    """Open, overdue and resolved this term, with the median time to respond in school days;
    a school that raised nothing says so rather than showing noughts."""
    out = pack_with_second_request(stss, repo, "2026-11-02", "2026-11-09", today="2026-11-20")
    assert "- **Requests from schools overdue:** 1\n" in out
    assert ("- **Requests from schools:** 2 raised, 1 resolved this term; 1 open, 1 overdue; "
            "median time to respond 5 school days\n") in out
    valley = out.split("\n## Valley")[1].split("\n## ")[0]
    assert "- Requests from the school: none recorded" in valley


def test_a_request_resolved_after_the_term_is_open_in_that_terms_pack(stss: Any, repo: Path) -> None:
    """A pack for a past term shows the requests as they stood at its end: the new one was
    raised on its last Monday and was not yet due."""
    out = pack_with_second_request(stss, repo, "2026-12-14", "2027-01-06", today="2027-02-01")
    assert "- **Requests from schools:** 2 raised, 0 resolved this term; 2 open, 1 overdue\n" in out
