"""`stss close-action` and `stss actions --today`: an action agreed at a visit
is closed weeks later, in place, and the list of open actions can be read as
it stood on any day.

Each test works in a real git repository made from the mini trust, so what a
command changed is read from `git diff`, as a reviewer would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import MINI_VISIT, changed_lines, git, make_repo, write_records

VISIT = "visits/2026-27/2026-10-06-hill-top-education-review.md"
#: The mini trust's visit, with three open actions agreed at it (one block style, commented).
VISIT_TEXT = MINI_VISIT.replace("staff: [alex-morgan]\n", """\
staff: [alex-morgan]
actions:
  # agreed with the head at the feedback meeting
  - {text: Share the revised phonics plan with governors, owner: headteacher, due: 2026-11-20, status: open}
  - {text: Share the reading audit with the trust, owner: english-lead, status: open}
  - text: Book the Year 1 phonics screening check practice
    owner: ks1-lead
    status: open      # the date moves with the screening
""").replace("Good.", "Phonics is taught well.")
LATER = "visits/2026-27/2026-12-01-hill-top-partnership-visit.md"
LATER_TEXT = """\
---
school: hill-top
activity: partnership-visit
date: 2026-12-01
status: completed
actions:
  - {text: Visit the new library, owner: headteacher, status: open}
---
"""


@pytest.fixture
def repo(mini: Path) -> Path:
    return make_repo(write_records(mini, {VISIT: VISIT_TEXT, LATER: LATER_TEXT}))


def close(stss: Any, root: Path, *args: str) -> Any:
    return stss("close-action", "--records", root, "--today", "2026-12-10", "--school", "hill-top", *args)


def test_closing_an_action_changes_only_its_line(stss: Any, repo: Path) -> None:
    result = close(stss, repo, "--match", "PHONICS plan", "--date", "2026-11-18")
    assert result.exit_code == 0, result.output
    assert f'Closed "Share the revised phonics plan with governors" (done 2026-11-18): {VISIT}' in result.stdout
    assert changed_lines(git(repo, "diff")) == [
        "-  - {text: Share the revised phonics plan with governors, owner: headteacher, due: 2026-11-20, status: open}",
        "+  - {text: Share the revised phonics plan with governors, owner: headteacher, due: 2026-11-20, status: done,"
        " done: 2026-11-18}",
    ]
    assert stss("validate", "--records", repo).exit_code == 0


def test_a_block_style_action_keeps_its_comment(stss: Any, repo: Path) -> None:
    result = close(stss, repo, "--match", "screening check")
    assert result.exit_code == 0, result.output
    assert changed_lines(git(repo, "diff")) == [
        "-    status: open      # the date moves with the screening",
        "+    status: done      # the date moves with the screening",
        "+    done: 2026-12-10",
    ]


def test_an_ambiguous_match_lists_the_candidates_and_writes_nothing(stss: Any, repo: Path) -> None:
    result = close(stss, repo, "--match", "share the")
    assert result.exit_code == 2
    assert "'share the' matches 2 open actions at hill-top; nothing was written" in result.stderr
    assert '"Share the revised phonics plan with governors" (2026-10-06' in result.stderr
    assert '"Share the reading audit with the trust" (2026-10-06' in result.stderr
    assert git(repo, "status", "--porcelain") == ""


def test_no_match_lists_the_open_actions(stss: Any, repo: Path) -> None:
    result = close(stss, repo, "--match", "maths")
    assert result.exit_code == 2
    assert "no open action at hill-top matches 'maths'" in result.stderr
    assert "Visit the new library" in result.stderr
    assert git(repo, "status", "--porcelain") == ""


def test_a_closed_action_is_not_closed_again(stss: Any, repo: Path) -> None:
    assert close(stss, repo, "--match", "reading audit").exit_code == 0
    again = close(stss, repo, "--match", "reading audit")
    assert again.exit_code == 2 and "no open action" in again.stderr


@pytest.mark.parametrize(("date", "message"), [
    ("2026-12-11", "cannot be done after today"),
    ("2026-10-05", "before the visit that agreed the action (2026-10-06)"),
])
def test_an_impossible_date_is_refused(stss: Any, repo: Path, date: str, message: str) -> None:
    result = close(stss, repo, "--match", "reading audit", "--date", date)
    assert result.exit_code == 2 and message in result.stderr
    assert git(repo, "status", "--porcelain") == ""


def test_commit_commits_exactly_the_visit(stss: Any, repo: Path) -> None:
    result = close(stss, repo, "--match", "reading audit", "--commit")
    assert result.exit_code == 0, result.output
    assert git(repo, "show", "--name-only", "--format=%s", "HEAD").splitlines() == [
        "Close action at Hill Top Primary: Share the reading audit with the trust", "", VISIT]
    assert git(repo, "status", "--porcelain") == ""


def test_commit_with_other_changes_staged_writes_nothing(stss: Any, repo: Path) -> None:
    (repo / "people/alex-morgan.yaml").write_text("name: Alex Morgan\ncapacity_days: 30\n", "utf-8")
    git(repo, "add", "people/alex-morgan.yaml")
    result = close(stss, repo, "--match", "reading audit", "--commit")
    assert result.exit_code == 1 and "nothing was written" in result.stderr
    assert (repo / VISIT).read_text("utf-8") == VISIT_TEXT


def test_done_goes_only_with_status_done(mini: Path) -> None:
    from stss import loader

    write_records(mini, {VISIT: VISIT_TEXT.replace("status: open}", "status: open, done: 2026-11-01}", 1)})
    problems = [(p.line, p.message) for p in loader.load(mini, use_cache=False).problems if p.is_error]
    assert problems == [(9, "actions.0: an action with status open has no done date (done: goes with status: done)")]


def open_texts(stss: Any, root: Path, today: str) -> list[str]:
    result = stss("actions", "--records", root, "--today", today, "--format", "json")
    assert result.exit_code == 0, result.output
    return sorted(row["text"] for row in json.loads(result.stdout))


def test_actions_as_of_a_day_ignore_later_visits_and_later_closing(stss: Any, repo: Path) -> None:
    assert close(stss, repo, "--match", "phonics plan", "--date", "2026-11-18").exit_code == 0
    assert open_texts(stss, repo, "2026-11-10") == [
        "Book the Year 1 phonics screening check practice", "Share the reading audit with the trust",
        "Share the revised phonics plan with governors"]
    assert open_texts(stss, repo, "2026-11-18") == [
        "Book the Year 1 phonics screening check practice", "Share the reading audit with the trust"]
    assert open_texts(stss, repo, "2026-12-10") == [
        "Book the Year 1 phonics screening check practice", "Share the reading audit with the trust",
        "Visit the new library"]
