"""`stss history` and `stss.history`: git history read as events, against real repositories."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from stss import history, layout
from stss.errors import GitError
from stss.history import Meta
from tests.helpers import MINI_OFFER, MINI_PERSON, MINI_TRUST, commit, git, write_records

SCHOOL = """\
urn: 140001
name: Hill Top Primary
phase: primary
membership: joining           # converts in January
joined: 2027-01-01
headteacher: {name: Sam Patel, started: 2020-09-01}
support:
  2026-27: {level: core, decided: 2026-07-08, rationale: Joining in January.}
"""

ENGAGEMENT = """\
school: hill-top
kind: directed-support
title: Reading leadership support
start: 2026-09-14
days: 6
status: active
"""


def visit(day: str, status: str = "planned", reason: str | None = None, notes: str = "") -> str:
    lines = ["---", "school: hill-top", "activity: education-review", f"date: {day}", f"status: {status}",
             "staff: [alex-morgan]"]
    if reason:
        lines.append(f"reason: {reason}")
    return "\n".join([*lines, "---", notes]) + "\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A trust's repository with records in a subfolder and four commits by three people."""
    repo = tmp_path / "trust-repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    (repo / "README.md").write_text("Our records\n")
    root = write_records(repo / "records", {
        "trust.yaml": MINI_TRUST, "offer.yaml": MINI_OFFER, "people/alex-morgan.yaml": MINI_PERSON,
        "schools/hill-top.yaml": SCHOOL,
        "visits/2026-27/2026-10-06-hill-top-education-review.md": visit("2026-10-06"),
        "visits/2026-27/2026-11-10-hill-top-education-review.md": visit("2026-11-10"),
    })
    commit(repo, "Start the records", "Alice Able", "2026-09-01T10:00:00+01:00")

    school = (root / "schools/hill-top.yaml").read_text()
    school = school.replace("membership: joining ", "membership: academy ").replace(
        "{level: core, decided: 2026-07-08, rationale: Joining in January.}",
        "{level: enhanced, decided: 2026-10-01, rationale: Reading needs attention.}")
    (root / "schools/hill-top.yaml").write_text(school)
    write_records(root, {"engagements/hill-top-reading.yaml": ENGAGEMENT})
    commit(repo, "Board: enhanced support for Hill Top", "Bob Brown", "2026-10-02T09:00:00+01:00")

    old = root / "visits/2026-27/2026-10-06-hill-top-education-review.md"
    old.unlink()
    write_records(root, {
        "visits/2026-27/2026-10-13-hill-top-education-review.md": visit("2026-10-13", notes="Moved: INSET."),
    })
    (root / "visits/2026-27/2026-11-10-hill-top-education-review.md").write_text(
        visit("2026-11-10", "cancelled", reason="Headteacher ill"))
    commit(repo, "Move and cancel reviews", "Chloé Côté", "2026-10-05T16:30:00+01:00")

    (root / "visits/2026-27/2026-10-13-hill-top-education-review.md").write_text(
        visit("2026-10-13", "completed", notes="Moved: INSET. Went well."))
    (root / "engagements/hill-top-reading.yaml").write_text(ENGAGEMENT.replace("active", "completed"))
    commit(repo, "Log the review; close the reading work", "Alice Able", "2026-10-14T12:00:00+01:00")
    return root


def kinds(events: list[history.Event]) -> list[tuple[str, str]]:
    return [(e.kind, e.author) for e in events]


def test_history_tells_each_change_with_its_date_and_author(repo: Path) -> None:
    found = history.events(repo, None, None)
    by_kind = {e.kind: e for e in found}
    assert kinds(found) == [
        ("school-added", "Alice Able"),
        ("support-level", "Alice Able"),
        ("visit-planned", "Alice Able"),
        ("visit-planned", "Alice Able"),
        ("engagement-opened", "Bob Brown"),
        ("school-joined", "Bob Brown"),
        ("support-level", "Bob Brown"),
        ("visit-moved", "Chloé Côté"),
        ("visit-cancelled", "Chloé Côté"),
        ("engagement-closed", "Alice Able"),
        ("visit-logged", "Alice Able"),
    ]
    assert by_kind["school-joined"].summary == "school joined (membership joining -> academy, joined 2027-01-01)"
    assert by_kind["school-joined"].date == dt.date(2026, 10, 2)
    assert by_kind["school-joined"].school == "hill-top"
    assert found[6].summary == "support level 2026-27: core -> enhanced (rationale: Reading needs attention.)"
    assert by_kind["visit-moved"].summary == "visit moved: education-review 2026-10-06 -> 2026-10-13"
    assert by_kind["visit-cancelled"].summary == "visit cancelled: education-review on 2026-11-10: Headteacher ill"
    assert by_kind["visit-logged"].summary == "visit completed: education-review on 2026-10-13"
    assert by_kind["engagement-closed"].summary == "engagement closed (completed): Reading leadership support"
    assert by_kind["engagement-closed"].school == "hill-top"
    assert all(len(e.commit) >= 7 for e in found)


def test_events_between_two_dates(repo: Path) -> None:
    found = history.events(repo, dt.date(2026, 10, 2), dt.date(2026, 10, 5))
    assert {e.author for e in found} == {"Bob Brown", "Chloé Côté"}


def test_history_cli_filters_by_school_date_and_revision(repo: Path, stss: Any) -> None:
    result = stss("history", "hill-top", "--since", "2026-10-03", "--records", repo, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [e["kind"] for e in doc["events"]] == ["visit-moved", "visit-cancelled", "engagement-closed",
                                                  "visit-logged"]
    assert doc["shallow"] is False and doc["notes"] == []
    first = git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
    result = stss("history", "--since", first, "--records", repo, "--format", "json")
    assert "Alice Able" not in {e["author"] for e in json.loads(result.stdout)["events"][:1]}
    assert len(json.loads(result.stdout)["events"]) == 7


def test_history_table(repo: Path, stss: Any) -> None:
    result = stss("history", "--records", repo, "--since", "2026-10-02", "--until", "2026-10-02")
    assert result.exit_code == 0, result.output
    assert "core -> enhanced" in result.stdout and "Bob Brown" in result.stdout
    assert "3 change(s) in 1 commit(s)." in result.stdout


def test_unknown_school_and_bad_since_are_usage_errors(repo: Path, stss: Any) -> None:
    result = stss("history", "hill-tip", "--records", repo)
    assert result.exit_code == 2 and "did you mean 'hill-top'" in result.stderr
    result = stss("history", "--since", "no-such-tag", "--records", repo)
    assert result.exit_code == 2 and "neither a date" in result.stderr


def test_uncommitted_changes_are_noted(repo: Path, stss: Any) -> None:
    (repo / "schools/hill-top.yaml").write_text(SCHOOL.replace("Sam Patel", "Jo Bloggs"))
    result = stss("history", "--records", repo, "--since", "2026-10-14")
    assert "1 record file(s) have changes not yet committed" in result.stderr


def test_shallow_clone_says_what_history_is_missing(repo: Path, tmp_path: Path, stss: Any) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--depth", "1", f"file://{repo.parent}", str(clone))
    result = stss("history", "--records", clone / "records", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["shallow"] is True
    assert doc["events"] == []  # the one commit here cannot be told from what came before it
    assert "shallow clone: history before 2026-10-14 is missing" in doc["notes"][0]
    assert "git fetch --unshallow" in doc["notes"][0]
    text = stss("history", "--records", clone / "records")
    assert "note: this is a shallow clone" in text.stderr


def test_outside_a_repository_history_exits_1(mini: Path, stss: Any) -> None:
    result = stss("history", "--records", mini)
    assert result.exit_code == 1
    assert "not in a git repository" in result.stderr


def test_outside_a_repository_git_says_so_by_type(mini: Path) -> None:
    """Callers tell "not a repository" from other git failures by its type, not its wording."""
    from stss import git as stss_git

    with pytest.raises(stss_git.NotARepository, match="not in a git repository"):
        stss_git.require_repo(mini)
    with pytest.raises(stss_git.NotARepository, match="--commit cannot commit"):
        stss_git.ready_to_commit(mini)
    assert issubclass(stss_git.NotARepository, GitError)


def test_a_repository_with_no_commits(mini: Path, stss: Any) -> None:
    git(mini, "init", "--quiet")
    result = stss("history", "--records", mini, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["notes"] == ["the repository has no commits yet"]


# --- the pure part: old and new documents -> events ------------------------------------

META = Meta(dt.date(2026, 11, 2), "abc1234", "Alex Morgan")


def test_support_decisions_and_membership_changes() -> None:
    old = {"membership": "academy", "support": {"2026-27": {"level": "core"}},
           "headteacher": {"name": "A"}}
    new = {"membership": "external", "support": {"2026-27": {"level": "core", "rationale": "Reviewed  in\nMarch"},
                                                 "2027-28": {"level": "enhanced"}},
           "headteacher": {"name": "B", "started": dt.date(2026, 11, 1)}}
    summaries = [(e.kind, e.summary) for e in history.school_events("x", old, new, META)]
    assert summaries == [
        ("school-left", "school left (membership academy -> external)"),
        ("headteacher", "headteacher A -> B (started 2026-11-01)"),
        ("support-level", "support level 2026-27: core (revised: rationale) (rationale: Reviewed in March)"),
        ("support-level", "support level 2027-28: enhanced"),
    ]
    assert [e.kind for e in history.school_events("x", old, None, META)] == ["school-removed"]


def test_an_inspection_and_gias_details() -> None:
    old = {"name": "Hill Top", "phase": "primary", "inspections": []}
    new = {"name": "Hill Top Primary", "phase": "primary",
           "inspections": [{"date": dt.date(2026, 3, 4), "framework": "ofsted-2019", "judgement": "good"}]}
    assert [e.summary for e in history.school_events("x", old, new, META)] == [
        "name: Hill Top -> Hill Top Primary", "inspection 2026-03-04 recorded: good"]


def test_postponed_visit_and_a_visit_removed() -> None:
    planned = {"school": "x", "activity": "education-review", "date": dt.date(2026, 10, 6), "status": "planned"}
    postponed = {**planned, "status": "postponed", "reason": "Snow"}
    assert [(e.kind, e.summary) for e in history.visit_events(planned, postponed, META)] == [
        ("visit-postponed", "visit postponed: education-review on 2026-10-06: Snow")]
    assert [e.kind for e in history.visit_events(planned, None, META)] == ["visit-removed"]


def test_a_visit_removed_and_added_in_one_commit_is_a_move() -> None:
    old = {"school": "x", "activity": "a", "date": dt.date(2026, 10, 6), "status": "planned"}
    new = {**old, "date": dt.date(2026, 10, 8)}
    other = {**old, "activity": "b"}
    paired = history.pair_moves([("visits/y/old.md", old, None), ("visits/y/new.md", None, new),
                                 ("visits/y/b.md", None, other)])
    assert paired == [("visits/y/new.md", old, new), ("visits/y/b.md", None, other)]


def test_malformed_values_do_not_break_the_history() -> None:
    found = history.school_events("x", {"support": "core"}, {"support": {"2026-27": "core"}}, META)
    assert [e.kind for e in found] == ["support-level"]
    assert history.diff("trust.yaml", {}, {}, META) == []


def test_objective_reviews_and_an_end_report_are_told() -> None:
    old = {"title": "Reading", "status": "active", "objectives": [
        "Phonics", {"id": "leader", "text": "Leader", "reviews": [{"date": dt.date(2026, 10, 1), "rag": "red"}]}]}
    new = {"title": "Reading", "status": "completed", "objectives": [
        {"id": "phonics", "text": "Phonics", "reviews": [{"date": dt.date(2026, 12, 1), "rag": "met"}]},
        {"id": "leader", "text": "Leader", "reviews": [{"date": dt.date(2026, 10, 1), "rag": "red"},
                                                       {"date": dt.date(2026, 12, 1), "rag": "amber"}]}],
           "end_report": {"date": dt.date(2026, 12, 18), "outcome": "x", "recommendation": "trust-partnership"}}
    assert [(e.kind, e.summary) for e in history.engagement_events(old, new, META)] == [
        ("engagement-closed", "engagement closed (completed): Reading"),
        ("objective-reviewed", "Reading: objective phonics reviewed 2026-12-01: met"),
        ("objective-reviewed", "Reading: objective leader reviewed 2026-12-01: amber"),
        ("engagement-end-report", "end of deployment report: Reading: recommendation trust partnership"),
    ]
    assert history.engagement_events(new, new, META) == []
    assert history.engagement_events({"objectives": "x"}, {"objectives": [{"reviews": "x"}, 5]}, META) == []


def test_one_school_s_history_is_read_from_its_own_files_only(repo: Path) -> None:
    other = (repo / "schools/hill-top.yaml").read_text().replace("urn: 140001", "urn: 140002")
    write_records(repo, {
        "schools/vale.yaml": other,
        "visits/2026-27/2026-10-20-vale-education-review.md": visit("2026-10-20").replace("hill-top", "vale"),
    })
    commit(repo.parent, "Vale joins", "Dana Drew", "2026-10-16T09:00:00+01:00")
    everything = history.events(repo, None, None)
    assert {e.school for e in everything} == {"hill-top", "vale"}
    for school in ("hill-top", "vale"):
        assert history.events(repo, None, None, school) == [e for e in everything if e.school == school]
    assert layout.history_paths("vale")[0] == "schools/vale.yaml"
