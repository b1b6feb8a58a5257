"""`stss edit-support`: the year's support decision, edited in the school's file
so that its comments and layout survive (checked with `git diff`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import changed_lines, git, git_run, make_repo, snapshot, write_records

SCHOOL = "schools/hill-top.yaml"
SCHOOL_TEXT = """\
urn: 140001
name: Hill Top Primary
phase: primary
membership: academy
joined: 2019-09-01
inspections:                       # newest last
  - {date: 2023-03-14, framework: ofsted-2019, judgement: requires-improvement}
support:
  # Decided each July by the Standards Committee.
  2026-27:
    level: core
    decided: 2026-07-08
    rationale: "Stable leadership; watch KS2 writing."   # minute 12
    extra:
      - {activity: partnership-visit, count: 1, per: year}
"""


@pytest.fixture
def repo(mini: Path) -> Path:
    write_records(mini, {SCHOOL: SCHOOL_TEXT})
    (mini / "trust.yaml").write_text((mini / "trust.yaml").read_text("utf-8") + """\
  2027-28:
    autumn: {start: 2027-09-02, half_term: [2027-10-25, 2027-10-29], end: 2027-12-17}
    spring: {start: 2028-01-04, half_term: [2028-02-14, 2028-02-18], end: 2028-03-24}
    summer: {start: 2028-04-10, half_term: [2028-05-29, 2028-06-02], end: 2028-07-20}
""", "utf-8")
    return make_repo(mini)


def edit_support(stss: Any, root: Path, *args: str) -> Any:
    return stss("edit-support", "--records", root, "--today", "2026-11-23", *args)


def test_a_new_decision_changes_only_the_lines_it_changes(stss: Any, repo: Path) -> None:
    result = edit_support(stss, repo, "hill-top", "--year", "2026-27", "--level", "core",
                          "--rationale", "Writing dipped in the autumn data drop.", "--decided", "2026-11-20")
    assert result.exit_code == 0, result.output
    assert changed_lines(git(repo, "diff")) == [
        "-    decided: 2026-07-08",
        '-    rationale: "Stable leadership; watch KS2 writing."   # minute 12',
        "+    decided: 2026-11-20",
        '+    rationale: "Writing dipped in the autumn data drop." # minute 12',  # its quoting kept
    ]


def test_a_new_year_is_added_after_the_others_keeping_everything_else(stss: Any, repo: Path) -> None:
    rationale = ("Writing and maths both need attention after the 2027 inspection; enhanced offer "
                 "with two subject deep dives in the autumn term.")
    result = edit_support(stss, repo, "hill-top", "--year", "2027-28", "--level", "core",
                          "--rationale", rationale, "--decided", "2027-07-07")
    assert result.exit_code == 0, result.output
    text = (repo / SCHOOL).read_text("utf-8")
    assert text.startswith(SCHOOL_TEXT)
    assert text[len(SCHOOL_TEXT):] == (
        "  2027-28:\n"
        "    level: core\n"
        "    decided: 2027-07-07\n"
        "    rationale: >-\n"
        "      Writing and maths both need attention after the 2027 inspection;\n"
        "      enhanced offer with two subject deep dives in the autumn term.\n"
    )
    assert stss("validate", "--records", repo).exit_code == 0


def test_a_school_with_no_support_gets_a_support_section(stss: Any, mini: Path) -> None:
    write_records(mini, {"schools/valley.yaml": "name: Valley Primary\nphase: primary\nmembership: external\n"})
    result = edit_support(stss, mini, "valley", "--year", "2026-27", "--level", "core", "--rationale", "Traded.")
    assert result.exit_code == 0, result.output
    assert (mini / "schools/valley.yaml").read_text("utf-8") == (
        "name: Valley Primary\nphase: primary\nmembership: external\n"
        "support:\n  2026-27:\n    level: core\n    decided: 2026-11-23\n    rationale: Traded.\n"
    )


def test_a_flow_style_decision_stays_on_one_line(stss: Any, mini: Path) -> None:
    make_repo(mini)
    result = edit_support(stss, mini, "hill-top", "--year", "2026-27", "--level", "core",
                          "--rationale", "Steady.", "--decided", "2026-07-08")
    assert result.exit_code == 0, result.output
    assert changed_lines(git(mini, "diff")) == [
        "-  2026-27: {level: core, decided: 2026-07-08}",
        "+  2026-27: {level: core, decided: 2026-07-08, rationale: Steady.}",
    ]


@pytest.mark.parametrize(("args", "message"), [
    (("hill-tops", "--level", "core", "--rationale", "x"), "did you mean 'hill-top'?"),
    (("hill-top", "--level", "cor", "--rationale", "x"), "unknown level 'cor'"),
    (("hill-top", "--level", "core", "--rationale", "x", "--year", "2030-31"), "not an academic year"),
    (("hill-top", "--level", "core"), "--rationale is required"),
    (("hill-top", "--rationale", "x"), "--level is required"),
])
def test_refused_input_writes_nothing(stss: Any, repo: Path, args: tuple[str, ...], message: str) -> None:
    before = snapshot(repo)
    result = edit_support(stss, repo, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert snapshot(repo) == before


def test_commit_makes_one_commit_of_the_school_file(stss: Any, repo: Path) -> None:
    result = edit_support(stss, repo, "hill-top", "--year", "2026-27", "--level", "core",
                          "--rationale", "Writing dipped.", "--commit")
    assert result.exit_code == 0, result.output
    assert git(repo, "log", "--format=%s").splitlines() == [
        "Decide 2026-27 support for Hill Top Primary: core", "Records"]
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [SCHOOL]
    assert git_run(repo, "diff", "--quiet", "HEAD").returncode == 0
