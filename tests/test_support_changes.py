"""`stss edit-support SCHOOL --level L --from DATE`: a change of support level
within the year, written in place in the school's file; `stss history` and
the report tell it with its date and rationale."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from stss import history
from stss.history import Meta
from stss.loader import load
from stss.report_model import History
from stss.reporting import build
from stss.usage import usage
from tests.helpers import TWO_LEVEL_OFFER, changed_lines, git, make_repo, snapshot, write_records

SCHOOL = "schools/hill-top.yaml"
SCHOOL_TEXT = """\
name: Hill Top Primary          # the school's own spelling
phase: primary
membership: academy
joined: 2019-09-01
support:
  # Decided each July by the Standards Committee.
  2026-27:
    level: standard             # minute 12
    decided: 2026-07-08
    rationale: Secure; standard programme.
    # Reviewed at every committee meeting.
"""


@pytest.fixture
def repo(mini: Path) -> Path:
    write_records(mini, {"offer.yaml": TWO_LEVEL_OFFER, SCHOOL: SCHOOL_TEXT})
    return make_repo(mini)


def edit_support(stss: Any, root: Path, *args: str) -> Any:
    return stss("edit-support", "hill-top", "--records", root, "--today", "2026-12-10", *args)


def test_edit_support_from_keeps_every_comment(stss: Any, repo: Path) -> None:
    result = edit_support(stss, repo, "--level", "intensive", "--from", "2027-01-04",
                          "--rationale", "Safeguarding not met at the December inspection.")
    assert result.exit_code == 0, result.output
    assert "Recorded 2026-27 support for Hill Top Primary: intensive from 2027-01-04" in result.stdout
    text = (repo / SCHOOL).read_text("utf-8")
    assert text.startswith(SCHOOL_TEXT)  # every line, every comment, as it was
    assert changed_lines(git(repo, "diff")) == [
        "+    changes:",
        "+      - from: 2027-01-04",
        "+        level: intensive",
        "+        decided: 2026-12-10",
        "+        rationale: Safeguarding not met at the December inspection.",
    ]
    records = load(repo).records
    assert records.schools["hill-top"].support["2026-27"].changes[0].level == "intensive"


def test_a_second_change_goes_in_date_order_and_one_from_the_same_day_is_revised(stss: Any, repo: Path) -> None:
    assert edit_support(stss, repo, "--level", "intensive", "--from", "2027-04-12", "--rationale", "Summer.").exit_code == 0
    assert edit_support(stss, repo, "--level", "intensive", "--from", "2027-01-04", "--rationale", "Spring.").exit_code == 0
    assert edit_support(stss, repo, "--level", "standard", "--from", "2027-04-12", "--rationale", "Back.").exit_code == 0
    changes = load(repo).records.schools["hill-top"].support["2026-27"].changes
    assert [(c.from_, c.level, c.rationale) for c in changes] == [
        (dt.date(2027, 1, 4), "intensive", "Spring."), (dt.date(2027, 4, 12), "standard", "Back.")]


def test_a_change_from_january_is_what_usage_follows(stss: Any, repo: Path) -> None:
    assert edit_support(stss, repo, "--level", "intensive", "--from", "2027-01-04", "--rationale", "x").exit_code == 0
    rows = {(r.activity, r.period.name): r.entitled for r in usage(load(repo).records, "2026-27", dt.date(2026, 12, 10))}
    assert ("ceo-visit", "2026-27/autumn") not in rows
    assert rows[("ceo-visit", "2026-27/spring")] == 1 and rows[("education-review", "2026-27")] == 5


@pytest.mark.parametrize(("since", "message"), [
    ("2027-09-10", "schools/hill-top.yaml:13:15: error: the change from 2027-09-10 is outside 2026-27"),
    ("2026-07-01", "schools/hill-top.yaml:13:15: error: the change takes effect (2026-07-01) before the "
                   "year's decision (2026-07-08)"),
])
def test_a_change_outside_the_year_or_before_the_decision_is_refused_at_its_line(
        stss: Any, repo: Path, since: str, message: str) -> None:
    before = snapshot(repo)
    result = edit_support(stss, repo, "--level", "intensive", "--from", since, "--year", "2026-27",
                          "--rationale", "x")
    assert result.exit_code == 1, result.output
    assert message in result.stderr and "nothing was written" in result.stderr
    assert snapshot(repo) == before


def test_a_change_to_an_unknown_level_is_refused(stss: Any, repo: Path) -> None:
    before = snapshot(repo)
    result = edit_support(stss, repo, "--level", "intensensive", "--from", "2027-01-04", "--rationale", "x")
    assert result.exit_code == 2 and "unknown level 'intensensive'" in result.stderr
    assert "did you mean 'intensive'?" in result.stderr
    assert snapshot(repo) == before


def test_a_change_needs_the_years_decision_first(stss: Any, repo: Path) -> None:
    result = stss("edit-support", "hill-top", "--records", repo, "--today", "2027-09-10", "--level", "intensive",
                  "--from", "2027-01-04", "--year", "2026-27", "--rationale", "x")
    assert result.exit_code == 0  # the year is the one the change falls in
    (repo / SCHOOL).write_text(SCHOOL_TEXT.split("support:")[0], "utf-8")
    result = edit_support(stss, repo, "--level", "intensive", "--from", "2027-01-04", "--rationale", "x")
    assert result.exit_code == 2 and "has no support level for 2026-27 to change" in result.stderr


def test_a_flow_style_decision_opens_up_to_hold_its_changes(stss: Any, mini: Path) -> None:
    write_records(mini, {"offer.yaml": TWO_LEVEL_OFFER, SCHOOL: SCHOOL_TEXT.split("support:")[0]
                         + "support:\n  2026-27: {level: standard, decided: 2026-07-08}  # July\n"})
    assert edit_support(stss, mini, "--level", "intensive", "--from", "2027-01-04", "--rationale", "x").exit_code == 0
    text = (mini / SCHOOL).read_text("utf-8")
    assert "    level: standard\n    decided: 2026-07-08\n    changes:\n      - from: 2027-01-04\n" in text
    assert stss("validate", "--records", mini).exit_code == 0


def test_commit_names_the_change(stss: Any, repo: Path) -> None:
    result = edit_support(stss, repo, "--level", "intensive", "--from", "2027-01-04", "--rationale", "x", "--commit")
    assert result.exit_code == 0, result.output
    assert git(repo, "log", "-1", "--format=%s").strip() == (
        "Decide 2026-27 support for Hill Top Primary: intensive from 2027-01-04")


# --- history and the report ---------------------------------------------------------------

META = Meta(dt.date(2026, 12, 10), "abc1234", "Alex Morgan")


def test_history_tells_a_change_with_its_date_and_rationale() -> None:
    old = {"support": {"2026-27": {"level": "standard", "decided": dt.date(2026, 7, 1)}}}
    new = {"support": {"2026-27": {"level": "standard", "decided": dt.date(2026, 7, 1), "changes": [
        {"from": dt.date(2027, 1, 4), "level": "intensive", "decided": dt.date(2026, 12, 10), "risk": "red",
         "rationale": "Safeguarding not met\n at the December inspection."}]}}}
    assert [(e.kind, e.summary) for e in history.school_events("x", old, new, META)] == [
        ("support-change", "support level 2026-27: changes from 2027-01-04: standard -> intensive "
                           "(decided 2026-12-10; risk red; rationale: Safeguarding not met at the December inspection.)")]


def test_history_cli_shows_the_change(stss: Any, repo: Path) -> None:
    assert edit_support(stss, repo, "--level", "intensive", "--from", "2027-01-04",
                        "--rationale", "Safeguarding not met.", "--commit").exit_code == 0
    result = stss("history", "--records", repo, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = [r for r in json.loads(result.stdout)["events"] if r["kind"] == "support-change"]
    assert [r["summary"] for r in rows] == [
        "support level 2026-27: changes from 2027-01-04: standard -> intensive "
        "(decided 2026-12-10; rationale: Safeguarding not met.)"]


def test_the_report_model_carries_each_change_and_the_level_in_force(stss: Any, repo: Path) -> None:
    assert edit_support(stss, repo, "--level", "intensive", "--from", "2027-01-04", "--rationale", "Not met.").exit_code == 0
    records = load(repo).records
    rows = usage(records, "2026-27", dt.date(2027, 2, 1))
    spring = build(records, "2026-27", "spring", dt.date(2027, 2, 1), rows, History(False)).schools[0]
    assert (spring.level, spring.level_in_force, spring.level_in_force_name) == ("standard", "intensive", "Intensive")
    (change,) = spring.support_changes
    assert (change.from_date, change.previous_level_name, change.level_name, change.decided, change.rationale) == (
        dt.date(2027, 1, 4), "Standard", "Intensive", dt.date(2026, 12, 10), "Not met.")
    autumn = build(records, "2026-27", "autumn", dt.date(2026, 12, 11), rows, History(False)).schools[0]
    assert autumn.level_in_force == "standard" and autumn.support_changes == spring.support_changes
