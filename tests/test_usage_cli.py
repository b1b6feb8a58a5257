"""`stss usage`, `capacity`, `engagements`, `actions` on the example trust.

The expected figures were worked out by hand from records/ (offer.yaml, the
school files and the visit files), as of 2026-11-23.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from tests.helpers import EXAMPLE, TODAY

Row = tuple[str, str, int, int, int, int, int, int, str]


def usage(stss: Any, *args: str) -> list[dict[str, Any]]:
    result = stss("usage", "--records", EXAMPLE, "--today", TODAY, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def table(rows: list[dict[str, Any]]) -> list[Row]:
    return [(r["activity"], r["period"], r["entitled"], r["completed"], r["planned"], r["overdue"],
             r["remaining"], r["over"], r["status"]) for r in rows]


def test_json_has_exactly_the_documented_keys(stss: Any) -> None:
    rows = usage(stss)
    assert rows and all(list(r) == ["school", "activity", "period", "entitled", "completed", "planned",
                                    "overdue", "remaining", "over", "status"] for r in rows)


def test_meadowbank_joins_in_spring(stss: Any) -> None:
    # Joins 2027-01-04 (spring starts that day): core from spring; yearly counts
    # scaled by 2 terms of 3, rounded up; governance due in its joining year.
    assert table(usage(stss, "--school", "meadowbank-primary")) == [
        ("education-review", "2026-27", 2, 0, 1, 0, 1, 0, "due"),
        ("governance-review", "2026-27", 1, 0, 1, 0, 0, 0, "on-track"),
        ("headteacher-coaching", "2026-27", 4, 0, 1, 0, 3, 0, "due"),
        # The headteachers' network is a trust-wide event: owed from spring, like the rest.
        ("headteacher-network", "2026-27/spring", 1, 0, 0, 0, 1, 0, "due"),
        ("headteacher-network", "2026-27/summer", 1, 0, 0, 0, 1, 0, "due"),
        ("partnership-visit", "2026-27/spring", 1, 0, 1, 0, 0, 0, "on-track"),
        ("partnership-visit", "2026-27/summer", 1, 0, 0, 0, 1, 0, "due"),
        ("safeguarding-review", "2026-27/spring-1", 1, 0, 1, 0, 0, 0, "on-track"),
        ("safeguarding-review", "2026-27/spring-2", 1, 0, 1, 0, 0, 0, "on-track"),
        ("safeguarding-review", "2026-27/summer-1", 1, 0, 0, 0, 1, 0, "due"),
        ("safeguarding-review", "2026-27/summer-2", 1, 0, 0, 0, 1, 0, "due"),
    ]


def test_st_annes_church_school_with_governance_due(stss: Any) -> None:
    # Church of England: 3 distinctiveness visits (the October one was cancelled);
    # joined 2017, so the 3-yearly governance review falls in 2026-27.
    assert table(usage(stss, "--school", "st-annes-ce-primary")) == [
        ("christian-distinctiveness-visit", "2026-27", 3, 0, 1, 0, 2, 0, "due"),
        ("education-review", "2026-27", 2, 0, 1, 0, 1, 0, "due"),
        ("governance-review", "2026-27", 1, 0, 1, 0, 0, 0, "on-track"),
        ("headteacher-coaching", "2026-27", 6, 2, 0, 0, 4, 0, "due"),
        # St Anne's took part in the October network meeting (events/2026-27/).
        ("headteacher-network", "2026-27/autumn", 1, 1, 0, 0, 0, 0, "on-track"),
        ("headteacher-network", "2026-27/spring", 1, 0, 0, 0, 1, 0, "due"),
        ("headteacher-network", "2026-27/summer", 1, 0, 0, 0, 1, 0, "due"),
        ("partnership-visit", "2026-27/autumn", 1, 1, 0, 0, 0, 0, "on-track"),
        ("partnership-visit", "2026-27/spring", 1, 0, 0, 0, 1, 0, "due"),
        ("partnership-visit", "2026-27/summer", 1, 0, 0, 0, 1, 0, "due"),
        ("safeguarding-review", "2026-27/autumn-1", 1, 1, 0, 0, 0, 0, "on-track"),
        ("safeguarding-review", "2026-27/autumn-2", 1, 0, 1, 0, 0, 0, "on-track"),
        ("safeguarding-review", "2026-27/spring-1", 1, 0, 0, 0, 1, 0, "due"),
        ("safeguarding-review", "2026-27/spring-2", 1, 0, 0, 0, 1, 0, "due"),
        ("safeguarding-review", "2026-27/summer-1", 1, 0, 0, 0, 1, 0, "due"),
        ("safeguarding-review", "2026-27/summer-2", 1, 0, 0, 0, 1, 0, "due"),
    ]


def test_kingsmead_enhanced_with_extra_and_a_new_head(stss: Any) -> None:
    rows = table(usage(stss, "--school", "kingsmead-high-school"))
    expected = [
        # 1 CEO visit a term (enhanced) plus 2 a year (extra): the September
        # visits fill the autumn term first, then the yearly line.
        ("ceo-visit", "2026-27", 2, 1, 0, 0, 1, 0, "due"),
        ("ceo-visit", "2026-27/autumn", 1, 1, 0, 0, 0, 0, "on-track"),
        # The postponed September review counts for nothing.
        ("education-review", "2026-27", 2, 0, 1, 0, 1, 0, "due"),
        # New headteacher from 2026-09-01: mentoring owed.
        ("headteacher-mentoring", "2026-27", 6, 1, 1, 0, 4, 0, "due"),
        # The autumn deep dive fills the yearly line: enhanced owes no termly one.
        ("subject-deep-dive", "2026-27", 2, 1, 1, 0, 0, 0, "on-track"),
    ]
    for row in expected:
        assert row in rows
    # The NLE's support days come through the RISE engagement, not the offer:
    # they are not owed a second time here.
    assert not [r for r in rows if r[0] == "support-day"]
    # Joined January 2020: governance reviews fall in 2019-20, 2022-23, 2025-26.
    assert not [r for r in rows if r[0] == "governance-review"]


def test_filters_and_csv(stss: Any) -> None:
    rows = usage(stss, "--school", "st-annes-ce-primary", "--term", "spring", "--activity", "safeguarding-review")
    assert [r["period"] for r in rows] == ["2026-27/spring-1", "2026-27/spring-2"]
    result = stss("usage", "--records", EXAMPLE, "--today", TODAY, "--format", "csv", "--school", "st-annes-ce-primary")
    parsed = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(parsed) == 16 and parsed[0]["activity"] == "christian-distinctiveness-visit"


def test_year_defaults_to_the_one_containing_today(stss: Any) -> None:
    rows = stss("usage", "--records", EXAMPLE, "--today", "2026-03-01", "--format", "json")
    assert {r["period"][:7] for r in json.loads(rows.stdout)} == {"2025-26"}


def test_table_groups_by_school_with_statuses(stss: Any) -> None:
    result = stss("usage", "--records", EXAMPLE, "--today", TODAY, "--school", "meadowbank-primary")
    assert result.exit_code == 0
    assert "Meadowbank Primary School" in result.stdout and "on-track" in result.stdout
    assert "15 owed, 0 completed, 6 planned, 0 overdue, 0 missed" in result.stdout


@pytest.mark.parametrize("args", [("--school", "nowhere"), ("--year", "2030-31"), ("--term", "winter")])
def test_bad_filters_are_usage_errors(stss: Any, args: tuple[str, str]) -> None:
    result = stss("usage", "--records", EXAMPLE, "--today", TODAY, *args)
    assert result.exit_code == 2 and "stss:" in result.stderr


def test_capacity(stss: Any) -> None:
    result = stss("capacity", "--records", EXAMPLE, "--today", TODAY, "--format", "json")
    loads = {row["person"]: row for row in json.loads(result.stdout)}
    assert len(loads) == 8
    assert all(row["total"] == row["delivered"] + row["planned"] for row in loads.values())
    assert not any(row["over"] for row in loads.values())


def test_engagements_flags(stss: Any) -> None:
    result = stss("engagements", "--records", EXAMPLE, "--today", TODAY, "--format", "json")
    rows = {row["engagement"]: row for row in json.loads(result.stdout)}
    assert "ends 2026-12-18" in rows["brookfield-maths-sle-2026"]["flags"]
    assert any("decide to join or end" in f for f in rows["ashcombe-partnership"]["flags"])
    assert "riverside-ks3-support-2025-26" not in rows  # completed last year: not this year's business
    every = stss("engagements", "--records", EXAMPLE, "--today", TODAY, "--all", "--format", "json")
    assert {row["engagement"]: row for row in json.loads(every.stdout)}["riverside-ks3-support-2025-26"][
        "delivered"] == 12
    active = stss("engagements", "--records", EXAMPLE, "--status", "proposed", "--format", "json")
    assert [r["engagement"] for r in json.loads(active.stdout)] == ["hollybank-early-reading-2027"]


def test_actions_due_and_overdue(stss: Any) -> None:
    result = stss("actions", "--records", EXAMPLE, "--today", TODAY, "--format", "json")
    rows = json.loads(result.stdout)
    assert rows and {r["state"] for r in rows} <= {"open", "due", "overdue"}
    for r in rows:
        if r["state"] == "overdue":
            assert r["due"] < TODAY
    overdue = stss("actions", "--records", EXAMPLE, "--today", TODAY, "--overdue", "--format", "json")
    assert [r for r in rows if r["state"] == "overdue"] == json.loads(overdue.stdout)


def test_counts_must_be_positive(stss: Any, mini: Any) -> None:
    offer = mini / "offer.yaml"
    offer.write_text(offer.read_text().replace("count: 2", "count: -2"))
    result = stss("usage", "--records", mini, "--today", TODAY)
    assert result.exit_code == 1
    assert "offer.yaml:9:45: error:" in result.stderr and "must be more than 0, got -2" in result.stderr


def test_table_drops_control_characters_from_names(stss: Any, mini: Any) -> None:
    school = mini / "schools/hill-top.yaml"
    school.write_text(school.read_text().replace("name: Hill Top Primary", 'name: "Hill\\x1b[2JTop"'))
    result = stss("usage", "--records", mini, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "Hill[2JTop" in result.stdout
