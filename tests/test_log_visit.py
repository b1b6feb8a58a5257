"""`stss log-visit`: new visits, planned visits completed in place, postponed and
cancelled visits, refused input, `--commit`, and a write interrupted midway.

Each test works in a real git repository made from the mini trust, so what a
command changed is read from `git diff` and `git log`, as a reviewer would.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from stss import identity, visits
from stss.changes import Change, check
from stss.errors import UsageError
from stss.loader import load
from tests.helpers import (
    REPO,
    VALLEY_SCHOOL,
    VISITS,
    changed_lines,
    git,
    make_repo,
    snapshot,
    write_records,
)

PLANNED = f"{VISITS}/2026-10-06-hill-top-education-review.md"
PLANNED_TEXT = """\
---
# Booked with the head by phone on 1 September.
school: hill-top
activity: education-review
date: 2026-10-06
status: planned        # confirm the week before
staff: [alex-morgan]
focus: ['reading', "send"]
---
## Purpose
Reading in key stage 1;  the new phonics scheme.
"""
VALLEY_ENGAGEMENT = """\
school: valley
kind: directed-support
title: Reading leadership
start: 2026-09-14
days: 6
"""


#: The uids new visits get in these tests, in order (stss picks them at random).
UIDS = tuple(f"c0ffee{n:02d}" for n in range(1, 20))


@pytest.fixture(autouse=True)
def _known_uids(monkeypatch: pytest.MonkeyPatch) -> None:
    made = iter(UIDS)
    monkeypatch.setattr(identity, "fresh", lambda: next(made))


@pytest.fixture
def repo(mini: Path) -> Path:
    """The mini trust, with a second school, an engagement and a planned
    education review at Hill Top, committed to a fresh git repository."""
    write_records(mini, {
        PLANNED: PLANNED_TEXT,
        "schools/valley.yaml": VALLEY_SCHOOL,
        "engagements/valley-reading.yaml": VALLEY_ENGAGEMENT,
    })
    return make_repo(mini)


def log_visit(stss: Any, root: Path, *args: str, input: str | None = None) -> Any:
    return stss("log-visit", "--records", root, "--today", "2026-11-23", *args, input=input)


# --- new visits ----------------------------------------------------------------------


def test_a_visit_with_no_planned_one_gets_a_new_file(stss: Any, repo: Path) -> None:
    result = log_visit(stss, repo, "--school", "hill-top", "--activity", "partnership-visit",
                       "--date", "2026-11-10", "--staff", "alex-morgan", "--focus", "maths,reading",
                       "--action", "Share the maths plan with governors;headteacher;2026-12-01")
    assert result.exit_code == 0, result.output
    # Named by its new uid, so a visit logged on another branch never has the same name.
    path = repo / VISITS / "2026-11-10-hill-top-partnership-visit-c0ffee01.md"
    assert path.read_text("utf-8") == textwrap.dedent("""\
        ---
        school: hill-top
        activity: partnership-visit
        date: 2026-11-10
        status: completed
        staff: [alex-morgan]
        focus: [maths, reading]
        actions:
          - {text: Share the maths plan with governors, owner: headteacher, due: 2026-12-01, status: open}
        uid: c0ffee01
        ---
        """)
    assert "new file" in result.stdout
    assert git(repo, "status", "--porcelain") == f"?? {VISITS}/2026-11-10-hill-top-partnership-visit-c0ffee01.md\n"


def test_new_visits_get_uids_at_random(stss: Any, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    for school in ("hill-top", "valley"):
        result = log_visit(stss, repo, "--school", school, "--activity", "partnership-visit", "--date", "2026-11-10")
        assert result.exit_code == 0, result.output
    uids = {load(repo, use_cache=False).records.visits[p].uid for p in load(repo, use_cache=False).records.visits}
    uids.discard(None)  # the hand-written planned visit has none
    assert len(uids) == 2
    assert all(len(uid) == identity.LENGTH and int(uid, 16) >= 0 for uid in uids if uid)


def test_logging_the_same_visit_again_adds_to_it_rather_than_writing_a_second(stss: Any, repo: Path) -> None:
    first = log_visit(stss, repo, "--school", "valley", "--activity", "partnership-visit", "--date", "2026-11-10",
                      "--staff", "alex-morgan", "--focus", "reading", "--notes", "-", input="Reading is strong.\n")
    assert first.exit_code == 0, first.output
    path = repo / VISITS / "2026-11-10-valley-partnership-visit-c0ffee01.md"
    path.write_text(path.read_text("utf-8").replace("status: completed", "status: completed  # by Alex"), "utf-8")
    again = log_visit(stss, repo, "--school", "valley", "--activity", "partnership-visit", "--date", "2026-11-10",
                      "--focus", "reading,maths", "--action", "Send the maths plan;headteacher;2026-12-01",
                      "--notes", "-", input="Maths needs work.\n")
    assert again.exit_code == 0, again.output
    assert "added to the visit already logged" in again.stdout
    assert sorted(p.name for p in (repo / VISITS).glob("*valley*")) == [path.name]
    assert path.read_text("utf-8") == textwrap.dedent("""\
        ---
        school: valley
        activity: partnership-visit
        date: 2026-11-10
        status: completed  # by Alex
        staff: [alex-morgan]
        focus: [reading, maths]
        actions:
          - {text: Send the maths plan, owner: headteacher, due: 2026-12-01, status: open}
        uid: c0ffee01
        ---
        Reading is strong.

        Maths needs work.
        """)
    # A rerun (say, after a commit that failed) says nothing twice.
    rerun = log_visit(stss, repo, "--school", "valley", "--activity", "partnership-visit", "--date", "2026-11-10",
                      "--action", "send the maths plan;headteacher;2026-12-01", "--notes", "-",
                      input="Maths needs work.\n")
    assert rerun.exit_code == 0, rerun.output
    assert "Nothing to add" in rerun.stdout
    assert path.read_text("utf-8").count("Maths needs work.") == 1
    assert stss("validate", "--records", repo).exit_code == 0


def test_notes_from_stdin_become_the_body(stss: Any, repo: Path) -> None:
    result = log_visit(stss, repo, "--school", "valley", "--activity", "partnership-visit", "--date",
                       "2026-11-10", "--notes", "-", "--engagement", "valley-reading", "--confidential",
                       input="## Summary\nA calm, purposeful school.\n")
    assert result.exit_code == 0, result.output
    text = (repo / VISITS / "2026-11-10-valley-partnership-visit-c0ffee01.md").read_text("utf-8")
    assert "engagement: valley-reading\nconfidential: true\nuid: c0ffee01\n---\n## Summary\nA calm, purposeful school.\n" in text


# --- planned visits completed in place ------------------------------------------------------


def test_completing_a_planned_visit_changes_only_its_status_and_adds_notes(stss: Any, repo: Path) -> None:
    result = log_visit(stss, repo, "--school", "hill-top", "--activity", "education-review",
                       "--notes", "-", input="## Summary\nPhonics is taught well.\n")
    assert result.exit_code == 0, result.output
    assert "updated the planned visit" in result.stdout
    diff = git(repo, "diff", "--", PLANNED)
    assert changed_lines(diff) == [
        "-status: planned        # confirm the week before",
        "+status: completed      # confirm the week before",
        "+",
        "+## Summary",
        "+Phonics is taught well.",
    ]
    assert git(repo, "status", "--porcelain") == f" M {PLANNED}\n"  # no second file


def test_completing_keeps_comments_quoting_and_notes_byte_for_byte(stss: Any, repo: Path) -> None:
    result = log_visit(stss, repo, "--school", "hill-top", "--activity", "education-review",
                       "--staff", "alex-morgan", "--days", "1")
    assert result.exit_code == 0, result.output
    after = (repo / PLANNED).read_text("utf-8")
    before_lines = PLANNED_TEXT.splitlines()
    after_lines = after.splitlines()
    assert [b for b in before_lines if b not in after_lines] == ["status: planned        # confirm the week before"]
    assert [a for a in after_lines if a not in before_lines] == ["status: completed      # confirm the week before",
                                                                 "days: 1"]
    assert after.endswith("## Purpose\nReading in key stage 1;  the new phonics scheme.\n")


def test_completing_on_another_day_moves_the_planned_file(stss: Any, repo: Path) -> None:
    result = log_visit(stss, repo, "--school", "hill-top", "--activity", "education-review", "--date", "2026-10-08")
    assert result.exit_code == 0, result.output
    # Written by hand, it has no uid: it keeps its plain name, and the calendar knows it by its place.
    new = f"{VISITS}/2026-10-08-hill-top-education-review.md"
    assert not (repo / PLANNED).exists()
    git(repo, "add", "--all")
    status = git(repo, "diff", "--cached", "-M", "--name-status")
    assert status.startswith("R") and PLANNED in status and new in status
    assert changed_lines(git(repo, "diff", "--cached", "-M")) == [
        "-date: 2026-10-06", "-status: planned        # confirm the week before",
        "+date: 2026-10-08", "+status: completed      # confirm the week before",
    ]


def test_a_planned_visit_with_a_uid_keeps_it_on_another_day(stss: Any, repo: Path) -> None:
    planned = f"{VISITS}/2026-11-03-valley-partnership-visit-7f3c9a2e.md"
    write_records(repo, {planned: "---\nschool: valley\nactivity: partnership-visit\ndate: 2026-11-03\n"
                                  "status: planned\nuid: 7f3c9a2e\n---\n"})
    result = log_visit(stss, repo, "--school", "valley", "--activity", "partnership-visit", "--date", "2026-11-05")
    assert result.exit_code == 0, result.output
    moved = f"{VISITS}/2026-11-05-valley-partnership-visit-7f3c9a2e.md"
    assert f"renamed from {planned}" in result.stdout
    assert (repo / moved).read_text("utf-8") == ("---\nschool: valley\nactivity: partnership-visit\n"
                                                 "date: 2026-11-05\nstatus: completed\nuid: 7f3c9a2e\n---\n")


def test_a_planned_visit_still_to_come_is_not_dated_in_the_future(stss: Any, repo: Path) -> None:
    # Logged on 2 October, the review planned for the 6th happened early: it moves to today.
    result = stss("log-visit", "--records", repo, "--today", "2026-10-02", "--school", "hill-top",
                  "--activity", "education-review")
    assert result.exit_code == 0, result.output
    assert (repo / VISITS / "2026-10-02-hill-top-education-review.md").is_file()
    assert not (repo / PLANNED).exists()


def test_a_planned_visit_in_another_term_is_left_alone(stss: Any, repo: Path) -> None:
    # Education reviews are owed per year, so a log matches within the term only.
    result = stss("log-visit", "--records", repo, "--today", "2027-01-20", "--school", "hill-top",
                  "--activity", "education-review", "--date", "2027-01-12")
    assert result.exit_code == 0, result.output
    assert (repo / PLANNED).read_text("utf-8") == PLANNED_TEXT
    assert (repo / "visits/2026-27/2027-01-12-hill-top-education-review-c0ffee01.md").is_file()


def test_half_termly_visits_match_within_the_half_term(mini: Path) -> None:
    write_records(mini, {
        f"{VISITS}/2026-10-20-hill-top-safeguarding-review.md":
            "---\nschool: hill-top\nactivity: safeguarding-review\ndate: 2026-10-20\nstatus: planned\n---\n",
    })
    records = load(mini, use_cache=False).records
    period = visits.period_for(records, "hill-top", "safeguarding-review", dt.date(2026, 9, 10))
    assert period is not None and period.name == "2026-27/autumn-1"
    assert visits.find_planned(records, "hill-top", "safeguarding-review", dt.date(2026, 9, 10)) is not None
    assert visits.find_planned(records, "hill-top", "safeguarding-review", dt.date(2026, 11, 10)) is None


# --- postponed and cancelled ----------------------------------------------------------------


def test_postponing_leaves_a_planned_visit_on_the_new_date(stss: Any, repo: Path) -> None:
    result = log_visit(stss, repo, "--school", "hill-top", "--activity", "education-review",
                       "--status", "postponed", "--reason", "Head called to an appeal panel",
                       "--new-date", "2026-11-24")
    assert result.exit_code == 0, result.output
    assert changed_lines(git(repo, "diff", "--", PLANNED)) == [
        "-status: planned        # confirm the week before",
        "+status: postponed      # confirm the week before",
        "+reason: Head called to an appeal panel",
    ]
    rebooked = (repo / VISITS / "2026-11-24-hill-top-education-review-c0ffee01.md").read_text("utf-8")
    assert rebooked.startswith("---\nschool: hill-top\nactivity: education-review\ndate: 2026-11-24\n"
                               "status: planned\nstaff: [alex-morgan]\nfocus: ['reading', \"send\"]\n"
                               "uid: c0ffee01\n---\n")
    assert "Postponed from 2026-10-06: Head called to an appeal panel" in rebooked
    assert "## Purpose\nReading in key stage 1" in rebooked
    assert stss("validate", "--records", repo).exit_code == 0


def test_cancelling_records_the_reason(stss: Any, repo: Path) -> None:
    result = log_visit(stss, repo, "--school", "hill-top", "--activity", "education-review",
                       "--status", "cancelled", "--reason", "Snow closure")
    assert result.exit_code == 0, result.output
    assert changed_lines(git(repo, "diff")) == [
        "-status: planned        # confirm the week before",
        "+status: cancelled      # confirm the week before",
        "+reason: Snow closure",
    ]
    assert git(repo, "status", "--porcelain") == f" M {PLANNED}\n"


# --- refused input -----------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "code", "message"), [
    (("--school", "hill-tap", "--activity", "education-review"), 2, "did you mean 'hill-top'?"),
    (("--school", "hill-top", "--activity", "educaton-review"), 2, "did you mean 'education-review'?"),
    (("--school", "hill-top", "--activity", "education-review", "--date", "2025-06-10"), 2,
     "outside every academic year"),
    (("--school", "hill-top", "--activity", "partnership-visit", "--date", "2026-11-14"), 1,
     "not a school day (Saturday)"),
    (("--school", "hill-top", "--activity", "partnership-visit", "--date", "2026-10-28"), 1,
     "in the autumn half-term break"),
    (("--school", "hill-top", "--activity", "education-review", "--staff", "alex-morgen"), 2,
     "unknown person 'alex-morgen'"),
    (("--school", "hill-top", "--activity", "education-review", "--action", "Send the plan"), 2,
     'is not "text;owner;due"'),
    (("--school", "hill-top", "--activity", "education-review", "--action", "Send;head;soon"), 2,
     "'soon' is not a date"),
    (("--school", "hill-top", "--activity", "education-review", "--engagement", "valley-reading"), 2,
     "engagement 'valley-reading' is for valley, not hill-top"),
    (("--school", "hill-top", "--activity", "education-review", "--engagement", "valley-readin"), 2,
     "unknown engagement"),
    (("--school", "hill-top", "--activity", "education-review", "--status", "cancelled"), 2, "needs a reason"),
    (("--school", "hill-top", "--activity", "education-review", "--status", "postponed", "--reason", "x"), 2,
     "needs its new date"),
    (("--school", "hill-top", "--activity", "education-review", "--date", "2026-11-30"), 2,
     "cannot be dated after today"),
    (("--school", "hill-top", "--activity", "education-review", "--days", "0"), 2, "more than 0"),
    (("--activity", "education-review"), 2, "--school is required"),
])
def test_refused_input_writes_nothing(stss: Any, repo: Path, args: tuple[str, ...], code: int,
                                      message: str) -> None:
    before = snapshot(repo)
    result = log_visit(stss, repo, *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert snapshot(repo) == before
    assert git(repo, "status", "--porcelain") == ""


def test_force_accepts_a_date_that_is_not_a_school_day(stss: Any, repo: Path) -> None:
    result = log_visit(stss, repo, "--school", "hill-top", "--activity", "partnership-visit",
                       "--date", "2026-11-14", "--force")
    assert result.exit_code == 0, result.output
    assert (repo / VISITS / "2026-11-14-hill-top-partnership-visit-c0ffee01.md").is_file()


def test_a_change_that_does_not_validate_is_refused_with_its_location(mini: Path) -> None:
    records = load(mini, use_cache=False).records
    text = "---\nschool: hill-top\nactivity: education-review\ndate: 2026-10-06\nstatus: done\n---\n"
    problems = check(records, [Change(f"{VISITS}/2026-10-06-hill-top-education-review.md", text)])
    assert [(p.line, p.message) for p in problems] == [
        (5, "status: 'done' is not one of: planned, completed, cancelled, postponed")]


def test_actions_are_parsed_from_text_owner_due() -> None:
    action = visits.parse_action(" Share the plan ; headteacher ; 2026-11-20 ")
    assert (action.text, action.owner, action.due, action.status) == (
        "Share the plan", "headteacher", dt.date(2026, 11, 20), "open")
    assert visits.parse_action("Share the plan;headteacher").due is None
    for bad in ("no owner", ";owner;", "a;b;c;d"):
        with pytest.raises(UsageError):
            visits.parse_action(bad)


# --- asking at a terminal --------------------------------------------------------------------------


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from stss.cli import ask

    monkeypatch.setattr(ask, "is_terminal", lambda: True)


@pytest.mark.usefixtures("terminal")
def test_missing_school_and_activity_are_asked_for(stss: Any, repo: Path) -> None:
    result = log_visit(stss, repo, "--date", "2026-11-10", "--notes", "-",
                       input="hill\npartner\n")
    # "hill" is a unique prefix of hill-top; "partner" of partnership-visit. The
    # notes come from stdin after the answers.
    assert result.exit_code == 0, result.output
    assert (repo / VISITS / "2026-11-10-hill-top-partnership-visit-c0ffee01.md").is_file()


@pytest.mark.usefixtures("terminal")
def test_an_unknown_answer_is_asked_again(stss: Any, repo: Path) -> None:
    result = log_visit(stss, repo, "--activity", "partnership-visit", "--date", "2026-11-10", "--notes", "-",
                       input="hilltop\nhill-top\n")
    assert result.exit_code == 0, result.output
    assert "not a school: did you mean 'hill-top'?" in result.stderr


@pytest.mark.usefixtures("terminal")
def test_the_editor_opens_the_activity_template(stss: Any, repo: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    write_records(repo, {"templates/notes/partnership-visit.md": "## Progress since last time\n\n## Agreed\n"})
    editor = tmp_path / "editor.py"
    editor.write_text(textwrap.dedent("""\
        import sys
        path = sys.argv[1]
        text = open(path, encoding="utf-8").read()
        open(path, "w", encoding="utf-8").write(text.replace("## Agreed\\n", "## Agreed\\nTermly data drop.\\n"))
        """), "utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    result = log_visit(stss, repo, "--school", "hill-top", "--activity", "partnership-visit", "--date", "2026-11-10")
    assert result.exit_code == 0, result.output
    text = (repo / VISITS / "2026-11-10-hill-top-partnership-visit-c0ffee01.md").read_text("utf-8")
    assert text.endswith("---\n## Progress since last time\n\n## Agreed\nTermly data drop.\n")


@pytest.mark.usefixtures("terminal")
def test_a_refused_visit_is_refused_before_the_editor_opens(stss: Any, repo: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITOR", "false")  # would fail the command if it were started
    result = log_visit(stss, repo, "--school", "hill-top", "--activity", "partnership-visit", "--date", "2026-11-14")
    assert result.exit_code == 1
    assert "not a school day (Saturday)" in result.stderr
    assert "editor" not in result.stderr


def test_the_default_template_has_summary_strengths_and_next_steps() -> None:
    assert visits.notes_template(None).split("\n\n\n") == ["## Summary", "## Strengths", "## Next steps\n\n"]


# --- committing ---------------------------------------------------------------------------------------


def test_commit_makes_one_commit_of_exactly_the_file_written(stss: Any, repo: Path) -> None:
    (repo / "notes-to-self.txt").write_text("not a record\n", "utf-8")  # untracked: must stay out
    head = git(repo, "rev-parse", "HEAD").strip()
    result = log_visit(stss, repo, "--school", "hill-top", "--activity", "education-review", "--commit")
    assert result.exit_code == 0, result.output
    assert git(repo, "rev-list", f"{head}..HEAD").count("\n") == 1
    assert git(repo, "show", "--name-only", "--format=%an <%ae>%n%s", "HEAD").splitlines() == [
        "Test Author <author@example.org>",
        "Log education review at Hill Top Primary (2026-10-06)",
        "",
        PLANNED,
    ]
    assert git(repo, "status", "--porcelain") == "?? notes-to-self.txt\n"


def test_commit_of_a_postponement_takes_both_files(stss: Any, repo: Path) -> None:
    result = log_visit(stss, repo, "--school", "hill-top", "--activity", "education-review", "--commit",
                       "--status", "postponed", "--reason", "Ofsted call", "--new-date", "2026-11-24")
    assert result.exit_code == 0, result.output
    assert git(repo, "show", "--name-only", "--format=%s", "HEAD").splitlines() == [
        "Postpone education review at Hill Top Primary (2026-10-06, now 2026-11-24)",
        "",
        PLANNED,
        f"{VISITS}/2026-11-24-hill-top-education-review-c0ffee01.md",
    ]


def test_commit_is_refused_when_other_changes_are_staged(stss: Any, repo: Path) -> None:
    (repo / "people/alex-morgan.yaml").write_text("name: Alex Morgan\ncapacity_days: 30\n", "utf-8")
    git(repo, "add", "people/alex-morgan.yaml")
    before = snapshot(repo)
    result = log_visit(stss, repo, "--school", "hill-top", "--activity", "education-review", "--commit")
    assert result.exit_code == 1
    assert "other changes are already staged (people/alex-morgan.yaml)" in result.stderr
    assert snapshot(repo) == before
    assert git(repo, "log", "--format=%s") == "Records\n"


def test_commit_outside_a_repository_is_refused(stss: Any, mini: Path) -> None:
    before = snapshot(mini)
    result = log_visit(stss, mini, "--school", "hill-top", "--activity", "partnership-visit",
                       "--date", "2026-11-10", "--commit")
    assert result.exit_code == 1
    assert "not in a git repository" in result.stderr
    assert snapshot(mini) == before


# --- an interrupted write -------------------------------------------------------------------------------

CRASH = """\
import os, sys
sys.path.insert(0, {repo!r})
replace = os.replace
def crash(src, dst):
    if str(dst).endswith(".md"):  # the visit, not the parse cache
        os._exit(70)  # killed after the temporary file is written, before the rename
    replace(src, dst)
os.replace = crash
from stss.cli.main import app
app(sys.argv[1:], prog_name="stss")
"""


def test_a_write_killed_before_the_rename_leaves_the_original_intact(repo: Path, tmp_path: Path) -> None:
    script = tmp_path / "crash.py"
    script.write_text(CRASH.format(repo=str(REPO)), "utf-8")
    before = snapshot(repo)
    done = subprocess.run(
        [sys.executable, str(script), "log-visit", "--records", str(repo), "--today", "2026-11-23",
         "--school", "hill-top", "--activity", "education-review", "--notes", "-"],
        input="## Summary\nLost in the crash.\n", capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)}, check=False,
    )
    assert done.returncode == 70, done.stderr
    # It got that far, and what it left is in the cache folder, out of the records and of git status.
    assert not [p for p in repo.rglob("*.tmp") if ".stss-cache" not in p.parts]
    leftovers = list((repo / ".stss-cache/tmp").iterdir())
    assert len(leftovers) == 1 and "Lost in the crash" in leftovers[0].read_text("utf-8")
    assert snapshot(repo) == before
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    # The next writer clears it.
    again = subprocess.run([sys.executable, "-m", "stss", "log-visit", "--records", str(repo), "--today",
                            "2026-11-23", "--school", "valley", "--activity", "partnership-visit"],
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, check=False)
    assert again.returncode == 0, again.stderr
    assert not list((repo / ".stss-cache/tmp").iterdir())
