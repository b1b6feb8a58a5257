"""Engagement objectives and progress reviews: ratings' direction, reviews recorded
in place with comments kept, the roll-up per report-card area, and the end report a
completed engagement needs (refused at its `status` line)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from stss import loader, objectives
from tests.helpers import changed_lines, git, make_repo, snapshot, write_records

ENGAGEMENT = "engagements/reading.yaml"
#: An engagement as a person writes it: comments, a plain-string objective, one with reviews.
READING = """\
school: hill-top
kind: deployment
title: Reading leadership
start: 2026-09-14
days: 6
objectives:
  # Agreed with the head at the launch meeting.
  - Phonics taught consistently in EYFS and KS1   # the head's priority
  - id: reading-leader
    text: Reading leader leads learning walks alone
    area: leadership-and-governance
    reviews:
      - {date: 2026-10-05, rag: red, note: Not yet started.}   # first review
status: active   # live
"""


def records_with(mini: Path, text: str, name: str = ENGAGEMENT) -> Path:
    return write_records(mini, {name: text})


def review(stss: Any, root: Path, *args: str) -> Any:
    return stss("review-objective", "--records", root, "--today", "2026-11-23", *args)


def validate(stss: Any, root: Path) -> Any:
    return stss("validate", "--records", root)


# --- ratings and their direction -------------------------------------------------


@pytest.mark.parametrize(("ratings", "expected"), [
    (["red", "amber"], "improving"),
    (["amber", "met"], "improving"),
    (["green", "amber"], "declining"),
    (["met", "red"], "declining"),
    (["amber", "amber"], "steady"),
    (["red", "green", "green"], "steady"),  # only the last two reviews count
    (["amber"], None),  # one review: no direction yet
])
def test_direction_compares_the_latest_review_with_the_one_before(
        mini: Path, ratings: list[str], expected: str | None) -> None:
    reviews = "\n".join(f"      - {{date: 2026-10-{10 + i:02d}, rag: {rag}}}" for i, rag in enumerate(ratings))
    records_with(mini, READING.replace("      - {date: 2026-10-05, rag: red, note: Not yet started.}   # first review",
                                       reviews))
    loaded = loader.load(mini)
    assert loaded.ok, loaded.problems
    [plain, reviewed] = objectives.progress("reading", loaded.records.engagements["reading"])
    assert (plain.ref, plain.latest, plain.direction) == ("1", None, None)
    assert reviewed.direction == expected
    assert reviewed.latest is not None and reviewed.latest.rag == ratings[-1]


def test_direction_follows_the_review_dates_not_the_order_written(mini: Path) -> None:
    records_with(mini, READING.replace("      - {date: 2026-10-05, rag: red, note: Not yet started.}   # first review",
                                       "      - {date: 2026-11-05, rag: green}\n      - {date: 2026-10-05, rag: red}"))
    loaded = loader.load(mini)
    assert [p.message for p in loaded.problems] == [
        "the review of 2026-10-05 is listed after a later one (2026-11-05)"]
    progress = objectives.progress("reading", loaded.records.engagements["reading"])[1]
    assert (progress.latest and progress.latest.rag, progress.direction) == ("green", "improving")


def test_engagements_lists_each_objectives_latest_rating_and_direction(stss: Any, mini: Path) -> None:
    records_with(mini, READING.replace("   # first review", "\n      - {date: 2026-11-09, rag: amber}"))
    rows = json.loads(stss("engagements", "--records", mini, "--today", "2026-11-23", "--format", "json").stdout)
    assert [(o["objective"], o["rag"], o["previous"], o["direction"]) for o in rows[0]["objectives"]] == [
        ("1", None, None, None), ("reading-leader", "amber", "red", "improving")]
    table = stss("engagements", "--records", mini, "--today", "2026-11-23").stdout
    assert re.search(r"\breading-leader +amber +2026-11-09 +improving +2 +Reading leader leads", table), table
    csv = stss("engagements", "--records", mini, "--today", "2026-11-23", "--format", "csv").stdout
    assert "1: not reviewed; reading-leader: amber (improving)" in csv


def test_plain_string_objectives_stay_valid(stss: Any, mini: Path) -> None:
    records_with(mini, "school: hill-top\nkind: project\ntitle: Reading\nstart: 2026-09-14\ndays: 2\n"
                       "objectives: [Phonics taught consistently, Keep-up sessions daily]\n")
    assert validate(stss, mini).exit_code == 0


# --- recording a review ------------------------------------------------------------


@pytest.fixture
def repo(mini: Path) -> Path:
    records_with(mini, READING)
    return make_repo(mini)


def test_a_review_is_added_in_place_and_every_other_line_and_comment_is_kept(stss: Any, repo: Path) -> None:
    result = review(stss, repo, "reading", "reading-leader", "--rag", "amber", "--note", "Led one walk with the SLE.",
                    "--date", "2026-11-20")
    assert result.exit_code == 0, result.output
    assert changed_lines(git(repo, "diff")) == ["+      - {date: 2026-11-20, rag: amber, note: Led one walk with the SLE.}"]
    assert validate(stss, repo).exit_code == 0


def test_a_plain_string_objective_is_given_an_id_from_its_words_and_keeps_its_comment(stss: Any, repo: Path) -> None:
    result = review(stss, repo, "reading", "1", "--rag", "green", "--note", "Consistent in every class.")
    assert result.exit_code == 0, result.output
    assert "Objective 1 now has the id 'phonics-taught-consistently'" in result.stdout
    text = (repo / ENGAGEMENT).read_text("utf-8")
    assert """\
  # Agreed with the head at the launch meeting.
  - id: phonics-taught-consistently
    text: Phonics taught consistently in EYFS and KS1 # the head's priority
    reviews:
      - {date: 2026-11-23, rag: green, note: Consistent in every class.}
  - id: reading-leader
""" in text
    assert text.endswith("status: active   # live\n")
    again = review(stss, repo, "reading", "phonics-taught-consistently", "--rag", "met", "--note", "Secure.")
    assert again.exit_code == 0, again.output
    assert (repo / ENGAGEMENT).read_text("utf-8").count("phonics-taught-consistently") == 1


def test_a_review_recorded_late_goes_in_date_order(stss: Any, repo: Path) -> None:
    assert review(stss, repo, "reading", "reading-leader", "--rag", "green", "--note", "Alone.").exit_code == 0
    result = review(stss, repo, "reading", "reading-leader", "--rag", "amber", "--note", "With the SLE.",
                    "--date", "2026-11-02")
    assert result.exit_code == 0, result.output
    assert changed_lines(git(repo, "diff")) == [
        "+      - {date: 2026-11-02, rag: amber, note: With the SLE.}",
        "+      - {date: 2026-11-23, rag: green, note: Alone.}"]
    assert validate(stss, repo).exit_code == 0


def test_a_review_with_commit_commits_exactly_the_engagement_file(stss: Any, repo: Path) -> None:
    result = review(stss, repo, "reading", "reading-leader", "--rag", "green", "--note", "Leads walks alone.",
                    "--commit")
    assert result.exit_code == 0, result.output
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "show", "--name-only", "--format=%s", "HEAD").split() == [
        "Review", "Reading", "leadership,", "objective", "reading-leader:", "green", ENGAGEMENT]


def test_a_review_before_the_engagement_starts_is_refused_and_nothing_is_written(stss: Any, repo: Path) -> None:
    before = snapshot(repo)
    result = review(stss, repo, "reading", "reading-leader", "--rag", "green", "--note", "x", "--date", "2026-09-01")
    assert result.exit_code == 1
    assert f"{ENGAGEMENT}:13:16: error: the review of 2026-09-01 is before the engagement starts" in result.stderr
    assert snapshot(repo) == before


@pytest.mark.parametrize(("args", "message"), [
    (("reading", "reading-leader", "--rag", "green", "--note", "x", "--date", "2026-12-01"), "after today"),
    (("reading", "readng-leader", "--rag", "green", "--note", "x"), "did you mean 'reading-leader'"),
    (("reading", "3", "--rag", "green", "--note", "x"), "no objective '3'"),
    (("reading", "1", "--rag", "purple", "--note", "x"), "'purple' is not one of"),
    (("reading", "1", "--rag", "green", "--note", "  "), "--note is empty"),
    (("nowhere", "1", "--rag", "green", "--note", "x"), "unknown engagement 'nowhere'"),
])
def test_a_review_that_cannot_be_recorded_is_a_usage_error(stss: Any, repo: Path, args: tuple[str, ...],
                                                           message: str) -> None:
    before = snapshot(repo)
    result = review(stss, repo, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert snapshot(repo) == before


def test_a_hostile_note_is_recorded_as_text_and_reads_back_the_same(stss: Any, repo: Path) -> None:
    note = "- {rag: met}\n# end: yes, [x] & *alias 'q\" %s --- <script>"
    result = review(stss, repo, "reading", "reading-leader", "--rag", "amber", "--note", note)
    assert result.exit_code == 0, result.output
    loaded = loader.load(repo)
    assert loaded.ok, loaded.problems
    [review_added] = loaded.records.engagements["reading"].objectives[1].reviews[1:]
    assert (review_added.rag, review_added.note) == ("amber", " ".join(note.split()))


# --- the roll-up per school and report-card area ----------------------------------------


def test_ratings_roll_up_per_school_and_area_as_the_worst_latest_rating(mini: Path) -> None:
    write_records(mini, {
        ENGAGEMENT: READING.replace("area: leadership-and-governance", "area: curriculum-and-teaching"),
        "engagements/writing.yaml": """\
            school: hill-top
            kind: project
            title: Writing
            start: 2026-09-14
            days: 3
            objectives:
              - {id: handwriting, text: Handwriting, area: curriculum-and-teaching,
                 reviews: [{date: 2026-10-01, rag: red}, {date: 2026-11-01, rag: green}]}
              - {id: governors, text: Governors, area: leadership-and-governance,
                 reviews: [{date: 2026-11-02, rag: amber}]}
              - {id: unrated, text: Not on an area, reviews: [{date: 2026-11-03, rag: red}]}
            """})
    loaded = loader.load(mini)
    assert loaded.ok, loaded.problems
    ratings = objectives.area_ratings(loaded.records)
    assert [(a.area, a.rag, str(a.reviewed), [p.ref for p in a.objectives]) for a in ratings["hill-top"]] == [
        ("curriculum-and-teaching", "red", "2026-11-01", ["reading-leader", "handwriting"]),
        ("leadership-and-governance", "amber", "2026-11-02", ["governors"]),
    ]


# --- rules validate enforces ------------------------------------------------------------


def test_a_completed_engagement_without_an_end_report_is_an_error_at_its_status_line(stss: Any, mini: Path) -> None:
    records_with(mini, READING.replace("status: active   # live", "status: completed"))
    result = validate(stss, mini)
    assert result.exit_code == 1
    assert f"{ENGAGEMENT}:14:9: error: a completed engagement needs an end_report" in result.stdout
    records_with(mini, READING.replace("status: active   # live", """\
status: completed
end_report: {date: 2026-12-18, outcome: Phonics secure., recommendation: trust-partnership}"""))
    assert validate(stss, mini).exit_code == 0


@pytest.mark.parametrize(("change", "where"), [
    (("  - Phonics taught consistently in EYFS and KS1   # the head's priority",
      "  - {id: reading-leader, text: Phonics}"), "9:9: error: objective 'reading-leader' is listed twice"),
    (("status: active   # live", "status: stopped\nend_report: {date: 2026-09-01, outcome: x, recommendation: none}"),
     "15:20: error: the end report (2026-09-01) is dated before the engagement starts"),
    (("status: active   # live", "end_report: {date: 2026-12-01, outcome: x, recommendation: join}"),
     "14:60: error: end_report.recommendation: 'join' is not one of: trust-partnership, further-support, none"),
    (("rag: red", "rag: pink"), "13:33: error: objectives.1.reviews.0.rag: 'pink' is not one of"),
    (("area: leadership-and-governance", "area: leadership"), "11:11: error: objectives.1.area: 'leadership'"),
])
def test_objective_and_end_report_mistakes_are_located(stss: Any, mini: Path, change: tuple[str, str],
                                                       where: str) -> None:
    records_with(mini, READING.replace(*change))
    result = validate(stss, mini)
    assert result.exit_code == 1
    assert f"{ENGAGEMENT}:{where}" in result.stdout, result.stdout
